"""seed_demo --campaigns N: generated campaigns whose rows are what the services would have
written, with the audit chain intact and the dashboard counts rebuilt."""

import io
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from assessments import audit, dashboard_counts, selectors, services, workflow
from assessments.models import (
    Assessment,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Campaign,
    CampaignFacts,
    CampaignStatus,
    CampaignVersion,
    Condition,
    DashboardCount,
    Decision,
    DecisionKind,
    EventKind,
    Feedback,
    FeedbackSeverity,
    Team,
    TriageStatus,
    User,
    Vote,
    VoteDecision,
)
from assessments.questionnaire import score
from assessments.services.review import VOTE_MEANINGS, decision_reasons
from assessments.services.submission import fingerprint_of
from seeding import bulk as bulk_seed
from seeding.management.commands.seed_demo import DEMO_CAMPAIGNS
from tests.audit.test_campaign_last_event import disagreements

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]

S = CampaignStatus
DECIDED = {
    S.APPROVED,
    S.APPROVED_WITH_CONDITIONS,
    S.REJECTED,
    S.CHANGES_REQUESTED,
    S.EXPIRED,
    S.REREVIEW_REQUESTED,
}


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True  # seed_demo only runs on a development install


def test_seed_demo_adds_consistent_campaigns():
    out = io.StringIO()
    call_command("seed_demo", "--campaigns", "200", stdout=out)
    output = out.getvalue()
    assert "200 campaigns added" in output
    assert "Demo campaigns: 5 (5 new)." in output
    now = timezone.now()

    generated = list(
        Campaign.objects.exclude(name__in=[c["name"] for c in DEMO_CAMPAIGNS]).select_related(
            "team", "owner", "assessment__questionnaire"
        )
    )
    assert len(generated) == 200
    assert Campaign.objects.count() == 205

    # Every state of the workflow, with most campaigns historical.
    statuses = defaultdict(int)
    for campaign in generated:
        statuses[campaign.status] += 1
    assert set(statuses) == set(S.values), statuses
    historical = sum(
        statuses[s] for s in (S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.EXPIRED, S.REJECTED)
    )
    assert historical > 0.6 * len(generated)
    assert {c.tier for c in generated if c.status != S.DRAFT} >= {"I", "II", "III", "IV"}
    # Spread over the last 36 months.
    assert len({(c.created_at.year, c.created_at.month) for c in generated}) >= 24
    assert Team.objects.count() == 8
    assert User.objects.filter(roles__role="reviewer").distinct().count() == 12
    assert User.objects.filter(roles__role="chair").count() == 2
    assert User.objects.filter(is_specialist=True).count() >= 2

    ids = [c.pk for c in generated]
    versions = defaultdict(list)
    for version in CampaignVersion.objects.filter(campaign_id__in=ids):
        versions[version.campaign_id].append(version)
    votes = defaultdict(list)
    for vote in Vote.objects.filter(campaign_id__in=ids).select_related("reviewer"):
        votes[vote.version_id].append(vote)
    decisions = defaultdict(list)
    for decision in Decision.objects.filter(campaign_id__in=ids).order_by("created_at", "pk"):
        decisions[decision.campaign_id].append(decision)
    accepted = {
        (a.version_id, a.reviewer_id): a
        for a in Assignment.objects.filter(campaign_id__in=ids, status=AssignmentStatus.ACCEPTED)
    }
    conditions = defaultdict(list)
    for condition in Condition.objects.filter(campaign_id__in=ids):
        conditions[condition.campaign_id].append(condition)
    questionnaire = selectors.current_questionnaire()
    definition = selectors.definition_of(questionnaire)

    for campaign in generated:
        assert campaign.flight_start > campaign.created_at.date()
        assert campaign.created_at > now - timedelta(days=31 * 36 + 5)
        assert campaign.updated_at >= campaign.created_at
        mine = sorted(versions[campaign.pk], key=lambda v: v.number)
        if campaign.status == S.DRAFT:
            assert not mine and campaign.submitted_at is None
            continue
        if campaign.status == S.WITHDRAWN and not mine:
            continue
        assert mine, campaign.status
        assert [v.number for v in mine] == list(range(1, len(mine) + 1))
        for version in mine:
            # Exactly services.submission.version_content, and its fingerprint.
            assert version.fingerprint == fingerprint_of(version.content)
            assert set(version.content) == {
                "questionnaire",
                "questionnaire_version",
                "intake",
                "answers",
                "score",
            }
            assert version.content["intake"] == campaign.intake_export()
            assert version.content["score"]["tier"] == version.tier
            assert not version.content["score"]["red_flags"]  # Prohibited is never submitted
        latest = mine[-1]
        # The stored score is the real scorer's result for the stored answers.
        result = score(definition, campaign.intake(), latest.content["answers"])
        assert result.as_dict() == latest.content["score"]
        assert campaign.tier == latest.tier
        assert campaign.first_submitted_at == mine[0].created_at
        assert campaign.submitted_at == latest.created_at
        assert campaign.first_submitted_at <= campaign.submitted_at
        assert campaign.review_due_at > campaign.submitted_at
        if campaign.status not in (S.CHANGES_REQUESTED, S.REREVIEW_REQUESTED, S.WITHDRAWN):
            assert campaign.assessment.answers == latest.content["answers"]

        for version in mine:
            for vote in votes[version.pk]:
                assert vote.fingerprint == version.fingerprint
                assert vote.meaning == VOTE_MEANINGS[vote.decision]
                assert vote.signer_name == vote.reviewer.display_name
                reasoned = vote.decision in (VoteDecision.REJECT, VoteDecision.REQUEST_CHANGES)
                assert bool(vote.reasons) == reasoned
                assert bool(vote.conditions) == (
                    vote.decision == VoteDecision.APPROVE_WITH_CONDITIONS
                )
                assignment = accepted[(version.pk, vote.reviewer_id)]
                assert assignment.created_at <= assignment.responded_at <= vote.signed_at
            for decision in [d for d in decisions[campaign.pk] if d.version_id == version.pk]:
                version_votes = votes[version.pk]
                assert decision.outcome == workflow.outcome_of(v.decision for v in version_votes)
                assert decision.reasons == decision_reasons(decision.outcome, version_votes)
                assert decision.fingerprint == version.fingerprint
                assert decision.created_at > version.created_at
                assert decision.created_at < version.created_at + timedelta(days=60)

        if campaign.status in DECIDED:
            last = decisions[campaign.pk][-1]
            assert last.version_id == latest.pk
            assert campaign.decided_at == last.created_at
            if campaign.status in (S.EXPIRED, S.REREVIEW_REQUESTED):
                assert last.outcome in workflow.APPROVED_STATES
            else:
                assert last.outcome == campaign.status
            if latest.tier == "IV":
                assert [d.kind for d in decisions[campaign.pk] if d.version_id == latest.pk] == [
                    DecisionKind.RULE,
                    DecisionKind.CONFIRMED,
                ]
        if campaign.status == S.AWAITING_CONFIRMATION:
            assert decisions[campaign.pk][-1].kind == DecisionKind.RULE
            assert decisions[campaign.pk][-1].version_id == latest.pk
        if campaign.status in (S.SUBMITTED, S.IN_REVIEW):
            assert not [d for d in decisions[campaign.pk] if d.version_id == latest.pk]
        if campaign.status in workflow.APPROVED_STATES:
            assert campaign.approval_expires_at > now
        if campaign.status == S.EXPIRED:
            assert campaign.approval_expires_at <= now
        if campaign.status == S.APPROVED_WITH_CONDITIONS:
            assert conditions[campaign.pk]
        if campaign.status == S.REREVIEW_REQUESTED:
            assert campaign.rereview_flagged_at is None

    in_review = [c for c in generated if c.status in workflow.OPEN_REVIEW_STATES]
    assert any(c.review_due_at < now for c in in_review)  # some reviews are overdue
    feedback = Feedback.objects.filter(campaign_id__in=ids)
    assert feedback.filter(severity=FeedbackSeverity.SERIOUS).exists()
    assert feedback.filter(status=TriageStatus.NEW).exists()
    assert feedback.exclude(status=TriageStatus.NEW).exists()
    assert Assessment.objects.count() == Campaign.objects.count()

    # The audit chain: intact, about ten events per campaign, each campaign's in time order.
    assert audit.verify().ok
    events = AuditEvent.objects.filter(campaign_id__in=ids).count()
    assert 8 * len(generated) <= events <= 18 * len(generated)
    timeline = defaultdict(list)
    for campaign_id, kind, created_at in (
        AuditEvent.objects.filter(campaign_id__in=ids)
        .order_by("seq")
        .values_list("campaign_id", "kind", "created_at")
    ):
        timeline[campaign_id].append((kind, created_at))
    for campaign in generated:
        rows = timeline[campaign.pk]
        assert rows[0][0] == EventKind.CREATED
        assert [t for _k, t in rows] == sorted(t for _k, t in rows)
        kinds = {k for k, _t in rows}
        if campaign.submitted_at:
            assert EventKind.SUBMITTED in kinds
        if campaign.status == S.EXPIRED:
            assert EventKind.EXPIRED in kinds

    # The dashboard was rebuilt from the data.
    assert CampaignFacts.objects.count() == Campaign.objects.count()
    assert DashboardCount.objects.exists()


