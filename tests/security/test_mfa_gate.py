"""Reviewers, chairs and administrators need an authenticator app before board actions and
the Django admin (REQUIRE_MFA_FOR_BOARD, on by default; the rest of the suite turns it off)."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from assessments import permissions, services
from assessments.errors import ServiceError
from assessments.models import Assignment, AuditEvent, Condition, Feedback, Vote
from ethicsreview import settings as project_settings
from tests.conftest import set_rule
from tests.factories import PASSWORD
from tests.security.conftest import enable_mfa

pytestmark = pytest.mark.django_db


@dataclass
class Scenario:
    user: Any
    url: str
    data: dict
    state: Any  # () -> a value the action changes
    call: Any  # the service the view calls, with the same arguments
    campaign: Any = None


def _submitted(complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    return complete_campaign


def _accepted(campaign, chair, reviewer):
    services.review_assign(actor=chair, campaign=campaign, reviewers=[reviewer])
    assignment = Assignment.objects.get(reviewer=reviewer, status="pending")
    services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")


def _vote(campaign, reviewer, decision="approve", conditions=None):
    services.vote_cast(
        actor=reviewer,
        campaign=campaign,
        decision=decision,
        rationale="ok",
        conditions=conditions,
        password=PASSWORD,
    )


def _status(campaign):
    return lambda: type(campaign).objects.get(pk=campaign.pk).status


def scenario_assign(request):
    chair, board = request.getfixturevalue("chair"), request.getfixturevalue("board")
    campaign = _submitted(
        request.getfixturevalue("complete_campaign"), request.getfixturevalue("marketer")
    )
    return Scenario(
        chair,
        reverse("review_assign", args=[campaign.pk]),
        {"reviewers": [board[0].pk]},
        Assignment.objects.count,
        lambda: services.review_assign(actor=chair, campaign=campaign, reviewers=board[:1]),
    )


def scenario_vote(request):
    chair, board = request.getfixturevalue("chair"), request.getfixturevalue("board")
    campaign = _submitted(
        request.getfixturevalue("complete_campaign"), request.getfixturevalue("marketer")
    )
    _accepted(campaign, chair, board[0])
    data = {"decision": "approve", "rationale": "Careful.", "password": PASSWORD}
    return Scenario(
        board[0],
        reverse("vote", args=[campaign.pk]),
        data,
        Vote.objects.count,
        lambda: services.vote_cast(actor=board[0], campaign=campaign, **data),
        campaign,
    )


def scenario_confirm(request):
    set_rule("I", chair_confirms=True)
    chair, board = request.getfixturevalue("chair"), request.getfixturevalue("board")
    campaign = _submitted(
        request.getfixturevalue("complete_campaign"), request.getfixturevalue("marketer")
    )
    _accepted(campaign, chair, board[0])
    _vote(campaign, board[0])
    campaign.refresh_from_db()
    assert campaign.status == "awaiting_confirmation"
    return Scenario(
        chair,
        reverse("decision_confirm", args=[campaign.pk]),
        {
            "password": PASSWORD,
            "rationale": "",
            **services.signing_expectation(campaign, "confirm"),
        },
        _status(campaign),
        lambda: services.decision_confirm(
            actor=chair,
            campaign=campaign,
            password=PASSWORD,
            **services.signing_expectation(campaign, "confirm"),
        ),
    )


def scenario_overrule(request):
    chair = request.getfixturevalue("chair")
    campaign = request.getfixturevalue("approved_campaign")
    data = {
        "outcome": "rejected",
        "rationale": "Targets people in debt.",
        "password": PASSWORD,
        **services.signing_expectation(campaign, "overrule"),
    }
    return Scenario(
        chair,
        reverse("decision_overrule", args=[campaign.pk]),
        data,
        _status(campaign),
        lambda: services.decision_overrule(actor=chair, campaign=campaign, **data),
    )


def scenario_verify(request):
    chair, board = request.getfixturevalue("chair"), request.getfixturevalue("board")
    marketer = request.getfixturevalue("marketer")
    campaign = _submitted(request.getfixturevalue("complete_campaign"), marketer)
    _accepted(campaign, chair, board[0])
    _vote(campaign, board[0], "approve_with_conditions", ["Label the generated images."])
    condition = Condition.objects.get()
    services.condition_fulfil(actor=marketer, condition=condition, note="Labelled.")
    return Scenario(
        board[0],
        reverse("condition_verify", args=[campaign.pk, condition.pk]),
        {},
        lambda: Condition.objects.get(pk=condition.pk).status,
        lambda: services.condition_verify(actor=board[0], condition=condition),
    )


def scenario_triage(request):
    reviewer, marketer = request.getfixturevalue("reviewer"), request.getfixturevalue("marketer")
    campaign = request.getfixturevalue("campaign")
    feedback = services.feedback_add(
        actor=marketer, campaign=campaign, category="privacy", severity="concern", text="Hmm"
    )
    return Scenario(
        reviewer,
        reverse("feedback_triage", args=[campaign.pk, feedback.pk]),
        {"status": "acknowledged", "note": ""},
        lambda: Feedback.objects.get(pk=feedback.pk).status,
        lambda: services.feedback_triage(actor=reviewer, feedback=feedback, status="acknowledged"),
    )


def scenario_send_back(request):
    chair = request.getfixturevalue("chair")
    campaign = request.getfixturevalue("approved_campaign")
    return Scenario(
        chair,
        reverse("campaign_send_back", args=[campaign.pk]),
        {},
        _status(campaign),
        lambda: services.campaign_send_back(actor=chair, campaign=campaign),
    )


SCENARIOS = {
    "assign": scenario_assign,
    "vote": scenario_vote,
    "confirm": scenario_confirm,
    "overrule": scenario_overrule,
    "verify_conditions": scenario_verify,
    "triage": scenario_triage,
    "send_back": scenario_send_back,
}


def test_every_action_needing_mfa_is_tested():
    assert set(SCENARIOS) == permissions.MFA_ACTIONS


@pytest.fixture(params=sorted(SCENARIOS))
def scenario(request, settings):
    built = SCENARIOS[request.param](request)  # set up with the requirement off...
    settings.REQUIRE_MFA_FOR_BOARD = True  # ...then the action is tried with it on
    return built


def test_the_requirement_is_on_by_default():
    # The suite's autouse fixture turns it off; the setting itself defaults to on.
    assert project_settings.REQUIRE_MFA_FOR_BOARD is True
    assert django_settings.REQUIRE_MFA_FOR_BOARD is False


def test_without_mfa_the_action_shows_guidance_and_changes_nothing(client, scenario):
    client.force_login(scenario.user)
    before, events = scenario.state(), AuditEvent.objects.count()
    response = client.post(scenario.url, scenario.data)
    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "assessments/mfa_required.html"
    assert 'data-testid="mfa-required"' in response.text
    assert reverse("mfa_activate_totp") in response.text
    assert reverse("mfa_index") in response.text
    assert scenario.state() == before
    assert AuditEvent.objects.count() == events


def test_with_mfa_the_action_works(client, scenario):
    enable_mfa(scenario.user)
    client.force_login(scenario.user)
    before = scenario.state()
    response = client.post(scenario.url, scenario.data)
    assert response.status_code == 302, response.text[:2000]
    assert scenario.state() != before


def test_the_service_refuses_without_mfa_too(scenario):
    """Defence in depth: whatever calls the service, the same refusal and no change."""
    before, events = scenario.state(), AuditEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        scenario.call()
    assert refused.value.message == permissions.MFA_REQUIRED_MESSAGE
    assert scenario.state() == before
    assert AuditEvent.objects.count() == events
    enable_mfa(scenario.user)
    scenario.call()
    assert scenario.state() != before


def test_a_wrong_password_with_mfa_is_still_refused(client, request, settings):
    s = scenario_vote(request)
    settings.REQUIRE_MFA_FOR_BOARD = True
    enable_mfa(s.user)
    client.force_login(s.user)
    response = client.post(s.url, {**s.data, "password": "wrong"})
    assert response.status_code == 400
    assert "The password is not correct" in response.text
    assert Vote.objects.count() == 0


def test_the_campaign_page_says_why_before_anything_is_typed(client, request, settings):
    s = scenario_vote(request)
    settings.REQUIRE_MFA_FOR_BOARD = True
    client.force_login(s.user)
    page = reverse("campaign_detail", args=[s.campaign.pk])
    assert 'data-testid="review-mfa-missing"' in client.get(page).text
    enable_mfa(s.user)
    assert 'data-testid="review-mfa-missing"' not in client.get(page).text


def test_the_guidance_page_is_in_the_persons_language(client, reviewer, settings, request):
    s = scenario_triage(request)
    settings.REQUIRE_MFA_FOR_BOARD = True
    reviewer.language = "ar"
    reviewer.save(update_fields=["language"])
    client.force_login(reviewer)
    response = client.post(s.url, s.data)
    assert response.status_code == 403
    assert 'lang="ar"' in response.text and 'dir="rtl"' in response.text
    assert "إعداد المصادقة الثنائية" in response.text  # "Set up two-factor authentication"


def test_marketers_need_no_second_factor(client, marketer, complete_campaign, settings):
    settings.REQUIRE_MFA_FOR_BOARD = True
    client.force_login(marketer)
    response = client.post(
        reverse("campaign_submit", args=[complete_campaign.pk]), {"confirmed_tier": "I"}
    )
    assert response.status_code == 302
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == "submitted"
    assert not permissions.mfa_missing(marketer)


def test_reading_stays_open_without_mfa(client, reviewer, campaign, settings):
    """Only acting is gated: the queue and campaigns can be read while setting it up."""
    settings.REQUIRE_MFA_FOR_BOARD = True
    client.force_login(reviewer)
    assert client.get(reverse("review_queue")).status_code == 200
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


# --- the Django admin ---------------------------------------------------------------------


def test_admin_without_mfa_gets_the_guidance_page(client, admin_user, settings):
    settings.REQUIRE_MFA_FOR_BOARD = True
    client.force_login(admin_user)
    for url in (reverse("admin:index"), reverse("admin:assessments_user_changelist")):
        response = client.get(url)
        assert response.status_code == 403
        assert 'data-testid="mfa-required"' in response.text


def test_admin_cannot_change_anything_without_mfa(client, admin_user, marketer, settings):
    settings.REQUIRE_MFA_FOR_BOARD = True
    client.force_login(admin_user)
    url = reverse("admin:assessments_user_change", args=[marketer.pk])
    response = client.post(url, {"email": marketer.email, "display_name": "Changed"})
    assert response.status_code == 403
    marketer.refresh_from_db()
    assert marketer.display_name != "Changed"


def test_admin_with_mfa_opens_the_admin(client, admin_user, settings):
    settings.REQUIRE_MFA_FOR_BOARD = True
    enable_mfa(admin_user)
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_works_without_mfa_when_the_requirement_is_off(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
