"""The application's own duties towards the people in it: export everything held about a
person, and pseudonymise them without breaking the audit chain (events refer to people by
id only, so the chain is untouched)."""

import hashlib
import hmac
import logging
from datetime import UTC, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..models import (
    Assignment,
    AuditEvent,
    Campaign,
    Comment,
    Decision,
    EventKind,
    Feedback,
    FeedbackSource,
    Invitation,
    Notification,
    NotificationPreference,
    TrainingCompletion,
    User,
    Vote,
)
from .search_text import search_text_refresh

logger = logging.getLogger(__name__)


def pseudonym(user: User) -> str:
    """A stable pseudonym: the same person always maps to the same label."""
    key = hashlib.sha256(("pseudonym:" + settings.SECRET_KEY).encode()).digest()
    return "person-" + hmac.new(key, str(user.pk).encode(), hashlib.sha256).hexdigest()[:10]


def _iso(value):
    return value.isoformat() if value else None


def person_export(*, user: User) -> dict:
    return {
        "account": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "active": user.is_active,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "specialist": user.is_specialist,
        },
        "roles": sorted(user.role_set),
        "teams": [t.slug for t in user.teams.order_by("slug")],
        "campaigns_owned": [
            {"id": c.pk, "name": c.name, "status": c.status}
            for c in user.campaigns_owned.order_by("pk")
        ],
        "assignments": [
            {
                "campaign": a.campaign_id,
                "status": a.status,
                "declaration": a.coi_declaration,
                "recusal_reason": a.recusal_reason,
            }
            for a in Assignment.objects.filter(reviewer=user).order_by("pk")
        ],
        "votes": [
            {
                "campaign": v.campaign_id,
                "version_fingerprint": v.fingerprint,
                "vote": v.decision,
                "rationale": v.rationale,
                "conditions": v.conditions,
                "signed_at": _iso(v.signed_at),
            }
            for v in Vote.objects.filter(reviewer=user).order_by("signed_at")
        ],
        "decisions": [
            {
                "campaign": d.campaign_id,
                "kind": d.kind,
                "outcome": d.outcome,
                "rationale": d.rationale,
            }
            for d in Decision.objects.filter(decided_by=user).order_by("created_at")
        ],
        "comments": [
            {"campaign": c.campaign_id, "text": c.text, "created_at": _iso(c.created_at)}
            for c in Comment.objects.filter(author=user).order_by("created_at")
        ],
        "feedback": [
            {"campaign": f.campaign_id, "category": f.category, "text": f.text}
            for f in Feedback.objects.filter(author=user).order_by("created_at")
        ],
        "consumer_feedback_with_this_email": [
            {"campaign": f.campaign_id, "text": f.text}
            for f in Feedback.objects.filter(contact_email__iexact=user.email)
        ],
        "invitations_sent": [i.email for i in Invitation.objects.filter(invited_by=user)],
        "training": [
            {
                "module": t.module_id,
                "completed_at": _iso(t.completed_at),
                "expires_at": _iso(t.expires_at),
                "method": t.method,
                "score": t.score,
                "note": t.note,
            }
            for t in TrainingCompletion.objects.filter(person=user).order_by("completed_at")
        ],
        "notifications": Notification.objects.filter(recipient=user).count(),
        "history_events": [
            {"seq": e.seq, "kind": e.kind, "campaign": e.campaign_id, "at": _iso(e.created_at)}
            for e in AuditEvent.objects.filter(actor_id=user.pk).order_by("seq")
        ],
    }


def person_erase(*, user: User) -> str:
    """Pseudonymise a person: name and e-mail replaced, sign-in and second factors removed,
    their notifications deleted, consumer contact details with their address cleared.
    Votes, decisions and events stay attributable to the stable pseudonym; the review
    record (rationales, comments) is kept as the ethics board's legal record."""
    label = pseudonym(user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        old_email = locked.email
        Vote.objects.filter(reviewer=locked).update(signer_name=label)
        Decision.objects.filter(decided_by=locked).update(signer_name=label)
        Feedback.objects.filter(contact_email__iexact=old_email).update(
            contact_email="", contact_consent=False
        )
        Invitation.objects.filter(email__iexact=old_email).update(email=f"{label}@erased.invalid")
        EmailAddress.objects.filter(user=locked).delete()
        Authenticator.objects.filter(user=locked).delete()
        Notification.objects.filter(recipient=locked).delete()
        NotificationPreference.objects.filter(user=locked).delete()
        locked.email = f"{label}@erased.invalid"
        locked.display_name = label
        locked.language = ""
        locked.is_active = False
        locked.set_unusable_password()
        locked.save(update_fields=["email", "display_name", "language", "is_active", "password"])
        search_text_refresh(campaigns=Campaign.objects.filter(owner=locked))
    logger.info("user %s pseudonymised as %s", user.pk, label)
    return label


def feedback_contacts_purge(*, now=None) -> int:
    """Blank the reply e-mail (and the consent) of consumer feedback older than
    ``FEEDBACK_CONTACT_RETENTION_DAYS``; the feedback itself stays. One transaction, with a
    ``contacts_purged`` event (count and cutoff, no addresses) when anything was purged.
    Returns how many were purged; safe to run repeatedly."""
    days = settings.FEEDBACK_CONTACT_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        purged = (
            Feedback.objects.filter(source=FeedbackSource.CONSUMER, created_at__lt=cutoff)
            .exclude(contact_email="", contact_consent=False)
            .update(contact_email="", contact_consent=False)
        )
        if purged:
            audit.record(
                kind=EventKind.CONTACTS_PURGED,
                campaign=None,  # not a campaign's history: no read model to refresh
                actor=None,
                payload={
                    "count": purged,
                    "cutoff": cutoff.astimezone(UTC).isoformat(timespec="seconds"),
                    "retention_days": days,
                },
            )
    if purged:
        logger.info("consumer contact details purged from %s feedback before %s", purged, cutoff)
    return purged
