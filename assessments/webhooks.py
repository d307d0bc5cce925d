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

Targets are someone else's server, chosen by an administrator, so a webhook must not become
a way into our own network (SSRF): only ``https`` (``http`` when ``WEBHOOK_ALLOW_HTTP``),
and at send time the host is resolved and *every* address checked (``address_allowed``):
no loopback, private, link-local, unique-local, carrier-grade NAT, multicast, reserved or
unspecified address, nor one of those inside an IPv6 address (mapped, 6to4, Teredo, NAT64),
unless it is in ``WEBHOOK_ALLOWED_NETWORKS``; the cloud metadata addresses never. The
connection goes to an address that was checked (the name is not resolved again, so DNS
cannot answer differently in between), the host name kept for the Host header and TLS
(SNI and certificate check). Redirects are not followed. What a delivery records of a
failure never tells whether some internal port is open.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Iterable
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .canonical import canonical_json
from .models import Campaign, DeliveryStatus, Webhook, WebhookDelivery
from .task_dispatch import enqueue_each

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
    """Hand these webhook deliverys to Celery (``task_dispatch.enqueue_each``)."""
    return enqueue_each(DELIVER_TASK, ids, "webhook delivery")


# --- where deliveries may go ------------------------------------------------------------------

# Refused even inside WEBHOOK_ALLOWED_NETWORKS: cloud instance metadata (credentials).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254")
)
# Not "global" by every definition ipaddress has (100.64/10 and multicast need naming).
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")

# What a delivery records and the admin shows: the same words whatever lies behind the
# address (refused, timed out, closed or open port), so nobody learns the internal network.
REFUSED_SCHEME = _("Refused: only https:// addresses are allowed.")
REFUSED_ADDRESS = _("Refused: address not allowed.")
REFUSED_HOST = _("Refused: the address has no host name.")
NO_NAME = _("Refused: the host name could not be resolved.")
NO_ANSWER = _("No answer: the receiver could not be reached.")


def recorded(message) -> str:
    """A message as the delivery row keeps it: in the site's language, whoever sent it."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


class Refused(Exception):
    """The target may not be contacted; ``message`` is safe to record and show."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_http_url(url: str) -> bool:
    return urlsplit(url or "").scheme in ("http", "https")


def scheme_allowed(url: str) -> bool:
    """https, or http where WEBHOOK_ALLOW_HTTP allows it (development)."""
    scheme = urlsplit(url or "").scheme
    return scheme == "https" or (scheme == "http" and settings.WEBHOOK_ALLOW_HTTP)


def _allowed_networks() -> list:
    return [ipaddress.ip_network(n, strict=False) for n in settings.WEBHOOK_ALLOWED_NETWORKS]


def _embedded_ipv4(address) -> list:
    """IPv4 addresses an IPv6 address carries and may reach (mapped, 6to4, Teredo, NAT64)."""
    if address.version != 6:
        return []
    inner = [address.ipv4_mapped, address.sixtofour]
    if address.teredo:
        inner.extend(address.teredo)
    if address in NAT64_PREFIX:
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in inner if a is not None]


def _public(address) -> bool:
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_private
        and not address.is_reserved
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_unspecified
        and not (address.version == 4 and address in SHARED_ADDRESS_SPACE)
        and not (address.version == 6 and address.is_site_local)
    )


def address_allowed(address) -> bool:
    """May a delivery connect to ``address`` (an ``ipaddress`` address or its text)?"""
    if not isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        address = ipaddress.ip_address(str(address).split("%", 1)[0])  # no zone index
    if getattr(address, "ipv4_mapped", None) is not None:
        address = address.ipv4_mapped  # ::ffff:a.b.c.d is a.b.c.d, judged as such
    candidates = [address, *_embedded_ipv4(address)]
    if any(a in METADATA_ADDRESSES for a in candidates):
        return False
    allowed = _allowed_networks()
    if any(a in net for a in candidates for net in allowed if a.version == net.version):
        return True
    return all(_public(a) for a in candidates)


def _literal_address(host: str):
    """The address a host written as a number stands for (also 2130706433, 0x7f.1, 127.1,
    which resolvers accept), or None for a name. Never asks DNS."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(infos[0][4][0]) if infos else None


def url_problem(url: str):
    """Why an administrator may not register ``url``, or None: the save-time check of the
    scheme, the host and literal addresses. Names are checked when sending, as they
    resolve then."""
    if not is_http_url(url):
        return _("Enter an https:// address.")
    if not scheme_allowed(url):
        return REFUSED_SCHEME
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        return REFUSED_HOST
    literal = _literal_address(host)
    if literal is not None:
        return None if address_allowed(literal) else REFUSED_ADDRESS
    if (host == "localhost" or host.endswith(".localhost")) and not address_allowed("127.0.0.1"):
        return REFUSED_ADDRESS
    return None


def resolve(host: str, port: int) -> list[tuple]:
    """Every address ``host`` resolves to, as ``(family, sockaddr)``, each one allowed; or
    ``Refused`` (one refused address refuses them all: the resolver picks which is used)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise Refused(NO_NAME) from None
    if not infos:
        raise Refused(NO_NAME)
    for *_rest, sockaddr in infos:
        if not address_allowed(sockaddr[0]):
            logger.warning("webhook host %s resolves to %s: refused", host, sockaddr[0])
            raise Refused(REFUSED_ADDRESS)
    return [(family, sockaddr) for family, *_rest, sockaddr in infos]


# --- sending -------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after the 1st, 2nd, 3rd, 4th failed attempt; at most 1 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _connect_pinned(addresses: list[tuple], timeout: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers."""
    last_error = OSError("no address to connect to")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last_error = exc
    raise last_error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to addresses checked beforehand; the Host header stays the URL's host."""

    def __init__(self, host, port, *, addresses, timeout):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self):
        self.sock = _connect_pinned(self._addresses, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS for the URL's host name (SNI, certificate checked against it)."""

    def __init__(self, host, port, *, addresses, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self):
        sock = _connect_pinned(self._addresses, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST ``body`` to ``url`` once, after the checks: the answer's status and reason.
    ``Refused`` before any connection; ``OSError``/``HTTPException`` on the way."""
    if not scheme_allowed(url):
        raise Refused(REFUSED_SCHEME)
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise Refused(REFUSED_HOST)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    addresses = resolve(host, port)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(host, port, addresses=addresses, timeout=TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()  # a 3xx is an answer like any other: not followed
        response.read(1024)
        return response.status, response.reason
    finally:
        connection.close()


def _error_text(exc: Exception, secret: str) -> str:
    """For the server log (operators) only, never for the delivery row or the admin."""
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
    if not scheme_allowed(webhook.url):
        return _finish(delivery, ok=False, code=None, error=recorded(REFUSED_SCHEME), final=True)
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
        code, reason = _post(webhook.url, body, headers)
    except Refused as exc:  # nothing contacted; retried, as the name may resolve elsewhere
        return _finish(delivery, ok=False, code=None, error=recorded(exc.message))
    except Exception as exc:  # refused, timed out, TLS, bad answers: all recorded alike
        logger.warning("webhook delivery %s: %s", delivery.pk, _error_text(exc, webhook.secret))
        return _finish(delivery, ok=False, code=None, error=recorded(NO_ANSWER))
    if 200 <= code < 300:
        return _finish(delivery, ok=True, code=code, error="")
    return _finish(delivery, ok=False, code=code, error=f"HTTP {code} {reason}".strip())


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
