"""The API's training status of the caller, and the submit refusal it explains (issue #21)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from assessments.models import Campaign
from tests.training_support import complete, make_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


def test_the_status_lists_required_modules_current_expired_and_missing(
    token_for, marketer, reference_time
):
    current = make_module(roles=["marketer"], title_en="A current one")
    expired = make_module(roles=["marketer"], title_en="B expired one", validity_months=1)
    missing = make_module(roles=["marketer"], title_en="C missing one")
    make_module(roles=["reviewer"], title_en="Not mine")
    complete(marketer, current, reference_time - timedelta(days=10))
    done = complete(marketer, expired, datetime(2026, 1, 1, tzinfo=UTC))
    response = token_for(marketer).get(reverse("api_training_status"))
    assert response.status_code == 200
    body = response.json()
    assert body["current"] is False and body["may_submit"] is False
    assert body["may_decide"] is True  # nothing is required of a marketer to decide
    assert [(m["module"], m["status"]) for m in body["required"]] == [
        (current.pk, "current"),
        (expired.pk, "expired"),
        (missing.pk, "missing"),
    ]
    assert body["required"][1]["expires_at"] == done.expires_at.isoformat()
    assert body["required"][2]["expires_at"] is None
    assert body["required"][0]["url"] == f"/training/{current.pk}/"
    assert body["required"][0]["title_ar"] == "الخصوصية والموافقة"


def test_nothing_required_is_current(token_for, reviewer):
    body = token_for(reviewer).get(reverse("api_training_status")).json()
    assert body == {"current": True, "may_submit": True, "may_decide": True, "required": []}


def test_the_status_needs_a_token(client):
    response = client.get(reverse("api_training_status"))
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"


def test_the_title_follows_the_request_language(token_for, marketer):
    make_module(roles=["marketer"])
    response = token_for(marketer).get(reverse("api_training_status"), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.json()["required"][0]["title"] == "الخصوصية والموافقة"


def test_submitting_without_training_is_refused_with_what_is_missing(
    token_for, marketer, complete_campaign
):
    module = make_module(roles=["marketer"])
    response = token_for(marketer).post(reverse("api_submit", args=[complete_campaign.pk]))
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "training_required"
    assert f"/training/{module.pk}/" in body["detail"] and "<a" not in body["detail"]
    assert body["missing"][0]["module"] == module.pk
    assert body["missing"][0]["status"] == "missing"
    assert Campaign.objects.get(pk=complete_campaign.pk).status == "draft"
