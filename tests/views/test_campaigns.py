import pytest
from django.urls import reverse

from assessments.models import Assessment, Campaign
from tests.conftest import INTAKE_POST

pytestmark = pytest.mark.django_db


def step_url(campaign, section):
    return reverse("assessment_step", args=[campaign.pk, section])


def post_step(client, campaign, section, answers, action="save", **headers):
    data = {"shown": list(answers), "action": action, **answers}
    return client.post(step_url(campaign, section), data, headers=headers)


def test_marketer_creates_a_campaign_and_lands_in_the_wizard(client, marketer, team, questionnaire):
    client.force_login(marketer)
    response = client.post(reverse("campaign_new"), {**INTAKE_POST, "team": team.pk})
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("assessment_start", args=[campaign.pk])
    assert campaign.owner == marketer and campaign.team == team
    assert campaign.assessment.questionnaire == questionnaire
    start = client.get(response["Location"])
    assert start["Location"] == step_url(campaign, "privacy")


def test_intake_errors_keep_what_was_typed_and_create_nothing(
    client, marketer, team, questionnaire
):
    client.force_login(marketer)
    response = client.post(
        reverse("campaign_new"), {**INTAKE_POST, "team": team.pk, "flight_end": "2026-12-01"}
    )
    assert response.status_code == 200
    assert "The flight cannot end before it starts." in response.text
    assert 'value="Spring lookalikes"' in response.text
    assert not Campaign.objects.exists()


def test_intake_ignores_status_and_owner_and_refuses_other_teams(
    client, marketer, team, other_team, questionnaire, admin_user
):
    client.force_login(marketer)
    client.post(
        reverse("campaign_new"),
        {**INTAKE_POST, "team": team.pk, "status": "approved", "owner": admin_user.pk},
    )
    campaign = Campaign.objects.get()
    assert campaign.status == "draft" and campaign.owner == marketer
    response = client.post(reverse("campaign_new"), {**INTAKE_POST, "team": other_team.pk})
    assert response.status_code == 200
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("persona", ["reviewer", "manager", "outsider"])
def test_non_marketers_and_other_teams_cannot_create(client, personas, persona, questionnaire):
    client.force_login(personas[persona])
    response = client.post(reverse("campaign_new"), {**INTAKE_POST})
    assert response.status_code in (403, 200)
    assert not Campaign.objects.filter(team__slug="aurora").exists()


PAGES = ["campaign_detail", "assessment_summary", "campaign_edit"]


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("marketer", {"campaign_detail": 200, "assessment_summary": 200, "campaign_edit": 200}),
        ("outsider", {"campaign_detail": 404, "assessment_summary": 404, "campaign_edit": 404}),
        ("reviewer", {"campaign_detail": 200, "assessment_summary": 200, "campaign_edit": 403}),
        ("chair", {"campaign_detail": 200, "assessment_summary": 200, "campaign_edit": 403}),
        ("manager", {"campaign_detail": 200, "assessment_summary": 200, "campaign_edit": 403}),
        ("admin", {"campaign_detail": 200, "assessment_summary": 200, "campaign_edit": 403}),
    ],
)
def test_who_sees_a_campaign(client, personas, persona, expected, campaign):
    client.force_login(personas[persona])
    for page, status in expected.items():
        assert client.get(reverse(page, args=[campaign.pk])).status_code == status, page
    step = client.get(step_url(campaign, "privacy"))
    assert step.status_code == (404 if persona == "outsider" else 200)


@pytest.mark.parametrize("persona", ["outsider", "reviewer", "manager"])
def test_only_the_team_can_answer(client, personas, persona, campaign):
    client.force_login(personas[persona])
    response = post_step(client, campaign, "privacy", {"privacy.basis": "consent"})
    assert response.status_code in (403, 404)
    assert Assessment.objects.get(campaign=campaign).answers == {}


def test_answers_are_saved_at_every_step_and_resume_where_left(client, marketer, campaign):
    client.force_login(marketer)
    response = post_step(
        client, campaign, "privacy", {"privacy.basis": "consent", "privacy.special": "no"}, "next"
    )
    assert response["Location"] == step_url(campaign, "fairness")
    post_step(client, campaign, "fairness", {"fairness.reach": "12,000"}, "save")
    answers = Assessment.objects.get(campaign=campaign).answers
    assert answers == {"privacy.basis": "consent", "privacy.special": "no", "fairness.reach": 12000}
    # Leave and come back: the wizard resumes at the last step worked on.
    assert client.get(reverse("assessment_start", args=[campaign.pk]))["Location"] == step_url(
        campaign, "fairness"
    )
    page = client.get(step_url(campaign, "fairness")).text
    assert 'value="12000"' in page


