"""Reads that pages need, with a fixed number of queries whatever the data size."""

from collections import OrderedDict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, permissions, rawrows
from .canonical import canonical_sha256
from .listing import TIER_LABELS
from .models import (
    Assessment,
    Assignment,
    AuditEvent,
    Campaign,
    CampaignStatus,
    CampaignVersion,
    Comment,
    Condition,
    ConditionStatus,
    Decision,
    EventKind,
    EvidenceFile,
    Feedback,
    Invitation,
    Questionnaire,
    Team,
    User,
    UserRole,
    Vote,
    VoteDecision,
)
from .questionnaire import Definition, score, visible_codes
from .questionnaire.carry import carry_answers
from .queue import review_queue_for
from .roles import Role

ROLES_NEEDING_MFA = permissions.ROLES_NEEDING_MFA
user_has_mfa = permissions.user_has_mfa


def people_for(user: User):
    return (
        permissions.visible_people(user)
        .prefetch_related(
            Prefetch("roles", queryset=UserRole.objects.order_by("role")),
            Prefetch("teams", queryset=Team.objects.order_by("name")),
        )
        .order_by("display_name", "email")
    )


def invitations_for(user: User):
    qs = Invitation.objects.select_related("invited_by").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    )
    if user.has_role(Role.ADMIN):
        return qs
    if user.has_role(Role.MANAGER):
        return qs.filter(invited_by=user)
    return qs.none()


def home_attention(user: User) -> dict:
    """What needs this person's attention on the home page."""
    attention = {
        "needs_mfa": bool(ROLES_NEEDING_MFA & user.role_set) and not user_has_mfa(user),
        "pending_invitations": 0,
        "expired_invitations": 0,
        "drafts": [],
        "review": None,
    }
    if permissions.can(user, permissions.Action.VIEW_MY_CAMPAIGNS):
        drafts = (
            campaigns_for(user)
            .filter(team_id__in=user.team_ids, status=CampaignStatus.DRAFT)
            .order_by("-updated_at")[:10]
        )
        attention["drafts"] = [(c, campaign_result(c)) for c in drafts]
    attention["review"] = review_queue_for(user) if permissions.is_board(user) else None
    if permissions.can(user, permissions.Action.MANAGE_PEOPLE):
        invitations = invitations_for(user).filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        )
        attention["pending_invitations"] = invitations.pending().count()
        attention["expired_invitations"] = invitations.count() - attention["pending_invitations"]
    return attention


# --- questionnaires and campaigns --------------------------------------------------------

DEFAULT_QUESTIONNAIRE = "ai-marketing-impact"


# A questionnaire's definition is large JSON, parsed once per process by definition_of();
# pages load the row without it and fetch it only when this process has not parsed it yet.
DEFERRED_DEFINITION = ("assessment__questionnaire__definition",)


def current_questionnaire(slug: str = DEFAULT_QUESTIONNAIRE) -> Questionnaire | None:
    """The newest version of the questionnaire, without its definition (``definition_of``
    parses it once per process, by checksum)."""
    found = rawrows.read(
        Questionnaire, "slug = %s", [slug], order="version DESC", defer=["definition"], limit=1
    )
    return found[0] if found else None


def newer_questionnaire(campaign: Campaign) -> Questionnaire | None:
    """The newest version of the campaign's questionnaire, when it is newer than the
    version the assessment is on (one query)."""
    current = campaign.assessment.questionnaire
    newest = current_questionnaire(current.slug)
    return newest if newest is not None and newest.version > current.version else None


def result_under(campaign: Campaign, questionnaire: Questionnaire, language: str) -> dict:
    """Read-only: what the campaign's answers would score under another version, carried
    as a move would carry them (so the board knows which approvals to revisit)."""
    definition = definition_of(questionnaire)
    carried, dropped = carry_answers(definition, campaign.assessment.answers)
    result = score(definition, campaign.intake(), carried, suggest=False)
    return {
        "questionnaire": questionnaire,
        "dropped": dropped,
        **result_view(result, definition, carried, language, drivers=5, suggestions=0),
    }


def campaigns_for(user: User):
    return (
        permissions.visible_campaigns(user)
        .select_related("team", "owner", "assessment__questionnaire")
        .defer(*DEFERRED_DEFINITION)
        .order_by("-updated_at")
    )


