"""The REST API: tokens, the launch gate, the marketer's flow by question codes, the
role × endpoint matrix, mass assignment, JSON errors."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import services
from assessments.models import ApiToken, Assignment, Campaign, CampaignStatus, Feedback
from assessments.services.api_tokens import token_digest
from tests.conftest import LOW_RISK_ANSWERS, set_rule
from tests.factories import PASSWORD
from tests.views.test_search import intake

pytestmark = pytest.mark.django_db

INTAKE = {
    "name": "Autumn lookalikes",
    "objective": "Grow sign-ups",
    "description": "Lookalike audiences from our CRM",
    "channels": ["social"],
    "markets": ["eu"],
    "audiences": "Adults 25-45",
    "ai_techniques": ["segmentation"],
    "data_sources": ["first_party"],
    "data_categories": ["contact"],
    "flight_start": "2027-01-01",
    "flight_end": "2027-03-01",
}


def api(name, *args):
    return reverse(name, args=args)


# --- tokens ------------------------------------------------------------------------------------


def test_token_from_the_profile_page_is_shown_once_and_stored_as_a_hash(client, marketer):
    client.force_login(marketer)
    page = client.post(reverse("api_tokens"), {"name": "launch pipeline"})
    assert page.status_code == 200
    raw = page.context["created"]["raw"]
    assert raw.startswith("er_") and raw in page.text
    token = ApiToken.objects.get()
    assert token.digest == token_digest(raw) and raw not in (token.digest, token.prefix)
    assert raw not in client.get(reverse("api_tokens")).text  # never shown again
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    me = bearer.get(api("api_me"))
    assert me.status_code == 200 and me.json()["email"] == marketer.email
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "never" not in client.get(reverse("api_tokens")).text
    client.post(reverse("api_token_revoke", args=[token.pk]))
    refused = bearer.get(api("api_me"))
    assert refused.status_code == 401
    assert refused.json() == {
        "error": "authentication_failed",
        "detail": "The token is not valid or was revoked.",
    }


def test_a_token_cannot_be_revoked_by_someone_else(client, marketer, outsider):
    token, _raw = services.api_token_create(user=marketer, name="x")
    client.force_login(outsider)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_bad_tokens_and_deactivated_users(token_for, marketer):
    bearer = token_for(marketer)
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer er_not-a-real-token")
    assert wrong.get(api("api_me")).status_code == 401
    assert APIClient().get(api("api_me")).status_code == 401
    marketer.is_active = False
    marketer.save(update_fields=["is_active"])
    assert bearer.get(api("api_me")).status_code == 401


def test_token_acts_with_the_users_roles_only(token_for, questionnaire, marketer, reviewer):
    # A reviewer's token cannot create a campaign; a marketer's can.
    assert token_for(reviewer).post(api("api_campaigns"), INTAKE, format="json").status_code == 403
    assert token_for(marketer).post(api("api_campaigns"), INTAKE, format="json").status_code == 201


def test_throttling_per_token(token_for, marketer, monkeypatch):
    from assessments.api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    bearer, other = token_for(marketer), token_for(marketer)
    statuses = [bearer.get(api("api_me")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert bearer.get(api("api_me")).json()["error"] == "throttled"
    assert other.get(api("api_me")).status_code == 200  # per token


# --- the walk-through: create, answer by codes, submit, approved, cleared ------------------


def test_create_fill_submit_and_get_cleared(token_for, questionnaire, marketer, chair, board):
    set_rule("I", reviewers_required=1)
    bearer = token_for(marketer)
    created = bearer.post(api("api_campaigns"), INTAKE, format="json")
    assert created.status_code == 201, created.json()
    campaign = created.json()
    assert campaign["status"] == "draft" and campaign["team"]["slug"] == "aurora"
    pk = campaign["id"]
    answers = bearer.get(api("api_answers", pk)).json()
    assert answers["result"]["complete"] is False and answers["answers"] == {}
    patched = bearer.patch(api("api_answers", pk), {"answers": LOW_RISK_ANSWERS}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["result"]["complete"] is True
    assert patched.json()["result"]["tier"] == "I"
    gate = bearer.get(api("api_clearance", pk)).json()
    assert gate["cleared"] is False and gate["status"] == "draft"
    submitted = bearer.post(api("api_submit", pk))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = bearer.post(api("api_submit", pk))
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    # The board approves in the browser (here: through the same services).
    campaign = Campaign.objects.get(pk=pk)
    services.review_assign(actor=chair, campaign=campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0], status="pending")
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    services.vote_cast(
        actor=board[0], campaign=campaign, decision="approve", rationale="ok", password=PASSWORD
    )
    gate = bearer.get(api("api_clearance", pk)).json()
    assert gate["cleared"] is True and gate["status"] == "approved"
    assert gate["approved_version"] == 1 and gate["tier"] == "I" and gate["open_conditions"] == []
    events = bearer.get(api("api_events", pk)).json()["results"]
    assert [e["kind"] for e in events][:3] == ["created", "answers_saved", "submitted"]
    assert events[-1]["kind"] == "decided"


def test_answers_are_all_or_nothing_and_name_the_question(token_for, campaign, marketer):
    bearer = token_for(marketer)
    response = bearer.patch(
        api("api_answers", campaign.pk),
        {"answers": {"privacy.basis": "consent", "fairness.reach": "many", "nope.q": 1}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and set(body["fields"]) == {"fairness.reach", "nope.q"}
    campaign.assessment.refresh_from_db()
    assert campaign.assessment.answers == {}  # the valid answer was not saved either


def test_answers_of_a_submitted_campaign_conflict(token_for, complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    response = token_for(marketer).patch(
        api("api_answers", complete_campaign.pk), {"answers": {}}, format="json"
    )
    assert response.status_code == 409


def test_incomplete_submission_is_a_clear_400(token_for, campaign, marketer):
    response = token_for(marketer).post(api("api_submit", campaign.pk))
    assert response.status_code == 400
    assert "Answer every required question first" in response.json()["detail"]
    campaign.refresh_from_db()
    assert campaign.status == "draft"


# --- the launch gate --------------------------------------------------------------------------


# Approved with conditions is cleared once every condition is verified (next test).
@pytest.mark.parametrize(
    "status",
    [s for s in CampaignStatus.values if s not in ("approved", "approved_with_conditions")],
)
def test_clearance_is_false_in_every_other_state(token_for, approved_campaign, manager, status):
    Campaign.objects.filter(pk=approved_campaign.pk).update(status=status)
    gate = token_for(manager).get(api("api_clearance", approved_campaign.pk)).json()
    assert gate["cleared"] is False and gate["status"] == status


def test_clearance_needs_verified_conditions_and_a_live_approval(
    token_for, approved_campaign, manager, chair, marketer
):
    bearer = token_for(manager)
    assert bearer.get(api("api_clearance", approved_campaign.pk)).json()["cleared"] is True
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="approved_with_conditions",
        rationale="Label the posts",
        conditions=["Label every post."],
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    gate = bearer.get(api("api_clearance", approved_campaign.pk)).json()
    assert gate["cleared"] is False and [c["text"] for c in gate["open_conditions"]] == [
        "Label every post."
    ]
    condition = approved_campaign.conditions.get()
    services.condition_fulfil(actor=marketer, condition=condition, note="Done")
    services.condition_verify(actor=chair, condition=condition)
    assert bearer.get(api("api_clearance", approved_campaign.pk)).json()["cleared"] is True
    Campaign.objects.filter(pk=approved_campaign.pk).update(
        approval_expires_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    assert bearer.get(api("api_clearance", approved_campaign.pk)).json()["cleared"] is False


# --- who may do what ---------------------------------------------------------------------------

# persona → expected status per call (the campaign belongs to the marketer's team)
CALLS = [
    ("GET", "api_campaigns", False, None),
    ("POST", "api_campaigns", False, INTAKE),
    ("GET", "api_campaign", True, None),
    ("GET", "api_answers", True, None),
    ("PATCH", "api_answers", True, {"answers": {"privacy.basis": "consent"}}),
    ("GET", "api_clearance", True, None),
    ("GET", "api_events", True, None),
    ("GET", "api_feedback", True, None),
    ("POST", "api_feedback", True, {"category": "privacy", "severity": "info", "text": "FYI"}),
    ("POST", "api_submit", True, None),
    ("GET", "api_questionnaire", False, None),
]
MATRIX = {
    "marketer": [200, 201, 200, 200, 200, 200, 200, 200, 201, 400, 200],
    "outsider": [200, 201, 404, 404, 404, 404, 404, 404, 404, 404, 200],
    "reviewer": [200, 403, 200, 200, 403, 200, 200, 200, 201, 403, 200],
    "chair": [200, 403, 200, 200, 403, 200, 200, 200, 201, 403, 200],
    "manager": [200, 403, 200, 200, 403, 200, 200, 200, 201, 403, 200],
    "admin": [200, 403, 200, 200, 403, 200, 200, 200, 201, 403, 200],
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_role_endpoint_matrix(token_for, personas, campaign, persona):
    bearer = token_for(personas[persona])
    got = []
    for method, name, per_campaign, body in CALLS:
        url = api(name, campaign.pk) if per_campaign else api(name)
        response = getattr(bearer, method.lower())(url, body, format="json")
        assert response["Content-Type"] == "application/json"
        got.append(response.status_code)
    assert got == MATRIX[persona]
    anonymous = APIClient()
    for method, name, per_campaign, body in CALLS:
        url = api(name, campaign.pk) if per_campaign else api(name)
        assert getattr(anonymous, method.lower())(url, body, format="json").status_code == 401


def test_list_is_scoped_and_filtered_like_the_page(token_for, campaign, outsider, marketer):
    assert token_for(outsider).get(api("api_campaigns")).json()["count"] == 0
    mine = token_for(marketer)
    assert [c["id"] for c in mine.get(api("api_campaigns")).json()["results"]] == [campaign.pk]
    assert mine.get(api("api_campaigns") + "?state=approved").json()["count"] == 0
    bad = mine.get(api("api_campaigns") + "?tier=V")
    assert bad.status_code == 400 and "tier" in bad.json()["fields"]


def test_a_list_row_is_the_campaign_as_its_own_endpoint_gives_it(
    token_for, approved_campaign, manager
):
    """The list reads plain values, the campaign's endpoint a model instance: every field
    of a row is what the endpoint says (team and owner included)."""
    bearer = token_for(manager)
    (row,) = bearer.get(api("api_campaigns")).json()["results"]
    one = bearer.get(api("api_campaign", approved_campaign.pk)).json()
    assert row == {key: one[key] for key in row}
    assert set(one) - set(row) == {"evidence", "synthetic_media_findings"}
    assert row["team"]["slug"] and row["owner"] and row["decided_at"] and row["tier"]


def test_the_list_follows_changes_after_it_was_read(
    token_for, campaign, manager, marketer, admin_user, team
):
    """The rows are kept serialised between changes: a rename of the team or of the
    campaign through the services shows on the next read."""
    bearer = token_for(manager)

    def row():
        (only,) = bearer.get(api("api_campaigns")).json()["results"]
        return only

    assert row()["team"]["name"] == "Aurora Beverages"
    services.team_rename(actor=admin_user, team=team, name="Zephyr Drinks")
    assert row()["team"]["name"] == "Zephyr Drinks"
    services.campaign_update_intake(
        actor=marketer,
        campaign=campaign,
        intake=intake(name="Winter push"),
    )
    assert row()["name"] == "Winter push"


# --- mass assignment ---------------------------------------------------------------------------


def test_create_ignores_status_tier_owner_and_scores(
    token_for, questionnaire, marketer, outsider, other_team
):
    body = {
        **INTAKE,
        "status": "approved",
        "tier": "I",
        "owner": outsider.pk,
        "score": {"overall_pct": 0},
        "votes": [{"decision": "approve"}],
        "approval_expires_at": "2030-01-01T00:00:00Z",
    }
    response = token_for(marketer).post(api("api_campaigns"), body, format="json")
    assert response.status_code == 201
    campaign = Campaign.objects.get(pk=response.json()["id"])
    assert (campaign.status, campaign.tier, campaign.owner, campaign.approval_expires_at) == (
        "draft",
        "",
        marketer,
        None,
    )
    assert not campaign.votes.exists()
    other = token_for(marketer).post(
        api("api_campaigns"), {**INTAKE, "team": other_team.slug}, format="json"
    )
    assert other.status_code == 400 and "team" in other.json()["fields"]


def test_answer_and_feedback_bodies_cannot_set_state(token_for, campaign, marketer, outsider):
    bearer = token_for(marketer)
    bearer.patch(
        api("api_answers", campaign.pk),
        {"answers": {"privacy.basis": "consent"}, "status": "approved", "tier": "I"},
        format="json",
    )
    campaign.refresh_from_db()
    assert (campaign.status, campaign.tier) == ("draft", "")
    created = bearer.post(
        api("api_feedback", campaign.pk),
        {
            "category": "privacy",
            "severity": "info",
            "text": "FYI",
            "status": "dismissed",
            "author": outsider.pk,
            "source": "consumer",
        },
        format="json",
    ).json()
    item = Feedback.objects.get(pk=created["id"])
    assert (item.status, item.author, item.source) == ("new", marketer, "internal")


def test_errors_are_json_with_a_message(token_for, marketer):
    bearer = token_for(marketer)
    missing = bearer.get(api("api_campaign", 999999))
    assert missing.status_code == 404 and missing.json() == {
        "error": "not_found",
        "detail": "Not found.",
    }
    invalid = bearer.post(api("api_campaigns"), {"name": ""}, format="json")
    assert invalid.status_code == 400 and "channels" in invalid.json()["fields"]
    wrong_type = bearer.post(api("api_campaigns"), "not json", content_type="application/json")
    assert wrong_type.status_code == 400 and wrong_type.json()["error"] == "parse_error"
