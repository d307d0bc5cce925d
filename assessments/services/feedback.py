"""Stakeholder feedback, its triage, the re-review trigger, and transparency notices."""

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .. import audit, intake, permissions, ratelimit, webhooks, workflow
from ..cleaning import unstorable, upload_name
from ..errors import ServiceError
from ..evidence import check_upload
from ..models import (
    Campaign,
    EventKind,
    Feedback,
    FeedbackCategory,
    FeedbackSeverity,
    FeedbackSource,
    NotificationKind,
    TransparencyNotice,
    TriageStatus,
    User,
    WebhookEvent,
)
from ..notifications import notify
from .read_models import cached_lists_refresh, read_models_refresh

logger = logging.getLogger(__name__)

MAX_FEEDBACK_CHARS = 4000
MAX_EMAIL_CHARS = 254  # the contact_email column (RFC 5321's limit)


def _clean_text(text: str) -> str:
    """Plain text only: markup is removed (and everything is escaped when shown)."""
    return strip_tags(text or "").strip()


def ip_hash(ip: str) -> str:
    """A keyed hash of the client address: rate limits work, the address is not kept."""
    key = hashlib.sha256(("ip-hash:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, (ip or "").encode(), hashlib.sha256).hexdigest()


def _maybe_flag(campaign: Campaign, feedback: Feedback) -> None:
    """Serious feedback, or more concerns than configured within 30 days, flags the
    campaign for re-review (the chair decides whether to send it back)."""
    if campaign.rereview_flagged_at or campaign.status not in permissions.REREVIEW_STATES:
        return
    since = timezone.now() - timedelta(days=30)
    concerns = campaign.feedback.filter(
        created_at__gte=since,
        severity__in=[FeedbackSeverity.CONCERN, FeedbackSeverity.SERIOUS],
    ).count()
    if (
        feedback.severity == FeedbackSeverity.SERIOUS
        or concerns > settings.FEEDBACK_REREVIEW_CONCERNS
    ):
        campaign.rereview_flagged_at = timezone.now()
        campaign.save(update_fields=["rereview_flagged_at"])


def _record_feedback(campaign: Campaign, feedback: Feedback, actor: User | None) -> None:
    chairs = User.objects.filter(is_active=True, roles__role="chair").distinct()
    notify(
        recipients=[campaign.owner, *chairs],
        kind=NotificationKind.FEEDBACK,
        campaign=campaign,
        params={"severity": feedback.severity},
    )
    audit.record(
        kind=EventKind.FEEDBACK_RECEIVED,
        campaign=campaign,
        actor=actor,
        payload={
            "feedback": feedback.pk,
            "source": feedback.source,
            "category": feedback.category,
            "severity": feedback.severity,
        },
    )
    if feedback.severity == FeedbackSeverity.SERIOUS:
        # Only what an integrator needs: never the text or the sender's contact details.
        webhooks.emit(
            WebhookEvent.FEEDBACK_SERIOUS,
            campaign,
            {"feedback_id": feedback.pk, "category": feedback.category, "source": feedback.source},
        )


def feedback_add(
    *, actor: User, campaign: Campaign, category: str, severity: str, text: str, upload=None
) -> Feedback:
    """A colleague's feedback on a campaign they may see."""
    if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        raise ServiceError(_("You cannot give feedback on this campaign."))
    text = _clean_text(text)
    if not text:
        raise ServiceError(_("Write your feedback."), field="text")
    if len(text) > MAX_FEEDBACK_CHARS:
        raise ServiceError(_("Keep feedback under 4,000 characters."), field="text")
    if category not in FeedbackCategory.values:
        raise ServiceError(_("Choose a category."), field="category")
    if severity not in FeedbackSeverity.values:
        raise ServiceError(_("Choose a severity."), field="severity")
    content_type = check_upload(upload) if upload else ""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        feedback = Feedback(
            campaign=campaign,
            source=FeedbackSource.INTERNAL,
            category=category,
            severity=severity,
            text=text,
            author=actor,
        )
        if upload:
            feedback.attachment.save("upload", upload, save=False)
            feedback.attachment_name = upload_name(upload.name, "attachment")
            feedback.attachment_type = content_type
        feedback.save()
        _record_feedback(campaign, feedback, actor)
        _maybe_flag(campaign, feedback)
        read_models_refresh(campaign)
    return feedback


def feedback_add_public(
    *,
    notice: TransparencyNotice,
    category: str,
    text: str,
    email: str = "",
    consent: bool = False,
    ip: str = "",
) -> Feedback:
    """A consumer's feedback from a public notice: rate-limited per (hashed) address,
    plain text, e-mail kept only with explicit consent."""
    if not notice.is_published:
        raise ServiceError(_("This notice is not published."))
    text = _clean_text(text)
    if not text:
        raise ServiceError(_("Write your message."), field="text")
    if len(text) > MAX_FEEDBACK_CHARS:
        raise ServiceError(_("Keep your message under 4,000 characters."), field="text")
    if category not in FeedbackCategory.values:
        raise ServiceError(_("Choose a category."), field="category")
    email = (email or "").strip()
    if len(email) > MAX_EMAIL_CHARS or unstorable(email):
        raise ServiceError(_("Enter a valid e-mail address."), field="email")
    if email and not consent:
        raise ServiceError(
            _("Tick the box to agree that we may use your e-mail address to reply."),
            field="consent",
        )
    hashed = ip_hash(ip)
    bucket = ip_hash(ratelimit.bucket_of(ip))
    # Counted before the insert, atomically: of simultaneous messages from one address only
    # PUBLIC_FEEDBACK_PER_HOUR get through (a refused one changes nothing).
    if not ratelimit.hit(
        "public-feedback", bucket, limit=settings.PUBLIC_FEEDBACK_PER_HOUR, window=3600
    ):
        raise ServiceError(_("Too many messages from your connection. Please try again later."))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=notice.campaign_id)
        feedback = Feedback.objects.create(
            campaign=campaign,
            source=FeedbackSource.CONSUMER,
            category=category,
            severity=FeedbackSeverity.CONCERN,
            text=text,
            contact_email=email if consent else "",
            contact_consent=bool(email and consent),
            ip_hash=hashed,
        )
        _record_feedback(campaign, feedback, None)
        _maybe_flag(campaign, feedback)
        read_models_refresh(campaign)
    return feedback


def feedback_triage(*, actor: User, feedback: Feedback, status: str, note: str = "") -> Feedback:
    """Reviewers and the chair acknowledge, record the action taken, or dismiss (with a
    reason); never on a campaign they are a party to (``permissions.check_judge``)."""
    if not permissions.is_board(actor):
        raise ServiceError(_("Only reviewers and the chair triage feedback."))
    permissions.check_mfa(actor)
    note = (note or "").strip()
    if status not in (TriageStatus.ACKNOWLEDGED, TriageStatus.ACTION_TAKEN, TriageStatus.DISMISSED):
        raise ServiceError(_("Choose what to do with this feedback."), field="status")
    if status in (TriageStatus.ACTION_TAKEN, TriageStatus.DISMISSED) and not note:
        raise ServiceError(_("Say what was done, or why it is dismissed."), field="note")
    with transaction.atomic():
        actor = permissions.check_judge(actor, feedback.campaign, "triage")
        campaign = Campaign.objects.select_for_update().get(pk=feedback.campaign_id)
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        feedback.status = status
        feedback.triage_note = note
        feedback.triaged_by = actor
        feedback.triaged_at = timezone.now()
        feedback.save(update_fields=["status", "triage_note", "triaged_by", "triaged_at"])
        audit.record(
            kind=EventKind.FEEDBACK_TRIAGED,
            campaign=campaign,
            actor=actor,
            payload={"feedback": feedback.pk, "status": status},
        )
        cached_lists_refresh()
    return feedback


def campaign_send_back(*, actor: User, campaign: Campaign) -> None:
    """The chair sends an approved campaign back to review (e.g. after feedback): the team
    revises and resubmits it."""
    if not permissions.is_chair(actor):
        raise ServiceError(_("Only the board chair sends a campaign back to review."))
    permissions.check_mfa(actor)
    with transaction.atomic():
        actor = permissions.check_judge(actor, campaign, "send_back")
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        previous = campaign.status
        campaign.status = workflow.transition("request_rereview", campaign.status)
        campaign.rereview_flagged_at = None
        campaign.save(update_fields=["status", "rereview_flagged_at", "updated_at"])
        audit.record(
            kind=EventKind.REREVIEW_REQUESTED,
            campaign=campaign,
            actor=actor,
            payload={"from": previous},
        )
        read_models_refresh(campaign)


# --- transparency notices --------------------------------------------------------------------


AUTOMATED_DECISIONS = frozenset({"predictive_scoring", "dynamic_pricing", "personalisation"})
GENERATED_CONTENT = frozenset({"generated_text", "generated_media", "synthetic_likeness"})
NOTICE_STATES = permissions.NOTICE_STATES


def _notice_text(campaign: Campaign, language: str) -> tuple[str, str]:
    """A plain-language first draft, from the intake, in ``language``."""
    techniques = set(campaign.ai_techniques)
    with translation.override(language):
        context = {
            "campaign": campaign,
            "techniques": intake.labels("ai_techniques", campaign.ai_techniques),
            "categories": intake.labels("data_categories", campaign.data_categories),
            "sources": intake.labels("data_sources", campaign.data_sources),
            "automated": bool(
                techniques & {"predictive_scoring", "dynamic_pricing", "personalisation"}
            ),
            "generated": bool(
                techniques & {"generated_text", "generated_media", "synthetic_likeness"}
            ),
            "agents": "agents" in techniques,
            "gpc": bool(set(campaign.markets) & {"us_ca", "us_other"}),
            # The public title proposes the objective, never the internal campaign name.
            "objective": Truncator(" ".join(campaign.objective.split())).chars(150),
        }
        title = render_to_string("notices/title.txt", context).strip()
        body = render_to_string("notices/body.txt", context).strip()
    return title, body


def _notice_refusal(actor: User, campaign: Campaign, notice: TransparencyNotice | None):
    if not permissions.is_team_marketer(actor, campaign):
        return _("Only the campaign's team prepares its notice.")
    if notice is None and campaign.status not in NOTICE_STATES:
        return _("A notice can be prepared once the campaign is approved.")
    return None


def _draft_notice(campaign: Campaign) -> TransparencyNotice:
    """An unsaved notice with the generated draft: its title comes from the campaign's
    objective (never its internal name) and it has no contact until the team gives one
    (the owner's own address is never proposed)."""
    title_en, body_en = _notice_text(campaign, "en")
    title_ar, body_ar = _notice_text(campaign, "ar")
    return TransparencyNotice(
        campaign=campaign,
        title_en=title_en,
        title_ar=title_ar,
        body_en=body_en,
        body_ar=body_ar,
        contact="",
    )


def notice_draft(*, actor: User, campaign: Campaign) -> TransparencyNotice:
    """Read only (the notice page's GET): the campaign's notice, or the generated draft,
    unsaved (``pk`` None), that ``notice_prepare`` would store."""
    notice = TransparencyNotice.objects.filter(campaign=campaign).first()
    refusal = _notice_refusal(actor, campaign, notice)
    if refusal:
        raise ServiceError(refusal)
    return notice or _draft_notice(campaign)


def notice_prepare(*, actor: User, campaign: Campaign) -> TransparencyNotice:
    """The campaign's notice, stored with the generated draft (``notice_draft``) the first
    time."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        notice = TransparencyNotice.objects.filter(campaign=campaign).first()
        refusal = _notice_refusal(actor, campaign, notice)
        if refusal:
            raise ServiceError(refusal)
        if notice is not None:
            return notice
        notice = _draft_notice(campaign)
        notice.save()
        return notice


NOTICE_FIELDS = ("title_en", "title_ar", "body_en", "body_ar", "contact")
# What a draft may leave empty; publishing needs them (``notice_missing``).
NOTICE_PUBLISH_FIELDS = ("title_en", "title_ar", "contact")


def _notice_contact_refusal(contact: str) -> str | None:
    """Why ``contact`` cannot be the public contact, or None. It is an e-mail address of
    the team (privacy@…), never the address of someone's own account: the notice is
    public, and people leave."""
    try:
        validate_email(contact)
    except ValidationError:
        return _("Enter an e-mail address, such as privacy@example.com.")
    if User.objects.filter(email__iexact=contact).exists():
        return _(
            "This is the address of a person's account. Give a team address, such as "
            "privacy@example.com: the notice is public."
        )
    return None


def notice_missing(notice: TransparencyNotice) -> list[tuple[str, str]]:
    """What the notice still needs before it can be published: (field, message) pairs."""
    messages = {
        "title_en": _("Give the notice a public title in English."),
        "title_ar": _("Give the notice a public title in Arabic."),
        "contact": _("Give a team contact address for questions and objections."),
    }
    return [(name, messages[name]) for name in NOTICE_PUBLISH_FIELDS if not getattr(notice, name)]


def notice_update(*, actor: User, notice: TransparencyNotice, data: dict) -> TransparencyNotice:
    """Save the team's edit (of the stored notice, or of ``notice_draft``'s unsaved one).
    A draft may leave its title and contact empty; a published notice may not (unpublish
    it first)."""
    if not permissions.is_team_marketer(actor, notice.campaign):
        raise ServiceError(_("Only the campaign's team edits its notice."))
    with transaction.atomic():
        if notice.pk is None:  # the first save stores the draft, in this transaction
            notice = notice_prepare(actor=actor, campaign=notice.campaign)
        locked = TransparencyNotice.objects.select_for_update().get(pk=notice.pk)
        for name in NOTICE_FIELDS:
            value = _clean_text(data.get(name, ""))
            if not value and (name not in NOTICE_PUBLISH_FIELDS or locked.is_published):
                raise ServiceError(_("Every part of the notice is needed."), field=name)
            if name == "contact" and value:
                refusal = _notice_contact_refusal(value)
                if refusal:
                    raise ServiceError(refusal, field="contact")
            setattr(locked, name, value)
        locked.save(update_fields=[*NOTICE_FIELDS, "updated_at"])
    return locked


def notice_publish(*, actor: User, notice: TransparencyNotice, publish: bool) -> None:
    """Publish (or withdraw) the notice. Publishing needs a public title in both languages
    and a team contact address."""
    if not permissions.is_team_marketer(actor, notice.campaign):
        raise ServiceError(_("Only the campaign's team publishes its notice."))
    if notice.pk is None:
        raise ServiceError(_("This notice is not published."))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=notice.campaign_id)
        if publish and campaign.status not in NOTICE_STATES:
            raise ServiceError(_("Only an approved campaign's notice can be published."))
        if publish:
            current = TransparencyNotice.objects.get(pk=notice.pk)
            missing = notice_missing(current)
            if missing:
                field, message = missing[0]
                raise ServiceError(_("Not published: %(what)s") % {"what": message}, field=field)
        TransparencyNotice.objects.filter(pk=notice.pk).update(
            published_at=timezone.now() if publish else None
        )
        logger.info(
            "notice %s %s by user %s",
            notice.pk,
            "published" if publish else "unpublished",
            actor.pk,
        )


def notice_has_ended(notice: TransparencyNotice) -> bool:
    """After the flight ends or the approval lapses, the notice says the campaign ended."""
    campaign = notice.campaign
    if campaign.flight_end < timezone.localdate():
        return True
    if campaign.status not in NOTICE_STATES:
        return True
    return bool(campaign.approval_expires_at and campaign.approval_expires_at <= timezone.now())
