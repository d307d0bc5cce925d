"""The monitoring report form: figures typed as CSV lines or uploaded as a CSV file."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import monitoring


class MonitoringReportForm(forms.Form):
    figures = forms.CharField(
        label=_("Figures by segment"),
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "dir": "auto",
                # An example line: the columns are separated by ASCII commas in any language.
                "placeholder": _("Women 18-24, 1200, 84"),
            }
        ),
        help_text=_(
            "One line per audience segment: segment, people reached, positive outcomes "
            "(offers, clicks or conversions). A header line is allowed."
        ),
    )
    csv_file = forms.FileField(
        label=_("Or upload a CSV file"),
        required=False,
        help_text=_("UTF-8, three columns as above, at most 256 KB."),
    )
    observations = forms.CharField(
        label=_("Observations"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def clean(self):
        data = super().clean()
        upload, typed = data.get("csv_file"), (data.get("figures") or "").strip()
        if upload and typed:
            raise ValidationError(_("Type the figures or upload a CSV file, not both."))
        try:
            text = monitoring.read_csv(upload) if upload else typed
            if not text:
                raise ValidationError(_("Type the figures or upload a CSV file."))
            monitoring.parse_rows(text)
        except ValidationError as exc:
            self.add_error("csv_file" if upload else "figures", exc)
            return data
        data["text"] = text
        return data
