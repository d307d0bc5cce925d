"""Which fulfilled conditions wait for the board's verification (derived state).

A condition waits while it is fulfilled and its campaign holds an approval with
conditions. ``sync`` recomputes the flag for the campaigns an action changed; it runs in
the action's own transaction (``services.read_models.read_models_refresh``), so the review
queue is current to the last committed action.
"""

from collections.abc import Iterable

from django.db.models import Q

from assessments.models import CampaignStatus, Condition, ConditionStatus

_WAITS = Q(
    status=ConditionStatus.FULFILLED, campaign__status=CampaignStatus.APPROVED_WITH_CONDITIONS
)


def sync(campaign_ids: Iterable[int] | None = None) -> None:
    """Bring the flag up to date for these campaigns' conditions (all when None)."""
    qs = Condition.objects.all()
    if campaign_ids is not None:
        ids = sorted(set(campaign_ids))
        if not ids:
            return
        qs = qs.filter(campaign_id__in=ids)
    qs.filter(awaiting_verification=True).exclude(_WAITS).update(awaiting_verification=False)
    qs.filter(_WAITS, awaiting_verification=False).update(awaiting_verification=True)
