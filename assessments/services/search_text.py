"""Campaigns' ``search_text`` (``assessments.search``) kept right when a part of it changes
elsewhere than on the campaign row: the owner's name or e-mail, the team's name."""

from django.db import transaction

from .. import search
from ..models import Campaign

BATCH = 1_000


def search_text_refresh(*, campaigns) -> int:
    """Rewrite the ``search_text`` of ``campaigns`` (a queryset) from their rows as they
    are now, each batch's rows locked while it is rewritten. Returns how many changed."""
    changed = 0
    with transaction.atomic():
        ids = list(campaigns.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            rows = list(
                Campaign.objects.filter(pk__in=ids[start : start + BATCH])
                .order_by("pk")
                .select_for_update(of=("self",))
                .select_related("team", "owner")
                .only(
                    "name",
                    "description",
                    "search_text",
                    "team__name",
                    "owner__display_name",
                    "owner__email",
                )
            )
            stale = []
            for campaign in rows:
                text = search.document_of(campaign)
                if text != campaign.search_text:
                    campaign.search_text = text
                    stale.append(campaign)
            Campaign.objects.bulk_update(stale, ["search_text"])
            changed += len(stale)
    return changed


def on_email_changed(sender, *, user, **kwargs) -> None:
    """allauth's ``email_changed``: a person chose another primary e-mail address."""
    search_text_refresh(campaigns=Campaign.objects.filter(owner=user))
