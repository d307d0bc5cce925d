"""In-app notifications and their e-mail delivery (an outbox: rows written in the same
transaction as the action; delivery scheduled on commit and retried by a periodic job)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .campaigns import Campaign


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("A campaign waits for reviewers")
    ASSIGNMENT = "assignment", _("A review waits for your acceptance")
    REPLACEMENT = "replacement", _("You replace a reviewer who recused")
    COMMENT = "comment", _("Comment on your campaign")
    VOTE = "vote", _("Vote on your campaign")
    DECISION = "decision", _("Decision on your campaign")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    CONDITION_FULFILLED = "condition_fulfilled", _("A condition waits for verification")
    CONDITION_VERIFIED = "condition_verified", _("Condition verified")
    APPROVAL_EXPIRING = "approval_expiring", _("Approval expiring")
    REVIEW_DUE = "review_due", _("Review due soon")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    FEEDBACK = "feedback", _("Stakeholder feedback received")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly summary for managers")
    GUIDELINE_UPDATED = "guideline_updated", _("A guideline for your campaigns changed")
    TRAINING_EXPIRING = "training_expiring", _("Ethics training expiring")
    MONITORING_DUE = "monitoring_due", _("Monitoring report overdue")
    MONITORING_BREACH = "monitoring_breach", _("Monitoring flagged a campaign")
    INCIDENT = "incident", _("Incident on a campaign")
    BREACH_DEADLINE = "breach_deadline", _("Personal data breach: notification deadline")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail")
    DIGEST = "digest", _("In the app and in a daily e-mail digest")


class EmailStatus(models.TextChoices):
    NONE = "none", _("No e-mail")
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DIGEST = "digest", _("Waiting for the daily digest")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.NONE
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} → {self.channel}"
