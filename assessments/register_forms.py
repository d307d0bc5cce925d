"""Forms of the AI tool register: an entry, the chair's review, an evidence file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RegisterTool, ToolReview
from .services.register import REVIEW_MONTHS_MAX, TOOL_FIELDS


class ToolForm(forms.ModelForm):
    """What the tool is; nothing here sets its review."""

    class Meta:
        model = RegisterTool
        fields = TOOL_FIELDS
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "sub_processors": forms.Textarea(attrs={"rows": 2}),
            "opt_outs": forms.Textarea(attrs={"rows": 2}),
            "limitations": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_name(self):
        # One line: the name is shown in lists, findings and messages.
        return " ".join(self.cleaned_data["name"].split())

    def validate_unique(self):
        """The service checks the name (case-insensitively) with a clear message."""


class ToolReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in ToolReview.choices if c[0] != ToolReview.PENDING],
        widget=forms.RadioSelect,
    )
    limits = forms.CharField(
        label=_("Limits of use"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the tool is approved for limited uses only."),
    )
    months = forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=1,
        max_value=REVIEW_MONTHS_MAX,
        initial=12,
        help_text=_(
            "After this the review expires and campaigns using the tool cannot be "
            "submitted until the board reviews it again."
        ),
    )


class ToolEvidenceForm(forms.Form):
    file = forms.FileField(label=_("Document (contract, model card, bias report)"))
