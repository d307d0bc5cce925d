"""The campaign list: filters (the dashboard links to it with the same ones), sorts,
keyset pagination and the CSV export of exactly the filtered list.

Every filter and sort is served by an index (migration 0007), and pages are fetched by
seeking to a cursor instead of an offset, so the 2,000th page costs what the first does.
"""

import base64
import calendar
import csv
import html
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import workflow
from .cleaning import unstorable
from .errors import ServiceError
from .intake import CHANNELS, MARKETS
from .models import (
    CAMPAIGN_DETAIL_FIELDS,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    CampaignVersion,
    Decision,
    DecisionKind,
    Feedback,
    FeedbackCategory,
    FeedbackSeverity,
    ReviewReason,
    Team,
    TriageStatus,
    Vote,
)

PAGE_SIZE = 50
COUNT_CAP = 10_000  # the list counts exactly up to here and says "more than" beyond
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


def _escaped_choices(name: str, field) -> list[tuple[str, str]]:
    """(value, label) of a choice field, both escaped for HTML. Fixed choices are
    translated once per language (the filter form's fields by name); the teams are read
    for each form."""
    if isinstance(field, TeamField):
        return [("", html.escape(str(field.empty_label)))] + [
            (str(team.pk), html.escape(str(team))) for team in field.teams()
        ]
    cache_key = (name, get_language())
    cached = _CHOICES_CACHE.get(cache_key)
    if cached is None:
        cached = _CHOICES_CACHE[cache_key] = [
            (html.escape(str(key)), html.escape(str(label))) for key, label in field.choices
        ]
    return cached


_CHOICES_CACHE: dict[tuple, list[tuple[str, str]]] = {}


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
        """The ``<option>`` elements of these select fields, with the submitted value
        selected (built here: Django's widget templates cost more than the page's
        query)."""
        out = {}
        for name in names:
            bound = self[name]
            value = bound.value()
            current = "" if value in (None, "") else str(value)
            html = []
            for key, label in _escaped_choices(name, bound.field):
                selected = " selected" if key == current else ""
                html.append(f'<option value="{key}"{selected}>{label}</option>')
            out[name] = {"label": bound.label, "html": mark_safe("".join(html))}  # noqa: S308
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
    it, which the planner otherwise chooses for the list's count (2.2 -> 0.6 ms)."""
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


def effective_decisions():
    """Decisions that count: the last of their version, and not a rule decision still
    waiting for the chair's confirmation."""
    later = Decision.objects.filter(
        version=OuterRef("version"), created_at__gt=OuterRef("created_at")
    )
    newer_version = CampaignVersion.objects.filter(
        campaign=OuterRef("campaign"), number__gt=OuterRef("version__number")
    )
    return Decision.objects.filter(~Exists(later)).exclude(
        Q(kind=DecisionKind.RULE)
        & Q(campaign__status=CampaignStatus.AWAITING_CONFIRMATION)
        & ~Exists(newer_version)
    )


def open_assignments():
    """Assignments still waiting for the reviewer: pending or accepted, on the campaign's
    current version, in an open review, without the reviewer's vote. Starts from the few
    campaigns in review (indexed), not from every assignment ever made."""
    newer_version = CampaignVersion.objects.filter(
        campaign=OuterRef("campaign"), number__gt=OuterRef("version__number")
    )
    voted = Vote.objects.filter(version=OuterRef("version"), reviewer=OuterRef("reviewer"))
    in_review = Campaign.objects.filter(status__in=list(workflow.OPEN_REVIEW_STATES))
    return Assignment.objects.filter(
        campaign_id__in=in_review.values("pk"),
        status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED],
    ).filter(~Exists(newer_version), ~Exists(voted))


def apply_filters(qs, f: dict, *, now=None):
    """``qs`` (campaigns) narrowed by the cleaned filters ``f``."""
    now = now or timezone.now()
    if f.get("q"):
        term = f["q"]
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(owner__display_name__icontains=term)
            | Q(owner__email__icontains=term)
        )
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
        decisions = effective_decisions().filter(
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
        waiting = open_assignments().filter(campaign=OuterRef("pk"))
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
    """Overdue means past the due DAY (UTC): a review due today is not overdue yet."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def open_serious_feedback():
    return Feedback.objects.filter(severity=FeedbackSeverity.SERIOUS, status=TriageStatus.NEW)


# --- pages ------------------------------------------------------------------------------------


def _encode(values: list) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_CHARS = 512
MAX_ID = 2**63 - 1  # bigint


class InvalidCursor(ServiceError):
    """A page link's cursor that this list did not make (edited by hand, or from another
    sort order)."""

    def __init__(self):
        super().__init__(
            _(
                "This page link is not valid (it may be from another sort order). Start again "
                "from the first page."
            ),
            field="after",
        )


def _decode(cursor: str, ordering: tuple[str, str]) -> list:
    """The ``[value, id]`` a cursor of ``ordering`` holds, typed (an aware datetime for the
    ``*_at`` fields), or ``InvalidCursor``: nothing from a tampered cursor reaches the
    database except as a value of the column's type."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, RecursionError):
        raise InvalidCursor from None
    if not isinstance(values, list) or len(values) != 2:
        raise InvalidCursor
    value, pk = values
    if type(pk) is not int or not 0 < pk <= MAX_ID:
        raise InvalidCursor
    name = ordering[0].lstrip("-")
    if value is None:
        if name not in NULLABLE_SORT_FIELDS:
            raise InvalidCursor
        return [None, pk]
    if not isinstance(value, str) or unstorable(value):
        raise InvalidCursor
    if name.endswith("_at"):
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            value = moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise InvalidCursor from None
    return [value, pk]


