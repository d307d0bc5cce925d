"""The assessment's JSON (what ``export_assessment`` writes) downloaded from the campaign
page by anyone who can see the campaign, and imported back unchanged."""

import json

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Campaign

pytestmark = pytest.mark.django_db


def download(client, campaign):
    return client.get(reverse("campaign_assessment_json", args=[campaign.pk]))


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "chair", "manager"])
def test_everyone_who_sees_the_campaign_downloads_what_the_command_exports(
    client, approved_campaign, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    response = download(client, approved_campaign)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="campaign-{approved_campaign.pk}-assessment.json"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert json.loads(response.content) == services.assessment_export(campaign=approved_campaign)


def test_the_download_imports_back_as_a_draft_with_the_same_answers(
    client, approved_campaign, marketer
):
    client.force_login(marketer)
    data = json.loads(download(client, approved_campaign).content)
    imported = Campaign.objects.get(pk=services.assessment_import(data=data).pk)
    assert imported.pk != approved_campaign.pk and imported.status == "draft"
    assert imported.owner == marketer and imported.team == approved_campaign.team
    assert imported.assessment.answers == approved_campaign.assessment.answers


def test_the_campaign_page_links_to_the_download(client, complete_campaign, marketer):
    client.force_login(marketer)
    page = client.get(reverse("campaign_detail", args=[complete_campaign.pk])).text
    assert reverse("campaign_assessment_json", args=[complete_campaign.pk]) in page


def test_another_teams_marketer_gets_404_and_anonymous_signs_in(
    client, complete_campaign, outsider
):
    anonymous = download(client, complete_campaign)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(outsider)
    assert download(client, complete_campaign).status_code == 404


def test_only_get(client, complete_campaign, marketer):
    client.force_login(marketer)
    url = reverse("campaign_assessment_json", args=[complete_campaign.pk])
    assert client.post(url).status_code == 405
