"""Questionnaires, campaigns, answers, evidence, import and export."""

import hashlib
import logging
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, provenance, search, selectors
from ..canonical import canonical_sha256
from ..cleaning import upload_name
from ..errors import ServiceError
from ..evidence import check_upload
from ..intake import LIST_FIELDS
from ..models import (
    Assessment,
    Campaign,
    EventKind,
    EvidenceFile,
    EvidenceKind,
    Questionnaire,
    Team,
    User,
)
from ..questionnaire import AnswerError, Definition
from ..questionnaire.carry import carry_answers
from .read_models import read_models_refresh

logger = logging.getLogger(__name__)


# --- questionnaires ----------------------------------------------------------------------


def definition_checksum(data: dict) -> str:
    return canonical_sha256(data)


def questionnaire_load(*, data: dict, source: str) -> tuple[Questionnaire, bool]:
    """Load one definition: unchanged content loads nothing; changed content becomes the
    next version. Raises ``DefinitionError`` listing every problem of a bad definition."""
    definition = Definition.from_data(data)
    checksum = definition_checksum(data)
    with transaction.atomic():
        existing = Questionnaire.objects.filter(slug=definition.slug, checksum=checksum).first()
        if existing is not None:
            return existing, False
        latest = (
            Questionnaire.objects.select_for_update()
            .filter(slug=definition.slug)
            .order_by("-version")
            .first()
        )
        questionnaire = Questionnaire.objects.create(
            slug=definition.slug,
            version=(latest.version + 1) if latest else 1,
            title_en=definition.title.en,
            title_ar=definition.title.ar,
            definition=data,
            checksum=checksum,
            source=source,
        )
        logger.info("questionnaire %s loaded from %s", questionnaire, source)
    return questionnaire, True


# --- campaigns -----------------------------------------------------------------------------

INTAKE_FIELDS = (
    "name",
    "objective",
    "description",
    "channels",
    "markets",
    "audiences",
    "reaches_minors",
    "reaches_vulnerable",
    "ai_techniques",
    "data_sources",
    "data_categories",
    "flight_start",
    "flight_end",
)


def _check_intake(data: dict) -> None:
    if data["flight_end"] < data["flight_start"]:
        raise ServiceError(_("The flight cannot end before it starts."), field="flight_end")
    for name, choices in LIST_FIELDS.items():
        allowed = {value for value, _label in choices}
        if not set(data.get(name) or []) <= allowed:
            raise ServiceError(_("Unknown choice."), field=name)


def campaign_create(
    *, actor: User, team: Team, intake: dict, questionnaire: Questionnaire | None = None
) -> Campaign:
    """A new draft campaign of ``team`` with an empty assessment on the current
    questionnaire version (or ``questionnaire``)."""
    if not permissions.can_create_campaign(actor) or team.pk not in actor.team_ids:
        raise ServiceError(_("You may only create campaigns for your own teams."))
    _check_intake(intake)
    questionnaire = questionnaire or selectors.current_questionnaire()
    if questionnaire is None:
        raise ServiceError(
            _("No questionnaire is loaded yet. An administrator must run load_questionnaires.")
        )
    with transaction.atomic():
        campaign = Campaign(team=team, owner=actor, **{k: intake[k] for k in INTAKE_FIELDS})
        campaign.search_text = search.document_of(campaign)
        campaign.save(force_insert=True)
        Assessment.objects.create(campaign=campaign, questionnaire=questionnaire)
        audit.record(
            kind=EventKind.CREATED,
            campaign=campaign,
            actor=actor,
            payload={"team": team.pk, "questionnaire": questionnaire.pk},
        )
        read_models_refresh(campaign)
        logger.info("campaign %s created by user %s", campaign.pk, actor.pk)
    return campaign


def campaign_update_intake(*, actor: User, campaign: Campaign, intake: dict) -> Campaign:
    if not permissions.can_edit_campaign(actor, campaign):
        raise ServiceError(_("This campaign can no longer be edited."))
    _check_intake(intake)
    with transaction.atomic():
        locked = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("team", "owner")
            .get(pk=campaign.pk)
        )
        if not permissions.can_edit_campaign(actor, locked):
            raise ServiceError(_("This campaign can no longer be edited."))
        changed = [name for name in INTAKE_FIELDS if getattr(locked, name) != intake[name]]
        for name in INTAKE_FIELDS:
            setattr(locked, name, intake[name])
        locked.search_text = search.document_of(locked)
        locked.save(update_fields=[*INTAKE_FIELDS, "search_text", "updated_at"])
        if changed:
            audit.record(
                kind=EventKind.EDITED, campaign=locked, actor=actor, payload={"fields": changed}
            )
            read_models_refresh(locked)
    return locked


