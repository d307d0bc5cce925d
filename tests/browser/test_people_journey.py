"""An administrator changes a person's roles, teams and specialist flag from People."""

import pytest
from playwright.sync_api import expect

from assessments.models import User
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_makes_a_marketer_a_specialist_reviewer(live_server, page, console_errors):
    aurora = TeamFactory(name="Aurora", slug="aurora-p")
    TeamFactory(name="Borealis", slug="borealis-p")
    admin = UserFactory(email="a@example.com", display_name="Ada Admin", roles=["admin"])
    maya = UserFactory(
        email="m@example.com", display_name="Maya", roles=["marketer"], teams=[aurora]
    )
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(admin.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/people/")
    row = page.get_by_test_id("people-table").locator("tr", has_text="Maya")
    expect(row.get_by_test_id("specialist")).to_have_count(0)
    row.get_by_role("link", name="Edit roles and teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roles and teams of Maya")
    page.get_by_label("Reviewer", exact=True).check()
    page.get_by_label("Borealis").check()
    page.get_by_label("Privacy/legal specialist").check()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{base}/people/")
    expect(page.get_by_text("Maya's access was changed.")).to_be_visible()
    row = page.get_by_test_id("people-table").locator("tr", has_text="Maya")
    expect(row.get_by_test_id("specialist")).to_be_visible()
    expect(row).to_contain_text("Reviewer")
    expect(row).to_contain_text("Aurora, Borealis")
    maya = User.objects.get(pk=maya.pk)
    assert maya.role_set == {"marketer", "reviewer"} and maya.is_specialist
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
