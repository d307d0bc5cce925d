from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from . import evidence, intake, permissions, working_calendar
from .cleaning import unstorable
from .models import (
    REPORT_EVERY_MAX_DAYS,
    REPORT_EVERY_MIN_DAYS,
    CampaignStatus,
    EvidenceKind,
    FeedbackCategory,
    FeedbackSeverity,
    RegisterTool,
    ReviewReason,
    Team,
    TriageStatus,
    User,
    VoteDecision,
)
from .roles import Role


class AccessFields(forms.Form):
    """Roles and teams, limited to what the actor may give (the invitation rule in
    ``permissions``; the services check it again)."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Marketers and managers must belong to at least one team."),
    )

    def limit_to(self, actor: User) -> None:
        labels = dict(Role.choices)
        self.fields["roles"].choices = [
            (role, labels[role]) for role in permissions.invitable_roles(actor)
        ]
        self.fields["teams"].queryset = permissions.invitable_teams(actor)


class InvitationForm(AccessFields):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    display_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("Optional: how the person is addressed in the invitation."),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial="en"
    )

    field_order = ["email", "display_name", "roles", "teams", "language"]

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to(actor)


class PersonForm(AccessFields):
    """A person's roles, teams and specialist flag on the People page."""

    is_specialist = forms.BooleanField(
        label=_("Privacy/legal specialist"),
        required=False,
        help_text=_("High-risk campaigns need a privacy or legal specialist among the reviewers."),
    )

    def __init__(self, *args, actor: User, person: User, **kwargs):
        grantable = {team.pk for team in permissions.invitable_teams(actor)}
        kwargs.setdefault(
            "initial",
            {
                "roles": sorted(person.role_set),
                "teams": [t.pk for t in person.teams.all() if t.pk in grantable],
                "is_specialist": person.is_specialist,
            },
        )
        super().__init__(*args, **kwargs)
        self.limit_to(actor)
        if not actor.has_role(Role.ADMIN):
            del self.fields["is_specialist"]  # administrators only
        self.person = person


class AcceptInvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address this invitation was sent to."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            candidate = User(
                email=cleaned.get("email", ""), display_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, e.g. “launch pipeline”."),
    )


class ToolChoiceField(forms.ModelMultipleChoiceField):
    """Register tools, each labelled with the board's review so the choice is informed."""

    def label_from_instance(self, obj):
        status = _("review expired") if obj.expired() else obj.get_review_display()
        return f"{obj.name} ({obj.provider}) — {status}"


