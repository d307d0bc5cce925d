"""Writing the guidelines library (the chair and administrators) and acknowledging guidelines
before a submission (the campaign's marketers)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import audit, guidelines, permissions, selectors, workflow
from ..cleaning import unstorable
from ..errors import ServiceError
from ..models import (
    Campaign,
    EventKind,
    Guideline,
    GuidelineAcknowledgement,
    GuidelineLink,
    GuidelineTopic,
    GuidelineVersion,
    LinkKind,
    NotificationKind,
    User,
)
from ..notifications import notify
from ..permissions import Action
from ..roles import Role

TITLE_MAX = 200
BODY_MAX = 20000
SUMMARY_MAX = 500
TOPIC_MAX = 120


def _check_writer(actor: User) -> None:
    if not permissions.can(actor, Action.WRITE_GUIDELINES):
        raise ServiceError(_("Only the board's chair and administrators write guidelines."))
    permissions.check_mfa(actor)


def _check_text(**texts: str) -> None:
    if any(unstorable(text or "") for text in texts.values()):
        raise ServiceError(_("The text holds characters that cannot be stored."))


def link_problems(question_codes: Iterable[str], dimensions: Iterable[str]) -> list[str]:
    """Codes and dimensions that the current questionnaire does not have."""
    questionnaire = selectors.current_questionnaire()
    if questionnaire is None:
        return [_("No questionnaire is loaded.")] if question_codes or dimensions else []
    definition = selectors.definition_of(questionnaire)
    known_dimensions = {d.code for d in definition.dimensions}
    problems = [
        _("Unknown question code: %(code)s") % {"code": code[:100]}
        for code in question_codes
        if code not in definition.questions
    ]
    problems += [
        _("Unknown risk dimension: %(code)s") % {"code": code[:100]}
        for code in dimensions
        if code not in known_dimensions
    ]
    return problems


def guideline_topic_create(*, actor: User, name_en: str, name_ar: str = "") -> GuidelineTopic:
    _check_writer(actor)
    name_en, name_ar = (name_en or "").strip(), (name_ar or "").strip()
    _check_text(name_en=name_en, name_ar=name_ar)
    if not name_en or len(name_en) > TOPIC_MAX or len(name_ar) > TOPIC_MAX:
        raise ServiceError(_("A topic needs an English name of at most 120 characters."))
    topic, _created = GuidelineTopic.objects.get_or_create(
        name_en=name_en, defaults={"name_ar": name_ar}
    )
    return topic


def guideline_publish(
    *,
    actor: User,
    topic: GuidelineTopic,
    title_en: str,
    title_ar: str,
    body_en: str,
    body_ar: str,
    change_summary: str,
    question_codes: Iterable[str] = (),
    dimensions: Iterable[str] = (),
    guideline: Guideline | None = None,
) -> GuidelineVersion:
    """Publish a guideline's first version (``guideline`` None) or its next one. Versions are
    never edited; the links are the guideline's and are replaced by the ones given. The
    marketers of teams whose open campaigns it governs are told to read it."""
    _check_writer(actor)
    texts = {
        "title_en": (title_en or "").strip(),
        "title_ar": (title_ar or "").strip(),
        "body_en": (body_en or "").strip(),
        "body_ar": (body_ar or "").strip(),
    }
    change_summary = (change_summary or "").strip()
    _check_text(**texts, change_summary=change_summary)
    english = bool(texts["title_en"]) and bool(texts["body_en"])
    arabic = bool(texts["title_ar"]) and bool(texts["body_ar"])
    if not (english or arabic):
        raise ServiceError(_("Write the title and the text in English or Arabic (or both)."))
    if bool(texts["title_en"]) != bool(texts["body_en"]) or bool(texts["title_ar"]) != bool(
        texts["body_ar"]
    ):
        raise ServiceError(_("Each language needs both a title and a text, or neither."))
    if max(len(texts["title_en"]), len(texts["title_ar"])) > TITLE_MAX:
        raise ServiceError(_("A title has at most 200 characters."))
    if max(len(texts["body_en"]), len(texts["body_ar"])) > BODY_MAX:
        raise ServiceError(_("A text has at most 20,000 characters."))
    if len(change_summary) > SUMMARY_MAX:
        raise ServiceError(_("The summary of what changed has at most 500 characters."))
    if guideline is not None and not change_summary:
        raise ServiceError(_("Say what changed in this version."))
    question_codes = sorted(set(question_codes))
    dimensions = sorted(set(dimensions))
    problems = link_problems(question_codes, dimensions)
    if problems:
        raise ServiceError("; ".join(problems))
    with transaction.atomic():
        if guideline is None:
            guideline = Guideline.objects.create(topic=topic)
            number = 1
        else:
            guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
            guideline.topic = topic
            number = guideline.versions.count() + 1
        version = GuidelineVersion.objects.create(
            guideline=guideline,
            number=number,
            change_summary=change_summary or _("First version."),
            author=actor,
            created_at=timezone.now(),
            **texts,
        )
        guideline.current = version
        guideline.search_text = guidelines.search_text_of(version)
        guideline.save(update_fields=["topic", "current", "search_text"])
        guideline.links.all().delete()
        GuidelineLink.objects.bulk_create(
            [
                GuidelineLink(guideline=guideline, kind=LinkKind.QUESTION, code=c)
                for c in question_codes
            ]
            + [
                GuidelineLink(guideline=guideline, kind=LinkKind.DIMENSION, code=d)
                for d in dimensions
            ]
        )
        audit.record(
            kind=EventKind.GUIDELINE_PUBLISHED,
            actor=actor,
            payload={
                "guideline": guideline.pk,
                "version": version.number,
                "questions": question_codes,
                "dimensions": dimensions,
            },
        )
        _notify_concerned(guideline, version)
    return version


def _notify_concerned(guideline: Guideline, version: GuidelineVersion) -> None:
    """Tell the marketers of each team with an open campaign this guideline governs (the
    rule of ``guidelines.governing``, applied in memory to each open campaign)."""
    codes = {link.code for link in guideline.links.all() if link.kind == LinkKind.QUESTION}
    dimensions = {link.code for link in guideline.links.all() if link.kind == LinkKind.DIMENSION}
    teams: set[int] = set()
    campaigns = (
        Campaign.objects.filter(status__in=workflow.EDITABLE_STATES)
        .select_related("assessment", "assessment__questionnaire")
        .defer("assessment__questionnaire__definition")
        .order_by("team_id")
    )
    for campaign in campaigns.iterator(chunk_size=500):
        if campaign.team_id in teams:
            continue
        visible, visible_dimensions = guidelines.visible_scope(campaign)
        if codes & visible or dimensions & visible_dimensions:
            teams.add(campaign.team_id)
    if not teams:
        return
    notify(
        recipients=User.objects.filter(
            is_active=True, roles__role=Role.MARKETER, teams__in=teams
        ).distinct(),
        kind=NotificationKind.GUIDELINE_UPDATED,
        params={
            "guideline": guideline.pk,
            "version": version.number,
            "title_en": version.title_en,
            "title_ar": version.title_ar,
        },
        dedupe_key=f"guideline:{version.pk}",
    )


def acknowledge_for_submission(
    *, actor: User, campaign: Campaign, acknowledged: Iterable[int]
) -> None:
    """Inside ``campaign_submit``'s transaction: record ``actor``'s acknowledgement of the
    pending versions among ``acknowledged`` (version ids), then refuse, naming them, if any
    current version governing the campaign is still not acknowledged."""
    pending = guidelines.pending_acknowledgements(campaign, actor)
    if not pending:
        return
    given = {int(pk) for pk in acknowledged}
    missing = [version for version in pending if version.pk not in given]
    if missing:
        language = translation.get_language()
        raise ServiceError(
            _("Read and acknowledge these guidelines first: %(titles)s. Nothing was submitted.")
            % {"titles": "; ".join(f"“{v.title(language)[0]}” (v{v.number})" for v in missing)},
            field="acknowledge",
        )
    now = timezone.now()
    for version in pending:
        GuidelineAcknowledgement.objects.create(
            person=actor, version=version, campaign=campaign, acknowledged_at=now
        )
        audit.record(
            kind=EventKind.GUIDELINE_ACKNOWLEDGED,
            campaign=campaign,
            actor=actor,
            payload={"guideline": version.guideline_id, "guideline_version": version.number},
        )
