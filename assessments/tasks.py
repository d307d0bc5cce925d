"""Celery tasks. They take ids, re-read their rows and are safe to run twice."""

import logging
import smtplib
from datetime import UTC

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import audit, notifications, services, webhooks
from .invitations import invitation_token
from .models import Invitation

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_invitation_email(invitation_id: int) -> bool:
    """E-mail the invitation link, in the invited person's language. Does nothing for
    an invitation that was meanwhile accepted, withdrawn or has expired."""
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != "pending":
        logger.info("invitation %s not pending; e-mail not sent", invitation_id)
        return False
    link = settings.SITE_URL + reverse(
        "invitation_accept", kwargs={"token": invitation_token(invitation)}
    )
    # The text says "(UTC)": whoever triggered the send, the expiry is shown in UTC.
    with translation.override(invitation.language), timezone.override(UTC):
        context = {
            "invitation": invitation,
            "link": link,
            "inviter": invitation.invited_by,
            "roles": invitation.role_labels(),
            "LANGUAGE_CODE": invitation.language,
            "LANGUAGE_BIDI": translation.get_language_bidi(),
        }
        subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
        body = render_to_string("emails/invitation.txt", context)
        html = render_to_string("emails/invitation.html", context)
    message = EmailMultiAlternatives(subject, body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("invitation %s e-mailed", invitation_id)
    return True


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_approvals() -> int:
    """Periodic: approvals past their validity become "approval expired" (idempotent)."""
    return services.approvals_expire()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_notification(notification_id: int) -> bool:
    """E-mail one notification; a second run for the same row sends nothing."""
    return notifications.deliver(notification_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resend_notifications() -> int:
    """Periodic: e-mails still pending after a few minutes (e.g. the broker was down)."""
    return notifications.resend_stale()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(delivery_id: int) -> bool:
    """POST one webhook delivery; a second run for the same row posts nothing. No Celery
    retries: a failure puts the row back to pending with a backoff for resend_webhooks."""
    return webhooks.deliver(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resend_webhooks() -> int:
    """Periodic: webhook deliveries whose next attempt is due, and claims of dead workers."""
    return webhooks.resend_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def log_audit_head() -> dict:
    """Periodic: the audit chain head (seq, hash, number of events) to the security log,
    outside the database, for ``verify_audit_log --expect-head``."""
    snapshot = audit.log_head()
    return {"seq": snapshot.seq, "hash": snapshot.hash, "events": snapshot.events}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_feedback_contacts() -> int:
    """Periodic (daily): consumers' reply e-mails past FEEDBACK_CONTACT_RETENTION_DAYS are
    blanked (idempotent)."""
    return services.feedback_contacts_purge()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scan_reminders() -> int:
    return (
        notifications.scan_reminders()
        + services.monitoring_scan()
        + services.breach_deadlines_remind()
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scan_training_reminders() -> int:
    """Periodic (daily): ethics training expiring in 30 and 7 days (once each)."""
    return services.training_reminders_send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_daily_digests() -> int:
    return notifications.send_daily_digests()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def weekly_manager_digest() -> int:
    return notifications.weekly_manager_digest()
