"""A live tier II campaign approved with a condition asking for a monitoring report every
14 days (by the vote of ``board[0]``), for the monitoring and the report tests."""

from datetime import date

import pytest

from assessments import services
from assessments.models import Assignment, Campaign
from tests.factories import PASSWORD

LABEL = "Label every post as AI-generated."
# Tier II's default plan (the migration) is one report at mid-flight; the flight is the
# 60 days from 2027-01-01 to 2027-03-02, approved before it starts (REFERENCE_TIME, 2026).
FLIGHT_END = date(2027, 3, 2)
MIDFLIGHT = [date(2027, 1, 31)]
EVERY_14 = [date(2027, 1, 15), date(2027, 1, 29), date(2027, 2, 12), date(2027, 2, 26)]


def accepted(campaign, marketer, chair, reviewer):
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=[reviewer])
    assignment = Assignment.objects.get(reviewer=reviewer, status="pending")
    services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")
    return Campaign.objects.get(pk=campaign.pk)


def as_tier_ii(campaign) -> Campaign:
    """The campaign scores tier I on the sample questionnaire; the plan reads the tier."""
    Campaign.objects.filter(pk=campaign.pk).update(tier="II", flight_end=FLIGHT_END)
    return Campaign.objects.get(pk=campaign.pk)


@pytest.fixture
def in_review(reference_time, complete_campaign, marketer, chair, board):
    return accepted(complete_campaign, marketer, chair, board[0])


@pytest.fixture
def conditioned(in_review, board):
    """Approved with conditions by a vote asking for a report every 14 days."""
    services.vote_cast(
        actor=board[0],
        campaign=in_review,
        decision="approve_with_conditions",
        rationale="Fine with labels and close monitoring.",
        conditions=[LABEL],
        report_every_days=14,
        password=PASSWORD,
    )
    return as_tier_ii(in_review)
