"""Notifications: an outbox of rows written in the same transaction as the action that
causes them. E-mail delivery is scheduled on commit; a periodic job re-sends what is still
pending, so nothing is lost when the broker is down. Delivery claims a row with a
conditional update, so a task that runs twice sends one e-mail."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import webhooks, working_calendar
from .models import (
    Assignment,
    Campaign,
    CampaignStatus,
    Channel,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
    WebhookEvent,
)
from .task_dispatch import enqueue_each

logger = logging.getLogger(__name__)

DELIVER_TASK = "assessments.tasks.deliver_notification"
STALE_PENDING = timedelta(minutes=2)
STALE_SENDING = timedelta(minutes=10)
MAX_ATTEMPTS = 8

# What each kind does unless the person chose otherwise.
DEFAULT_CHANNELS = {
    NotificationKind.COMMENT: Channel.IN_APP,
    NotificationKind.VOTE: Channel.IN_APP,
}


def channel_for(user: User, kind: str, prefs: dict | None = None) -> str:
    if prefs is None:
        prefs = dict(
            NotificationPreference.objects.filter(user=user).values_list("kind", "channel")
        )
    return prefs.get(kind) or DEFAULT_CHANNELS.get(kind, Channel.EMAIL)


def _url_for(kind: str, campaign: Campaign | None, params: dict | None = None) -> str:
    if kind == NotificationKind.GUIDELINE_UPDATED:
        return reverse("guideline_detail", args=[params["guideline"]])
    if kind == NotificationKind.TRAINING_EXPIRING:
        return reverse("training_list")
    if kind in (NotificationKind.MONITORING_DUE, NotificationKind.MONITORING_BREACH):
        return reverse("monitoring_page", args=[campaign.pk])
    if kind in (NotificationKind.INCIDENT, NotificationKind.BREACH_DEADLINE):
        return reverse("incident_detail", args=[campaign.pk, params["incident"]])
    if campaign is None:
        return reverse("dashboard") if kind == NotificationKind.WEEKLY_DIGEST else reverse("home")
    anchor = {
        NotificationKind.COMMENT: "comments",
        NotificationKind.FEEDBACK: "feedback",
        NotificationKind.CONDITION_FULFILLED: "conditions",
        NotificationKind.CONDITION_VERIFIED: "conditions",
    }.get(kind, "review")
    return reverse("campaign_detail", args=[campaign.pk]) + f"#{anchor}"


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    campaign: Campaign | None = None,
    params: dict | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Write notifications for active ``recipients`` (once per dedupe key) and schedule
    their e-mails on commit. Call inside the action's transaction."""
    created = []
    seen = set()
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        key = f"{dedupe_key}:{user.pk}" if dedupe_key else None
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        channel = channel_for(user, kind)
        status = {
            Channel.EMAIL: EmailStatus.PENDING,
            Channel.DIGEST: EmailStatus.DIGEST,
        }.get(channel, EmailStatus.NONE)
        created.append(
            Notification.objects.create(
                recipient=user,
                kind=kind,
                campaign=campaign,
                params=params or {},
                url=_url_for(kind, campaign, params),
                dedupe_key=key,
                email_status=status,
            )
        )
    pending = [n.pk for n in created if n.email_status == EmailStatus.PENDING]
    if pending:
        transaction.on_commit(lambda: enqueue(pending))
    return created


def enqueue(ids: Iterable[int]) -> int:
    """Hand these notifications to Celery (``task_dispatch.enqueue_each``)."""
    return enqueue_each(DELIVER_TASK, ids, "notification")


def outcome_label(params: dict) -> str:
    """The decision's outcome in the active language."""
    outcome = (params or {}).get("outcome")
    return str(dict(CampaignStatus.choices).get(outcome, outcome or ""))


def due_day(params: dict | None, zone) -> str | None:
    """A reminder's due instant (``params["due_at"]``) as the day in the reader's zone."""
    moment = (params or {}).get("due_at") if isinstance(params, dict) else None
    if not isinstance(moment, str):
        return None
    try:
        return datetime.fromisoformat(moment).astimezone(zone).date().isoformat()
    except ValueError:
        return None