class CampaignForm(forms.Form):
    """The campaign intake. Lists are checkboxes; nothing here sets status or owner."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    name = forms.CharField(label=_("Campaign name"), max_length=200)
    objective = forms.CharField(
        label=_("Objective"),
        max_length=300,
        help_text=_("What the campaign should achieve, in one sentence."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the campaign works and where AI is involved."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=intake.CHANNELS, widget=forms.CheckboxSelectMultiple
    )
    markets = forms.MultipleChoiceField(
        label=_("Markets (jurisdictions)"),
        choices=intake.MARKETS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Decides which legal questions apply."),
    )
    audiences = forms.CharField(
        label=_("Audiences"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who will see the campaign, and how they are selected."),
    )
    reaches_minors = forms.BooleanField(label=_("The campaign can reach minors"), required=False)
    reaches_vulnerable = forms.BooleanField(
        label=_("The campaign can reach vulnerable groups (e.g. people in financial distress)"),
        required=False,
    )
    ai_techniques = forms.MultipleChoiceField(
        label=_("AI techniques used"),
        choices=intake.AI_TECHNIQUES,
        widget=forms.CheckboxSelectMultiple,
    )
    data_sources = forms.MultipleChoiceField(
        label=_("Data sources"), choices=intake.DATA_SOURCES, widget=forms.CheckboxSelectMultiple
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=intake.DATA_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
    )
    flight_start = forms.DateField(
        label=_("Flight start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    flight_end = forms.DateField(
        label=_("Flight end"), widget=forms.DateInput(attrs={"type": "date"})
    )
    tools = ToolChoiceField(
        label=_("AI tools and vendors (from the board's register)"),
        queryset=RegisterTool.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A banned tool, or one whose review has expired, stops the submission. "
            "The vendor questions are pre-filled from the register."
        ),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["tools"].queryset = RegisterTool.objects.order_by("name")
        if len(teams) == 1 and not self.is_bound:
            self.fields["team"].initial = teams.first()

    def clean_name(self):
        # One line: the name goes into e-mail subjects and page titles.
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("flight_start"), cleaned.get("flight_end")
        if start and end and end < start:
            self.add_error("flight_end", _("The flight cannot end before it starts."))
        return cleaned


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of evidence"),
        choices=EvidenceKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits come from evidence.check_upload, the video one from a setting.
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, PNG, JPEG or plain text / CSV, at most %(limit)s MB; "
            "MP4 or MOV video, at most %(video_limit)s MB."
        ) % {
            "limit": evidence.MAX_EVIDENCE_BYTES // evidence.MB,
            "video_limit": evidence.video_limit_bytes() // evidence.MB,
        }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RespondForm(forms.Form):
    declaration = forms.CharField(
        label=_("Conflict-of-interest declaration"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Declare any interest in this campaign or its team, or write “None”."),
    )
    reason = forms.CharField(
        label=_("Reason for recusing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SubmitConfirmForm(forms.Form):
    """The confirming step of a submission: the tier whose route the person was shown (the
    service refuses if the result has changed since)."""

    confirmed_tier = forms.ChoiceField(
        choices=[(tier, tier) for tier in ("I", "II", "III", "IV")],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Check what happens next, then confirm. Nothing was submitted."),
            "invalid_choice": _("Check what happens next, then confirm. Nothing was submitted."),
        },
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the campaign is withdrawn (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FocusFirstError:
    """A signing form shown again after a refusal takes the reader to its first field in
    error (a wrong password: the password field). That field gets ``autofocus``, so the
    browser focuses it and scrolls it into view without any script (the CSP allows no
    inline script), and its error is announced: ``bootstrap5/layout/field_errors.html``
    gives the error of the autofocused field ``role="alert"``. Django marks the field
    ``aria-invalid`` and ``aria-describedby`` its error."""

    def add_error(self, field, error):
        super().add_error(field, error)
        self.focus_first_error()

    def focus_first_error(self) -> None:
        first = next(
            (
                name
                for name, field in self.fields.items()
                if name in (self._errors or {}) and not field.widget.is_hidden
            ),
            None,
        )
        for name, field in self.fields.items():
            if name == first:
                field.widget.attrs["autofocus"] = True
            else:
                field.widget.attrs.pop("autofocus", None)


def report_every_days_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Also require a monitoring report every N days"),
        required=False,
        min_value=REPORT_EVERY_MIN_DAYS,
        max_value=REPORT_EVERY_MAX_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_(
            "Optional, only with “approve with conditions”: 7 to 90 days. The monitoring "
            "plan follows this or the tier's rule, whichever asks for reports more often."
        ),
    )


def check_report_every_days(form: forms.Form, with_conditions: bool) -> None:
    if form.cleaned_data.get("report_every_days") is not None and not with_conditions:
        form.add_error(
            "report_every_days",
            _("A reporting cadence goes with “approve with conditions” only."),
        )


class VoteForm(FocusFirstError, forms.Form):
    decision = forms.ChoiceField(
        label=_("Your vote"), choices=VoteDecision.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Rationale"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    conditions = forms.CharField(
        label=_("Conditions (one per line)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only with “approve with conditions”."),
    )
    report_every_days = report_every_days_field()
    reasons = forms.MultipleChoiceField(
        label=_("What the rejection or change request is about"),
        choices=ReviewReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only with “reject” or “request changes”; at least one."),
    )
    password = forms.CharField(
        label=_("Your password (signs the vote)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        check_report_every_days(
            self, cleaned.get("decision") == VoteDecision.APPROVE_WITH_CONDITIONS
        )
        return cleaned

    def condition_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("conditions", ""))


class SignForm(FocusFirstError, forms.Form):
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    password = forms.CharField(
        label=_("Your password (signs the decision)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # What the chair saw and acts on (``services.signing_expectation``): the service
    # refuses the signature when the outcome or the version changed meanwhile.
    expected_outcome = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)
    expected_version = forms.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        # The hidden fields are not the user's to fix: a malformed one is a stale page.
        stale = [name for name in ("expected_outcome", "expected_version") if name in self._errors]
        for name in stale:
            del self._errors[name]
        if stale:
            self.add_error(
                None, _("This form is out of date. Nothing was signed; reload the page and sign.")
            )
        self.focus_first_error()
        return cleaned

    def show_current(self, expectation: dict) -> None:
        """A form shown again (after a refusal) carries what the page shows now."""
        if self.is_bound:
            data = self.data.copy()
            for name, value in expectation.items():
                data[name] = value
            self.data = data


class OverruleForm(SignForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (CampaignStatus.APPROVED, CampaignStatus.APPROVED.label),
            (
                CampaignStatus.APPROVED_WITH_CONDITIONS,
                CampaignStatus.APPROVED_WITH_CONDITIONS.label,
            ),
            (CampaignStatus.CHANGES_REQUESTED, CampaignStatus.CHANGES_REQUESTED.label),
            (CampaignStatus.REJECTED, CampaignStatus.REJECTED.label),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    conditions = forms.CharField(
        label=_("Conditions (one per line)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    report_every_days = report_every_days_field()
    field_order = [
        "outcome",
        "rationale",
        "conditions",
        "report_every_days",
        "password",
        "expected_outcome",
        "expected_version",
    ]

    def clean(self):
        cleaned = super().clean()
        check_report_every_days(
            self, cleaned.get("outcome") == CampaignStatus.APPROVED_WITH_CONDITIONS
        )
        return cleaned

    def condition_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("conditions", ""))


class CommentForm(forms.Form):
    section = forms.ChoiceField(
        label=_("About"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    text = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        # Its own id: the feedback form on the same page also has a "text" field.
        widget=forms.Textarea(attrs={"rows": 2, "id": "id_comment_text"}),
    )
    board_only = forms.BooleanField(label=_("Visible to the board only"), required=False)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("The campaign in general"))] + list(sections)


class ConditionFulfilForm(forms.Form):
    note = forms.CharField(
        label=_("How it was fulfilled"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FeedbackForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=FeedbackCategory.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=FeedbackSeverity.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    text = forms.CharField(
        label=_("Your feedback"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "id": "id_feedback_text"}),
    )
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Triage"),
        choices=[
            (TriageStatus.ACKNOWLEDGED, TriageStatus.ACKNOWLEDGED.label),
            (TriageStatus.ACTION_TAKEN, TriageStatus.ACTION_TAKEN.label),
            (TriageStatus.DISMISSED, TriageStatus.DISMISSED.label),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("What was done, or why it is dismissed"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoticeForm(forms.Form):
    """The team's edit of the public notice. The title and the contact may stay empty in a
    draft; publishing needs them (``services.notice_missing``)."""

    title_en = forms.CharField(
        label=_("Public title (English)"),
        max_length=200,
        required=False,
        help_text=_("What readers see; not the campaign's internal name."),
    )
    body_en = forms.CharField(
        label=_("Notice (English)"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("A line starting with “## ” is a section heading; “- ” starts a list item."),
    )
    title_ar = forms.CharField(
        label=_("Public title (Arabic)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl"}),
    )
    body_ar = forms.CharField(
        label=_("Notice (Arabic)"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 12, "dir": "rtl"}),
    )
    contact = forms.CharField(
        label=_("Team contact address for questions and objections"),
        max_length=200,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "dir": "ltr"}),
        help_text=_("A team address such as privacy@example.com, not a person's own."),
    )


class PublicFeedbackForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=FeedbackCategory.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    message = forms.CharField(
        label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    email = forms.EmailField(
        label=_("Your e-mail address, if you would like a reply (optional)"),
        required=False,
        max_length=254,  # what the database column holds (RFC 5321's limit)
    )
    consent = forms.BooleanField(
        label=_("I agree that my e-mail address is used only to reply to this message."),
        required=False,
    )
    # Honeypot: hidden from people, filled in by bots.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class ClosureDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Shown to everyone, e.g. “Board away day”."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if unstorable(reason):
            raise forms.ValidationError(_("Remove the null or invalid characters from this text."))
        return reason


class TimeZoneForm(forms.Form):
    """A person's display time zone: one of the system's IANA zones, or empty for the
    installation default."""

    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = _("Installation default (%(zone)s)") % {"zone": settings.DEFAULT_USER_TIME_ZONE}
        self.fields["time_zone"].choices = [
            ("", default),
            *((name, name) for name in working_calendar.time_zone_names()),
        ]
