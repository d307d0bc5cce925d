"""Reads that pages need, with a fixed number of queries whatever the data size."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from . import permissions
from .models import Campaign, CampaignStatus, Invitation, Questionnaire, Team, User, UserRole
from .questionnaire import Definition, score, visible_codes
from .roles import Role

ROLES_NEEDING_MFA = frozenset({Role.REVIEWER, Role.CHAIR, Role.ADMIN})


def user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


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
    }
    if permissions.can(user, permissions.Action.VIEW_MY_CAMPAIGNS):
        drafts = (
            campaigns_for(user)
            .filter(team_id__in=user.team_ids, status=CampaignStatus.DRAFT)
            .order_by("-updated_at")[:10]
        )
        attention["drafts"] = [(c, campaign_result(c)) for c in drafts]
    if permissions.can(user, permissions.Action.MANAGE_PEOPLE):
        invitations = invitations_for(user).filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        )
        attention["pending_invitations"] = invitations.pending().count()
        attention["expired_invitations"] = invitations.count() - attention["pending_invitations"]
    return attention


# --- questionnaires and campaigns --------------------------------------------------------

DEFAULT_QUESTIONNAIRE = "ai-marketing-impact"


def current_questionnaire(slug: str = DEFAULT_QUESTIONNAIRE) -> Questionnaire | None:
    return Questionnaire.objects.filter(slug=slug).order_by("-version").first()


def campaigns_for(user: User):
    return (
        permissions.visible_campaigns(user)
        .select_related("team", "owner", "assessment__questionnaire")
        .order_by("-updated_at")
    )


def campaign_for(user: User, pk: int) -> Campaign:
    """The campaign if ``user`` may see it; Http404 otherwise (no hint that it exists)."""
    return get_object_or_404(
        permissions.visible_campaigns(user).select_related(
            "team", "owner", "assessment__questionnaire"
        ),
        pk=pk,
    )


def campaign_result(campaign: Campaign):
    """The live score of the campaign's assessment."""
    assessment = campaign.assessment
    return score(definition_of(assessment.questionnaire), campaign.intake(), assessment.answers)


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
                "pct_after": float(suggestion.overall_pct_after),
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
    return {
        "result": result,
        "dimension_rows": dimension_rows,
        "drivers": driver_rows,
        "suggestions": suggestion_rows,
        "red_flags": flags,
        "more_suggestions": max(0, len(result.suggestions) - suggestions),
    }
