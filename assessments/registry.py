"""Reads about the AI tool register: what a campaign's tools mean for its submission, the
vendor answers the register implies, and the register's figures for the dashboard."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import permissions, selectors
from .models import Campaign, RegisterTool, ToolEvidence, ToolReview, User

VENDOR_QUESTION = "oversight.vendor_accountability"
THIRD_PARTY_QUESTION = "oversight.third_party_models"
# The register's answer to the vendor question, weakest first (a campaign is only as
# covered as its least covered tool).
_COVERAGE = ("standard_terms", "dpa_only", "full_coverage")


@dataclass(frozen=True)
class ToolFinding:
    """What a picked tool means for the campaign; ``blocks`` stops the submission."""

    tool: RegisterTool
    message: str
    blocks: bool


def register_for(user: User):
    """The register as ``user`` may read it (everyone signed in), with its figures."""
    if not permissions.can_view_register(user):
        return RegisterTool.objects.none()
    return RegisterTool.objects.annotate(campaign_count=Count("campaigns")).order_by("name")


def tool_for(user: User, pk: int) -> RegisterTool:
    """One entry with its evidence, or 404 for someone who may not read the register."""
    return get_object_or_404(
        register_for(user).prefetch_related(
            Prefetch("evidence", queryset=ToolEvidence.objects.order_by("-uploaded_at"))
        ),
        pk=pk,
    )


def tool_findings(campaign: Campaign, *, now=None, tools=None) -> list[ToolFinding]:
    """A finding for each picked tool (``tools``, when already read) that is banned,
    expired, not yet reviewed or limited: the one rule for the result page, the submit
    blockers and the API."""
    now = now or timezone.now()
    findings = []
    for tool in campaign.tools.order_by("name") if tools is None else tools:
        if tool.review == ToolReview.BANNED:
            message = _(
                "The AI tool “%(tool)s” is banned by the ethics board: remove it from the "
                "campaign or choose another tool."
            ) % {"tool": tool.name}
            findings.append(ToolFinding(tool, message, blocks=True))
        elif tool.expired(now):
            message = _(
                "The board's review of the AI tool “%(tool)s” expired on %(date)s: ask the "
                "board to review it again, or choose another tool."
            ) % {"tool": tool.name, "date": formats.date_format(tool.review_expires_at)}
            findings.append(ToolFinding(tool, message, blocks=True))
        elif tool.review == ToolReview.PENDING:
            message = _("The board has not reviewed the AI tool “%(tool)s” yet.") % {
                "tool": tool.name
            }
            findings.append(ToolFinding(tool, message, blocks=False))
        elif tool.review == ToolReview.LIMITED:
            message = _("The AI tool “%(tool)s” is approved only for: %(limits)s") % {
                "tool": tool.name,
                "limits": tool.review_limits,
            }
            findings.append(ToolFinding(tool, message, blocks=False))
    return findings


def tool_blockers(campaign: Campaign) -> list[str]:
    return [finding.message for finding in tool_findings(campaign) if finding.blocks]


def coverage_of(tool: RegisterTool) -> str:
    """The vendor question's answer the register entry supports."""
    if tool.dpa_signed and not tool.trains_on_our_data and tool.limitations.strip():
        return "full_coverage"
    if tool.dpa_signed:
        return "dpa_only"
    return "standard_terms"


def register_answers(tools) -> dict[str, str]:
    """The vendor answers the picked tools imply (nothing when no tool is picked)."""
    tools = list(tools)
    if not tools:
        return {}
    weakest = min((coverage_of(tool) for tool in tools), key=_COVERAGE.index)
    return {THIRD_PARTY_QUESTION: "yes", VENDOR_QUESTION: weakest}


def register_differences(campaign: Campaign, definition, language: str, tools=None) -> list[dict]:
    """Where the campaign's vendor answers differ from what its tools' register entries say,
    for the reviewers (question, the answer given, the register's answer)."""
    answers = campaign.assessment.answers
    rows = []
    tools = campaign.tools.all() if tools is None else tools
    for code, expected in register_answers(tools).items():
        question = definition.questions.get(code)
        given = answers.get(code)
        if question is None or given in (None, "") or given == expected:
            continue
        given_option, expected_option = question.option(given), question.option(expected)
        rows.append(
            {
                "code": code,
                "question": question.text.get(language),
                "given": given_option.label.get(language) if given_option else str(given),
                "register": expected_option.label.get(language) if expected_option else expected,
            }
        )
    return rows


def tools_expiring(*, now=None, days: int = 30) -> list[RegisterTool]:
    return list(RegisterTool.objects.expiring(now=now, days=days).order_by("review_expires_at"))


def dashboard_register(*, now=None, days: int = 30) -> dict:
    """The dashboard's register figures from one query: campaigns by tool (most used first)
    and the tools whose review expires within ``days``."""
    tools = list(RegisterTool.objects.dashboard_figures(now=now, days=days))
    return {
        "by_tool": sorted(
            (t for t in tools if t.campaign_count), key=lambda t: (-t.campaign_count, t.name)
        ),
        "expiring": sorted((t for t in tools if t.is_expiring), key=lambda t: t.review_expires_at),
    }


def campaign_tools_context(campaign: Campaign, user: User, definition, language: str) -> dict:
    """The result pages' register part: the picked tools, their findings, and (for the
    board) where the vendor answers differ from the register."""
    tools = list(campaign.tools.order_by("name")) if selectors.has(campaign, "tools") else []
    return {
        "campaign_tools": tools,
        "tool_findings": tool_findings(campaign, tools=tools),
        "register_differences": register_differences(campaign, definition, language, tools)
        if permissions.is_board(user) and tools
        else [],
    }
