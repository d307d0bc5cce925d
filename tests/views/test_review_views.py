import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assignment, Vote
from tests.conftest import set_rule
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def url(name, campaign, *args):
    return reverse(name, args=[campaign.pk, *args])


@pytest.fixture
def submitted(complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    return complete_campaign


@pytest.fixture
def in_review(submitted, chair, board):
    services.review_assign(actor=chair, campaign=submitted, reviewers=board[:1])
    return submitted


def test_marketer_submits_from_the_campaign_page(client, marketer, complete_campaign):
    client.force_login(marketer)
    page = client.get(url("campaign_detail", complete_campaign)).text
    assert "Submit to the ethics board" in page
    response = client.post(url("campaign_submit", complete_campaign), {"confirmed_tier": "I"})
    assert response.status_code == 302
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == "submitted"


def test_submit_refusal_is_a_message_not_an_error(client, marketer, campaign):
    client.force_login(marketer)
    response = client.post(url("campaign_submit", campaign), {"confirmed_tier": "IV"}, follow=True)
    assert response.status_code == 200
    assert "Answer every required question first" in response.text
    campaign.refresh_from_db()
    assert campaign.status == "draft"


@pytest.mark.parametrize("persona,status", [("outsider", 404), ("reviewer", 302), ("manager", 302)])
def test_others_cannot_submit(client, personas, complete_campaign, persona, status):
    client.force_login(personas[persona])
    response = client.post(url("campaign_submit", complete_campaign), {"confirmed_tier": "I"})
    assert response.status_code == status
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == "draft"


def test_chair_assigns_from_the_page(client, chair, board, submitted):
    client.force_login(chair)
    page = client.get(url("campaign_detail", submitted)).text
    assert 'data-testid="assign-form"' in page
    client.post(url("review_assign", submitted), {"reviewers": [board[0].pk]})
    assert Assignment.objects.filter(reviewer=board[0]).exists()
    submitted.refresh_from_db()
    assert submitted.status == "in_review"


def test_reviewer_accepts_then_votes_and_a_wrong_password_keeps_the_rationale(
    client, board, in_review
):
    reviewer = board[0]
    client.force_login(reviewer)
    queue = client.get(reverse("review_queue")).text
    assert in_review.name in queue
    response = client.post(
        url("assignment_respond", in_review), {"action": "accept", "declaration": ""}
    )
    assert response.status_code == 400
    assert "Declare any conflict of interest" in response.text
    client.post(url("assignment_respond", in_review), {"action": "accept", "declaration": "None."})
    bad = client.post(
        url("vote", in_review),
        {
            "decision": "approve",
            "rationale": "Careful use of first-party data.",
            "password": "nope",
        },
    )
    assert bad.status_code == 400
    assert "The password is not correct" in bad.text
    assert "Careful use of first-party data." in bad.text
    assert not Vote.objects.exists()
    good = client.post(
        url("vote", in_review),
        {
            "decision": "approve",
            "rationale": "Careful use of first-party data.",
            "password": PASSWORD,
        },
    )
    assert good.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == "approved"
    page = client.get(url("campaign_detail", in_review)).text
    assert "Signed by" in page and reviewer.display_name in page
    assert 'data-kind="signature_failed"' in page and 'data-kind="voted"' in page


def test_recusal_from_the_page_assigns_a_replacement(client, board, in_review):
    client.force_login(board[0])
    client.post(
        url("assignment_respond", in_review), {"action": "recuse", "reason": "Former client."}
    )
    assert Assignment.objects.get(reviewer=board[0]).status == "recused"
    assert Assignment.objects.filter(status="pending").exclude(reviewer=board[0]).count() == 1


def test_board_only_comments_are_hidden_from_the_marketer(client, marketer, board, in_review):
    client.force_login(board[0])
    client.post(
        url("comment_add", in_review), {"text": "Internal: check the vendor.", "board_only": "on"}
    )
    client.post(
        url("comment_add", in_review), {"text": "Please add the DPIA.", "section": "privacy"}
    )
    client.force_login(marketer)
    page = client.get(url("campaign_detail", in_review)).text
    assert "Please add the DPIA." in page
    assert "Internal: check the vendor." not in page
    response = client.post(url("comment_add", in_review), {"text": "Sneaky", "board_only": "on"})
    assert response.status_code == 400


def test_version_diff_shows_changed_answers(client, marketer, chair, board, complete_campaign):
    set_rule("I", reviewers_required=1)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get()
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    services.vote_cast(
        actor=board[0],
        campaign=complete_campaign,
        decision="request_changes",
        rationale="Reach?",
        reasons=["fairness"],
        password=PASSWORD,
    )
    services.assessment_save_answers(
        actor=marketer, campaign=complete_campaign, answers={"fairness.reach": 900}
    )
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    client.force_login(board[0])
    page = client.get(url("version_diff", complete_campaign, 2)).text
    assert "People reached" in page and "500" in page and "900" in page
    assert client.get(url("version_diff", complete_campaign, 1)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "campaign_withdraw",
        "assignment_respond",
        "review_assign",
        "vote",
        "comment_add",
    ],
)
def test_actions_refuse_get(client, marketer, complete_campaign, name):
    client.force_login(marketer)
    assert client.get(url(name, complete_campaign)).status_code == 405


def test_detail_query_count_does_not_grow_with_the_review(
    client, marketer, chair, board, complete_campaign, django_assert_max_num_queries
):
    client.force_login(marketer)
    client.get(url("campaign_detail", complete_campaign))
    set_rule("I", reviewers_required=3)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board)
    for reviewer in board:
        a = Assignment.objects.get(reviewer=reviewer)
        services.assignment_accept(actor=reviewer, assignment=a, declaration="None")
        services.comment_add(actor=reviewer, campaign=complete_campaign, text="Looks fine")
        services.vote_cast(
            actor=reviewer,
            campaign=complete_campaign,
            decision="approve",
            rationale="ok",
            password=PASSWORD,
        )
    with django_assert_max_num_queries(22):
        client.get(url("campaign_detail", complete_campaign))


def test_campaign_page_title_is_just_the_name(client, marketer, complete_campaign):
    client.force_login(marketer)
    html = client.get(url("campaign_detail", complete_campaign)).text
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip().startswith(complete_campaign.name) and "<" not in title
    assert html.count('id="feedback"') == 1 and html.count('data-testid="timeline"') == 1
