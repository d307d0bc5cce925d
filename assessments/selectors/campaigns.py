"""Reads of campaigns: what pages show of the campaigns a person may see
(``Campaign.objects.visible_to``, the one rule of visibility)."""

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from ..models import (
    Campaign,
    CampaignVersion,
    Comment,
    Condition,
    EvidenceFile,
    Feedback,
    MonitoringReport,
    RegisterTool,
    Team,
    TransparencyNotice,
    User,
)

# A questionnaire's definition is large JSON, parsed once per process by definition_of();
# pages load the row without it and fetch it only when this process has not parsed it yet.
DEFERRED_DEFINITION = ("assessment__questionnaire__definition",)

# How long the campaign page keeps what it caches; the keys change with every audit event.
FRAGMENT_SECONDS = 24 * 60 * 60

# The campaign page's lists that are often empty: which have rows is kept under the
# campaign's last audit event, so the page reads only those (see campaign_for(page=True)).
PAGE_LISTS = {
    "versions": CampaignVersion,
    "conditions": Condition,
    "comments": Comment,
    "evidence": EvidenceFile,
    "feedback": Feedback,
    "tools": RegisterTool.campaigns.through,
    "monitoring_reports": MonitoringReport,
}


def visible_campaigns(user: User):
    """The campaigns ``user`` may see, for lists that filter and page them."""
    return Campaign.objects.visible_to(user)


def campaigns_for(user: User):
    return (
        Campaign.objects.visible_to(user)
        .select_related("team", "owner", "assessment__questionnaire")
        .defer(*DEFERRED_DEFINITION)
        .order_by("-updated_at")
    )


def campaign_for(user: User, pk: int, *, page: bool = False) -> Campaign:
    """The campaign if ``user`` may see it; Http404 otherwise (no hint that it exists).
    Read ``with_viewer(user)``, so ``permissions.available_actions`` needs no query.

    ``page``: also whether it has rows in each of ``PAGE_LISTS`` (so the page skips
    reading empty lists)."""
    qs = (
        Campaign.objects.visible_to(user)
        .with_viewer(user)
        .select_related("team", "owner", "assessment__questionnaire")
        .defer(*DEFERRED_DEFINITION)
    )
    campaign = get_object_or_404(qs, pk=pk)
    if page:
        for name, value in _lists_of(campaign).items():
            setattr(campaign, name, value)
    return campaign


def _lists_of(campaign: Campaign) -> dict[str, bool]:
    """Which of ``PAGE_LISTS`` have rows, kept under the campaign's last audit event like
    the page's fragments (each service that adds a row records an event)."""
    return cache.get_or_set(
        f"campaign-lists:{campaign.pk}.{campaign.last_event_seq}",
        lambda: (
            Campaign.objects.filter(pk=campaign.pk)
            .values(
                **{
                    f"has_{name}": Exists(model.objects.filter(campaign_id=OuterRef("pk")))
                    for name, model in PAGE_LISTS.items()
                }
            )
            .get()
        ),
        FRAGMENT_SECONDS,
    )


def has(campaign: Campaign, name: str) -> bool:
    """Whether the campaign may have rows in this list (True unless known to be empty)."""
    return getattr(campaign, f"has_{name}", True)


def feedback_for(campaign: Campaign) -> list:
    if not has(campaign, "feedback"):
        return []
    return list(campaign.feedback.select_related("author", "triaged_by").order_by("-created_at"))


def evidence_for(campaign: Campaign) -> list:
    if not has(campaign, "evidence"):
        return []
    return list(campaign.evidence.select_related("uploaded_by"))


def team_of(campaign: Campaign):
    """The campaign's team, as a queryset (a form's choices)."""
    return Team.objects.filter(pk=campaign.team_id)


def published_notices():
    """Transparency notices the public may read (anyone, no login)."""
    return TransparencyNotice.objects.select_related("campaign", "campaign__team").filter(
        published_at__isnull=False
    )
