"""The campaign list: filters (the dashboard links to it with the same ones), sorts,
keyset pagination and the CSV export of exactly the filtered list.

Every filter and sort is served by an index (migration 0007), and pages are fetched by
seeking to a cursor instead of an offset, so the 2,000th page costs what the first does.
"""

import calendar
import json
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import search, workflow, working_calendar
from .intake import CHANNELS, MARKETS
from .models import (
    Assignment,
    CampaignStatus,
    Decision,
    Feedback,
    FeedbackCategory,
    FeedbackSeverity,
    ReviewReason,
    Team,
    TriageStatus,
    Vote,
)

EXPIRING_DAYS = 30


OPEN_STATES = "open"  # state filter value: every state of an open review


NOT_STATED = "not_stated"


TIERS = ["I", "II", "III", "IV"]


NO_TIER = "none"  # not submitted yet, so not scored for the board


DATE_BASES = [
    ("created", _("created")),
    ("submitted", _("first submitted")),
    ("decided", _("decided")),
    ("feedback", _("feedback received")),
    ("voted", _("voted on")),
]


# name → (ordering fields, label); each has an index ending in the id.
SORTS = {
    "updated": (("-updated_at", "-id"), _("Last change")),
    "created": (("-created_at", "-id"), _("Newest")),
    "name": (("name", "id"), _("Name")),
    "due": (("review_due_at", "id"), _("Decision due")),
    "submitted": (("-first_submitted_at", "-id"), _("First submitted")),
}


NULLABLE_SORT_FIELDS = {"review_due_at", "first_submitted_at"}


def _month_or_date(value: str, *, end: bool) -> date:
    """``YYYY-MM`` (the dashboard's months) or ``YYYY-MM-DD``."""
    value = value.strip()
    if len(value) == 7:
        year, month = (int(part) for part in value.split("-"))
        day = calendar.monthrange(year, month)[1] if end else 1
        return date(year, month, day)
    return date.fromisoformat(value)


class PeriodField(forms.Field):
    def __init__(self, *, end: bool, **kwargs):
        self.end = end
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if len(value) > 10:
            raise forms.ValidationError(_("Enter a month (YYYY-MM) or a date (YYYY-MM-DD)."))
        try:
            return _month_or_date(value, end=self.end)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Enter a month (YYYY-MM) or a date (YYYY-MM-DD).")
            ) from exc


def state_choices():
    return [
        ("", _("Any state")),
        (OPEN_STATES, _("In review (any stage)")),
        *CampaignStatus.choices,
    ]


