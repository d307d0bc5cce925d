"""Separation of duties through the pages: the buttons follow ``available_actions``, the
refusals are messages (never a 5xx) and change nothing, the chair's forms carry what the
chair saw, and too many wrong signature passwords end the session."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assignment, Condition, Decision, Vote
from tests.conftest import set_rule
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def url(name, campaign, *args):
    return reverse(name, args=[campaign.pk, *args])


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


@pytest.fixture
def insider(team):
    return UserFactory(
        email="insider@example.com", roles=["marketer", "reviewer", "chair"], teams=[team]
    )


@pytest.fixture
def in_review(complete_campaign, marketer, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    services.assignment_accept(
        actor=board[0], assignment=Assignment.objects.get(), declaration="None."
    )
    return complete_campaign


def reject(reviewer, campaign):
    services.vote_cast(
        actor=reviewer,
        campaign=campaign,
        decision="reject",
        rationale="Targets people in debt.",
        reasons=["privacy"],
        password=PASSWORD,
    )


def overrule_body(**extra):
    return {
        "outcome": "approved",
        "rationale": "Approved as designed.",
        "password": PASSWORD,
        **extra,
    }


def test_the_insider_sees_no_judging_form_and_is_refused(client, insider, board, in_review):
    reject(board[0], in_review)
    feedback = services.feedback_add(
        actor=board[1], campaign=in_review, category="privacy", severity="serious", text="Minors."
    )
    client.force_login(insider)
    page = client.get(url("campaign_detail", in_review)).text
    assert 'data-testid="overrule-form"' not in page
    assert url("feedback_triage", in_review, feedback.pk) not in page
    assert 'data-testid="send-back-form"' not in page
    response = client.post(
        url("decision_overrule", in_review),
        overrule_body(expected_outcome="rejected", expected_version=1),
    )
    assert response.status_code == 400
    assert "You cannot judge a campaign of your own team" in response.text
    in_review.refresh_from_db()
    assert in_review.status == "rejected"
    assert not Decision.objects.filter(kind="overruled").exists()
    response = client.post(
        url("feedback_triage", in_review, feedback.pk),
        {"status": "dismissed", "note": "Not an issue."},
        follow=True,
    )
    assert response.status_code == 200
    assert "You cannot judge a campaign of your own team" in response.text
    feedback.refresh_from_db()
    assert feedback.status == "new"


def test_the_overrule_form_names_what_the_chair_sees(client, chair, board, in_review):
    client.force_login(chair)
    page = client.get(url("campaign_detail", in_review)).text
    assert hidden(page, "expected_outcome") == "in_review"
    assert hidden(page, "expected_version") == "1"
    seen = {"expected_outcome": "in_review", "expected_version": "1"}
    reject(board[0], in_review)  # the last vote lands before the chair's signature
    response = client.post(url("decision_overrule", in_review), overrule_body(**seen))
    assert response.status_code == 400
    assert "changed while you were deciding" in response.text
    assert "Approved as designed." in response.text  # nothing typed is lost
    # The form shown again carries what the page shows now.
    assert hidden(response.text, "expected_outcome") == "rejected"
    in_review.refresh_from_db()
    assert in_review.status == "rejected"
    response = client.post(
        url("decision_overrule", in_review),
        overrule_body(expected_outcome="rejected", expected_version="1"),
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == "approved"


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"expected_outcome": "in_review", "expected_version": "x"},
        {"expected_outcome": "\x00" * 40, "expected_version": "1"},
        {"expected_outcome": "in_review", "expected_version": "99999999999"},
    ],
)
def test_a_missing_or_malformed_expectation_is_refused_clearly(client, chair, in_review, extra):
    client.force_login(chair)
    response = client.post(url("decision_overrule", in_review), overrule_body(**extra))
    assert response.status_code == 400
    assert (
        "This form is out of date" in response.text
        or "changed while you were deciding" in response.text
    )
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
    assert not Decision.objects.exists()


def test_the_fulfiller_sees_no_verify_button(client, chair, marketer, approved_campaign, board):
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="approved_with_conditions",
        rationale="Label the posts.",
        conditions=["Label every post."],
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    condition = Condition.objects.get()
    services.condition_fulfil(actor=marketer, condition=condition, note="Labelled.")
    verify = url("condition_verify", approved_campaign, condition.pk)
    client.force_login(board[1])
    assert verify in client.get(url("campaign_detail", approved_campaign)).text
    # The fulfiller, were they on the board, would not see it: a marketer-reviewer of the
    # team is a party anyway; the rule is tested through the service too.
    insider = UserFactory(roles=["marketer", "reviewer"], teams=[approved_campaign.team])
    client.force_login(insider)
    assert verify not in client.get(url("campaign_detail", approved_campaign)).text


def test_too_many_wrong_signature_passwords_end_the_session(client, board, in_review, settings):
    settings.SIGNATURE_FAILED_LIMIT = 3
    client.force_login(board[0])
    body = {"decision": "approve", "rationale": "Fine.", "password": "wrong"}
    for _attempt in range(2):
        response = client.post(url("vote", in_review), body)
        assert response.status_code == 400
        assert "The password is not correct" in response.text
    response = client.post(url("vote", in_review), body, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert "Too many wrong signature passwords" in response.text
    # Signed out: the campaign page asks to sign in again.
    page = client.get(url("campaign_detail", in_review))
    assert page.status_code == 302 and reverse("account_login") in page["Location"]
    # Signed in again, signing is still refused until the window ends.
    client.force_login(board[0])
    response = client.post(url("vote", in_review), {**body, "password": PASSWORD}, follow=True)
    assert "Too many wrong signature passwords" in response.text
    assert not Vote.objects.exists()


@pytest.mark.parametrize("persona", ["marketer", "outsider", "reviewer", "manager", "admin"])
def test_nobody_but_a_chair_who_is_no_party_overrules(client, personas, board, in_review, persona):
    reject(board[0], in_review)
    client.force_login(personas[persona])
    response = client.post(
        url("decision_overrule", in_review),
        overrule_body(expected_outcome="rejected", expected_version="1"),
    )
    assert response.status_code in (302, 400, 403, 404)
    in_review.refresh_from_db()
    assert in_review.status == "rejected"


def test_the_confirm_form_names_the_proposed_outcome(
    client, chair, board, complete_campaign, marketer
):
    set_rule("I", chair_confirms=True)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    services.assignment_accept(
        actor=board[0], assignment=Assignment.objects.get(), declaration="None."
    )
    reject(board[0], complete_campaign)
    client.force_login(chair)
    page = client.get(url("campaign_detail", complete_campaign)).text
    assert 'data-testid="confirm-form"' in page
    assert hidden(page, "expected_outcome") == "rejected"
    assert hidden(page, "expected_version") == "1"
    assert 'data-testid="overrule-subject"' in page
    response = client.post(
        url("decision_confirm", complete_campaign),
        {"password": PASSWORD, "expected_outcome": "approved", "expected_version": "1"},
    )
    assert response.status_code == 400 and "changed while you were deciding" in response.text
    response = client.post(
        url("decision_confirm", complete_campaign),
        {"password": PASSWORD, "expected_outcome": "rejected", "expected_version": "1"},
    )
    assert response.status_code == 302
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == "rejected"


def test_removing_the_reviewer_role_in_the_admin_withdraws_the_assignment(
    client, admin_user, in_review, board
):
    reviewer = board[0]
    role = reviewer.roles.get()
    client.force_login(admin_user)
    change = reverse("admin:assessments_user_change", args=[reviewer.pk])
    joined = reviewer.date_joined
    response = client.post(
        change,
        {
            "email": reviewer.email,
            "display_name": reviewer.display_name,
            "language": "en",
            "is_active": "on",
            "is_specialist": "on",
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-id": str(role.pk),
            "roles-0-user": str(reviewer.pk),
            "roles-0-role": "manager",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    assert list(reviewer.roles.values_list("role", flat=True)) == ["manager"]
    assert Assignment.objects.get(reviewer=reviewer).status == "withdrawn"
    assert in_review.events.filter(kind="assignment_withdrawn", actor_id=admin_user.pk).exists()
    client.force_login(reviewer)
    response = client.post(
        url("vote", in_review), {"decision": "reject", "rationale": "No.", "password": PASSWORD}
    )
    assert response.status_code in (302, 400, 403)
    assert not Vote.objects.exists()


def test_deactivating_a_reviewer_on_the_people_page_withdraws_the_assignment(
    client, admin_user, in_review, board
):
    client.force_login(admin_user)
    response = client.post(reverse("user_access", args=[board[0].pk]), {"active": "0"})
    assert response.status_code == 302
    assert Assignment.objects.get(reviewer=board[0]).status == "withdrawn"
    replacement = Assignment.objects.get(status="pending")
    assert replacement.reviewer != board[0]


def test_the_refusals_and_the_overrule_subject_are_in_arabic(client, chair, board, in_review):
    chair.language = "ar"
    chair.save(update_fields=["language"])
    client.force_login(chair)
    page = client.get(url("campaign_detail", in_review)).text
    assert "أنت تنقض" in page
    reject(board[0], in_review)
    response = client.post(
        url("decision_overrule", in_review),
        overrule_body(expected_outcome="in_review", expected_version="1"),
    )
    assert response.status_code == 400
    assert "تغيّرت الحملة بينما كنت تتخذ قرارك" in response.text
