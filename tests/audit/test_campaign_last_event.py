"""Each campaign's newest version and newest audit event, kept on the campaign by the
services (its current version and the campaign page's cache key) and filled in by
migration 0043 for existing data."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max

from assessments import audit, services
from assessments.models import AuditEvent, Campaign, CampaignVersion, EventKind
from tests.views.test_search import intake

pytestmark = pytest.mark.django_db


def disagreements() -> list[str]:
    """Where the kept facts differ from the versions and the chain (empty when none)."""
    newest_event = dict(
        AuditEvent.objects.filter(campaign__isnull=False)
        .values("campaign_id")
        .annotate(seq=Max("seq"))
        .values_list("campaign_id", "seq")
    )
    kept = {
        pk: seq
        for pk, seq in Campaign.objects.values_list("pk", "last_event_seq")
        if seq is not None
    }
    newest_version = dict(
        CampaignVersion.objects.values("campaign_id")
        .annotate(number=Max("number"))
        .values_list("campaign_id", "number")
    )
    problems = [f"last events {kept} != chain {newest_event}"] if kept != newest_event else []
    for pk, number, stored in Campaign.objects.values_list(
        "pk", "latest_version__number", "latest_version_number"
    ):
        if number != newest_version.get(pk) or stored != number:
            problems.append(
                f"campaign {pk}: latest version {number} ({stored} kept), {newest_version.get(pk)}"
            )
    return problems


def test_every_event_moves_its_campaigns_last_event(campaign, marketer, other_team):
    other = services.campaign_create(
        actor=marketer, team=campaign.team, intake=intake(name="Second")
    )
    with transaction.atomic():
        first = audit.record(kind=EventKind.EDITED, campaign=campaign, actor=marketer)
        audit.record(kind=EventKind.EDITED, campaign=other, actor=marketer)
        audit.record(kind=EventKind.FEEDBACK_RECEIVED)  # no campaign: no campaign moves
    kept = dict(Campaign.objects.values_list("pk", "last_event_seq"))
    assert kept == {campaign.pk: first.seq, other.pk: first.seq + 1}
    assert campaign.last_event_seq == first.seq  # the instance passed in follows too
    assert disagreements() == []


def test_an_event_rolled_back_leaves_the_last_event(campaign, marketer):
    before = Campaign.objects.get(pk=campaign.pk).last_event_seq
    assert before is not None  # creating the campaign recorded its first event
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(kind=EventKind.EDITED, campaign=campaign, actor=marketer)
        raise RuntimeError("the change failed after recording")
    assert Campaign.objects.get(pk=campaign.pk).last_event_seq == before


def test_submitting_again_moves_the_latest_version(complete_campaign, marketer, chair, reviewer):
    from tests.services.test_review_workflow import reload, submit_and_staff, vote

    campaign = complete_campaign
    submit_and_staff(campaign, marketer, chair, [reviewer])
    assert reload(campaign).latest_version_number == 1
    vote(reviewer, campaign, "request_changes")
    second = services.campaign_submit(actor=marketer, campaign=campaign)
    campaign = reload(campaign)
    assert campaign.latest_version == second and campaign.latest_version_number == 2
    assert disagreements() == []


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_history_fills_both_in(
    complete_campaign, marketer, chair, reviewer
):
    """Back to before the fields, then forward again, over a campaign submitted twice and
    a draft: on PostgreSQL this also catches a data step that blocks the schema step."""
    from tests.services.test_review_workflow import submit_and_staff, vote

    submit_and_staff(complete_campaign, marketer, chair, [reviewer])
    vote(reviewer, complete_campaign, "request_changes")
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    draft = services.campaign_create(actor=marketer, team=complete_campaign.team, intake=intake())

    executor = MigrationExecutor(connection)
    executor.migrate([("assessments", "0041_condition_report_every_days")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert disagreements() == []
    assert Campaign.objects.get(pk=complete_campaign.pk).latest_version_number == 2
    assert Campaign.objects.get(pk=draft.pk).latest_version is None
    assert Campaign.objects.get(pk=draft.pk).last_event_seq is not None
