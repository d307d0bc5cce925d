"""The workflow's one table of transitions: every action names where it leads, every state
can be reached from a new draft, and ``transition`` accepts only the table's targets."""

import pytest

from assessments import workflow
from assessments.models import CampaignStatus


def test_every_action_has_at_least_one_target_state_and_a_label():
    for action, (sources, targets) in workflow.TRANSITIONS.items():
        assert sources, action
        assert targets, action
        assert targets <= set(CampaignStatus.values), action
        assert action in workflow.ACTION_LABELS


def test_every_state_is_reachable_from_a_draft():
    reached, frontier = {CampaignStatus.DRAFT}, [CampaignStatus.DRAFT]
    while frontier:
        status = frontier.pop()
        for sources, targets in workflow.TRANSITIONS.values():
            if status in sources:
                for target in targets - reached:
                    reached.add(target)
                    frontier.append(target)
    assert reached == set(CampaignStatus.values)


def test_the_decisions_lead_to_the_outcomes_of_the_votes():
    outcomes = set(workflow.OUTCOMES.values())
    assert workflow.TRANSITIONS["decide"].targets == outcomes | {
        CampaignStatus.AWAITING_CONFIRMATION
    }
    assert workflow.TRANSITIONS["confirm"].targets == outcomes
    assert workflow.TRANSITIONS["overrule"].targets == outcomes


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_a_single_target_needs_no_outcome_and_several_need_one(action):
    sources, targets = workflow.TRANSITIONS[action]
    status = sorted(sources)[0]
    if len(targets) == 1:
        assert workflow.transition(action, status) == next(iter(targets))
    else:
        with pytest.raises(workflow.WorkflowError):
            workflow.transition(action, status)
    for target in targets:
        assert workflow.transition(action, status, target) == target


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_a_target_outside_the_table_is_refused(action):
    sources, targets = workflow.TRANSITIONS[action]
    for target in set(CampaignStatus.values) - targets:
        with pytest.raises(workflow.WorkflowError):
            workflow.transition(action, sorted(sources)[0], target)


def test_an_unknown_action_is_refused():
    with pytest.raises(workflow.WorkflowError):
        workflow.transition("publish", CampaignStatus.DRAFT)
