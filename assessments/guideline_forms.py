"""Forms of the guidelines library: writing a version, searching, acknowledging."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import selectors
from .cleaning import unstorable
from .models import GuidelineTopic
from .services.guidelines import BODY_MAX, SUMMARY_MAX, TITLE_MAX, TOPIC_MAX


def _question_choices() -> list[tuple[str, str]]:
    questionnaire = selectors.current_questionnaire()
    if questionnaire is None:
        return []
    definition = selectors.definition_of(questionnaire)
    language = translation.get_language()
    return [(q.code, f"{q.code} — {q.text.get(language)}") for q in definition.question_list]


def _dimension_choices() -> list[tuple[str, str]]:
    questionnaire = selectors.current_questionnaire()
    if questionnaire is None:
        return []
    language = translation.get_language()
    return [
        (d.code, d.title.get(language)) for d in selectors.definition_of(questionnaire).dimensions
    ]


class GuidelineForm(forms.Form):
    """A guideline version. A new topic may be named instead of choosing one."""

    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=GuidelineTopic.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    new_topic_en = forms.CharField(
        label=_("Or a new topic (English)"), max_length=TOPIC_MAX, required=False
    )
    new_topic_ar = forms.CharField(
        label=_("New topic (Arabic)"),
        max_length=TOPIC_MAX,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl"}),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=TITLE_MAX, required=False)
    body_en = forms.CharField(
        label=_("Text (English, Markdown)"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Markdown: “## ” starts a heading, “- ” a list item, [text](https://…) a link."
        ),
    )
    title_ar = forms.CharField(
        label=_("Title (Arabic)"),
        max_length=TITLE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl"}),
    )
    body_ar = forms.CharField(
        label=_("Text (Arabic, Markdown)"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "dir": "rtl"}),
    )
    question_codes = forms.MultipleChoiceField(
        label=_("Questions it governs"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 10}),
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Risk dimensions it governs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    change_summary = forms.CharField(
        label=_("What changed"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, new_version: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_codes"].choices = _question_choices()
        self.fields["dimensions"].choices = _dimension_choices()
        self.fields["change_summary"].required = new_version
        if not new_version:
            del self.fields["change_summary"]

    def clean(self):
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str) and unstorable(value):
                self.add_error(name, _("This text holds characters that cannot be stored."))
        if not data.get("topic") and not (data.get("new_topic_en") or "").strip():
            self.add_error("topic", _("Choose a topic or name a new one."))
        return data


class GuidelineSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the guidelines"), max_length=200, required=False)

    def clean_q(self):
        value = self.cleaned_data["q"]
        if unstorable(value):
            raise forms.ValidationError(_("This text holds characters that cannot be stored."))
        return value


class _IdsField(forms.MultipleChoiceField):
    """Ids of guideline versions; which ones must be acknowledged is the service's rule."""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19

    def clean(self, value):
        return [int(item) for item in super().clean(value)]


class GuidelineAcknowledgeForm(forms.Form):
    acknowledge = _IdsField(
        required=False, error_messages={"invalid_choice": _("Unknown guideline.")}
    )
