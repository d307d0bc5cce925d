"""Each hostile request that once answered 500 now answers a clear 4xx and changes nothing
(issue #18). They matter most on PostgreSQL, which refuses NUL characters and numbers
beyond a bigint where SQLite stores or compares them; CI runs them there."""

import base64
import json
from datetime import date

import pytest
from django.urls import reverse

from assessments import paging, services
from assessments.errors import ServiceError
from assessments.models import AuditEvent, Campaign, Comment, Feedback
from tests.api.conftest import token_for  # noqa: F401 - the API tests' fixture
from tests.conftest import INTAKE_POST
from tests.factories import published_notice

pytestmark = pytest.mark.django_db

NUL = "before\x00after"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def answers_of(campaign) -> dict:
    campaign.assessment.refresh_from_db()
    return dict(campaign.assessment.answers)


def events(campaign) -> int:
    return AuditEvent.objects.filter(campaign=campaign).count()


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# --- public feedback ---------------------------------------------------------------------


@pytest.fixture
def notice(approved_campaign, marketer):
    notice = published_notice(actor=marketer, campaign=approved_campaign)
    notice.refresh_from_db()
    return notice


def test_an_overlong_reply_address_is_a_form_error(client, notice):
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 59 + ".example"  # valid
    assert len(email) == 260
    response = client.post(
        reverse("public_notice", args=[notice.public_id]),
        {"category": "privacy", "message": "Why me?", "email": email, "consent": "on"},
    )
    assert response.status_code == 400
    assert "at most 254 characters" in response.text
    assert "Why me?" in response.text  # what was typed is kept
    assert not Feedback.objects.exists()


def test_the_service_refuses_an_address_the_column_cannot_hold(notice):
    with pytest.raises(ServiceError) as refused:
        services.feedback_add_public(
            notice=notice, category="privacy", text="Hi", email="a@" + "b" * 300, consent=True
        )
    assert refused.value.field == "email"
    assert not Feedback.objects.exists()


# --- NUL characters --------------------------------------------------------------------------


def test_a_nul_in_a_wizard_text_answer_is_an_answer_error(client, marketer, complete_campaign):
    client.force_login(marketer)
    before = answers_of(complete_campaign)
    response = client.post(
        reverse("assessment_step", args=[complete_campaign.pk, "fairness"]),
        {"shown": ["fairness.notes"], "fairness.notes": NUL, "action": "save"},
    )
    assert response.status_code == 400
    assert "Remove the null or invalid characters" in response.text
    assert answers_of(complete_campaign) == before


