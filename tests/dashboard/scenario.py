"""A small history built through the services, counted by hand in the tests:

Aurora: a draft; approved; changes requested (fairness); submitted, waiting.
Northwind (e-mail, UK): rejected (privacy), with serious feedback on it.
"""

from datetime import date

import pytest

from assessments import services
from assessments.models import Assignment, Campaign
from tests.conftest import INTAKE_POST, LOW_RISK_ANSWERS, set_rule
from tests.factories import PASSWORD


def make(actor, team, questionnaire, name, channels=("social",), markets=("eu",)):
    intake = {
        **INTAKE_POST,
        "name": name,
        "channels": list(channels),
        "markets": list(markets),
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": date(2027, 1, 1),
        "flight_end": date(2027, 3, 1),
    }
    campaign = services.campaign_create(
        actor=actor, team=team, intake=intake, questionnaire=questionnaire
    )
    services.assessment_save_answers(actor=actor, campaign=campaign, answers=LOW_RISK_ANSWERS)
    return campaign


def review(campaign, owner, chair, reviewer, decision, reasons=None):
    services.campaign_submit(actor=owner, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=[reviewer])
    assignment = Assignment.objects.get(campaign=campaign, reviewer=reviewer, status="pending")
    services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")
    services.vote_cast(
        actor=reviewer,
        campaign=campaign,
        decision=decision,
        rationale="Because.",
        reasons=reasons,
        conditions=["Label every post."] if decision == "approve_with_conditions" else None,
        password=PASSWORD,
    )
    return Campaign.objects.get(pk=campaign.pk)


@pytest.fixture
def history(questionnaire, marketer, outsider, team, other_team, chair, board):
    """Aurora: a draft; approved; changes requested (fairness); submitted, waiting.
    Northwind (e-mail, UK): rejected (privacy), with serious feedback on it."""
    set_rule("I", reviewers_required=1)
    draft = make(marketer, team, questionnaire, "Draft one")
    approved = review(
        make(marketer, team, questionnaire, "Approved one"), marketer, chair, board[0], "approve"
    )
    changes = review(
        make(marketer, team, questionnaire, "Changes one"),
        marketer,
        chair,
        board[1],
        "request_changes",
        ["fairness"],
    )
    waiting = make(marketer, team, questionnaire, "Waiting one")
    services.campaign_submit(actor=marketer, campaign=waiting)
    rejected = review(
        make(outsider, other_team, questionnaire, "Rejected one", ["email"], ["uk"]),
        outsider,
        chair,
        board[2],
        "reject",
        ["privacy"],
    )
    services.feedback_add(
        actor=outsider,
        campaign=rejected,
        category="privacy",
        severity="serious",
        text="Uses purchased lists.",
    )
    return {
        "draft": draft,
        "approved": approved,
        "changes": changes,
        "waiting": Campaign.objects.get(pk=waiting.pk),
        "rejected": rejected,
    }
