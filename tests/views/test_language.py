import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def switch(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_arabic_pages_are_right_to_left_with_the_rtl_stylesheet(client):
    switch(client, "ar", reverse("account_login"))
    html = client.get(reverse("account_login")).text
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "تسجيل الدخول" in html  # allauth's own Arabic catalogue: "Sign In"


def test_english_pages_are_left_to_right(client):
    html = client.get(reverse("account_login")).text
    assert '<html lang="en" dir="ltr">' in html
    assert "bootstrap.min.css" in html and "rtl" not in html.split("<body")[0].split("bootstrap")[1]


def test_language_choice_persists_on_the_account(client, marketer):
    client.force_login(marketer)
    response = switch(client, "ar", reverse("home"))
    assert response.status_code == 302
    marketer.refresh_from_db()
    assert marketer.language == "ar"
    # A new browser (no language cookie) still gets Arabic after signing in.
    fresh = type(client)()
    fresh.force_login(marketer)
    html = fresh.get(reverse("home")).text
    assert 'dir="rtl"' in html
    assert "Welcome" not in html


def test_user_language_wins_over_browser_preference(client, marketer):
    marketer.language = "ar"
    marketer.save()
    client.force_login(marketer)
    html = client.get(reverse("home"), headers={"accept-language": "en"}).text
    assert 'dir="rtl"' in html


def test_unknown_language_is_refused_and_changes_nothing(client, marketer):
    client.force_login(marketer)
    response = switch(client, "xx")
    assert response.status_code == 404
    marketer.refresh_from_db()
    assert marketer.language == ""


def test_language_switch_does_not_redirect_off_site(client):
    response = switch(client, "en", "https://evil.example.com/")
    assert response["Location"] == reverse("home")