def _lock_editable(actor: User, campaign: Campaign) -> Campaign:
    """Lock the campaign row and check, under the lock, that it may still be edited."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not permissions.can_edit_campaign(actor, locked):
        raise ServiceError(_("This campaign can no longer be edited."))
    return locked


def assessment_save_answers(
    *, actor: User, campaign: Campaign, answers: dict, section: str = ""
) -> dict[str, AnswerError]:
    """Save the answers that fit their questions; return errors for the others (keyed by
    question code). Answers to other questions, visible or hidden, are kept as they are.
    An empty answer clears the question."""
    if not permissions.can_edit_campaign(actor, campaign):
        raise ServiceError(_("This campaign can no longer be edited."))
    errors: dict[str, AnswerError] = {}
    with transaction.atomic():
        _lock_editable(actor, campaign)  # a submit racing this save wins or waits
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("questionnaire")
            .get(campaign=campaign)
        )
        definition = selectors.definition_of(assessment.questionnaire)
        stored = dict(assessment.answers)
        for code, raw in answers.items():
            question = definition.questions.get(code)
            if question is None:
                errors[code] = AnswerError(
                    code, _("There is no question %(code)s.") % {"code": code}
                )
                continue
            try:
                value = question.normalise(raw)
            except AnswerError as exc:
                errors[code] = exc
                continue
            if value is None:
                stored.pop(code, None)
            else:
                stored[code] = value
        changed = sorted(
            code
            for code in set(stored) | set(assessment.answers)
            if stored.get(code) != assessment.answers.get(code)
        )
        assessment.answers = stored
        fields = ["answers", "updated_at"]
        if section:
            assessment.last_section = section
            fields.append("last_section")
        assessment.save(update_fields=fields)
        Campaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now())
        if changed:
            audit.record(
                kind=EventKind.ANSWERS_SAVED,
                campaign=campaign,
                actor=actor,
                payload={"questions": changed},
            )
    return errors


def assessment_move_questionnaire(
    *, actor: User, campaign: Campaign, questionnaire: Questionnaire
) -> list[str]:
    """Move an editable assessment to a newer version of its questionnaire. Answers are
    carried where the question code exists and the value is among its choices; the others
    are dropped. The move, with what was carried and dropped, is recorded. Returns the
    dropped codes."""
    with transaction.atomic():
        _lock_editable(actor, campaign)
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("questionnaire")
            .get(campaign=campaign)
        )
        current = assessment.questionnaire
        if questionnaire.slug != current.slug or questionnaire.version <= current.version:
            raise ServiceError(_("Choose a newer version of the same questionnaire."))
        carried, dropped = carry_answers(selectors.definition_of(questionnaire), assessment.answers)
        assessment.questionnaire = questionnaire
        assessment.answers = carried
        assessment.last_section = ""
        assessment.save(update_fields=["questionnaire", "answers", "last_section", "updated_at"])
        Campaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now())
        audit.record(
            kind=EventKind.QUESTIONNAIRE_MOVED,
            campaign=campaign,
            actor=actor,
            payload={
                "from_version": current.version,
                "to_version": questionnaire.version,
                "carried": sorted(carried),
                "dropped": dropped,
            },
        )
    return dropped


def evidence_add(*, actor: User, campaign: Campaign, upload, kind: str) -> EvidenceFile:
    if not permissions.can_edit_campaign(actor, campaign):
        raise ServiceError(_("Evidence can only be added to a draft of your team."))
    if kind not in EvidenceKind.values:
        raise ServiceError(_("Choose what kind of evidence this is."), field="kind")
    content_type = check_upload(upload, video=True)
    reading = provenance.read(upload, content_type)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = upload_name(upload.name, "evidence")
    with transaction.atomic():
        campaign = _lock_editable(actor, campaign)
        evidence = EvidenceFile(
            campaign=campaign,
            kind=kind,
            original_name=name,
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            **reading.as_fields(),
        )
        evidence.file.save("upload", upload, save=False)
        try:
            evidence.save()
            audit.record(
                kind=EventKind.EVIDENCE_ADDED,
                campaign=campaign,
                actor=actor,
                payload={
                    "evidence": evidence.pk,
                    "sha256": evidence.sha256,
                    "kind": kind,
                    "provenance": reading.status,
                },
            )
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def evidence_delete(*, actor: User, evidence: EvidenceFile) -> None:
    if not permissions.can_edit_campaign(actor, evidence.campaign):
        raise ServiceError(_("Evidence can only be removed from a draft of your team."))
    with transaction.atomic():
        _lock_editable(actor, evidence.campaign)
        EvidenceFile.objects.filter(pk=evidence.pk).delete()
        audit.record(
            kind=EventKind.EVIDENCE_REMOVED,
            campaign=evidence.campaign,
            actor=actor,
            payload={"evidence": evidence.pk, "sha256": evidence.sha256},
        )
        stored = evidence.file.name
        transaction.on_commit(lambda: evidence.file.storage.delete(stored))


# --- import / export ---------------------------------------------------------------------


def assessment_export(*, campaign: Campaign) -> dict:
    assessment = campaign.assessment
    return {
        "questionnaire": assessment.questionnaire.slug,
        "version": assessment.questionnaire.version,
        "intake": campaign.intake_export(),
        "answers": dict(sorted(assessment.answers.items())),
    }


def _parse_intake(raw: dict, problems: list[str]) -> dict:
    intake: dict = {}
    for name in ("name", "objective", "description", "audiences"):
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"intake.{name}: required text")
        intake[name] = (value or "").strip() if isinstance(value, str) else ""
    for name, choices in LIST_FIELDS.items():
        value = raw.get(name, [])
        allowed = {v for v, _label in choices}
        if not isinstance(value, list) or not set(map(str, value)) <= allowed:
            problems.append(f"intake.{name}: must be a list of {sorted(allowed)}")
            value = []
        intake[name] = [str(v) for v in value]
    for name in ("reaches_minors", "reaches_vulnerable"):
        value = raw.get(name, False)
        if not isinstance(value, bool):
            problems.append(f"intake.{name}: must be true or false")
        intake[name] = bool(value)
    for name in ("flight_start", "flight_end"):
        try:
            intake[name] = date.fromisoformat(str(raw.get(name)))
        except ValueError:
            problems.append(f"intake.{name}: must be a date (YYYY-MM-DD)")
            intake[name] = None
    if (
        intake["flight_start"]
        and intake["flight_end"]
        and intake["flight_end"] < intake["flight_start"]
    ):
        problems.append("intake.flight_end: before flight_start")
    return intake


def assessment_import(*, data: dict) -> Campaign:
    """Create a draft campaign from an export. All or nothing: any problem (unknown
    question code, invalid answer, unknown team or owner) raises ``ImportProblems`` listing
    every problem, and nothing is created."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ImportProblems(["the file must hold a JSON object"])
    questionnaire = Questionnaire.objects.filter(
        slug=data.get("questionnaire"), version=data.get("version")
    ).first()
    if questionnaire is None:
        slug, version = data.get("questionnaire"), data.get("version")
        problems.append(f"questionnaire {slug!r} version {version!r} is not loaded")
    raw_intake = data.get("intake") if isinstance(data.get("intake"), dict) else {}
    if not raw_intake:
        problems.append("intake: missing")
    intake = _parse_intake(raw_intake, problems)
    team = Team.objects.filter(slug=raw_intake.get("team")).first()
    if team is None:
        problems.append(f"intake.team: no team {raw_intake.get('team')!r}")
    owner = User.objects.filter(email__iexact=str(raw_intake.get("owner", ""))).first()
    if owner is None:
        problems.append(f"intake.owner: no user {raw_intake.get('owner')!r}")
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        problems.append("answers: must be an object {code: value}")
        answers = {}
    if questionnaire is not None:
        definition = selectors.definition_of(questionnaire)
        for code, raw in answers.items():
            question = definition.questions.get(code)
            if question is None:
                problems.append(f"answers.{code}: unknown question code")
                continue
            try:
                question.normalise(raw)
            except AnswerError as exc:
                problems.append(f"answers.{code}: {exc.message}")
    if problems:
        raise ImportProblems(problems)
    try:
        with transaction.atomic():
            campaign = campaign_create(
                actor=owner, team=team, intake=intake, questionnaire=questionnaire
            )
            errors = assessment_save_answers(actor=owner, campaign=campaign, answers=answers)
            if errors:  # checked above; kept as a guard so nothing half-made survives
                raise ImportProblems([f"answers.{c}: {e.message}" for c, e in errors.items()])
    except ServiceError as exc:
        raise ImportProblems([str(exc.message)]) from None
    return campaign


class ImportProblems(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems
