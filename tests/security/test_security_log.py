"""The ethicsreview.security log: one JSON object per line, actor and UTC time on each."""

import json
import logging
import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
)
from django.conf import settings
from django.urls import reverse

from assessments import services
from assessments.errors import ServiceError
from assessments.models import Assignment
from assessments.security_log import BASE_FIELDS, LOGGER_NAME, JsonFormatter, log_event
from tests.factories import PASSWORD
from tests.security.conftest import enable_mfa

pytestmark = pytest.mark.django_db

UTC_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def only(entries: list[dict]) -> dict:
    assert len(entries) == 1, entries
    return entries[0]


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# --- the line format --------------------------------------------------------------------------


def test_settings_send_the_logger_to_the_console_as_json():
    logger = logging.getLogger(LOGGER_NAME)
    assert logger.propagate is False  # not a second, plain copy through the root logger
    ours = [h for h in logger.handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(ours) == 1 and type(ours[0]) is logging.StreamHandler
    assert settings.LOGGING["loggers"][LOGGER_NAME]["level"] == "INFO"


def test_every_line_has_the_base_fields_and_utc_time(security_log, admin_user):
    log_event("roles_set", actor=admin_user, target_id=1, target_email="x@example.com")
    entry = only(security_log.events("roles_set"))
    assert list(entry)[: len(BASE_FIELDS)] == list(BASE_FIELDS)
    assert UTC_ISO.match(entry["time"]), entry["time"]
    assert entry["logger"] == LOGGER_NAME


@pytest.mark.parametrize(
    "text",
    [
        'a\nb@example.com", "event": "login", "actor_id": 1',
        "line\r\nbreak",
        "unicode\u2028separator\u2029and\x85next",
        'back\\slash"quote',
        "\x00\x1b[31mterminal",
    ],
)
def test_typed_text_cannot_forge_a_line_or_a_field(security_log, text):
    forged = {"time": "2000-01-01T00:00:00.000Z", "logger": "other", "actor_id": 99}
    log_event("login_failed", identifier=text, **forged)
    (line,) = security_log.lines()
    assert "\n" not in line and "\r" not in line and "\u2028" not in line
    entry = json.loads(line)
    assert entry["identifier"] == text  # escaped, not lost
    assert entry["event"] == "login_failed"  # fields cannot replace the base ones
    assert entry["time"] != forged["time"] and entry["logger"] == LOGGER_NAME
    assert entry["actor_id"] is None


# --- sign-in and sign-out ---------------------------------------------------------------------

# Passes the login form's e-mail validation (a quoted local part) and tries to close the
# string and add fields.
FORGED = '"x\\",\\"event\\":\\"login\\",\\"actor_id\\":1,\\"y\\":\\"\x0b"@example.com'


def test_failed_login_through_the_login_page_is_one_json_line(client, security_log):
    response = client.post(reverse("account_login"), {"login": FORGED, "password": "Guess-1234"})
    assert response.status_code == 200  # the form again, with an error
    lines = security_log.lines()
    assert len(lines) == 1, lines
    (line,) = lines
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["event"] == "login_failed"
    assert entry["level"] == "WARNING"
    assert entry["identifier"] == FORGED
    assert entry["actor_id"] is None and entry["ip"] == "127.0.0.1"
    assert set(entry) == {*BASE_FIELDS, "identifier"}
    assert "Guess-1234" not in line


def test_failed_login_of_an_existing_account_logs_the_address_never_the_password(
    client, security_log, marketer
):
    client.post(reverse("account_login"), {"login": marketer.email, "password": "Wrong-Pass-99"})
    entry = only(security_log.events("login_failed"))
    assert entry["identifier"] == marketer.email
    assert "Wrong-Pass-99" not in "".join(security_log.lines())
    assert not security_log.events("login")


def test_login_and_logout_are_logged_with_the_actor(client, security_log, marketer):
    client.post(reverse("account_login"), {"login": marketer.email, "password": PASSWORD})
    login = only(security_log.events("login"))
    assert (login["actor_id"], login["actor_email"]) == (marketer.pk, marketer.email)
    assert login["ip"] == "127.0.0.1"
    client.post(reverse("account_logout"))
    logout = only(security_log.events("logout"))
    assert (logout["actor_id"], logout["actor_email"]) == (marketer.pk, marketer.email)


def test_second_factor_added_failed_and_removed(
    client, security_log, reviewer, django_capture_on_commit_callbacks
):
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals on commit
        response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reviewer, type="totp").exists()
    added = security_log.events("mfa_added")
    assert "totp" in [e["type"] for e in added]
    assert all(e["actor_id"] == reviewer.pk for e in added)

    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    failed = only(security_log.events("mfa_failed"))
    assert failed["actor_id"] == reviewer.pk and failed["level"] == "WARNING"
    assert "000000" not in "".join(security_log.lines())

    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    removed = security_log.events("mfa_removed")  # the recovery codes go with the app
    assert "totp" in [e["type"] for e in removed]
    assert all(e["actor_id"] == reviewer.pk for e in removed)


# --- people -----------------------------------------------------------------------------------