class TeamField(forms.ModelChoiceField):
    """The team filter. The teams are read once per form: the choices shown and the
    check of the chosen team share that one query (a ModelChoiceField reads them for
    each)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._teams: list[Team] | None = None

    def teams(self) -> list[Team]:
        if self._teams is None:
            self._teams = list(self.queryset)
        return self._teams

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Team):
            value = value.pk
        for team in self.teams():
            if str(team.pk) == str(value).strip():
                return team
        raise forms.ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


def _choices(field) -> list[tuple[str, str]]:
    """(value, label) of a choice field; the teams from the one read ``TeamField`` keeps."""
    if isinstance(field, TeamField):
        return [("", field.empty_label)] + [(str(team.pk), str(team)) for team in field.teams()]
    return [(str(key), label) for key, label in field.choices]


class CampaignFilterForm(forms.Form):
    """The list's and the dashboard's filters, all in the URL. Unknown values are errors
    (shown on the page) and filter nothing."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=state_choices)
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        choices=[("", _("Any tier")), *[(t, t) for t in TIERS], (NO_TIER, _("Not yet submitted"))],
    )
    team = TeamField(
        label=_("Team"),
        required=False,
        queryset=Team.objects.order_by("name"),
        empty_label=_("Any team"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *CHANNELS]
    )
    market = forms.ChoiceField(
        label=_("Market"), required=False, choices=[("", _("Any market")), *MARKETS]
    )
    on = forms.ChoiceField(label=_("Dates are"), required=False, choices=DATE_BASES)
    start = PeriodField(label=_("From"), end=False)
    end = PeriodField(label=_("To"), end=True)
    # Filters the dashboard's figures link with.
    outcome = forms.ChoiceField(
        required=False, choices=[("", "")] + CampaignStatus.choices, widget=forms.HiddenInput
    )
    reason = forms.ChoiceField(
        required=False,
        choices=[("", ""), *ReviewReason.choices, (NOT_STATED, _("not stated"))],
        widget=forms.HiddenInput,
    )
    category = forms.ChoiceField(
        required=False, choices=[("", ""), *FeedbackCategory.choices], widget=forms.HiddenInput
    )
    flag = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    dimension = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    reviewer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    pending = forms.BooleanField(required=False, widget=forms.HiddenInput)
    overdue = forms.BooleanField(required=False, widget=forms.HiddenInput)
    expiring = forms.BooleanField(required=False, widget=forms.HiddenInput)
    serious = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reworked = forms.BooleanField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (_fields, label) in SORTS.items()],
    )

    # The dashboard's URL names its period "from"/"to"; so does the list's.
    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            for public, field in (("from", "start"), ("to", "end")):
                if public in data and field not in data:
                    data[field] = data[public]
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                forms.ValidationError(
                    _("The end of the period is before its start."), code="period_order"
                ),
            )
        return cleaned

    def options(self, *names: str) -> dict[str, dict]:
        """The choices of these select fields with the submitted one marked, for the
        ``<option>`` loop of ``partials/select_options.html`` (Django's widget templates
        cost more than the page's query)."""
        out = {}
        for name in names:
            bound = self[name]
            value = bound.value()
            current = "" if value in (None, "") else str(value)
            out[name] = {
                "label": bound.label,
                "choices": [(key, label, key == current) for key, label in _choices(bound.field)],
            }
        return out

    def matches_nothing(self) -> bool:
        """The only problems are a team that does not exist or a period that ends before
        it starts: valid questions whose answer is "no campaign"."""
        errors = self.errors.get_json_data()
        allowed = {"team": {"invalid_choice"}, "end": {"period_order"}}
        return bool(errors) and all(
            {e["code"] for e in errs} <= allowed.get(field, set()) for field, errs in errors.items()
        )

    def filters(self) -> dict:
        """The valid filters (empty when the form has errors: nothing is filtered on a
        value that was refused)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


def json_list_has(field: str, value: str, *, indexed: bool = True):
    """A JSON list column contains ``value``: jsonb containment (GIN-indexed) on
    PostgreSQL; a match on the quoted value in the JSON text elsewhere (codes contain no
    quotes).

    ``indexed=False`` (PostgreSQL): the same test as ``jsonb_exists()``, which the
    planner cannot answer from the GIN index. For use beside a selective B-tree filter
    (team, state, tier): checking the few hundred rows that filter leaves is cheaper than
    reading the channel's whole GIN posting list (a third of all campaigns) to intersect
    it, which the planner otherwise chooses for the list's count."""
    if connection.vendor == "postgresql":
        if not indexed:
            return Exact(
                Func(F(field), Value(value), function="jsonb_exists", output_field=BooleanField()),
                True,
            )
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": json.dumps(value)})


def _range(field: str, start: date | None, end: date | None) -> Q:
    q = Q()
    if start:
        q &= Q(**{f"{field}__gte": datetime.combine(start, datetime.min.time(), UTC)})
    if end:
        q &= Q(
            **{f"{field}__lt": datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)}
        )
    return q


# Filters whose answer moves with the clock.
CLOCK_FILTERS = frozenset({"overdue", "expiring"})


def count_key(user, filters: dict) -> list | None:
    """What the number of campaigns ``user`` finds with the cleaned ``filters`` depends on,
    beside the campaigns and people themselves (each change of those bumps the fragments'
    version); None when it also depends on the clock."""
    if CLOCK_FILTERS & filters.keys():
        return None
    return [user.pk, sorted((key, str(value)) for key, value in filters.items() if key != "sort")]