def render_email(notification: Notification) -> tuple[str, str, str]:
    user = notification.recipient
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(user.zone):
        context = {
            "due_day": due_day(notification.params, user.zone),
            "n": notification,
            "user": user,
            "campaign": notification.campaign,
            "params": notification.params,
            "outcome_label": outcome_label(notification.params),
            "link": settings.SITE_URL + notification.url,
            "LANGUAGE_CODE": language,
            "LANGUAGE_BIDI": translation.get_language_bidi(),
        }
        subject = " ".join(render_to_string("emails/notification_subject.txt", context).split())
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    return subject, text, html


def deliver(notification_id: int) -> bool:
    """Send one notification's e-mail, at most once: the row is claimed (pending →
    sending) by a conditional update before anything is sent."""
    claimed = Notification.objects.filter(
        pk=notification_id, email_status=EmailStatus.PENDING
    ).update(
        email_status=EmailStatus.SENDING,
        email_claimed_at=timezone.now(),
        email_attempts=F("email_attempts") + 1,
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient", "campaign").get(
        pk=notification_id
    )
    subject, text, html = render_email(notification)
    message = EmailMultiAlternatives(subject, text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        # Back to pending so the task's retry (or the periodic job) tries again; after
        # MAX_ATTEMPTS it is marked failed instead of being retried for ever.
        failed = notification.email_attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENDING).update(
            email_status=EmailStatus.FAILED if failed else EmailStatus.PENDING
        )
        logger.exception(
            "notification %s: e-mail attempt %s failed",
            notification_id,
            notification.email_attempts,
        )
        raise
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now()
    )
    return True


def resend_stale(*, now=None) -> int:
    """Periodic: re-queue e-mails still pending after a few minutes, and release claims
    of workers that died while sending."""
    now = now or timezone.now()
    Notification.objects.filter(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=now - STALE_SENDING
    ).update(email_status=EmailStatus.PENDING)
    ids = list(
        Notification.objects.filter(
            email_status=EmailStatus.PENDING, created_at__lt=now - STALE_PENDING
        ).values_list("pk", flat=True)[:500]
    )
    return enqueue(ids)


# --- reminders and digests (periodic scans of the database) -----------------------------------


def _chairs():
    return User.objects.filter(is_active=True, roles__role="chair").distinct()


def scan_reminders(*, now=None) -> int:
    """Review due within 2 working days; overdue once its due day is over (daily on working
    days to the reviewer, once to the chair); approval expiring in 30 and in 7 days. Each is
    sent once per period (dedupe keys); nothing for withdrawn or decided campaigns."""
    now = now or timezone.now()
    sent = 0
    calendar = working_calendar.WorkingDays()
    due_soon_until = calendar.add(now, 2)
    overdue_before = working_calendar.overdue_cutoff(now)
    today = working_calendar.local_day(now)
    working_today = calendar.is_working_day(today)
    waiting = (
        Assignment.objects.open()
        .filter(campaign__status=CampaignStatus.IN_REVIEW, campaign__review_due_at__isnull=False)
        .select_related("campaign", "reviewer", "version")
    )
    for assignment in waiting:
        campaign = assignment.campaign
        due = campaign.review_due_at
        base = f"{campaign.pk}:v{assignment.version.number}"
        # "due" is the board's day (for the bell); e-mails show "due_at" in the reader's zone.
        when = {"due": working_calendar.local_day(due).isoformat(), "due_at": due.isoformat()}
        if now <= due <= due_soon_until:
            sent += len(
                notify(
                    recipients=[assignment.reviewer],
                    kind=NotificationKind.REVIEW_DUE,
                    campaign=campaign,
                    params=when,
                    dedupe_key=f"due:{base}",
                )
            )
        elif due < overdue_before and working_today:
            sent += len(
                notify(
                    recipients=[assignment.reviewer],
                    kind=NotificationKind.REVIEW_OVERDUE,
                    campaign=campaign,
                    params=when,
                    dedupe_key=f"overdue:{base}:{today.isoformat()}",
                )
            )
            sent += len(
                notify(
                    recipients=_chairs(),
                    kind=NotificationKind.REVIEW_OVERDUE,
                    campaign=campaign,
                    params={**when, "chair": True},
                    dedupe_key=f"overdue-chair:{base}",
                )
            )
    approved = Campaign.objects.filter(
        status__in=[CampaignStatus.APPROVED, CampaignStatus.APPROVED_WITH_CONDITIONS],
        approval_expires_at__gt=now,
        approval_expires_at__lte=now + timedelta(days=30),
    ).select_related("owner")
    for campaign in approved:
        window = 7 if campaign.approval_expires_at <= now + timedelta(days=7) else 30
        sent += len(
            notify(
                recipients=[campaign.owner],
                kind=NotificationKind.APPROVAL_EXPIRING,
                campaign=campaign,
                params={"days": window, "expires": campaign.approval_expires_at.date().isoformat()},
                dedupe_key=f"expiring{window}:{campaign.pk}:{campaign.approval_expires_at.date()}",
            )
        )
        # Once per webhook, window and expiry date (like the e-mail's dedupe key).
        webhooks.emit(
            WebhookEvent.APPROVAL_EXPIRING,
            campaign,
            {"expires_at": webhooks.iso(campaign.approval_expires_at), "days_left": window},
            once=True,
        )
    return sent


