"""Webhooks: signed deliveries of events to integrators, through an outbox.

Like the e-mail notifications (``notifications.py``): ``emit()`` writes one
``WebhookDelivery`` row per subscribed webhook in the transaction of the change that
causes it, and queues its delivery on commit (publishing never retries, so a down broker
delays the delivery, not the user's request). ``deliver()`` claims the row with a
conditional update (pending → sending) before it sends anything, so a task that runs
twice posts once. A failed attempt puts the row back to pending with an exponential
backoff; the periodic ``resend_due()`` sends what is due again, and after
``MAX_ATTEMPTS`` the row is marked failed.

Receivers check ``X-EthicsReview-Signature: t=<unix seconds>,v1=<hex>``, the HMAC-SHA256
of ``"<t>." + body`` with the webhook's secret (``verify()`` does it).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .canonical import canonical_json
from .models import Campaign, DeliveryStatus, Webhook, WebhookDelivery
from .queueing import enqueue_each

logger = logging.getLogger(__name__)

DELIVER_TASK = "assessments.tasks.deliver_webhook"
USER_AGENT = "EthicsReview-Webhooks/1"
TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# A row still pending this long after it was written was not queued (broker down).
STALE_PENDING = timedelta(minutes=2)
# A claim this old belongs to a worker that died while sending.
STALE_SENDING = timedelta(minutes=5)
RESEND_BATCH = 500
SIGNATURE_TOLERANCE = 300
ERROR_CHARS = 300


# --- signing -------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>." + body`` with the webhook's secret."""
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={int(timestamp)},v1={sign(secret, timestamp, body)}"


def verify(
    secret: str, header_value: str, body: bytes, tolerance: int = SIGNATURE_TOLERANCE, now=None
) -> bool:
    """For receivers: is ``header_value`` (``t=…,v1=…``) a valid signature of ``body``,
    made at most ``tolerance`` seconds from ``now`` (unix seconds; default: the clock)?"""
    timestamp, signatures = None, []
    for part in (header_value or "").split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in signatures)


# --- the outbox ----------------------------------------------------------------------------


def iso(value) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def campaign_summary(campaign: Campaign) -> dict:
    """What an integrator needs to know of the campaign: no people, no content."""
    team = campaign.team
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "tier": campaign.tier,
        "team": {"id": team.pk, "name": team.name},
    }


def subscribers(event: str) -> list[Webhook]:
    # Few rows: filtered in Python, which works the same on SQLite and PostgreSQL.
    return [w for w in Webhook.objects.filter(active=True) if event in (w.events or [])]


def emit(
    event: str, campaign: Campaign, data: dict, *, once: bool = False
) -> list[WebhookDelivery]:
    """Write a delivery of ``event`` for each active webhook subscribed to it and queue
    them on commit. Call inside the action's transaction. With ``once``, a webhook that
    already has a delivery of this event for this campaign with the same ``data`` gets
    none (for periodic scans)."""
    now = timezone.now()
    data_json = canonical_json(data)
    created = []
    with transaction.atomic():  # row and body together, also when called outside one
        for webhook in subscribers(event):
            if (
                once
                and WebhookDelivery.objects.filter(
                    webhook=webhook,
                    event=event,
                    campaign=campaign,
                    body__contains=f'"data":{data_json}',
                ).exists()
            ):
                continue
            delivery = WebhookDelivery.objects.create(
                webhook=webhook, event=event, campaign=campaign, body=""
            )
            delivery.body = canonical_json(
                {
                    "id": delivery.pk,
                    "event": event,
                    "created_at": iso(now),
                    "campaign": campaign_summary(campaign),
                    "data": data,
                }
            )
            delivery.save(update_fields=["body"])
            created.append(delivery)
    if created:
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: enqueue(ids))
    return created


def enqueue(ids: Iterable[int]) -> int:
    """Hand these webhook deliverys to Celery (``queueing.enqueue_each``)."""
    return enqueue_each(DELIVER_TASK, ids, "webhook delivery")


# --- sending -------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failure: the delivery never follows it (to another host)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after the 1st, 2nd, 3rd, 4th failed attempt; at most 1 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _post(url: str, body: bytes, headers: dict) -> int:
    if not is_http_url(url):
        raise ValueError("Not an http(s) URL.")
    # Only http(s) reaches here (checked above): no file: or custom schemes.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        response.read(1024)
        return response.status


def _error_text(exc: Exception, secret: str) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        text = f"HTTP {exc.code} {exc.reason}"
    elif isinstance(exc, urllib.error.URLError):
        text = f"{exc.__class__.__name__}: {exc.reason}"
    else:
        text = f"{exc.__class__.__name__}: {exc}"
    if secret:
        text = text.replace(secret, "[secret]")
    return text[:ERROR_CHARS]


def deliver(delivery_id: int) -> bool:
    """POST one delivery, at most once per claim: the row is claimed (pending → sending)
    by a conditional update before anything is sent. True when the receiver answered 2xx."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.active:
        return _finish(
            delivery, ok=False, code=None, error="The webhook is not active.", final=True
        )
    if not is_http_url(webhook.url):
        return _finish(delivery, ok=False, code=None, error="Not an http(s) URL.", final=True)
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-EthicsReview-Event": delivery.event,
        "X-EthicsReview-Delivery": str(delivery.pk),
        "X-EthicsReview-Timestamp": str(timestamp),
        "X-EthicsReview-Signature": signature_header(webhook.secret, timestamp, body),
    }
    try:
        code = _post(webhook.url, body, headers)
    except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
        return _finish(delivery, ok=False, code=exc.code, error=_error_text(exc, webhook.secret))
    except Exception as exc:  # network errors, timeouts, bad answers
        return _finish(delivery, ok=False, code=None, error=_error_text(exc, webhook.secret))
    if 200 <= code < 300:
        return _finish(delivery, ok=True, code=code, error="")
    return _finish(delivery, ok=False, code=code, error=f"HTTP {code}")


def _finish(delivery, *, ok: bool, code, error: str, final: bool = False) -> bool:
    now = timezone.now()
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING)
    if ok:
        mine.update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=now,
            last_status_code=code,
            last_error="",
            next_attempt_at=None,
        )
        logger.info("webhook delivery %s delivered (%s)", delivery.pk, code)
        return True
    gave_up = final or delivery.attempts >= MAX_ATTEMPTS
    mine.update(
        status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
        last_status_code=code,
        last_error=error[:ERROR_CHARS],
        next_attempt_at=None if gave_up else now + backoff(delivery.attempts),
    )
    logger.warning(
        "webhook delivery %s: attempt %s failed (%s)%s",
        delivery.pk,
        delivery.attempts,
        error,
        "; gave up" if gave_up else "",
    )
    return False


def resend_due(*, now=None) -> int:
    """Periodic: queue pending deliveries whose next attempt is due (and those never
    queued, e.g. because the broker was down), after releasing the claims of workers
    that died while sending."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
    due = Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lt=now - STALE_PENDING
    )
    ids = list(
        WebhookDelivery.objects.filter(due, status=DeliveryStatus.PENDING)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:RESEND_BATCH]
    )
    return enqueue(ids)


def send_again(deliveries) -> int:
    """Admin: put pending or failed deliveries back in the queue now (one more attempt
    for a failed one). Queued on commit."""
    ids = list(
        deliveries.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).values_list(
            "pk", flat=True
        )
    )
    WebhookDelivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return len(ids)


def is_http_url(url: str) -> bool:
    return urlsplit(url or "").scheme in ("http", "https")