def test_each_run_adds_more_and_the_chain_still_verifies():
    first = bulk_seed.seed(30)
    users = User.objects.count()
    events = AuditEvent.objects.count()
    assert Campaign.objects.count() == 30
    assert first.rows["assessments_auditevent"] == events
    second = bulk_seed.seed(30)
    assert Campaign.objects.count() == 60
    assert User.objects.count() == users  # the accounts are made once
    assert AuditEvent.objects.count() == events + second.rows["assessments_auditevent"]
    result = audit.verify()
    assert result.ok, result.reason
    assert result.count == AuditEvent.objects.count()
    assert CampaignFacts.objects.count() == 60
    # Each campaign's newest version and newest event, as the services keep them.
    assert disagreements() == []
    # Ids follow creation time, as they would have.
    created = list(Campaign.objects.order_by("pk").values_list("created_at", flat=True))
    assert created[:30] == sorted(created[:30]) and created[30:] == sorted(created[30:])
    # The id sequences moved past the generated rows: the services insert as before.
    campaign = Campaign.objects.filter(status=S.DRAFT).select_related("team", "owner").first()
    copy = services.campaign_create(
        actor=campaign.owner,
        team=campaign.team,
        intake={name: getattr(campaign, name) for name in services.INTAKE_FIELDS},
    )
    assert copy.pk > max(Campaign.objects.exclude(pk=copy.pk).values_list("pk", flat=True))
    assert audit.verify().ok


