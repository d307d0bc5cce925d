"""Issue #21, the AI tool and vendor register: the board documents tools, the chair reviews
them (with expiry), campaigns pick them; a banned or expired tool blocks submission (web and
API), vendor answers are pre-filled from the register and differences shown to the board."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import registry, services
from assessments.errors import ServiceError
from assessments.models import AuditEvent, Campaign, EventKind, RegisterTool
from tests.api.conftest import token_for as token_for  # noqa: F401 - the API client fixture
from tests.conftest import INTAKE_POST
from tests.factories import TOOL_DATA, UserFactory, make_tool

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
QUESTIONNAIRE = (
    Path(__file__).resolve().parents[2]
    / "assessments"
    / "questionnaires"
    / "ai-marketing-impact.yaml"
)
TOOL_POST = {**TOOL_DATA, "name": "Northstar Lookalikes", "dpa_signed": "on"}
del TOOL_POST["trains_on_our_data"], TOOL_POST["c2pa_credentials"]


def submitted(campaign) -> bool:
    return Campaign.objects.get(pk=campaign.pk).status != "draft"


@pytest.fixture
def deactivated():
    return UserFactory(email="gone@example.com", roles=["reviewer"], is_active=False)


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["marketer", "outsider", "reviewer", "chair", "manager", "admin"]
)
def test_everyone_signed_in_reads_the_register(client, personas, chair, persona):
    tool = make_tool(actor=chair, review="approved")
    client.force_login(personas[persona])
    listing = client.get(reverse("register_list"))
    assert listing.status_code == 200 and "Lumen Copy" in listing.text
    assert client.get(reverse("register_detail", args=[tool.pk])).status_code == 200
    assert client.get(reverse("api_register")).status_code == 200


def test_anonymous_and_deactivated_people_do_not_read_it(client, chair, deactivated):
    tool = make_tool(actor=chair)
    for user in (None, deactivated):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("register_detail", args=[tool.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not registry.register_for(deactivated).exists()


@pytest.mark.parametrize(
    ("persona", "edits", "reviews"),
    [
        ("marketer", False, False),
        ("outsider", False, False),
        ("manager", False, False),
        ("admin", False, False),
        ("reviewer", True, False),
        ("chair", True, True),
    ],
)
def test_the_board_edits_and_the_chair_reviews(client, personas, chair, persona, edits, reviews):
    tool = make_tool(actor=chair)
    user = personas[persona]
    client.force_login(user)
    created = client.post(reverse("register_new"), TOOL_POST)
    assert created.status_code == (302 if edits else 403)
    assert RegisterTool.objects.filter(name="Northstar Lookalikes").exists() is edits
    review = client.post(
        reverse("register_review", args=[tool.pk]), {"decision": "banned", "months": "12"}
    )
    assert review.status_code == (302 if reviews else 403)
    tool.refresh_from_db()
    assert (tool.review == "banned") is reviews
    page = client.get(reverse("register_detail", args=[tool.pk])).text
    assert ('data-testid="tool-review-form"' in page) is reviews
    assert (reverse("register_edit", args=[tool.pk]) in page) is edits
    # The services refuse on their own, whatever the view.
    if not edits:
        with pytest.raises(ServiceError):
            services.tool_save(actor=user, data={**TOOL_DATA, "name": "Other"})
    if not reviews:
        with pytest.raises(ServiceError):
            services.tool_review(actor=user, tool=tool, decision="approved")


def test_every_change_is_an_audit_event(settings, tmp_path, chair, reviewer, campaign, marketer):
    settings.MEDIA_ROOT = tmp_path
    tool = make_tool(actor=reviewer)
    services.tool_save(actor=reviewer, tool=tool, data={**TOOL_DATA, "provider": "Lumen Inc"})
    services.tool_review(actor=chair, tool=tool, decision="limited", limits="Adults only")
    services.tool_evidence_add(
        actor=reviewer, tool=tool, upload=SimpleUploadedFile("card.pdf", b"%PDF-1.7\n%%EOF\n")
    )
    services.campaign_set_tools(actor=marketer, campaign=campaign, tools=[tool])
    kinds = list(AuditEvent.objects.order_by("seq").values_list("kind", "payload"))
    ours = [(k, p) for k, p in kinds if k.startswith("tool") or k == "tools_picked"]
    assert [k for k, _p in ours] == [
        EventKind.TOOL_SAVED,
        EventKind.TOOL_SAVED,
        EventKind.TOOL_REVIEWED,
        EventKind.TOOL_EVIDENCE_ADDED,
        EventKind.TOOLS_PICKED,
    ]
    assert ours[1][1] == {"tool": tool.pk, "fields": ["provider"]}
    assert ours[2][1]["decision"] == "limited"
    assert ours[4][1] == {"tools": [tool.pk]}


def test_limited_needs_its_limits_and_banned_has_no_end(chair):
    tool = make_tool(actor=chair)
    with pytest.raises(ServiceError, match="limited"):
        services.tool_review(actor=chair, tool=tool, decision="limited", limits="  ")
    banned = services.tool_review(actor=chair, tool=tool, decision="banned", months=0)
    assert banned.review_expires_at is None and not banned.expired()


# --- the campaign's tools block its submission --------------------------------------------------


def test_a_banned_tool_blocks_submission_on_the_web(client, chair, marketer, complete_campaign):
    tool = make_tool(actor=chair, review="banned", name="FaceSwap Studio")
    client.force_login(marketer)
    edit = {**INTAKE_POST, "team": complete_campaign.team_id, "tools": [tool.pk]}
    assert (
        client.post(reverse("campaign_edit", args=[complete_campaign.pk]), edit).status_code == 302
    )
    assert list(complete_campaign.tools.all()) == [tool]
    summary = client.get(reverse("assessment_summary", args=[complete_campaign.pk])).text
    assert 'data-testid="tool-blocker"' in summary
    assert "The AI tool “FaceSwap Studio” is banned by the ethics board" in summary
    confirm = client.get(reverse("campaign_submit", args=[complete_campaign.pk])).text
    assert 'data-testid="submit-blockers"' in confirm and "FaceSwap Studio" in confirm
    client.post(reverse("campaign_submit", args=[complete_campaign.pk]), {"confirmed_tier": "I"})
    assert not submitted(complete_campaign)
    # Removing the tool lifts the block.
    edit["tools"] = []
    client.post(reverse("campaign_edit", args=[complete_campaign.pk]), edit)
    client.post(reverse("campaign_submit", args=[complete_campaign.pk]), {"confirmed_tier": "I"})
    assert submitted(complete_campaign)


def test_a_banned_tool_blocks_submission_in_the_api(token_for, chair, marketer, complete_campaign):
    tool = make_tool(actor=chair, review="banned", name="FaceSwap Studio")
    api = token_for(marketer)
    url = reverse("api_campaign_tools", args=[complete_campaign.pk])
    put = api.put(url, {"tools": [tool.pk]}, format="json")
    assert put.status_code == 200, put.json()
    assert put.json()["findings"] == [
        {
            "tool": tool.pk,
            "message": "The AI tool “FaceSwap Studio” is banned by the ethics board: remove it "
            "from the campaign or choose another tool.",
            "blocks_submission": True,
        }
    ]
    response = api.post(reverse("api_submit", args=[complete_campaign.pk]))
    assert response.status_code == 400
    assert "FaceSwap Studio" in response.json()["detail"]
    assert not submitted(complete_campaign)
    assert api.put(url, {"tools": [tool.pk + 100]}, format="json").status_code == 400
    assert api.put(url, {"tools": [2**40]}, format="json").status_code == 400


def test_an_approval_expires_like_a_campaign_approval(chair, marketer, complete_campaign):
    with time_machine.travel(T0, tick=False):
        tool = make_tool(actor=chair, review="approved", months=1)
        services.campaign_set_tools(actor=marketer, campaign=complete_campaign, tools=[tool])
    assert tool.review_expires_at == datetime(2030, 4, 4, 10, 0, tzinfo=UTC)
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        assert registry.tool_findings(complete_campaign) == []
        assert [t.pk for t in registry.tools_expiring()] == [tool.pk]
    with time_machine.travel(datetime(2030, 4, 4, 10, 0, tzinfo=UTC), tick=False):
        (finding,) = registry.tool_findings(complete_campaign)
        assert finding.blocks and "expired on" in finding.message
        assert registry.tools_expiring() == []
        with pytest.raises(ServiceError, match="Lumen Copy"):
            services.campaign_submit(actor=marketer, campaign=complete_campaign)
        # The chair reviews it again: submission is possible.
        services.tool_review(actor=chair, tool=tool, decision="approved")
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert submitted(complete_campaign)


def test_pending_and_limited_tools_are_findings_that_do_not_block(
    chair, marketer, complete_campaign
):
    pending = make_tool(actor=chair, name="New tool")
    limited = make_tool(actor=chair, name="Scorer", review="limited", limits="Adults only")
    services.campaign_set_tools(
        actor=marketer, campaign=complete_campaign, tools=[pending, limited]
    )
    findings = registry.tool_findings(complete_campaign)
    assert [f.blocks for f in findings] == [False, False]
    assert "Adults only" in findings[1].message
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert submitted(complete_campaign)


def test_tools_are_fixed_once_submitted(chair, marketer, complete_campaign):
    tool = make_tool(actor=chair, review="approved")
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    with pytest.raises(ServiceError):
        services.campaign_set_tools(actor=marketer, campaign=complete_campaign, tools=[tool])


# --- vendor answers pre-filled from the register -------------------------------------------------


@pytest.fixture
def full_campaign(marketer, team):
    data = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    questionnaire, _created = services.questionnaire_load(data=data, source="test")
    intake = {
        **INTAKE_POST,
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": datetime(2027, 1, 1).date(),
        "flight_end": datetime(2027, 3, 1).date(),
    }
    return services.campaign_create(
        actor=marketer, team=team, intake=intake, questionnaire=questionnaire
    )


def test_vendor_answers_are_prefilled_and_differences_shown(
    client, chair, reviewer, marketer, full_campaign
):
    signed = make_tool(actor=chair, review="approved", limitations="")  # DPA only
    services.campaign_set_tools(actor=marketer, campaign=full_campaign, tools=[signed])
    answers = Campaign.objects.get(pk=full_campaign.pk).assessment.answers
    assert answers["oversight.third_party_models"] == "yes"
    assert answers["oversight.vendor_accountability"] == "dpa_only"
    client.force_login(reviewer)
    page = client.get(reverse("campaign_detail", args=[full_campaign.pk])).text
    assert 'data-testid="register-differences"' not in page
    # The team claims more than the register supports: still editable, and the board sees it.
    services.assessment_save_answers(
        actor=marketer,
        campaign=full_campaign,
        answers={"oversight.vendor_accountability": "full_coverage"},
    )
    page = client.get(reverse("campaign_detail", args=[full_campaign.pk])).text
    assert 'data-testid="register-differences"' in page
    assert "Data processing agreement only" in page
    client.force_login(marketer)
    page = client.get(reverse("campaign_detail", args=[full_campaign.pk])).text
    assert 'data-testid="register-differences"' not in page
    # A later pick never overwrites the team's answer; the weakest tool sets the register's.
    unsigned = make_tool(actor=chair, name="Other", review="approved", dpa_signed=False)
    services.campaign_set_tools(actor=marketer, campaign=full_campaign, tools=[signed, unsigned])
    answers = Campaign.objects.get(pk=full_campaign.pk).assessment.answers
    assert answers["oversight.vendor_accountability"] == "full_coverage"
    assert (
        registry.register_answers([signed, unsigned])["oversight.vendor_accountability"]
        == "standard_terms"
    )


# --- hostile input and Arabic --------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Tool\x00"),
        ("purpose", "x" * 3001),
        ("name", "y" * 201),
        ("kind", "‮banned"),
        ("provider", ""),
    ],
)
def test_hostile_entries_get_form_errors(client, reviewer, field, value):
    client.force_login(reviewer)
    response = client.post(reverse("register_new"), {**TOOL_POST, field: value})
    assert response.status_code == 400
    assert "invalid-feedback" in response.text or "is-invalid" in response.text
    assert not RegisterTool.objects.exists()


def test_a_duplicate_name_and_a_bidi_name(client, chair, reviewer):
    make_tool(actor=chair)
    client.force_login(reviewer)
    response = client.post(reverse("register_new"), {**TOOL_POST, "name": "  lumen   COPY "})
    assert response.status_code == 400 and "already has a tool with this name" in response.text
    bidi = "Evil\u202eypoc"
    assert client.post(reverse("register_new"), {**TOOL_POST, "name": bidi}).status_code == 302
    page = client.get(reverse("register_list")).text
    assert f"<bdi>{bidi}</bdi>" in page


@pytest.mark.parametrize("months", ["0", "37", "99999999999999999999", "-1", "x"])
def test_hostile_review_gets_form_errors(client, chair, months):
    tool = make_tool(actor=chair)
    client.force_login(chair)
    response = client.post(
        reverse("register_review", args=[tool.pk]), {"decision": "approved", "months": months}
    )
    assert response.status_code == 400
    tool.refresh_from_db()
    assert tool.review == "pending"


def test_register_and_blocker_in_arabic(client, chair, marketer, complete_campaign):
    tool = make_tool(actor=chair, review="banned", name="FaceSwap Studio")
    services.campaign_set_tools(actor=marketer, campaign=complete_campaign, tools=[tool])
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    client.force_login(marketer)
    page = client.get(reverse("register_list")).text
    assert 'dir="rtl"' in page
    assert "سجل أدوات الذكاء الاصطناعي والمورّدين" in page
    summary = client.get(reverse("assessment_summary", args=[complete_campaign.pk])).text
    assert "محظورة" in summary and "FaceSwap Studio" in summary


def test_dashboard_shows_campaigns_by_tool_and_expiring_reviews(client, chair, marketer, campaign):
    with time_machine.travel(T0, tick=False):
        soon = make_tool(actor=chair, review="approved", months=1, name="Soon")
        later = make_tool(actor=chair, review="limited", limits="Adults", name="Later")
        unused = make_tool(actor=chair, review="approved", months=12, name="Unused")
        services.campaign_set_tools(actor=marketer, campaign=campaign, tools=[soon, later])
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        figures = registry.dashboard_register()
        assert [(t.name, t.campaign_count) for t in figures["by_tool"]] == [
            ("Later", 1),
            ("Soon", 1),
        ]
        assert [t.name for t in figures["expiring"]] == ["Soon"]
        client.force_login(chair)
        page = client.get(reverse("dashboard")).text
    assert 'data-testid="campaigns-by-tool"' in page and 'data-testid="tools-expiring"' in page
    assert reverse("register_detail", args=[soon.pk]) in page
    assert reverse("register_detail", args=[unused.pk]) not in page