def apply_filters(qs, f: dict, *, now=None):
    """``qs`` (campaigns) narrowed by the cleaned filters ``f``."""
    now = now or timezone.now()
    if f.get("q"):
        qs = qs.filter(search.matching(f["q"]))
    state = f.get("state")
    if state == OPEN_STATES:
        qs = qs.filter(status__in=list(workflow.OPEN_REVIEW_STATES))
    elif state:
        qs = qs.filter(status=state)
    if f.get("tier"):
        qs = qs.filter(tier="" if f["tier"] == NO_TIER else f["tier"])
    if f.get("team"):
        qs = qs.filter(team=f["team"])
    narrowed = bool(f.get("team") or state or f.get("tier"))  # B-tree indexed filters
    if f.get("channel"):
        qs = qs.filter(json_list_has("channels", f["channel"], indexed=not narrowed))
    if f.get("market"):
        qs = qs.filter(json_list_has("markets", f["market"], indexed=not narrowed))
    start, end = f.get("start"), f.get("end")
    on = f.get("on") or "created"
    if on == "created":
        qs = qs.filter(_range("created_at", start, end))
    elif on == "submitted":
        qs = qs.filter(_range("first_submitted_at", start, end), first_submitted_at__isnull=False)
    elif on == "decided":
        decisions = Decision.objects.effective().filter(
            _range("created_at", start, end), campaign=OuterRef("pk")
        )
        if f.get("outcome"):
            decisions = decisions.filter(outcome=f["outcome"])
        if f.get("reason") == NOT_STATED:
            decisions = decisions.filter(reasons=[])
        elif f.get("reason"):
            decisions = decisions.filter(json_list_has("reasons", f["reason"]))
        qs = qs.filter(Exists(decisions))
    elif on == "feedback":
        items = Feedback.objects.filter(_range("created_at", start, end), campaign=OuterRef("pk"))
        if f.get("category"):
            items = items.filter(category=f["category"])
        qs = qs.filter(Exists(items))
    elif on == "voted":
        votes = Vote.objects.filter(_range("signed_at", start, end), campaign=OuterRef("pk"))
        if f.get("reviewer"):
            votes = votes.filter(reviewer_id=f["reviewer"])
        qs = qs.filter(Exists(votes))
    if f.get("flag"):
        qs = qs.filter(json_list_has("facts__red_flags", f["flag"]))
    if f.get("dimension"):
        qs = qs.filter(facts__top_dimension=f["dimension"])
    if f.get("pending") or (f.get("reviewer") and on != "voted"):
        waiting = Assignment.objects.open().filter(campaign=OuterRef("pk"))
        if f.get("reviewer"):
            waiting = waiting.filter(reviewer_id=f["reviewer"])
        qs = qs.filter(Exists(waiting))
    if f.get("overdue"):
        qs = qs.filter(
            status__in=list(workflow.OPEN_REVIEW_STATES), review_due_at__lt=start_of_day(now)
        )
    if f.get("expiring"):
        qs = qs.filter(
            status__in=list(workflow.APPROVED_STATES),
            approval_expires_at__gte=now,
            approval_expires_at__lt=now + timedelta(days=EXPIRING_DAYS),
        )
    if f.get("serious"):
        qs = qs.filter(Exists(open_serious_feedback().filter(campaign=OuterRef("pk"))))
    if f.get("reworked"):
        qs = qs.filter(
            Exists(
                Decision.objects.filter(
                    campaign=OuterRef("pk"), outcome=CampaignStatus.CHANGES_REQUESTED
                )
            )
        )
    return qs


def start_of_day(moment: datetime) -> datetime:
    """Overdue means past the due DAY in the board's zone: a review due today is not
    overdue yet (``working_calendar.overdue_cutoff``)."""
    return working_calendar.overdue_cutoff(moment)


def open_serious_feedback():
    return Feedback.objects.filter(severity=FeedbackSeverity.SERIOUS, status=TriageStatus.NEW)


TIER_LABELS = {
    "I": _("Tier I · Low"),
    "II": _("Tier II · Moderate"),
    "III": _("Tier III · High"),
    "IV": _("Tier IV · Very high"),
    "prohibited": _("Prohibited"),
}


def campaign_url_prefix() -> str:
    """The campaign page's address without its id ("/campaigns/"): lists that link many
    campaigns add ``f"{pk}/"`` instead of calling reverse() per row."""
    return reverse("campaign_detail", args=[0]).removesuffix("0/")


def labelled(rows: list[dict]) -> list[dict]:
    """``LIST_VALUES`` rows with the translated labels of their state and tier, for
    ``partials/campaign_rows.html``."""
    statuses = dict(CampaignStatus.choices)
    for row in rows:
        row["status_label"] = statuses.get(row["status"], row["status"])
        row["tier_label"] = TIER_LABELS.get(row["tier"], row["tier"])
    return rows


def rows_key(rows: list[dict]) -> str:
    """What a page of rows shows depends on: each row's id and last change (the cache
    key of its fragment, with the fragments' version and the language)."""
    return ",".join(f"{row['id']}:{row['updated_at'].timestamp()}" for row in rows)