def campaign_for(user: User, pk: int, *, page: bool = False) -> Campaign:
    """The campaign if ``user`` may see it; Http404 otherwise (no hint that it exists).

    ``page``: also whether it has versions, conditions, comments, evidence and feedback
    (index probes in the same query), so the campaign page skips reading empty lists."""
    if page:
        return _campaign_page(user, pk)
    qs = (
        permissions.visible_campaigns(user)
        .select_related("team", "owner", "assessment__questionnaire")
        .defer(*DEFERRED_DEFINITION)
    )
    return get_object_or_404(qs, pk=pk)


def _campaign_page(user: User, pk: int) -> Campaign:
    """``campaign_for(page=True)``: the campaign, its team, owner, assessment and
    questionnaire (without its definition) and the list probes, in one plain statement
    (the queryset with five EXISTS annotations and four joins took longer to build than
    to run). Visibility is ``permissions.can_view_campaign``, the rule
    ``visible_campaigns`` filters by."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    tables = (
        f"{table(Campaign)} c JOIN {table(Team)} t ON t.id = c.team_id "
        f"JOIN {table(User)} o ON o.id = c.owner_id "
        f"JOIN {table(Assessment)} s ON s.campaign_id = c.id "
        f"JOIN {table(Questionnaire)} q ON q.id = s.questionnaire_id"
    )
    probes = [
        f"EXISTS (SELECT 1 FROM {table(model)} WHERE campaign_id = c.id)"  # noqa: S608
        for model in PAGE_LISTS.values()
    ]
    # On PostgreSQL the review's lists and their people come in the same round trip
    # (read whatever the probes say: the statements are sent before the answer).
    reads = _review_reads(pk, user) if connection.vendor == "postgresql" else {}
    found, lists = rawrows.read_together_and_each(
        [
            (Campaign, "c", ()),
            (Team, "t", ()),
            (User, "o", ()),
            (Assessment, "s", ()),
            (Questionnaire, "q", ("definition",)),
        ],
        tables,
        "c.id = %s",
        [pk],
        extra=probes,
        # Planning the five joins and five probes took five times as long as running
        # them; a lookup by key has the same best plan whatever the key.
        prepared=True,
        reads=reads.values(),
    )
    if not found or not permissions.can_view_campaign(user, found[0][0]):
        raise Http404("No campaign matches the given query.")
    campaign, team, owner, assessment, questionnaire, *flags = found[0]
    if reads:
        campaign.review_rows = dict(zip(reads, lists, strict=True))
    campaign.team, campaign.owner = team, owner
    assessment.questionnaire = questionnaire
    campaign.assessment = assessment
    for name, flag in zip(PAGE_LISTS, flags, strict=True):
        setattr(campaign, f"has_{name}", bool(flag))
    return campaign


# The campaign page's lists that are often empty (see campaign_for(page=True)).
PAGE_LISTS = {
    "versions": CampaignVersion,
    "conditions": Condition,
    "comments": Comment,
    "evidence": EvidenceFile,
    "feedback": Feedback,
}


def has(campaign: Campaign, name: str) -> bool:
    """Whether the campaign may have rows in this list (True unless known to be empty)."""
    return getattr(campaign, f"has_{name}", True)


_RESULTS: "OrderedDict[str, object]" = OrderedDict()
_RESULTS_KEPT = 512


def campaign_result(campaign: Campaign):
    """The live score of the campaign's assessment.

    Scoring is a pure function of the questionnaire version, the intake and the answers,
    so results are remembered per process under the SHA-256 of exactly those inputs: a
    changed answer is a different key, never a stale result."""
    assessment = campaign.assessment
    intake = campaign.intake()
    key = canonical_sha256(
        {"q": assessment.questionnaire.checksum, "i": intake, "a": assessment.answers}
    )
    result = _RESULTS.get(key)
    if result is None:
        result = score(definition_of(assessment.questionnaire), intake, assessment.answers)
        _RESULTS[key] = result
        if len(_RESULTS) > _RESULTS_KEPT:
            _RESULTS.popitem(last=False)
    else:
        _RESULTS.move_to_end(key)
    return result


_DEFINITIONS: dict[str, Definition] = {}


def definition_of(questionnaire: Questionnaire) -> Definition:
    """The parsed definition. A version's content never changes (its checksum names it),
    so each process parses it once."""
    definition = _DEFINITIONS.get(questionnaire.checksum)
    if definition is None:
        definition = Definition.from_data(questionnaire.definition)
        if len(_DEFINITIONS) > 64:
            _DEFINITIONS.clear()
        _DEFINITIONS[questionnaire.checksum] = definition
    return definition


def display_answer(question, value, language: str) -> str:
    if value is None or value == [] or value == "":
        return ""
    if question.type in ("single", "yesno", "scale"):
        option = question.option(value)
        return option.label.get(language) if option else str(value)
    if question.type == "multiple":
        return ", ".join(
            question.option(v).label.get(language) for v in value if question.option(v)
        )
    if question.type == "number" and question.unit:
        return f"{value} {question.unit.get(language)}"
    return str(value)


@dataclass
class SectionView:
    code: str
    title: str
    intro: str
    questions: list  # of QuestionView
    required: int
    answered_required: int

    @property
    def done(self) -> bool:
        return self.answered_required == self.required


@dataclass
class QuestionView:
    question: object
    code: str
    text: str
    help: str
    value: object
    display: str
    required: bool
    options: list  # (value, label)
    unit: str = ""
    current: object = None  # what the form shows: the typed value after an error
    error: str = ""


def assessment_sections(
    definition, intake: dict, answers: dict, language: str
) -> list[SectionView]:
    """The visible sections and questions, in order, with answers for display."""
    visible = set(visible_codes(definition, intake, answers))
    sections = []
    for section in definition.sections:
        questions = []
        for question in section.questions:
            if question.code not in visible:
                continue
            value = answers.get(question.code)
            questions.append(
                QuestionView(
                    question=question,
                    code=question.code,
                    text=question.text.get(language),
                    help=question.help.get(language),
                    value=value,
                    display=display_answer(question, value, language),
                    required=question.required,
                    options=[(o.value, o.label.get(language)) for o in question.options],
                    unit=question.unit.get(language) if question.unit else "",
                    current=value,
                )
            )
        if questions:
            required = [q for q in questions if q.required]
            sections.append(
                SectionView(
                    code=section.code,
                    title=section.title.get(language),
                    intro=section.intro.get(language) if section.intro else "",
                    questions=questions,
                    required=len(required),
                    answered_required=sum(1 for q in required if q.value not in (None, "", [])),
                )
            )
    return sections


def result_view(
    result, definition, answers: dict, language: str, *, drivers: int = 8, suggestions: int = 6
) -> dict:
    """Everything the result panel shows, with texts in ``language``."""
    dimension_rows = [
        {
            "code": d.code,
            "title": d.title.get(language),
            "score": result.dimensions[d.code],
            "pct": float(result.dimensions[d.code].residual_pct),
            "pct_text": floatformat(float(result.dimensions[d.code].residual_pct), 1),
        }
        for d in definition.dimensions
    ]
    risk = sorted(
        (c for c in result.contributions if c.kind == "risk" and c.points > 0),
        key=lambda c: (-c.points, c.code),
    )
    driver_rows = []
    for contribution in risk[:drivers]:
        question = definition.questions[contribution.code]
        driver_rows.append(
            {
                "code": contribution.code,
                "text": question.text.get(language),
                "display": display_answer(question, answers.get(contribution.code), language)
                if not contribution.unanswered
                else "",
                "points": contribution.points,
                "max_points": contribution.max_points,
            }
        )
    suggestion_rows = []
    for suggestion in result.suggestions[:suggestions]:
        question = suggestion.question
        best = (
            suggestion.best_value.split(",")
            if question.type == "multiple"
            else suggestion.best_value
        )
        suggestion_rows.append(
            {
                "code": suggestion.code,
                "text": question.text.get(language),
                "best": display_answer(question, best, language),
                "tier_after": suggestion.tier_after,
                "tier_label": TIER_LABELS.get(suggestion.tier_after, suggestion.tier_after),
                "pct_after": float(suggestion.overall_pct_after),
                "pct_after_text": floatformat(float(suggestion.overall_pct_after), 1),
            }
        )
    flags = [
        {
            "code": hit.code,
            "text": hit.question.text.get(language),
            "answer": display_answer(hit.question, hit.value, language),
            "reason": hit.reason.get(language),
            "remedy": hit.remedy.get(language),
        }
        for hit in result.red_flags
    ]
    titles = {d.code: d.title.get(language) for d in definition.dimensions}
    reasons = [
        _reason_text(reason, titles, definition, language)
        for reason in result.reasons
        if reason.kind != "red_flag"
    ]
    # Percentages as the floatformat filter writes them (localized), once here.
    return {
        "reasons": reasons,
        "result": result,
        "overall_pct_text": floatformat(result.overall_pct, 1),
        "dimension_rows": dimension_rows,
        "drivers": driver_rows,
        "suggestions": suggestion_rows,
        "red_flags": flags,
        "more_suggestions": max(0, len(result.suggestions) - suggestions),
    }


def _reason_text(reason, titles: dict, definition, language: str) -> str:
    """One reason for a scoring 2 tier, as a sentence."""
    label = TIER_LABELS.get(reason.tier, reason.tier)
    if reason.kind == "band":
        return _("%(dimension)s is in band %(tier)s.") % {
            "dimension": titles.get(reason.code, reason.code),
            "tier": label,
        }
    if reason.kind == "breadth":
        return _("Three or more dimensions are high or very high: %(tier)s.") % {"tier": label}
    question = definition.questions[reason.code]
    return _("The answer to “%(question)s” sets at least %(tier)s.") % {
        "question": question.text.get(language),
        "tier": label,
    }


# --- review -----------------------------------------------------------------------------------


def clearance(campaign: Campaign, *, versions=None, conditions=None) -> dict:
    """May the campaign go live? Only when approved (with every condition verified) and
    the approval has not lapsed. ``versions`` and ``conditions``, when the caller has
    them already, save the two queries."""
    if versions is None:
        version = campaign.versions.order_by("-number").first()
    else:
        version = versions[-1] if versions else None
    # Only the conditions of the approval in force count: those of the current version,
    # while the outcome is "approved with conditions".
    open_conditions = []
    if version is not None and campaign.status == CampaignStatus.APPROVED_WITH_CONDITIONS:
        if conditions is None:
            conditions = campaign.conditions.filter(version=version).order_by("pk")
        open_conditions = [
            {"id": c.pk, "text": c.text, "status": c.status}
            for c in conditions
            if c.version_id == version.pk and c.status != ConditionStatus.VERIFIED
        ]
    approved = campaign.status in (
        CampaignStatus.APPROVED,
        CampaignStatus.APPROVED_WITH_CONDITIONS,
    )
    not_lapsed = (
        campaign.approval_expires_at is None or campaign.approval_expires_at > timezone.now()
    )
    # A severe open incident suspends the clearance until the chair lifts it.
    suspended_by = campaign.clearance_suspended_by_id
    return {
        "cleared": approved and not open_conditions and not_lapsed and suspended_by is None,
        "suspended_by_incident": suspended_by,
        "reason": _("Clearance suspended by incident %(id)s until the chair lifts it.")
        % {"id": suspended_by}
        if suspended_by
        else "",
        "status": campaign.status,
        "tier": campaign.tier or None,
        "approved_version": version.number if approved and version else None,
        "expires_at": campaign.approval_expires_at.isoformat()
        if campaign.approval_expires_at
        else None,
        "open_conditions": open_conditions,
    }


def version_diff(older, newer, language: str) -> dict:
    """What changed between two submitted versions: intake fields, answers (with the
    question text), and the score before and after."""
    definition = definition_of(newer.questionnaire)
    old, new = older.content, newer.content
    intake_changes = [
        {"field": name, "before": old["intake"].get(name), "after": new["intake"].get(name)}
        for name in sorted(set(old["intake"]) | set(new["intake"]))
        if old["intake"].get(name) != new["intake"].get(name)
    ]
    answer_changes = []
    for code in sorted(set(old["answers"]) | set(new["answers"])):
        before, after = old["answers"].get(code), new["answers"].get(code)
        if before == after:
            continue
        question = definition.questions.get(code)
        answer_changes.append(
            {
                "code": code,
                "text": question.text.get(language) if question else code,
                "before": display_answer(question, before, language) if question else before,
                "after": display_answer(question, after, language) if question else after,
            }
        )
    return {
        "older": older,
        "newer": newer,
        "intake": intake_changes,
        "answers": answer_changes,
        "score_before": old["score"],
        "score_after": new["score"],
    }


def timeline_rows(campaign: Campaign, language: str, *, events=None, people=None) -> list[dict]:
    """The campaign's history, oldest first, with the people's names looked up once
    (``events`` and ``people`` when the caller has read them already)."""
    if events is None:
        events = list(audit.timeline(campaign))
    if people is None:
        people = User.objects.in_bulk(_event_people(events))
    rows = []
    for event in events:
        payload = event.payload or {}
        actor = people.get(event.actor_id)
        reviewer = people.get(payload.get("reviewer"))
        rows.append(
            {
                "seq": event.seq,
                "kind": event.kind,
                "label": EventKind(event.kind).label,
                "at_iso": event.created_at.isoformat(),
                "at_text": timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                "actor": actor.display_name if actor else "",
                "system": event.actor_id is None,
                "version": payload.get("version"),
                "reviewer": reviewer.display_name if reviewer else "",
                "detail": _event_detail(payload),
                "hash": event.hash,
            }
        )
    return rows


def _event_people(events) -> set[int]:
    return {e.actor_id for e in events if e.actor_id} | {
        e.payload.get("reviewer") for e in events if isinstance(e.payload.get("reviewer"), int)
    }


_EVENT_DETAIL_LABELS = (
    ("outcome", dict(CampaignStatus.choices)),
    ("proposed", dict(CampaignStatus.choices)),
    ("vote", dict(VoteDecision.choices)),
)  # lazy labels: translated when written


def _event_detail(payload: dict) -> str:
    """A short, translated reading of an event's outcome or vote."""
    for key, labels in _EVENT_DETAIL_LABELS:
        if payload.get(key) in labels:
            return str(labels[payload[key]])
    return ""


