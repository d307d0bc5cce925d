"""The board's "conditions to verify" list: fulfilled conditions of campaigns that hold an
approval with conditions. The flag behind it is derived state kept by the services in the
action's own transaction; these tests follow it through every action that changes it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import condition_verification, services
from assessments.errors import ServiceError
from assessments.models import Condition
from assessments.selectors import review_queue_for
from tests.services.test_review_workflow import reload, submit_and_staff, two_reviewer_rule, vote

pytestmark = pytest.mark.django_db


def to_verify(user) -> list[str]:
    return [c["text"] for c in review_queue_for(user)["to_verify"]]


def flags() -> dict[int, bool]:
    return dict(Condition.objects.values_list("pk", "awaiting_verification"))


def recomputed() -> dict[int, bool]:
    """The flags computed from scratch (what rebuild_dashboard does after a bulk load)."""
    before = flags()
    Condition.objects.update(awaiting_verification=False)
    condition_verification.sync()
    after = flags()
    Condition.objects.filter(pk__in=[pk for pk, on in before.items() if on]).update(
        awaiting_verification=True
    )
    Condition.objects.filter(pk__in=[pk for pk, on in before.items() if not on]).update(
        awaiting_verification=False
    )
    return after


@pytest.fixture
def conditional(complete_campaign, marketer, chair, board):
    two_reviewer_rule()
    submit_and_staff(complete_campaign, marketer, chair, board[:2])
    vote(board[0], complete_campaign, "approve_with_conditions", conditions=["Label the images."])
    vote(board[1], complete_campaign, "approve_with_conditions", conditions=["Add an opt-out."])
    campaign = reload(complete_campaign)
    assert campaign.status == "approved_with_conditions"
    return campaign


def fulfil(marketer, campaign, text):
    condition = Condition.objects.get(campaign=campaign, text=text)
    services.condition_fulfil(actor=marketer, condition=condition, note="Done, see the assets.")
    return condition


def test_fulfilled_conditions_wait_until_verified(conditional, marketer, chair, board):
    assert to_verify(chair) == []  # open conditions are not the board's to verify yet
    first = fulfil(marketer, conditional, "Label the images.")
    assert to_verify(chair) == ["Label the images."]
    assert to_verify(board[0]) == ["Label the images."]
    fulfil(marketer, conditional, "Add an opt-out.")
    assert to_verify(chair) == ["Label the images.", "Add an opt-out."]  # oldest first
    services.condition_verify(actor=board[0], condition=first)
    assert to_verify(chair) == ["Add an opt-out."]
    assert flags() == recomputed()


def test_an_expired_approval_leaves_nothing_to_verify(conditional, marketer, chair):
    fulfil(marketer, conditional, "Label the images.")
    assert to_verify(chair) == ["Label the images."]
    expired = services.approvals_expire(now=timezone.now() + timedelta(days=3 * 366))
    assert expired == 1 and reload(conditional).status == "expired"
    assert to_verify(chair) == []
    assert flags() == recomputed()
    with pytest.raises(ServiceError):  # and the service agrees: nothing to verify there
        services.condition_verify(
            actor=chair, condition=Condition.objects.get(text="Label the images.")
        )


def test_a_campaign_sent_back_to_review_leaves_nothing_to_verify(conditional, marketer, chair):
    fulfil(marketer, conditional, "Add an opt-out.")
    services.campaign_send_back(actor=chair, campaign=conditional)
    assert reload(conditional).status == "rereview_requested"
    assert to_verify(chair) == []
    assert flags() == recomputed()


def test_a_refused_action_changes_nothing(conditional, marketer, chair, outsider):
    condition = Condition.objects.get(text="Label the images.")
    with pytest.raises(ServiceError):
        services.condition_fulfil(actor=outsider, condition=condition, note="Not my team.")
    assert to_verify(chair) == []
    assert not Condition.objects.filter(awaiting_verification=True).exists()


def test_rebuild_command_recomputes_the_flags(conditional, marketer, chair):
    fulfil(marketer, conditional, "Label the images.")
    Condition.objects.update(awaiting_verification=False)  # as after a bulk load
    assert to_verify(chair) == []
    call_command("rebuild_dashboard", stdout=StringIO())
    assert to_verify(chair) == ["Label the images."]
