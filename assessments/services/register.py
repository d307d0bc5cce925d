"""The AI tool and vendor register: the board documents tools, the chair reviews them, and a
campaign's team picks the tools its campaign uses."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, registry, selectors, workflow
from ..cleaning import upload_name
from ..errors import ServiceError
from ..evidence import check_upload
from ..models import Assessment, Campaign, EventKind, RegisterTool, ToolEvidence, ToolReview, User
from .read_models import cached_lists_refresh, read_models_refresh

# The entry's descriptive fields, which the board (chair and reviewers) proposes and edits.
TOOL_FIELDS = (
    "name",
    "kind",
    "provider",
    "purpose",
    "data_regions",
    "sub_processors",
    "trains_on_our_data",
    "dpa_signed",
    "opt_outs",
    "c2pa_credentials",
    "limitations",
)
REVIEW_MONTHS_MAX = 36


def tool_save(*, actor: User, data: dict, tool: RegisterTool | None = None) -> RegisterTool:
    """Create an entry (``tool`` None, awaiting review) or change one's description. Changing
    what a tool is does not touch its review: the chair reviews again when it matters."""
    if not permissions.can_edit_register(actor):
        raise ServiceError(_("Only the ethics board edits the AI tool register."))
    name = (data.get("name") or "").strip()
    duplicate = RegisterTool.objects.filter(name__iexact=name)
    if tool is not None:
        duplicate = duplicate.exclude(pk=tool.pk)
    if duplicate.exists():
        raise ServiceError(_("The register already has a tool with this name."), field="name")
    try:
        return _tool_write(actor, data, tool, name)
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise ServiceError(
            _("The register already has a tool with this name."), field="name"
        ) from None


def _tool_write(actor: User, data: dict, tool: RegisterTool | None, name: str) -> RegisterTool:
    with transaction.atomic():
        cached_lists_refresh()
        if tool is None:
            tool = RegisterTool(**{k: data[k] for k in TOOL_FIELDS})
            tool.name = name
            tool.save()
            changed = list(TOOL_FIELDS)
        else:
            tool = RegisterTool.objects.select_for_update().get(pk=tool.pk)
            data = {**data, "name": name}
            changed = [k for k in TOOL_FIELDS if getattr(tool, k) != data[k]]
            for k in TOOL_FIELDS:
                setattr(tool, k, data[k])
            tool.save()
        audit.record(
            kind=EventKind.TOOL_SAVED, actor=actor, payload={"tool": tool.pk, "fields": changed}
        )
    return tool


def tool_review(
    *, actor: User, tool: RegisterTool, decision: str, limits: str = "", months: int = 12
) -> RegisterTool:
    """The chair's decision on a tool: approved or approved for limited uses (until
    ``months`` from now, like a campaign approval), or banned (no end)."""
    if not permissions.can_review_register(actor):
        raise ServiceError(_("Only the chair records the board's review of a tool."))
    permissions.check_mfa(actor)
    if decision not in (ToolReview.APPROVED, ToolReview.LIMITED, ToolReview.BANNED):
        raise ServiceError(_("Choose approved, approved for limited uses or banned."), "decision")
    limits = (limits or "").strip()
    if decision == ToolReview.LIMITED and not limits:
        raise ServiceError(_("Say which uses the tool is limited to."), field="limits")
    if decision != ToolReview.BANNED and not 1 <= months <= REVIEW_MONTHS_MAX:
        raise ServiceError(
            _("The review lasts between 1 and %(max)s months.") % {"max": REVIEW_MONTHS_MAX},
            field="months",
        )
    now = timezone.now()
    with transaction.atomic():
        cached_lists_refresh()
        tool = RegisterTool.objects.select_for_update().get(pk=tool.pk)
        tool.review = decision
        tool.review_limits = limits if decision == ToolReview.LIMITED else ""
        tool.reviewed_by = actor
        tool.reviewed_at = now
        tool.review_expires_at = (
            None if decision == ToolReview.BANNED else workflow.add_months(now, months)
        )
        tool.save()
        audit.record(
            kind=EventKind.TOOL_REVIEWED,
            actor=actor,
            payload={
                "tool": tool.pk,
                "decision": decision,
                "expires_at": tool.review_expires_at.isoformat()
                if tool.review_expires_at
                else None,
            },
        )
    return tool


def tool_evidence_add(*, actor: User, tool: RegisterTool, upload) -> ToolEvidence:
    """A document behind the entry (contract, model card, bias report), checked and scanned
    like campaign evidence."""
    if not permissions.can_edit_register(actor):
        raise ServiceError(_("Only the ethics board edits the AI tool register."))
    content_type = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        tool = RegisterTool.objects.select_for_update().get(pk=tool.pk)
        evidence = ToolEvidence(
            tool=tool,
            original_name=upload_name(upload.name, "evidence"),
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        evidence.file.save("upload", upload, save=False)
        try:
            evidence.save()
            audit.record(
                kind=EventKind.TOOL_EVIDENCE_ADDED,
                actor=actor,
                payload={"tool": tool.pk, "evidence": evidence.pk, "sha256": evidence.sha256},
            )
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def campaign_set_tools(*, actor: User, campaign: Campaign, tools) -> list[int]:
    """The register tools ``campaign`` uses (any review: a banned or expired one is allowed
    here and blocks the submission with its reason), and the vendor questions the campaign
    has not answered yet pre-filled from their register entries (the team may change them;
    reviewers see where they differ). Returns the ids now picked."""
    if not permissions.can_edit_campaign(actor, campaign):
        raise ServiceError(_("This campaign can no longer be edited."))
    wanted = sorted({tool.pk for tool in tools})
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not permissions.can_edit_campaign(actor, locked):
            raise ServiceError(_("This campaign can no longer be edited."))
        if RegisterTool.objects.filter(pk__in=wanted).count() != len(wanted):
            raise ServiceError(_("Unknown choice."), field="tools")
        current = sorted(locked.tools.values_list("pk", flat=True))
        if current != wanted:
            locked.tools.set(wanted)
            locked.save(update_fields=["updated_at"])
            audit.record(
                kind=EventKind.TOOLS_PICKED,
                campaign=locked,
                actor=actor,
                payload={"tools": wanted},
            )
            _prefill(actor, locked)
            read_models_refresh(locked)
    return wanted


def _prefill(actor: User, campaign: Campaign) -> None:
    """Write the register's vendor answers into the unanswered questions (never over an
    answer the team gave)."""
    assessment = Assessment.objects.select_for_update().get(campaign=campaign)
    definition = selectors.definition_of(assessment.questionnaire)
    filled = {}
    for code, value in registry.register_answers(campaign.tools.all()).items():
        question = definition.questions.get(code)
        if question is None or question.option(value) is None:
            continue
        if assessment.answers.get(code) in (None, "", []):
            filled[code] = value
    if filled:
        assessment.answers = {**assessment.answers, **filled}
        assessment.save(update_fields=["answers", "updated_at"])
        audit.record(
            kind=EventKind.ANSWERS_SAVED,
            campaign=campaign,
            actor=actor,
            payload={"questions": sorted(filled), "from_register": True},
        )
