"""The append-only audit log: one hash-chained row per thing that happened.

Rows are written only by ``assessments.audit.record()`` and never changed: database triggers
refuse UPDATE and DELETE, and each row's hash covers its content and the previous row's hash,
so ``assessments.audit.verify()`` finds any edit made behind the triggers' back. People are
stored by id only, so their personal data can be erased without touching the chain.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .campaigns import Campaign


class EventKind(models.TextChoices):
    CREATED = "created", _("Campaign created")
    EDITED = "edited", _("Campaign edited")
    ANSWERS_SAVED = "answers_saved", _("Answers saved")
    QUESTIONNAIRE_MOVED = "questionnaire_moved", _("Moved to a newer questionnaire version")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    EVIDENCE_REMOVED = "evidence_removed", _("Evidence removed")
    SUBMITTED = "submitted", _("Submitted for review")
    ASSIGNED = "assigned", _("Reviewer assigned")
    ACCEPTED = "accepted", _("Review accepted")
    RECUSED = "recused", _("Reviewer recused")
    ASSIGNMENT_WITHDRAWN = "assignment_withdrawn", _("Assignment withdrawn")
    COMMENTED = "commented", _("Comment added")
    VOTED = "voted", _("Vote cast")
    SIGNATURE_FAILED = "signature_failed", _("Signature failed")
    DECIDED = "decided", _("Decision recorded")
    PANEL_INCOMPLETE = "panel_incomplete", _("No decision: the panel is incomplete")
    CONFIRMED = "confirmed", _("Decision confirmed")
    OVERRULED = "overruled", _("Decision overruled")
    CONDITION_FULFILLED = "condition_fulfilled", _("Condition fulfilled")
    CONDITION_VERIFIED = "condition_verified", _("Condition verified")
    WITHDRAWN = "withdrawn", _("Campaign withdrawn")
    EXPIRED = "expired", _("Approval expired")
    REREVIEW_REQUESTED = "rereview_requested", _("Re-review requested")
    FEEDBACK_RECEIVED = "feedback_received", _("Feedback received")
    FEEDBACK_TRIAGED = "feedback_triaged", _("Feedback triaged")
    CONTACTS_PURGED = "contacts_purged", _("Consumer contact details purged")
    GUIDELINE_PUBLISHED = "guideline_published", _("Guideline published")
    GUIDELINE_ACKNOWLEDGED = "guideline_acknowledged", _("Guideline acknowledged")
    TRAINING_MODULE_SAVED = "training_module_saved", _("Training module saved")
    TRAINING_COMPLETED = "training_completed", _("Training completed")
    CLOSURE_DAY_ADDED = "closure_day_added", _("Closure day declared")
    CLOSURE_DAY_REMOVED = "closure_day_removed", _("Closure day removed")
    TOOL_SAVED = "tool_saved", _("AI tool register entry saved")
    TOOL_REVIEWED = "tool_reviewed", _("AI tool reviewed by the board")
    TOOL_EVIDENCE_ADDED = "tool_evidence_added", _("AI tool evidence added")
    TOOLS_PICKED = "tools_picked", _("Campaign's AI tools changed")
    MONITORING_REPORTED = "monitoring_reported", _("Monitoring report filed")
    MONITORING_FLAGGED = "monitoring_flagged", _("Flagged for the chair by monitoring")
    INCIDENT_OPENED = "incident_opened", _("Incident opened")
    INCIDENT_UPDATED = "incident_updated", _("Incident updated")
    SUSPENSION_LIFTED = "suspension_lifted", _("Suspension of clearance lifted")
    INCIDENT_CLOSED = "incident_closed", _("Incident closed")


def event_kinds() -> list[tuple[str, str]]:
    """The kinds an event may have (``EventKind``). The field's choices name this function,
    so its migrations refer to it instead of listing the kinds: a new kind needs none."""
    return EventKind.choices


class AuditEvent(models.Model):
    """One event in the global chain; ``seq`` runs 1, 2, 3… without gaps."""

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=event_kinds)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        related_name="events",
        # The (campaign, seq) index below serves every lookup a lone campaign index would.
        db_index=False,
    )
    # An id, not a foreign key: erasing a person must not touch the chain.
    actor_id = models.PositiveBigIntegerField(_("actor id"), null=True)
    created_at = models.DateTimeField(_("created at"))
    payload = models.JSONField(_("payload"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["campaign", "seq"], name="auditevent_campaign_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"


class AuditChainHead(models.Model):
    """The single row (pk=1) naming the chain's last event. ``record()`` locks it, which keeps
    the chain linear under concurrency; ``verify()`` compares it with the last event, which
    reveals events removed from the end."""

    last_seq = models.PositiveBigIntegerField(_("last sequence number"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="auditchainhead_single_row")
        ]

    def __str__(self) -> str:
        return f"head at #{self.last_seq}"
