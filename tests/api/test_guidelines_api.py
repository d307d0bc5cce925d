"""The API's guidelines of a question: linked by code or by the question's dimension, in the
caller's language (or the other one, said so), rendered safely, unknown codes a JSON 404."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services

pytestmark = pytest.mark.django_db


def url(code):
    return reverse("api_question_guidelines", args=[code])


def publish(actor, *, codes=(), dimensions=(), **texts):
    topic = services.guideline_topic_create(actor=actor, name_en="Personal data", name_ar="بيانات")
    fields = {
        "title_en": "Consent for profiling",
        "title_ar": "الموافقة على التنميط",
        "body_en": "Ask **separately**. <script>x</script>",
        "body_ar": "اطلب **منفصلة**.",
        "change_summary": "",
        **texts,
    }
    return services.guideline_publish(
        actor=actor, topic=topic, question_codes=codes, dimensions=dimensions, **fields
    )


def test_guidelines_linked_by_code_or_dimension(token_for, questionnaire, marketer, admin_user):
    by_code = publish(admin_user, codes=["privacy.basis"])
    by_dimension = publish(admin_user, dimensions=["privacy"], title_en="Privacy by design")
    publish(admin_user, codes=["fairness.proxies"], title_en="Proxies")
    response = token_for(marketer).get(url("privacy.basis"))
    assert response.status_code == 200
    data = response.json()
    assert data["question"] == "privacy.basis" and data["dimension"] == "privacy"
    assert [g["id"] for g in data["results"]] == [by_code.guideline_id, by_dimension.guideline_id]
    first = data["results"][0]
    assert first["language"] == "en" and first["title"] == "Consent for profiling"
    assert first["version"] == 1 and first["questions"] == ["privacy.basis"]
    assert "<strong>separately</strong>" in first["body_html"]
    assert "<script>" not in first["body_html"]
    assert first["url"] == f"/guidelines/{by_code.guideline_id}/"
    # A question with no guideline: an empty list, not an error.
    assert token_for(marketer).get(url("fairness.reach")).json()["results"] == []


def test_in_the_callers_language_with_the_fallback_named(
    token_for, questionnaire, marketer, admin_user
):
    publish(admin_user, codes=["privacy.basis"])
    publish(admin_user, codes=["privacy.basis"], title_ar="", body_ar="", title_en="English only")
    marketer.language = "ar"
    marketer.save()
    results = token_for(marketer).get(url("privacy.basis")).json()["results"]
    assert [(g["language"], g["title"]) for g in results] == [
        ("ar", "الموافقة على التنميط"),
        ("en", "English only"),
    ]
    assert results[0]["topic"] == "بيانات"


PERSONAS = ["marketer", "outsider", "reviewer", "chair", "manager", "admin"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_reads_them(token_for, questionnaire, personas, persona):
    publish(personas["admin"], codes=["privacy.basis"])
    assert token_for(personas[persona]).get(url("privacy.basis")).status_code == 200


def test_unknown_codes_and_anonymous_callers(token_for, questionnaire, marketer):
    client = token_for(marketer)
    for code in ("privacy.nope", "x" * 500, "\u202e", "%00"):
        response = client.get(url(code))
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert APIClient().get(url("privacy.basis")).status_code == 401


def test_submitting_acknowledges_by_version_id(token_for, complete_campaign, marketer, admin_user):
    publish(admin_user, codes=["privacy.basis"])
    bearer = token_for(marketer)
    version_id = bearer.get(url("privacy.basis")).json()["results"][0]["version_id"]
    submit = reverse("api_submit", args=[complete_campaign.pk])
    refused = bearer.post(submit, {}, format="json")
    assert refused.status_code == 400
    assert "Consent for profiling" in refused.json()["detail"]
    bad = bearer.post(submit, {"acknowledge_guidelines": ["x"]}, format="json")
    assert bad.status_code == 400
    done = bearer.post(submit, {"acknowledge_guidelines": [version_id]}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"