# The review's lists (events always) and the probe (see PAGE_LISTS) that says whether
# a campaign may have rows in each: all of them belong to a version but the comments.
REVIEW_LISTS = {
    "versions": "versions",
    "assignments": "versions",
    "votes": "versions",
    "decisions": "versions",
    "conditions": "conditions",
    "comments": "comments",
}


def _review_reads(
    pk: int, user: User, *, lists=tuple(REVIEW_LISTS), people: bool = True
) -> dict[str, tuple]:
    """The ``rawrows`` reads of a campaign's events and these review ``lists``; with
    ``people`` (PostgreSQL) also everyone they name, by a subquery (else the caller reads
    them once it has the rows)."""
    by_campaign = "campaign_id = %s"
    reads = {"events": (AuditEvent, by_campaign, [pk], "seq", ())}
    specs = {
        # Without the versions' content (each a snapshot of every answer): the page shows
        # their numbers, and decoding the snapshots cost more than all these queries.
        "versions": (CampaignVersion, by_campaign, [pk], "number", ("content",)),
        "assignments": (Assignment, by_campaign, [pk], "id", ()),
        "votes": (Vote, by_campaign, [pk], "signed_at", ()),
        "decisions": (Decision, by_campaign, [pk], "created_at", ()),
        "conditions": (Condition, by_campaign, [pk], "id", ()),
        "comments": (Comment, by_campaign, [pk], "created_at", ())
        if permissions.is_board(user)
        else (Comment, f"{by_campaign} AND board_only = %s", [pk, False], "created_at", ()),
    }
    reads |= {name: specs[name] for name in lists}
    if people:
        table = {m: connection.ops.quote_name(m._meta.db_table) for m in REVIEW_PEOPLE}
        named = " UNION ".join(
            f"SELECT {column} FROM {table[model]} WHERE campaign_id = %s"  # noqa: S608
            for model, column in REVIEW_PEOPLE.items()
        )
        # ... and the reviewer an event names (its payload's "reviewer", a number).
        named += (
            f" UNION SELECT CAST(payload ->> 'reviewer' AS BIGINT) FROM {table[AuditEvent]} "  # noqa: S608 - table name
            "WHERE campaign_id = %s AND payload ->> 'reviewer' ~ '^[0-9]+$'"
        )
        reads["people"] = (User, f"id IN ({named})", [pk] * (len(REVIEW_PEOPLE) + 1), "", ())
    return reads