def counts():
    return {
        (metric, channel, market, period.isoformat(), *rest)
        for metric, channel, market, period, *rest in DashboardCount.objects.values_list(
            "metric", "channel", "market", "period", "team_id", "tier", "key", "n", "total"
        )
    }


def test_the_facts_the_seeder_hands_over_are_those_of_the_data():
    # The second load's rebuild reads the first load's campaigns back from the data and
    # takes the new ones' facts from the generator, without reading them back.
    bulk_seed.seed(40)
    bulk_seed.seed(60, seed=2)
    stored = dict(CampaignFacts.objects.values_list("campaign_id", "data"))
    assert len(stored) == Campaign.objects.count() == 100
    assert stored == dashboard_counts._load(list(stored))  # what a rebuild reads from the data
    seeded = counts()
    dashboard_counts.rebuild()
    assert counts() == seeded
    # ... and what the services keep: each campaign's cells, added up.
    expected = defaultdict(lambda: [0, 0])
    for facts in stored.values():
        for key, (n, total) in dashboard_counts.cells_of(facts).items():
            expected[key][0] += n
            expected[key][1] += total
    assert seeded == {(*key, n, total) for key, (n, total) in expected.items()}


@pytest.mark.postgres
def test_the_indexes_and_constraints_dropped_for_the_load_are_made_again(postgres):
    def schema():
        with postgres.cursor() as cursor:
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid::regclass::text LIKE 'assessments%%'"
            )
            indexes = set(cursor.fetchall())
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid::regclass::text LIKE 'assessments%%'"
            )
            return indexes, set(cursor.fetchall())

    before = schema()
    assert len(before[0]) > 50 and len(before[1]) > 50
    bulk_seed.seed(20)
    after = schema()
    assert after[0] ^ before[0] == set()
    assert after[1] ^ before[1] == set()


def test_campaigns_must_not_be_negative():
    with pytest.raises(CommandError, match="--campaigns"):
        call_command("seed_demo", "--campaigns", "-1", stdout=io.StringIO())