def _after(ordering: tuple[str, str], values: list, *, backwards: bool) -> Q:
    """Rows strictly after (or, ``backwards``, before) the cursor in ``ordering``, with
    NULLs of a nullable sort field last."""
    (first, _id) = ordering
    desc = first.startswith("-")
    name = first.lstrip("-")
    value, pk = values
    forward_desc = desc != backwards  # the comparison direction for this query
    op = "lt" if forward_desc else "gt"
    nullable = name in NULLABLE_SORT_FIELDS
    if value is None:
        # Among the NULLs (last going forward): only the id decides; going back, every
        # non-null row comes before them.
        same = Q(**{f"{name}__isnull": True, f"id__{op}": pk})
        return same | Q(**{f"{name}__isnull": False}) if backwards else same
    tail = Q(**{name: value, f"id__{op}": pk}) | Q(**{f"{name}__{op}": value})
    if nullable and not backwards:
        tail |= Q(**{f"{name}__isnull": True})
    return tail


def _seek(qs, ordering: tuple[str, str], cursor: list, *, backwards: bool):
    """Rows after the cursor. For the NOT NULL sort columns a row-value comparison,
    ``(column, id) < (value, id)``, which both databases answer from the (column, id)
    index; the nullable ones need the longer condition of ``_after``."""
    name = ordering[0].lstrip("-")
    value, pk = cursor
    if name in NULLABLE_SORT_FIELDS or value is None:
        return qs.filter(_after(ordering, cursor, backwards=backwards))
    if name.endswith("_at"):
        # As the database stores it (SQLite: naive UTC text).
        value = connection.ops.adapt_datetimefield_value(value)
    descending = ordering[0].startswith("-") != backwards
    table = Campaign._meta.db_table
    column = Campaign._meta.get_field(name).column
    op = "<" if descending else ">"
    return qs.extra(  # noqa: S610 - fixed identifiers; the values are parameters
        where=[f'("{table}"."{column}", "{table}"."id") {op} (%s, %s)'], params=[value, pk]
    )


def _order(ordering: tuple[str, str], *, backwards: bool) -> list:
    """ORDER BY for ``ordering`` (reversed when reading backwards). Nullable sort fields
    put NULLs last going forward; the others are NOT NULL and keep the plain order their
    index serves."""
    first, second = ordering
    name = first.lstrip("-")
    desc = first.startswith("-") != backwards
    nulls = {}
    if name in NULLABLE_SORT_FIELDS:
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
    column = F(name).desc(**nulls) if desc else F(name).asc(**nulls)
    id_desc = second.startswith("-") != backwards
    return [column, F("id").desc() if id_desc else F("id").asc()]


def _cursor_of(campaign, ordering) -> str:
    """The cursor just past ``campaign`` (a model instance or a ``LIST_VALUES`` dict)."""
    name = ordering[0].lstrip("-")
    if isinstance(campaign, dict):
        value, pk = campaign[name], campaign["id"]
    else:
        value, pk = getattr(campaign, name), campaign.pk
    if isinstance(value, datetime):
        value = value.isoformat()
    return _encode([value, pk])


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    count: int
    count_capped: bool


# What a row of the campaign list shows (plain values: a page of 50 model instances with
# their team and owner costs more than the page's queries).
LIST_VALUES = (
    "id",
    "name",
    "team__name",
    "owner__display_name",
    "owner__email",
    "status",
    "tier",
    "review_due_at",
    "updated_at",
    "created_at",
    "first_submitted_at",
)