def test_back_and_forward_never_lose_answers(client, marketer, campaign):
    client.force_login(marketer)
    post_step(client, campaign, "privacy", {"privacy.basis": "legitimate"}, "next")
    back = post_step(client, campaign, "fairness", {"fairness.tested": "yes"}, "back")
    assert back["Location"] == step_url(campaign, "privacy")
    page = client.get(step_url(campaign, "privacy")).text
    assert 'value="legitimate" id="privacy.basis-legitimate" checked' in page
    assert Assessment.objects.get(campaign=campaign).answers["fairness.tested"] == "yes"


def test_validation_errors_name_the_question_and_keep_the_rest(client, marketer, campaign):
    client.force_login(marketer)
    response = post_step(
        client,
        campaign,
        "fairness",
        {"fairness.reach": "about a thousand", "fairness.tested": "yes"},
        "next",
    )
    assert response.status_code == 400
    assert "People reached" in response.text and "Enter a number." in response.text
    assert 'value="about a thousand"' in response.text  # what was typed is shown again
    answers = Assessment.objects.get(campaign=campaign).answers
    assert answers == {"fairness.tested": "yes"}


def test_conditional_question_appears_with_htmx_and_without_javascript(client, marketer, campaign):
    client.force_login(marketer)
    plain = post_step(client, campaign, "privacy", {"privacy.special": "yes"}, "save")
    assert 'id="q-privacy.explicit"' in plain.text
    fragment = post_step(client, campaign, "privacy", {"privacy.special": "no"}, HX_Request="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text  # a partial, not a page
    assert 'id="q-privacy.explicit"' not in fragment.text
    assert 'id="step-list" hx-swap-oob="true"' in fragment.text


def test_hidden_answers_are_kept_but_ignored(client, marketer, campaign):
    client.force_login(marketer)
    post_step(client, campaign, "privacy", {"privacy.special": "yes", "privacy.explicit": "yes"})
    post_step(client, campaign, "privacy", {"privacy.special": "no"})
    answers = Assessment.objects.get(campaign=campaign).answers
    assert answers["privacy.explicit"] == "yes"  # kept
    summary = client.get(reverse("assessment_summary", args=[campaign.pk])).text
    assert "Explicit consent?" not in summary  # but not asked, shown or scored


def test_a_step_only_saves_its_own_questions(client, marketer, campaign):
    client.force_login(marketer)
    response = client.post(
        step_url(campaign, "privacy"),
        {
            "shown": ["fairness.tested", "privacy.basis"],
            "fairness.tested": "yes",
            "privacy.basis": "consent",
        },
    )
    assert response.status_code == 200
    assert Assessment.objects.get(campaign=campaign).answers == {"privacy.basis": "consent"}


def test_summary_shows_answers_and_the_explained_result(client, marketer, campaign):
    client.force_login(marketer)
    post_step(client, campaign, "privacy", {"privacy.basis": "none"})
    html = client.get(reverse("assessment_summary", args=[campaign.pk])).text
    assert 'data-tier="prohibited"' in html
    assert "none is prohibited" in html and "stop none" in html  # reason and remedy
    assert "Not answered yet" in html
    assert 'data-testid="suggestions"' in html


def test_unknown_section_is_404(client, marketer, campaign):
    client.force_login(marketer)
    assert client.get(step_url(campaign, "nope")).status_code == 404


def test_pages_issue_a_fixed_number_of_queries(
    client, marketer, campaign, django_assert_max_num_queries
):
    client.force_login(marketer)
    client.get(reverse("campaign_detail", args=[campaign.pk]))  # warm the definition cache
    with django_assert_max_num_queries(20):
        client.get(reverse("campaign_detail", args=[campaign.pk]))
    with django_assert_max_num_queries(12):
        client.get(step_url(campaign, "privacy"))
    with django_assert_max_num_queries(12):
        client.get(reverse("my_campaigns"))


def test_home_lists_drafts_to_finish(client, marketer, campaign, outsider):
    client.force_login(marketer)
    html = client.get(reverse("home")).text
    assert 'data-testid="drafts"' in html and campaign.name in html
    client.force_login(outsider)
    assert campaign.name not in client.get(reverse("home")).text
