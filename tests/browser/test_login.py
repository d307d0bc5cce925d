"""Signing in through the real form, in a real browser, in English and in Arabic."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def person():
    return UserFactory(
        email="maya@example.com", display_name="Maya", roles=["marketer"], teams=[TeamFactory()]
    )


def test_login_in_english(live_server, page, person, console_errors):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Maya")
    expect(page.get_by_role("link", name="My campaigns", exact=True)).to_be_visible()
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_login_in_arabic(live_server, page, person, console_errors):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("[data-testid=language-switch] button[value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Maya"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Welcome"))
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_wrong_password_shows_an_error(live_server, page, person):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign In").click()
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    expect(page).to_have_url(re.compile("/accounts/login/"))