def page_of(
    qs, *, sort: str, after: str = "", before: str = "", values: tuple[str, ...] = ()
) -> Page:
    """One page of ``qs`` in ``sort`` order, after or before a cursor (keyset pagination),
    and the number of rows (exact up to COUNT_CAP). Rows are campaigns, or dicts of
    ``values`` when given (they must include the sort fields and ``id``)."""
    ordering = SORTS.get(sort or "updated", SORTS["updated"])[0]
    backwards = bool(before) and not after
    cursor = None
    if after or before:
        try:
            cursor = _decode(before if backwards else after, ordering)
        except InvalidCursor as exc:
            exc.field = "before" if backwards else "after"
            raise
    page_qs = qs
    if cursor is not None:
        page_qs = _seek(page_qs, ordering, cursor, backwards=backwards)
    page_qs = page_qs.order_by(*_order(ordering, backwards=backwards))
    if values:
        page_qs = page_qs.values(*values)
    else:
        page_qs = page_qs.select_related("team", "owner").defer(*CAMPAIGN_DETAIL_FIELDS)
    rows = list(page_qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_prev = (cursor is not None and not backwards) or (backwards and more)
    count = qs.order_by()[: COUNT_CAP + 1].count()
    return Page(
        rows=rows,
        next_cursor=_cursor_of(rows[-1], ordering) if rows and has_next else None,
        prev_cursor=_cursor_of(rows[0], ordering) if rows and has_prev else None,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )


TIER_LABELS = {
    "I": _("Tier I · Low"),
    "II": _("Tier II · Moderate"),
    "III": _("Tier III · High"),
    "IV": _("Tier IV · Very high"),
    "prohibited": _("Prohibited"),
}


def _day(value) -> tuple[str, str]:
    return (value.astimezone(UTC).strftime("%Y-%m-%d"), value.isoformat()) if value else ("", "")


def campaign_url_prefix() -> str:
    """The campaign page's address without its id ("/campaigns/"): lists that link many
    campaigns add ``f"{pk}/"`` instead of calling reverse() per row."""
    return reverse("campaign_detail", args=[0]).removesuffix("0/")


def rows_html(rows: list[dict]) -> str:
    """The ``<tr>`` elements of a page of ``LIST_VALUES`` rows. Built here with escaping
    (fifty rows through template tags, filters and includes cost more than the page's
    queries); the markup is the table's in campaign_list.html."""
    statuses = {key: str(label) for key, label in CampaignStatus.choices}
    tiers = {key: html.escape(str(label)) for key, label in TIER_LABELS.items()}
    detail = campaign_url_prefix()
    out = []
    for row in rows:
        pk, tier = row["id"], row["tier"]
        due, due_iso = _day(row["review_due_at"])
        updated = row["updated_at"]
        owner = row["owner__display_name"] or row["owner__email"]
        tier_cell = (
            f'<span class="badge tier-badge tier-{html.escape(tier)}" '
            f'data-tier="{html.escape(tier)}">{tiers.get(tier) or html.escape(tier)}</span>'
            if tier
            else "–"
        )
        due_cell = f'<time datetime="{due_iso}">{due}</time>' if due else ""
        out.append(
            f'<tr data-campaign="{pk}"><td><a href="{detail}{pk}/">'
            f"{html.escape(row['name'])}</a></td>"
            f"<td>{html.escape(row['team__name'])}</td><td>{html.escape(owner)}</td>"
            f"<td>{html.escape(statuses.get(row['status'], row['status']))}</td>"
            f"<td>{tier_cell}</td><td>{due_cell}</td>"
            f'<td><time datetime="{updated.isoformat()}" dir="ltr">'
            f"{updated.astimezone(UTC).strftime('%Y-%m-%d %H:%M')} UTC</time></td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


# --- CSV --------------------------------------------------------------------------------------

CSV_COLUMNS = [
    ("id", _("ID")),
    ("name", _("Campaign")),
    ("team", _("Team")),
    ("owner", _("Owner")),
    ("status", _("State")),
    ("tier", _("Tier")),
    ("channels", _("Channels")),
    ("markets", _("Markets")),
    ("created", _("Created (UTC)")),
    ("first_submitted", _("First submitted (UTC)")),
    ("decided", _("Decided (UTC)")),
    ("due", _("Decision due (UTC)")),
    ("expires", _("Approval expires (UTC)")),
]


class _Echo:
    def write(self, value):
        return value


def _iso(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


def _safe(text: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ as formulas."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(qs, *, sort: str):
    """The CSV lines of ``qs`` (header first), read from the database in chunks so the
    whole list is never in memory."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(label) for _key, label in CSV_COLUMNS])
    statuses = dict(CampaignStatus.choices)
    ordering = SORTS.get(sort or "updated", SORTS["updated"])[0]
    rows = (
        qs.order_by(*_order(ordering, backwards=False))
        .values_list(
            "id",
            "name",
            "team__name",
            "owner__display_name",
            "status",
            "tier",
            "channels",
            "markets",
            "created_at",
            "first_submitted_at",
            "decided_at",
            "review_due_at",
            "approval_expires_at",
        )
        .iterator(chunk_size=2000)
    )
    for row in rows:
        (pk, name, team, owner, status, tier, channels, markets, *moments) = row
        yield writer.writerow(
            [
                pk,
                _safe(name),
                _safe(team),
                _safe(owner),
                str(statuses.get(status, status)),
                tier,
                " ".join(channels),
                " ".join(markets),
                *(_iso(m) for m in moments),
            ]
        )
