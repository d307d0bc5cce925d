"""Summary rows the managers' dashboard reads, kept current by the services.

``CampaignFacts`` holds, per campaign, the facts its dashboard counts were last built
from; ``DashboardCount`` holds the counts themselves, one row per (metric, month, team,
tier, channel, market, key). Every service that changes a campaign refreshes that
campaign's facts and applies the difference to the counts in the same transaction (see
``assessments.dashboard``), so a figure is current to the last committed action and the
dashboard never scans the campaigns.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import Team
from .campaigns import IN_REVIEW_STATES, Campaign

EVERY = "*"  # the channel or market value of rows that count every channel or market


class CampaignFacts(models.Model):
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    data = models.JSONField(default=dict)
    # Copied out of ``data`` so the campaign list can filter on them.
    red_flags = models.JSONField(default=list)
    top_dimension = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("campaign dashboard facts")
        verbose_name_plural = _("campaign dashboard facts")
        indexes = [models.Index(fields=["top_dimension"], name="facts_top_dimension")]

    def __str__(self) -> str:
        return f"facts of campaign {self.campaign_id}"


class DashboardCount(models.Model):
    metric = models.CharField(max_length=16)
    period = models.DateField()  # the first day of the month counted
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    tier = models.CharField(max_length=4, blank=True)
    channel = models.CharField(max_length=40)
    market = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    n = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard count")
        verbose_name_plural = _("dashboard counts")
        constraints = [
            # Tier and team before the month: a dashboard filtered by tier (and team)
            # reads its rows by this index. On PostgreSQL it includes (n, total), so the
            # sums are index-only scans (migrations 0017, 0018; SQLite has no unique
            # constraints with included columns).
            models.UniqueConstraint(
                fields=["metric", "channel", "market", "tier", "team", "period", "key"],
                name="dashboardcount_cell",
            )
        ]
        indexes = [
            # "Campaigns in review" counts the open states over every month: these few
            # rows, without scanning every month's states (n last: an index-only sum).
            models.Index(
                fields=["channel", "market", "team", "tier", "n"],
                condition=models.Q(metric="state", key__in=IN_REVIEW_STATES),
                name="dashboardcount_in_review",
            ),
            # Without a tier filter the dashboard reads the every-tier rows: these alone,
            # the month before the team (n and total included).
            models.Index(
                fields=["metric", "channel", "market", "period", "team", "key"],
                include=["n", "total"],
                condition=models.Q(tier=EVERY),
                name="dashboardcount_every_tier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period:%Y-%m} {self.key}={self.n}"