@pytest.mark.parametrize("escaped", ["before\\u0000after", "lone \\ud800 surrogate"])
def test_api_refuses_unstorable_text_as_json(token_for, marketer, complete_campaign, escaped):
    api = token_for(marketer)
    before = (answers_of(complete_campaign), events(complete_campaign))
    response = api.patch(
        reverse("api_answers", args=[complete_campaign.pk]),
        '{"answers": {"fairness.notes": "' + escaped + '"}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "fairness.notes" in response.json()["fields"]
    assert (answers_of(complete_campaign), events(complete_campaign)) == before


@pytest.mark.parametrize(
    "answers",
    [
        {"fairness.reach": "1e999999"},
        {"fairness.reach": -(10**30)},
        {"fairness.proxies": 5},
        {"fairness.proxies": {"a": 1}},
    ],
)
def test_api_refuses_numbers_and_types_that_do_not_fit(
    token_for, marketer, complete_campaign, answers
):
    api = token_for(marketer)
    before = answers_of(complete_campaign)
    response = api.patch(
        reverse("api_answers", args=[complete_campaign.pk]), {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(answers)
    assert answers_of(complete_campaign) == before


def test_a_nul_in_a_withdrawal_reason_is_refused(client, marketer, campaign):
    client.force_login(marketer)
    response = client.post(reverse("campaign_withdraw", args=[campaign.pk]), {"reason": NUL})
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.text
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert not Comment.objects.exists()


def test_a_withdrawal_reason_is_kept(client, marketer, campaign):
    client.force_login(marketer)
    response = client.post(reverse("campaign_withdraw", args=[campaign.pk]), {"reason": "Cut"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "withdrawn"
    assert Comment.objects.get().text == "Cut"


# --- cursors and ids ------------------------------------------------------------------------

TAMPERED = [
    "after=WzEsICJ4Il0",  # [1, "x"]: the id is not a number
    'sort=due&after=["not-a-date",1]',  # not even base64
    "sort=due&after=" + cursor(["not-a-date", 1]),
    "sort=updated&after=" + cursor(["0001-01-01T00:00:00+05:00", 1]),  # before year 1 in UTC
    "sort=name&after=" + cursor(["a\x00b", 1]),
    "sort=name&after=" + cursor(["a", 10**30]),
    "sort=name&after=" + cursor([None, 1]),  # names are never NULL
    "sort=name&before=" + cursor([["nested"], 1]),
    "after=" + "W" * 600,
    "after=%FF%FE",
]


@pytest.mark.parametrize("query", TAMPERED)
def test_a_tampered_list_cursor_is_a_400_with_the_first_page(client, manager, campaign, query):
    client.force_login(manager)
    response = client.get(reverse("campaign_list") + "?" + query)
    assert response.status_code == 400
    assert "This page link is not valid" in response.text
    assert [row["id"] for row in response.context["page"].rows] == [campaign.pk]


@pytest.mark.parametrize("query", TAMPERED)
def test_a_tampered_api_cursor_is_a_json_400(token_for, manager, campaign, query):
    response = token_for(manager).get(reverse("api_campaigns") + "?" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and set(body["fields"]) <= {"after", "before"}


def test_real_cursors_still_page(
    token_for, manager, complete_campaign, marketer, team, monkeypatch
):
    monkeypatch.setattr(paging, "PAGE_SIZE", 1)  # every row on its own page
    services.campaign_submit(actor=marketer, campaign=complete_campaign)  # due dates set
    intake = {
        **INTAKE_POST,
        "name": "Second",
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": date(2027, 1, 1),
        "flight_end": date(2027, 3, 1),
    }
    services.campaign_create(actor=marketer, team=team, intake=intake)
    api = token_for(manager)
    for sort in ("updated", "created", "name", "due", "submitted"):
        seen = []
        url = reverse("api_campaigns") + f"?sort={sort}"
        while url:
            response = api.get(url)
            assert response.status_code == 200, (sort, response.json())
            seen += [row["id"] for row in response.json()["results"]]
            url = response.json()["next"]
        assert len(seen) == 2, sort
        back = api.get(response.json()["previous"])
        assert [row["id"] for row in back.json()["results"]] == seen[:1], sort


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/99999999999999999999/",
        "/campaigns/9223372036854775808/edit/",
        "/campaigns/1/versions/99999999999/diff/",
        "/campaigns/1/conditions/99999999999999999999/verify/",
        "/t/%00/",
        "/t/" + "x" * 65 + "/",
    ],
)
def test_ids_beyond_any_column_are_not_found(client, manager, campaign, path):
    client.force_login(manager)
    assert client.get(path).status_code == 404


def test_a_version_number_beyond_an_integer_is_not_found(client, manager, campaign):
    client.force_login(manager)
    url = reverse("version_diff", args=[campaign.pk, 99999999999])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/campaigns/99999999999999999999/",
        "/api/v1/campaigns/99999999999999999999/answers/",
        "/api/v1/campaigns/{pk}/events/?after=99999999999999999999",
        "/api/v1/campaigns/{pk}/events/?after=%C2%B2",  # "²".isdigit() is True
    ],
)
def test_api_ids_beyond_any_column_are_json_4xx(token_for, manager, campaign, path):
    response = token_for(manager).get(path.format(pk=campaign.pk))
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"


# --- the API always answers JSON ------------------------------------------------------------


def test_a_server_error_under_api_is_json(token_for, marketer, campaign, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "campaign_submit", broken)
    api = token_for(marketer)
    api.raise_request_exception = False
    response = api.post(reverse("api_submit", args=[campaign.pk]))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "server_error",
        "detail": "Something went wrong on our side. Please try again.",
    }
    # The page it replaces had the security headers of every response; so does the JSON.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_outside_the_api_keep_their_html_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_oversized_api_body_is_json(token_for, marketer, campaign, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = token_for(marketer)
    api.raise_request_exception = False
    response = api.patch(
        reverse("api_answers", args=[campaign.pk]),
        {"answers": {"fairness.notes": "x" * 5000}},
        format="json",
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_wrong_methods_are_json_405(token_for, marketer, campaign, method):
    response = getattr(token_for(marketer), method)(reverse("api_campaign", args=[campaign.pk]))
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


# --- a submit that loses a race ---------------------------------------------------------------


def test_an_api_submit_that_loses_a_race_is_a_409_saying_what_changed(
    token_for, marketer, complete_campaign, monkeypatch
):
    real = services.campaign_submit

    def other_request_first(*, actor, campaign, **options):
        # Another request submits the same draft between this request's read and its lock.
        real(actor=actor, campaign=Campaign.objects.get(pk=campaign.pk), **options)
        return real(actor=actor, campaign=campaign, **options)

    monkeypatch.setattr(services, "campaign_submit", other_request_first)
    response = token_for(marketer).post(reverse("api_submit", args=[complete_campaign.pk]))
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict"
    assert body["changed"] == {"status": {"was": "draft", "now": "submitted"}}
    assert "it is now “Submitted”" in body["detail"]
    assert complete_campaign.versions.count() == 1  # the winner's version only


def test_an_incomplete_submit_is_still_a_400(token_for, marketer, campaign):
    response = token_for(marketer).post(reverse("api_submit", args=[campaign.pk]))
    assert response.status_code == 400
    assert "Answer every required question" in response.json()["detail"]
