"""Incidents after launch: what happened, the harm, a timeline of updates and corrective
actions, and the chair's resolution. A severe incident suspends the campaign's clearance."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .campaigns import Campaign

# GDPR Art. 33(1): the controller notifies the supervisory authority of a personal data
# breach without undue delay and, where feasible, not later than 72 hours after becoming
# aware of it.
BREACH_NOTIFICATION_HOURS = 72


class HarmType(models.TextChoices):
    PRIVACY = "privacy", _("Privacy")
    DISCRIMINATION = "discrimination", _("Discrimination")
    DECEPTION = "deception", _("Deception")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class IncidentSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    SEVERE = "severe", _("Severe (suspends clearance)")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="incidents")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    what_happened = models.TextField(_("what happened"), max_length=4000)
    harm_type = models.CharField(_("type of harm"), max_length=16, choices=HarmType.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=IncidentSeverity.choices)
    people_affected = models.PositiveIntegerField(
        _("people affected (estimate)"), null=True, blank=True
    )
    regulator_involved = models.BooleanField(_("a regulator is involved"), default=False)
    platform_involved = models.BooleanField(_("a platform is involved"), default=False)
    personal_data_breach = models.BooleanField(_("personal data breach"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    suspends_clearance = models.BooleanField(_("suspends clearance"), default=False)
    suspension_lifted_at = models.DateTimeField(null=True, blank=True)
    suspension_lifted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("resolution"), max_length=4000, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["status", "opened_at"], name="incident_status_opened")]

    def __str__(self) -> str:
        return f"incident {self.pk}"

    @property
    def suspending(self) -> bool:
        return (
            self.status == IncidentStatus.OPEN
            and self.suspends_clearance
            and self.suspension_lifted_at is None
        )

    @property
    def notification_deadline(self):
        """For a personal data breach: 72 hours after the board became aware (the opening)."""
        if not self.personal_data_breach:
            return None
        return self.opened_at + timedelta(hours=BREACH_NOTIFICATION_HOURS)


class EntryKind(models.TextChoices):
    UPDATE = "update", _("Update")
    ACTION = "action", _("Corrective action")


class IncidentEntry(models.Model):
    """One step of an incident's timeline: an update, or a corrective action with an owner
    and a due date."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    text = models.TextField(_("text"), max_length=4000)
    owner = models.ForeignKey(
        User,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["incident", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
