"""Integrations: personal API tokens and webhooks (with their delivery outbox)."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .campaigns import Campaign


class ApiToken(models.Model):
    """A personal token: acts as its user, with the user's roles and nothing more. Only
    the SHA-256 of the token is stored; the token itself is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    DECISION_MADE = "decision.made", _("Decision made")
    CHANGES_REQUESTED = "decision.changes_requested", _("Changes requested")
    APPROVAL_EXPIRING = "approval.expiring", _("Approval expiring")
    APPROVAL_EXPIRED = "approval.expired", _("Approval expired")
    FEEDBACK_SERIOUS = "feedback.serious", _("Serious feedback received")
    MONITORING_BREACH = "monitoring.breach", _("Monitoring report breached the thresholds")
    INCIDENT_OPENED = "incident.opened", _("Incident opened")
    INCIDENT_CLOSED = "incident.closed", _("Incident closed")


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


def _events_default() -> list:
    return list(WebhookEvent.values)


class Webhook(models.Model):
    """A receiver of signed event deliveries, registered by an administrator."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=_events_default)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Receivers verify the X-EthicsReview-Signature header with it."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class WebhookDelivery(models.Model):
    """One event for one webhook, written in the transaction of the change (outbox) and
    sent after commit by Celery, with retries and backoff."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("body (JSON)"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"