def send_daily_digests(*, now=None) -> int:
    """One e-mail per person with everything they chose to get as a daily digest."""
    now = now or timezone.now()
    users = User.objects.filter(
        notifications__email_status=EmailStatus.DIGEST, is_active=True
    ).distinct()
    count = 0
    for user in users:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(of=("self",))
                .filter(recipient=user, email_status=EmailStatus.DIGEST)
                .select_related("campaign")
                .order_by("created_at")
            )
            if not rows:
                continue
            language = user.language or settings.LANGUAGE_CODE
            with translation.override(language), timezone.override(user.zone):
                for row in rows:
                    row.outcome_label = outcome_label(row.params)
                    row.due_day = due_day(row.params, user.zone)
                context = {
                    "user": user,
                    "rows": rows,
                    "site": settings.SITE_URL,
                    "LANGUAGE_CODE": language,
                    "LANGUAGE_BIDI": translation.get_language_bidi(),
                }
                subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())
                text = render_to_string("emails/digest.txt", context)
                html = render_to_string("emails/digest.html", context)
            message = EmailMultiAlternatives(subject, text, to=[user.email])
            message.attach_alternative(html, "text/html")
            message.send()
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                email_status=EmailStatus.SENT, email_sent_at=now
            )
            count += 1
    return count


def weekly_manager_digest(*, now=None) -> int:
    """Monday summary for managers: counts, overdue reviews, approvals expiring."""
    now = now or timezone.now()
    year, week, _day = now.isocalendar()
    in_review = Campaign.objects.filter(
        status__in=[CampaignStatus.SUBMITTED, CampaignStatus.IN_REVIEW]
    ).count()
    overdue = Campaign.objects.filter(
        status=CampaignStatus.IN_REVIEW, review_due_at__lt=working_calendar.overdue_cutoff(now)
    ).count()
    expiring = Campaign.objects.filter(
        status__in=[CampaignStatus.APPROVED, CampaignStatus.APPROVED_WITH_CONDITIONS],
        approval_expires_at__gt=now,
        approval_expires_at__lte=now + timedelta(days=30),
    ).count()
    decided = Campaign.objects.filter(decided_at__gte=now - timedelta(days=7)).count()
    managers = User.objects.filter(is_active=True, roles__role="manager").distinct()
    with transaction.atomic():
        rows = notify(
            recipients=managers,
            kind=NotificationKind.WEEKLY_DIGEST,
            params={
                "in_review": in_review,
                "overdue": overdue,
                "expiring": expiring,
                "decided": decided,
            },
            dedupe_key=f"weekly:{year}-W{week:02d}",
        )
    return len(rows)
