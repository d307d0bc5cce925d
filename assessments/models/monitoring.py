"""Monitoring of live campaigns: the plan by tier and the reports the team files, with the
figures by audience segment and the analysis stored as it was when filed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .campaigns import Campaign


class Cadence(models.TextChoices):
    NONE = "none", _("No monitoring reports")
    MIDFLIGHT = "midflight", _("One report at mid-flight")
    EVERY = "every", _("A report every N days")


class MonitoringRule(models.Model):
    """How often a live campaign of a tier reports. Administrators edit these in the admin."""

    tier = models.CharField(_("tier"), max_length=4, unique=True)
    cadence = models.CharField(_("reports"), max_length=16, choices=Cadence.choices)
    every_days = models.PositiveSmallIntegerField(
        _("every N days"), default=30, help_text=_("Used when reports are due every N days.")
    )

    class Meta:
        ordering = ["tier"]
        verbose_name = _("monitoring rule")
        verbose_name_plural = _("monitoring rules")

    def __str__(self) -> str:
        return f"Tier {self.tier}"


class MonitoringReport(models.Model):
    """Delivery and outcome figures of a live campaign by segment, with observations. The
    thresholds in force and the result are kept so a later change of settings does not
    rewrite what the board was told."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="monitoring_reports"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    observations = models.TextField(_("observations"), max_length=4000, blank=True)
    min_ratio = models.FloatField(_("lowest acceptable ratio"))
    alpha = models.FloatField(_("significance level"))
    worst_ratio = models.FloatField(_("lowest ratio"), null=True, blank=True)
    worst_p = models.FloatField(_("its p-value"), null=True, blank=True)
    overall_p = models.FloatField(_("p-value over all segments"), null=True, blank=True)
    breach = models.BooleanField(_("breach of the board's thresholds"), default=False)

    class Meta:
        ordering = ["campaign", "filed_at", "pk"]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")
        indexes = [models.Index(fields=["campaign", "filed_at"], name="monitoring_campaign")]

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.filed_at:%Y-%m-%d}"


class MonitoringRow(models.Model):
    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField()
    segment = models.CharField(_("segment"), max_length=100)
    reached = models.PositiveIntegerField(_("people reached"))
    positive = models.PositiveIntegerField(_("positive outcomes"))

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="monitoring_row_unique"),
            models.CheckConstraint(
                condition=models.Q(positive__lte=models.F("reached")),
                name="monitoring_row_positive_le_reached",
            ),
        ]

    def __str__(self) -> str:
        return self.segment
