import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_with_email_lands_on_home(client, marketer):
    response = login(client, "MARKETER@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Welcome" in home.text


def test_wrong_password_is_refused(client, marketer):
    response = login(client, marketer.email, "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_no_open_signup(client):
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.text or response.status_code == 403
    assert 'name="password1"' not in response.text
    client.post(
        reverse("account_signup"),
        {"email": "walkin@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(email="walkin@example.com").exists()


def test_failed_logins_are_throttled_even_with_the_right_password(client, marketer):
    for _ in range(5):
        assert login(client, marketer.email, "wrong-password").status_code == 200
    blocked = login(client, marketer.email)  # correct password, but too many failures
    assert "Too many failed login attempts" in blocked.text
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by these failures.
    other = Client()
    assert login(other, "nobody@example.com", "x").status_code == 200


def test_throttle_is_shared_between_processes_via_the_cache(marketer):
    # The limit lives in the shared cache, not in process memory: a second client
    # (think: second web process) sees the failures of the first.
    first, second = Client(), Client()
    for _ in range(5):
        login(first, marketer.email, "wrong-password")
    response = login(second, marketer.email)
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in second.session


def test_deactivation_ends_access_at_the_next_request(client, marketer, admin_user):
    client.force_login(marketer)
    assert client.get(reverse("home")).status_code == 200
    services.user_set_active(actor=admin_user, user=marketer, active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    again = login(client, marketer.email)
    assert again["Location"] == reverse("account_inactive")
    after = client.get(reverse("home"))
    assert after.status_code == 302
    assert after.wsgi_request.user.is_anonymous


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_can_open_the_django_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_non_admin_cannot_open_the_django_admin(client, manager):
    client.force_login(manager)
    response = client.get("/admin/")
    assert response.status_code == 302
