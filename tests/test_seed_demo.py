import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.models import Campaign, Team, User, UserRole
from assessments.selectors import campaign_result
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True  # seed_demo only runs on a development install


def test_seed_demo_is_idempotent_and_prints_credentials(capsys, client):
    call_command("seed_demo")
    first = capsys.readouterr().out
    campaigns = Campaign.objects.count()
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert first.splitlines()[:7] == second.splitlines()[:7]  # the same accounts
    assert f"Demo campaigns: {campaigns} (0 new)." in second
    assert Campaign.objects.count() == campaigns >= 5
    assert User.objects.count() == 6
    assert Team.objects.count() == 2
    assert set(UserRole.objects.values_list("role", flat=True)) == {
        "marketer",
        "reviewer",
        "chair",
        "manager",
        "admin",
    }
    # The printed password signs the person in through the real form.
    line = next(line for line in first.splitlines() if "reviewer@example.com" in line)
    password = line.split()[-1]
    response = client.post(
        "/accounts/login/", {"login": "reviewer@example.com", "password": password}
    )
    assert response.status_code == 302


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_restores_a_changed_password(capsys):
    call_command("seed_demo")
    user = User.objects.get(email="admin@example.com")
    user.set_password(PASSWORD)
    user.save()
    call_command("seed_demo")
    user.refresh_from_db()
    assert not user.check_password(PASSWORD)


def test_demo_campaigns_have_varied_results():
    call_command("seed_demo")
    results = {c.name: campaign_result(c) for c in Campaign.objects.all()}
    tiers = {r.tier for r in results.values()}
    assert "prohibited" in tiers
    assert len(tiers) >= 3, tiers
    assert any(not r.complete for r in results.values())  # one is only started
    assert sum(r.complete for r in results.values()) >= 3


def test_seed_demo_works_with_the_mfa_requirement_on(settings):
    """The demo's board acts before anyone has an authenticator app; production's
    requirement stays on for them afterwards."""
    settings.REQUIRE_MFA_FOR_BOARD = True
    call_command("seed_demo", stdout=io.StringIO())
    from assessments import permissions
    from assessments.models import Decision, User

    assert Decision.objects.exists()
    assert permissions.mfa_missing(User.objects.get(email="reviewer@example.com"))


def test_the_synthetic_likeness_draft_has_signed_and_unsigned_creatives():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # not uploaded twice

    campaign = Campaign.objects.get(name="Ramadan offers with dynamic pricing")
    readings = dict(campaign.evidence.values_list("original_name", "provenance_status"))
    assert readings == {
        "ramadan-hero-ai.png": "valid",
        "ramadan-banner.jpg": "absent",
        "ramadan-spot-ai.mp4": "valid",
    }
    signed = campaign.evidence.filter(provenance_status="valid")
    assert {file.provenance_ai for file in signed} == {"generated"}
    video = campaign.evidence.get(original_name="ramadan-spot-ai.mp4")
    assert video.content_type == "video/mp4"
    assert video.provenance_generator == "Demo Video Generator 1.0"


def test_seed_demo_register_has_an_approved_a_limited_and_a_banned_tool():
    from assessments import registry
    from assessments.models import RegisterTool

    call_command("seed_demo")
    reviews = dict(RegisterTool.objects.values_list("name", "review"))
    assert sorted(reviews.values()) == ["approved", "banned", "limited"]
    # Every demo tool is used; the draft using the banned one cannot be submitted.
    assert all(tool.campaigns.exists() for tool in RegisterTool.objects.all())
    banned = RegisterTool.objects.get(review="banned")
    (draft,) = banned.campaigns.all()
    assert draft.status == "draft"
    assert any(f.blocks and banned.name in f.message for f in registry.tool_findings(draft))
