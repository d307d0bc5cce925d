"""Each campaign's newest version and newest audit event, kept on write (the campaign page's
cache key and its current version) and filled in by migration 0042 for existing data."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max

from assessments import audit, services
from assessments.models import AuditEvent, Campaign, CampaignAuditHead, CampaignVersion, EventKind

pytestmark = pytest.mark.django_db

fill = importlib.import_module(
    "assessments.migrations.0042_campaign_latest_version_audit_head"
).fill


def disagreements() -> list[str]:
    """Where the kept facts differ from the versions and the chain (empty when none)."""
    newest_event = dict(
        AuditEvent.objects.filter(campaign__isnull=False)
        .values("campaign_id")
        .annotate(seq=Max("seq"))
        .values_list("campaign_id", "seq")
    )
    heads = dict(CampaignAuditHead.objects.values_list("campaign_id", "last_seq"))
    newest_version = dict(
        CampaignVersion.objects.values("campaign_id")
        .annotate(number=Max("number"))
        .values_list("campaign_id", "number")
    )
    problems = [f"heads {heads} != events {newest_event}"] if heads != newest_event else []
    for pk, latest, number in Campaign.objects.values_list(
        "pk", "latest_version_id", "latest_version__number"
    ):
        if number != newest_version.get(pk) or (latest is None) != (pk not in newest_version):
            problems.append(f"campaign {pk}: latest version {number}, {newest_version.get(pk)}")
    return problems


def test_every_event_moves_its_campaigns_head(campaign, marketer, other_team):
    other = services.campaign_create(
        actor=marketer, team=campaign.team, intake=_intake_of(campaign, name="Second")
    )
    with transaction.atomic():
        first = audit.record(kind=EventKind.EDITED, campaign=campaign, actor=marketer)
        audit.record(kind=EventKind.EDITED, campaign=other, actor=marketer)
        audit.record(kind=EventKind.FEEDBACK_RECEIVED)  # no campaign: no head moves
    heads = dict(CampaignAuditHead.objects.values_list("campaign_id", "last_seq"))
    assert heads[campaign.pk] == first.seq
    assert heads[other.pk] == first.seq + 1
    assert Campaign.objects.get(pk=campaign.pk).last_event_seq == first.seq
    assert disagreements() == []


def test_an_event_rolled_back_leaves_the_head(campaign, marketer):
    before = Campaign.objects.get(pk=campaign.pk).last_event_seq
    assert before is not None  # creating the campaign recorded its first event
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(kind=EventKind.EDITED, campaign=campaign, actor=marketer)
        raise RuntimeError("the change failed after recording")
    assert Campaign.objects.get(pk=campaign.pk).last_event_seq == before


def test_a_campaign_without_events_has_no_head(team, marketer, campaign):
    CampaignAuditHead.objects.filter(campaign=campaign).delete()
    assert Campaign.objects.select_related("audit_head").get(pk=campaign.pk).last_event_seq is None


def test_submitting_again_moves_the_latest_version(complete_campaign, marketer, chair, reviewer):
    from tests.services.test_review_workflow import reload, submit_and_staff, vote

    campaign = complete_campaign
    submit_and_staff(campaign, marketer, chair, [reviewer])
    assert reload(campaign).latest_version.number == 1
    vote(reviewer, campaign, "request_changes")
    second = services.campaign_submit(actor=marketer, campaign=campaign)
    assert reload(campaign).latest_version == second and second.number == 2
    assert disagreements() == []


def test_the_migration_fills_both_in_from_the_data(complete_campaign, marketer, chair, reviewer):
    from tests.services.test_review_workflow import submit_and_staff, vote

    submit_and_staff(complete_campaign, marketer, chair, [reviewer])
    vote(reviewer, complete_campaign, "request_changes")
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    draft = services.campaign_create(
        actor=marketer, team=complete_campaign.team, intake=_intake_of(complete_campaign)
    )
    # The data as it stood before migration 0042.
    CampaignAuditHead.objects.all().delete()
    Campaign.objects.update(latest_version=None)

    fill(apps, SimpleNamespace(connection=connection))  # what fill() asks of the editor

    assert disagreements() == []
    assert Campaign.objects.get(pk=complete_campaign.pk).latest_version.number == 2
    assert Campaign.objects.get(pk=draft.pk).latest_version is None
    assert CampaignAuditHead.objects.filter(campaign=draft).exists()


def _intake_of(campaign, **changes) -> dict:
    return {name: getattr(campaign, name) for name in services.INTAKE_FIELDS} | changes