# Who the review's rows name: the column of each model (and the reviewer an event's
# payload names: see _review_reads).
REVIEW_PEOPLE = {
    Assignment: "reviewer_id",
    Vote: "reviewer_id",
    Decision: "decided_by_id",
    Comment: "author_id",
    AuditEvent: "actor_id",
}


def review_context(campaign: Campaign, user: User, language: str) -> dict:
    """Everything the review part of the campaign page shows, in a fixed number of
    queries: each kind of row once (read together: ``rawrows.read_each``), then their
    versions and people attached from one read each (joins to them on every list cost
    more than the rows). The campaign page reads them with the campaign
    (``campaign_for(page=True)`` on PostgreSQL); otherwise only the lists its probes
    leave (a draft has no versions, so no assignments, votes, decisions or conditions)."""
    found = getattr(campaign, "review_rows", None)  # read with the campaign page
    if found is None:
        reads = _review_reads(
            campaign.pk,
            user,
            lists=[name for name in REVIEW_LISTS if has(campaign, REVIEW_LISTS[name])],
            people=False,
        )
        found = dict(zip(reads, rawrows.read_each(reads.values()), strict=True))
    versions = found.get("versions", [])
    current = versions[-1] if versions else None
    by_id = {v.pk: v for v in versions}
    assignments = found.get("assignments", [])
    assignments.sort(key=lambda a: (by_id[a.version_id].number, a.pk))
    votes = found.get("votes", [])
    decisions = found.get("decisions", [])
    conditions = found.get("conditions", [])
    comments = found.get("comments", [])
    events = found["events"]
    if "people" in found:
        people = {u.pk: u for u in found["people"]}
    else:
        ids = sorted(
            {a.reviewer_id for a in assignments}
            | {v.reviewer_id for v in votes}
            | {d.decided_by_id for d in decisions if d.decided_by_id}
            | {c.author_id for c in comments}
            | _event_people(events)
        )
        people = (
            {u.pk: u for u in rawrows.read(User, f"id IN ({rawrows.placeholders(ids)})", ids)}
            if ids
            else {}
        )
    for row in (*assignments, *votes, *decisions, *conditions, *comments):
        if row.version_id is not None:
            row.version = by_id[row.version_id]
    for row in (*assignments, *votes):
        row.reviewer = people[row.reviewer_id]
    for row in decisions:
        if row.decided_by_id:
            row.decided_by = people[row.decided_by_id]
    for row in comments:
        row.author = people[row.author_id]
    actions = permissions.available_actions(campaign, user)
    my_pending = next(
        (
            a
            for a in assignments
            if current
            and a.version_id == current.pk
            and a.reviewer_id == user.pk
            and a.status == "pending"
        ),
        None,
    )
    for row in conditions:  # the Verify button: never for whoever fulfilled it
        row.verifiable = (
            "verify_conditions" in actions
            and row.status == "fulfilled"
            and permissions.may_verify(user, row)
        )
    return {
        "actions": actions,
        "versions": versions,
        "current_version": current,
        "assignments": assignments,
        "current_assignments": [a for a in assignments if current and a.version_id == current.pk],
        "votes": votes,
        "decisions": decisions,
        "conditions": conditions,
        "comments": comments,
        "timeline": timeline_rows(campaign, language, events=events, people=people),
        "my_pending": my_pending,
        "clearance": clearance(campaign, versions=versions, conditions=conditions),
    }


# --- feedback --------------------------------------------------------------------------------

CONSULTATION_QUESTION = "oversight.stakeholders"


def feedback_for(campaign: Campaign) -> list:
    if not has(campaign, "feedback"):
        return []
    return list(campaign.feedback.select_related("author", "triaged_by").order_by("-created_at"))


def consultation_record(campaign: Campaign, definition, language: str) -> str:
    """Who was consulted before submission, from the assessment's answer."""
    question = definition.questions.get(CONSULTATION_QUESTION)
    if question is None:
        return ""
    return display_answer(question, campaign.assessment.answers.get(question.code), language)
