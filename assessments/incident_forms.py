"""Forms for incidents: opening one, its timeline entries and the chair's closing."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import EntryKind, HarmType, IncidentSeverity, User
from .roles import Role

MAX_PEOPLE = 1_000_000_000


class IncidentForm(forms.Form):
    what_happened = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    harm_type = forms.ChoiceField(label=_("Type of harm"), choices=HarmType.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=IncidentSeverity.choices)
    people_affected = forms.IntegerField(
        label=_("People affected (estimate)"), required=False, min_value=0, max_value=MAX_PEOPLE
    )
    regulator_involved = forms.BooleanField(label=_("A regulator is involved"), required=False)
    platform_involved = forms.BooleanField(label=_("A platform is involved"), required=False)
    # The chair opens an incident from a piece of feedback (the link on the feedback).
    feedback = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    personal_data_breach = forms.BooleanField(
        label=_("Personal data breach"),
        required=False,
        help_text=_(
            "The supervisory authority must be notified within 72 hours of becoming aware of "
            "it (GDPR Art. 33(1))."
        ),
    )


class IncidentEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Entry"), choices=EntryKind.choices)
    text = forms.CharField(
        label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner (corrective action)"), queryset=User.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("Due on (corrective action)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        if campaign is not None:
            # The campaign's team and the board: the people who can see the campaign.
            self.fields["owner"].queryset = (
                User.objects.filter(is_active=True)
                .filter(
                    Q(teams=campaign.team_id, roles__role=Role.MARKETER)
                    | Q(roles__role__in=[Role.REVIEWER, Role.CHAIR, Role.MANAGER, Role.ADMIN])
                )
                .distinct()
                .order_by("display_name", "pk")
            )


class IncidentCloseForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
