"""The forms of the ethics training pages (issue #21)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import training
from .models import TrainingModule, User
from .roles import Role

MARKDOWN_MAX = 50_000


class TrainingModuleForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_ar = forms.CharField(label=_("Title (Arabic)"), max_length=200)
    content_en = forms.CharField(
        label=_("Content (English, Markdown)"),
        max_length=MARKDOWN_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    content_ar = forms.CharField(
        label=_("Content (Arabic, Markdown)"),
        max_length=MARKDOWN_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "rtl"}),
    )
    external_url = forms.URLField(
        label=_("Or an external course (https link)"),
        max_length=200,
        required=False,
        assume_scheme="https",
    )
    required_roles = forms.MultipleChoiceField(
        label=_("Required for"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nobody in a role without required modules is held back."),
    )
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"), min_value=1, max_value=120, initial=12
    )
    quiz = forms.CharField(
        label=_("Quiz (optional)"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One line each: “? Question | السؤال”, then its options: “* right answer | …” or "
            "“- wrong answer | …” (English, “|”, Arabic)."
        ),
    )
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=1, max_value=100, initial=80)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_module(cls, module: TrainingModule | None, data=None):
        if module is None or data is not None:
            return cls(data)
        initial = {field: getattr(module, field) for field in cls.base_fields}
        initial["quiz"] = training.quiz_text(module.quiz)
        return cls(initial=initial)

    def clean_external_url(self):
        url = self.cleaned_data["external_url"]
        if url and not url.lower().startswith("https://"):
            raise ValidationError(_("The link must start with https://."))
        return url

    def clean_quiz(self):
        return training.parse_quiz(self.cleaned_data["quiz"])

    def clean(self):
        data = super().clean()
        given = data.get("content_en") or data.get("content_ar") or data.get("external_url")
        if not given and not self.errors:
            raise ValidationError(_("Give the module's content or an external https link."))
        return data


class QuizForm(forms.Form):
    """One group of check boxes per question, labelled in the reader's language."""

    def __init__(self, module: TrainingModule, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = "ar" if translation.get_language() == "ar" else "en"
        for index, question in enumerate(module.quiz):
            self.fields[f"q{index}"] = forms.TypedMultipleChoiceField(
                label=question["question"][language],
                choices=[(i, o[language]) for i, o in enumerate(question["options"])],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def answers(self) -> dict[int, set[int]]:
        return {int(name[1:]): set(value) for name, value in self.cleaned_data.items() if value}


class CompletionRecordForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True).order_by("display_name")
    )
    module = forms.ModelChoiceField(label=_("Module"), queryset=TrainingModule.objects.all())
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Where and how"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the provider's course, with its certificate number."),
    )


class CompletionImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, with the header “email,module,completed”: the person's e-mail address, "
            "the module's number or English title, and the date (YYYY-MM-DD). All rows are "
            "imported or none."
        ),
    )