def test_role_change_logs_actor_and_target(security_log, admin_user, marketer):
    services.user_set_roles(actor=admin_user, user=marketer, roles=["reviewer", "marketer"])
    entry = only(security_log.events("roles_set"))
    assert (entry["actor_id"], entry["actor_email"]) == (admin_user.pk, admin_user.email)
    assert (entry["target_id"], entry["target_email"]) == (marketer.pk, marketer.email)
    assert entry["roles"] == ["marketer", "reviewer"]


def test_refused_role_change_logs_nothing(security_log, manager, marketer):
    with pytest.raises(ServiceError):
        services.user_set_roles(actor=manager, user=marketer, roles=["admin"])
    assert not security_log.events("roles_set")


def test_deactivation_and_reactivation_are_logged(security_log, admin_user, marketer):
    services.user_set_active(actor=admin_user, user=marketer, active=False)
    services.user_set_active(actor=admin_user, user=marketer, active=False)  # no change
    services.user_set_active(actor=admin_user, user=marketer, active=True)
    assert [e["event"] for e in security_log.events()] == ["user_deactivated", "user_activated"]
    assert all(e["target_id"] == marketer.pk for e in security_log.events())
    assert all(e["actor_email"] == admin_user.email for e in security_log.events())


# --- signatures -------------------------------------------------------------------------------


def test_wrong_vote_signature_is_logged(security_log, complete_campaign, marketer, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0])
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    security_log.clear()
    with pytest.raises(ServiceError):
        services.vote_cast(
            actor=board[0],
            campaign=complete_campaign,
            decision="approve",
            rationale="ok",
            password="Not-My-Password",
        )
    entry = only(security_log.events())
    assert entry["event"] == "signature_failed" and entry["level"] == "WARNING"
    assert (entry["actor_id"], entry["actor_email"]) == (board[0].pk, board[0].email)
    assert entry["campaign"] == complete_campaign.pk and entry["act"] == "vote"
    assert "Not-My-Password" not in security_log.lines()[0]


# --- access denied ----------------------------------------------------------------------------


def test_a_refused_page_is_logged(client, security_log, marketer):
    client.force_login(marketer)
    security_log.clear()
    assert client.get(reverse("dashboard")).status_code == 403
    entry = only(security_log.events())
    assert entry["event"] == "access_denied" and entry["level"] == "WARNING"
    assert (entry["actor_id"], entry["actor_email"]) == (marketer.pk, marketer.email)
    assert entry["path"] == reverse("dashboard") and entry["method"] == "GET"
    assert entry["reason"] == "forbidden" and entry["ip"] == "127.0.0.1"


def test_a_refusal_for_want_of_mfa_is_logged_with_its_reason(
    client, security_log, reviewer, campaign, settings
):
    settings.REQUIRE_MFA_FOR_BOARD = True
    feedback = services.feedback_add(
        actor=reviewer, campaign=campaign, category="privacy", severity="concern", text="Hmm"
    )
    client.force_login(reviewer)
    security_log.clear()
    url = reverse("feedback_triage", args=[campaign.pk, feedback.pk])
    assert client.post(url, {"status": "acknowledged"}).status_code == 403
    entry = only(security_log.events())
    assert entry["event"] == "access_denied" and entry["reason"] == "mfa_required"
    assert entry["actor_id"] == reviewer.pk and entry["path"] == url


def test_admin_refusal_for_want_of_mfa_is_logged(client, security_log, admin_user, settings):
    settings.REQUIRE_MFA_FOR_BOARD = True
    client.force_login(admin_user)
    security_log.clear()
    client.get(reverse("admin:index"))
    entry = only(security_log.events())
    assert entry["reason"] == "mfa_required" and entry["actor_id"] == admin_user.pk
    enable_mfa(admin_user)
    security_log.clear()
    assert client.get(reverse("admin:index")).status_code == 200
    assert not security_log.events()


def test_allowed_pages_log_nothing(client, security_log, manager):
    client.force_login(manager)
    security_log.clear()
    assert client.get(reverse("dashboard")).status_code == 200
    assert not security_log.events()


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header,reason",
    [
        ("Bearer er_not-a-real-token", "unknown_or_revoked"),
        ("Bearer two tokens", "malformed"),
    ],
)
def test_api_authentication_failures_are_logged_without_the_token(
    client, security_log, header, reason
):
    response = client.get(reverse("api_me"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    entry = only(security_log.events("api_auth_failed"))
    assert entry["reason"] == reason and entry["ip"] == "127.0.0.1"
    assert entry["path"] == reverse("api_me")
    assert "er_not-a-real-token" not in "".join(security_log.lines())


def test_api_token_of_a_deactivated_person_is_logged_with_whose_it_was(
    client, security_log, marketer
):
    _, raw = services.api_token_create(user=marketer, name="CI")
    marketer.is_active = False
    marketer.save(update_fields=["is_active"])
    response = client.get(reverse("api_me"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    entry = only(security_log.events("api_auth_failed"))
    assert entry["reason"] == "inactive_user" and entry["actor_id"] == marketer.pk
    assert raw not in "".join(security_log.lines())
