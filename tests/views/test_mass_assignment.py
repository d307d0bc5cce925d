"""Mass assignment: every form POST of the web app ignores extra fields that try to set
protected state.

Each test posts a valid body for the role that may do the action, plus every protected
field with a hostile value (``hostile()``), and then reads the database: the protected
values are exactly what the service sets (the workflow's status, the signer's own name,
the version's fingerprint, the poster as author, ...), never what was posted. The
hostile values always differ from what the service sets, so each assertion would fail if
a view passed ``request.POST`` straight into a model or service.

``test_every_post_endpoint_is_classified`` makes a new URL fail until it is covered here
or declared as reading nothing from the request body.
"""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services, workflow
from assessments.invitations import invitation_token
from assessments.models import (
    ApiToken,
    Assignment,
    Campaign,
    ClosureDay,
    Condition,
    Decision,
    EvidenceFile,
    Feedback,
    Invitation,
    Notification,
    NotificationKind,
    NotificationPreference,
    RegisterTool,
    ToolEvidence,
    TrainingCompletion,
    TrainingModule,
    TransparencyNotice,
    User,
    Vote,
)
from assessments.services.api_tokens import token_digest
from assessments.services.feedback import ip_hash
from assessments.services.review import CHAIR_MEANINGS, VOTE_MEANINGS
from assessments.services.submission import fingerprint_of
from tests.conftest import INTAKE_POST, set_rule
from tests.factories import (
    PASSWORD,
    InvitationFactory,
    UserFactory,
    make_tool,
    published_notice,
)
from tests.training_support import make_module
from tests.views.test_access_matrix import app_url_names

pytestmark = pytest.mark.django_db

PAST = "2000-01-01T00:00:00Z"
FUTURE = "2099-01-01"
PDF = b"%PDF-1.7\n%%EOF\n"

# The URL names covered by a test below (the name of the test in the comment).
COVERED = {
    "campaign_new",  # test_campaign_new
    "campaign_edit",  # test_campaign_edit
    "assessment_step",  # test_assessment_step
    "campaign_submit",  # test_campaign_submit
    "campaign_withdraw",  # test_campaign_withdraw
    "assignment_respond",  # test_assignment_respond
    "review_assign",  # test_review_assign
    "vote",  # test_vote
    "decision_confirm",  # test_decision_confirm
    "decision_overrule",  # test_decision_overrule
    "comment_add",  # test_comment_add
    "condition_fulfil",  # test_condition_fulfil
    "condition_verify",  # test_condition_verify
    "feedback_add",  # test_feedback_add
    "feedback_triage",  # test_feedback_triage
    "campaign_send_back",  # test_campaign_send_back
    "notice_edit",  # test_notice_edit
    "public_notice",  # test_public_notice
    "evidence_upload",  # test_evidence_upload
    "invite",  # test_invite
    "invitation_accept",  # test_invitation_accept
    "invitation_revoke",  # test_invitation_revoke
    "user_access",  # test_user_access
    "person_edit",  # test_person_edit
    "notification_settings",  # test_notification_settings
    "notifications_read",  # test_notifications_read
    "api_tokens",  # test_api_tokens
    "api_token_revoke",  # test_api_token_revoke
    "set_language",  # test_set_language
    "guideline_new",  # tests/views/test_guidelines.py::test_publishing_ignores_protected_fields
    "guideline_edit",  # tests/views/test_guidelines.py::test_publishing_ignores_protected_fields
    "training_module",  # tests/views/test_training_pages.py::test_the_quiz_ignores_posted_...
    "training_module_new",  # test_training_module_new
    "training_module_edit",  # test_training_module_edit
    "training_record",  # test_training_record
    "training_import",  # test_training_import
    "time_zone_set",  # test_time_zone_set
    "working_calendar",  # test_working_calendar_closure_day
    "register_new",  # test_register_new
    "register_edit",  # test_register_edit
    "register_review",  # test_register_review
    "register_evidence_upload",  # test_register_evidence_upload
    "monitoring_page",  # tests/monitoring/test_monitoring_views.py (protected fields)
    "incident_list",  # tests/monitoring/test_incident_views.py (protected fields)
    "incident_detail",  # tests/monitoring/test_incident_views.py (protected fields)
}
# POST views that read nothing from the body (the object is in the URL, the actor is
# the signed-in user): nothing to assign.
NO_BODY = {"evidence_delete", "invitation_resend", "assessment_move", "closure_day_remove"}
# Pages that never read request.POST (GET pages, downloads, probes).
NO_FORM = {
    "healthz",
    "readyz",
    "home",
    "notifications",
    "my_campaigns",
    "campaign_list",
    "campaign_export",
    "campaign_detail",
    "assessment_start",
    "assessment_summary",
    "version_diff",
    "campaign_report",
    "campaign_report_pdf",
    "campaign_assessment_json",
    "feedback_attachment",
    "evidence_download",
    "review_queue",
    "dashboard",
    "people",
    "public_notice_thanks",
    "guideline_list",
    "guideline_detail",
    "guideline_version",
    "training_list",
    "register_list",
    "register_detail",
    "register_evidence_download",
    "monitoring_report",
}
# The JSON API (token-authenticated, serializers with explicit fields): tests/api.
API = {
    "api_schema",
    "api_docs",
    "api_not_found",
    "api_me",
    "api_campaigns",
    "api_questionnaire",
    "api_campaign",
    "api_answers",
    "api_submit",
    "api_clearance",
    "api_events",
    "api_feedback",
    "api_question_guidelines",
    "api_training_status",
    "api_register",
    "api_register_tool",
    "api_campaign_tools",
    "api_monitoring",  # tests/api/test_monitoring_api.py
    "api_incidents",  # tests/api/test_incidents_api.py
    "api_incident",
    "api_incident_entries",
}


def test_every_post_endpoint_is_classified():
    declared = COVERED | NO_BODY | NO_FORM | API
    assert app_url_names() == declared, (
        f"unclassified: {sorted(app_url_names() - declared)}; "
        f"stale: {sorted(declared - app_url_names())}"
    )


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture
def hostile(outsider, other_team):
    """``hostile(valid, **overrides)``: the valid body plus every protected field with a
    hostile value (a field the form really has keeps its valid value)."""

    def build(valid: dict, **overrides) -> dict:
        values = {
            "status": "approved",
            "tier": "IV",
            "score": "0",
            "scores": '{"privacy": 0}',
            "overall_pct": "0",
            "answers": '{"privacy.basis": "none"}',
            "last_section": "fairness",
            "owner": outsider.pk,
            "owner_id": outsider.pk,
            "team": other_team.pk,
            "team_id": other_team.pk,
            "votes": "99",
            "decision": "reject",
            "outcome": "rejected",
            "signer_name": "Someone Else",
            "signed_at": PAST,
            "meaning": "I approve everything.",
            "meaning_signed": "أوافق على كل شيء.",
            "meaning_language": "fr",
            "fingerprint": "0" * 64,
            "approval_expires_at": FUTURE,
            "decided_at": PAST,
            "submitted_at": PAST,
            "first_submitted_at": PAST,
            "review_due_at": FUTURE,
            "rereview_flagged_at": PAST,
            "author": outsider.pk,
            "author_id": outsider.pk,
            "source": "consumer",
            "contact_email": "spoof@example.com",
            "is_staff": "on",
            "is_superuser": "on",
            "is_specialist": "on",
            "roles": "admin",
            "published_at": PAST,
            **overrides,
        }
        return {**values, **valid}

    return build


def recent(moment) -> bool:
    now = timezone.now()
    return moment is not None and now - timedelta(minutes=1) <= moment <= now


PROTECTED = (
    "status",
    "tier",
    "owner_id",
    "team_id",
    "submitted_at",
    "first_submitted_at",
    "review_due_at",
    "decided_at",
    "approval_expires_at",
    "rereview_flagged_at",
)


def protected(campaign: Campaign) -> dict:
    """The campaign's protected state, read from the database."""
    fresh = Campaign.objects.get(pk=campaign.pk)
    return {name: getattr(fresh, name) for name in PROTECTED}


def person(user: User) -> User:
    """A fresh copy (role_set and team_ids are cached on the instance)."""
    return User.objects.get(pk=user.pk)


def url(name, campaign, *args):
    return reverse(name, args=[campaign.pk, *args])


@pytest.fixture
def submitted(complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    return Campaign.objects.get(pk=complete_campaign.pk)


@pytest.fixture
def in_review(submitted, chair, board):
    """Tier I, one reviewer (board[0]) assigned and still to respond."""
    services.review_assign(actor=chair, campaign=submitted, reviewers=board[:1])
    return Campaign.objects.get(pk=submitted.pk)


@pytest.fixture
def accepted(in_review, board):
    assignment = Assignment.objects.get(reviewer=board[0], status="pending")
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    return in_review


@pytest.fixture
def conditioned(approved_campaign, chair):
    """Approved with one open condition (set by the chair's overrule)."""
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="approved_with_conditions",
        rationale="Label",
        conditions=["Label every post."],
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    return Campaign.objects.get(pk=approved_campaign.pk)


@pytest.fixture
def published(approved_campaign, marketer):
    notice = published_notice(actor=marketer, campaign=approved_campaign)
    return TransparencyNotice.objects.get(pk=notice.pk)


# --- campaigns and the assessment ----------------------------------------------------------


def test_campaign_new(client, marketer, team, questionnaire, hostile):
    client.force_login(marketer)
    response = client.post(reverse("campaign_new"), hostile({**INTAKE_POST, "team": team.pk}))
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.name == INTAKE_POST["name"]
    assert campaign.owner_id == marketer.pk
    assert campaign.team_id == team.pk
    assert campaign.status == "draft"
    assert campaign.tier == ""
    for name in PROTECTED[4:]:
        assert getattr(campaign, name) is None, name
    assert campaign.assessment.answers == {}
    assert campaign.assessment.last_section == ""


def test_campaign_new_refuses_a_team_that_is_not_the_posters(
    client, marketer, other_team, questionnaire, hostile
):
    client.force_login(marketer)
    response = client.post(reverse("campaign_new"), hostile({**INTAKE_POST, "team": other_team.pk}))
    assert response.status_code == 200  # the form again, with the error
    assert not Campaign.objects.exists()


def test_campaign_edit(client, marketer, team, campaign, hostile):
    before = protected(campaign)
    client.force_login(marketer)
    response = client.post(
        url("campaign_edit", campaign), hostile({**INTAKE_POST, "name": "Renamed", "team": team.pk})
    )
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).name == "Renamed"
    assert protected(campaign) == before
    assert before["status"] == "draft" and before["owner_id"] == marketer.pk


def test_campaign_edit_cannot_move_the_campaign_to_another_team(
    client, marketer, other_team, campaign, hostile
):
    before = protected(campaign)
    client.force_login(marketer)
    response = client.post(
        url("campaign_edit", campaign),
        hostile({**INTAKE_POST, "name": "Renamed", "team": other_team.pk}),
    )
    assert response.status_code == 200  # only the campaign's own team is a valid choice
    assert Campaign.objects.get(pk=campaign.pk).name == INTAKE_POST["name"]
    assert protected(campaign) == before


def test_assessment_step(client, marketer, campaign, hostile):
    before = protected(campaign)
    client.force_login(marketer)
    body = hostile(
        {
            # A question of another section listed as "shown" is not this page's.
            "shown": ["privacy.basis", "fairness.reach"],
            "privacy.basis": "consent",
            "fairness.reach": "999999",
            "action": "save",
        }
    )
    response = client.post(url("assessment_step", campaign, "privacy"), body)
    assert response.status_code == 200
    campaign.assessment.refresh_from_db()
    assert campaign.assessment.answers == {"privacy.basis": "consent"}
    assert campaign.assessment.last_section == "privacy"
    assert protected(campaign) == before


def test_campaign_submit(client, marketer, team, complete_campaign, hostile):
    client.force_login(marketer)
    response = client.post(
        url("campaign_submit", complete_campaign), hostile({"confirmed_tier": "I"})
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=complete_campaign.pk)
    version = campaign.versions.get()
    result = selectors.campaign_result(campaign)
    assert campaign.status == "submitted"
    assert campaign.tier == version.tier == result.tier == "I"
    assert version.content["score"] == result.as_dict()
    assert version.fingerprint == fingerprint_of(version.content)
    assert version.submitted_by_id == marketer.pk
    assert recent(campaign.submitted_at)
    assert campaign.submitted_at == campaign.first_submitted_at == version.created_at
    assert campaign.review_due_at == workflow.add_working_days(campaign.submitted_at, 3)
    assert campaign.decided_at is None
    assert campaign.approval_expires_at is None
    assert campaign.rereview_flagged_at is None
    assert (campaign.owner_id, campaign.team_id) == (marketer.pk, team.pk)


def test_campaign_withdraw(client, marketer, campaign, hostile):
    before = protected(campaign)
    client.force_login(marketer)
    body = hostile({"reason": "Budget cut."}, board_only="on", created_at=PAST)
    response = client.post(url("campaign_withdraw", campaign), body)
    assert response.status_code == 302
    assert protected(campaign) == {**before, "status": "withdrawn"}
    note = campaign.comments.get()
    assert note.author_id == marketer.pk
    assert note.text == "Budget cut."
    assert note.board_only is False
    assert recent(note.created_at)


# --- review ------------------------------------------------------------------------------------


def test_assignment_respond(client, chair, board, outsider, in_review, hostile):
    before = protected(in_review)
    client.force_login(board[0])
    body = hostile(
        {"action": "accept", "declaration": "None."},
        coi_declaration="Injected",
        recusal_reason="Injected",
        responded_at=PAST,
        reviewer=outsider.pk,
        assigned_by=outsider.pk,
        version="999",
    )
    response = client.post(url("assignment_respond", in_review), body)
    assert response.status_code == 302
    assignment = Assignment.objects.get(campaign=in_review)
    assert assignment.status == "accepted"
    assert assignment.coi_declaration == "None."
    assert assignment.recusal_reason == ""
    assert recent(assignment.responded_at)
    assert assignment.reviewer_id == board[0].pk
    assert assignment.assigned_by_id == chair.pk
    assert assignment.version == services.current_version(in_review)
    assert not Vote.objects.exists()
    assert protected(in_review) == before


def test_review_assign(client, chair, board, outsider, submitted, hostile):
    before = protected(submitted)
    client.force_login(chair)
    body = hostile(
        {"reviewers": [board[0].pk]},
        reviewer=board[1].pk,
        assigned_by=outsider.pk,
        version="999",
        created_at=PAST,
    )
    response = client.post(url("review_assign", submitted), body)
    assert response.status_code == 302
    assignment = Assignment.objects.get()  # board[1] is not assigned
    assert assignment.reviewer_id == board[0].pk
    assert assignment.status == "pending"
    assert assignment.assigned_by_id == chair.pk
    assert assignment.version == services.current_version(submitted)
    assert recent(assignment.created_at)
    # The workflow starts the review (tier I needs one reviewer); nothing else changes.
    assert protected(submitted) == {**before, "status": "in_review"}


def test_vote(client, board, outsider, accepted, hostile):
    before = protected(accepted)
    reviewer = board[0]
    client.force_login(reviewer)
    body = hostile(
        {
            "decision": "request_changes",
            "rationale": "Explain how the seed list was consented.",
            "reasons": ["transparency"],
            "password": PASSWORD,
        },
        reviewer=outsider.pk,
        version="999",
        kind="overruled",
        decided_by=outsider.pk,
    )
    response = client.post(url("vote", accepted), body)
    assert response.status_code == 302
    version = services.current_version(accepted)
    vote = Vote.objects.get()
    assert vote.reviewer_id == reviewer.pk
    assert vote.version == version
    assert vote.signer_name == reviewer.display_name
    assert recent(vote.signed_at)
    assert vote.meaning == VOTE_MEANINGS["request_changes"]
    assert (vote.meaning_signed, vote.meaning_language) == (vote.meaning, "en")
    assert vote.fingerprint == version.fingerprint
    assert vote.decision == "request_changes"
    decision = Decision.objects.get()
    assert (decision.kind, decision.outcome) == ("rule", "changes_requested")
    assert decision.decided_by is None
    assert decision.signer_name == ""
    assert decision.fingerprint == version.fingerprint
    campaign = Campaign.objects.get(pk=accepted.pk)
    assert campaign.status == "changes_requested"
    assert recent(campaign.decided_at)
    assert campaign.approval_expires_at is None
    after = protected(accepted)
    for name in ("tier", "owner_id", "team_id", "submitted_at", "review_due_at"):
        assert after[name] == before[name], name


def test_decision_confirm(client, marketer, chair, board, outsider, complete_campaign, hostile):
    set_rule("I", chair_confirms=True)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0])
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    services.vote_cast(
        actor=board[0],
        campaign=complete_campaign,
        decision="approve",
        rationale="ok",
        password=PASSWORD,
    )
    assert protected(complete_campaign)["status"] == "awaiting_confirmation"
    client.force_login(chair)
    body = hostile(
        {
            "password": PASSWORD,
            "rationale": "Agreed.",
            **services.signing_expectation(complete_campaign, "confirm"),
        },
        status="rejected",
        outcome="rejected",
        kind="overruled",
        decided_by=outsider.pk,
        created_at=PAST,
    )
    response = client.post(url("decision_confirm", complete_campaign), body)
    assert response.status_code == 302
    version = services.current_version(complete_campaign)
    decision = Decision.objects.get(kind="confirmed")
    assert decision.outcome == "approved"  # what the votes gave
    assert decision.decided_by_id == chair.pk
    assert decision.signer_name == chair.display_name
    assert decision.meaning == CHAIR_MEANINGS["confirmed"]
    assert (decision.meaning_signed, decision.meaning_language) == (decision.meaning, "en")
    assert decision.fingerprint == version.fingerprint
    assert decision.rationale == "Agreed."
    assert recent(decision.created_at)
    campaign = Campaign.objects.get(pk=complete_campaign.pk)
    assert campaign.status == "approved"
    assert recent(campaign.decided_at)
    assert campaign.approval_expires_at == workflow.add_months(campaign.decided_at, 12)


def test_decision_overrule(client, chair, outsider, approved_campaign, hostile):
    before = protected(approved_campaign)
    client.force_login(chair)
    body = hostile(
        {
            "outcome": "approved_with_conditions",
            "rationale": "The posts need a label.",
            "conditions": "Label every post.",
            "password": PASSWORD,
            **services.signing_expectation(approved_campaign, "overrule"),
        },
        status="rejected",
        kind="rule",
        decided_by=outsider.pk,
        created_at=PAST,
    )
    response = client.post(url("decision_overrule", approved_campaign), body)
    assert response.status_code == 302
    version = services.current_version(approved_campaign)
    decision = Decision.objects.get(kind="overruled")
    assert decision.outcome == "approved_with_conditions"
    assert decision.decided_by_id == chair.pk
    assert decision.signer_name == chair.display_name
    assert decision.meaning == CHAIR_MEANINGS["overruled"]
    assert (decision.meaning_signed, decision.meaning_language) == (decision.meaning, "en")
    assert decision.fingerprint == version.fingerprint
    assert recent(decision.created_at)
    campaign = Campaign.objects.get(pk=approved_campaign.pk)
    assert campaign.status == "approved_with_conditions"
    assert recent(campaign.decided_at)
    assert campaign.approval_expires_at == workflow.add_months(campaign.decided_at, 12)
    assert (campaign.tier, campaign.owner_id, campaign.team_id) == (
        before["tier"],
        before["owner_id"],
        before["team_id"],
    )
    condition = Condition.objects.get()
    assert condition.text == "Label every post."
    assert condition.status == "open"
    assert condition.vote is None
    assert condition.fulfilled_by is None and condition.verified_by is None


def test_comment_add(client, marketer, campaign, hostile):
    before = protected(campaign)
    client.force_login(marketer)
    body = hostile(
        {"text": "The seed list is opt-in only.", "section": "privacy"},
        version="999",
        created_at=PAST,
    )
    response = client.post(url("comment_add", campaign), body)
    assert response.status_code == 302
    comment = campaign.comments.get()
    assert comment.author_id == marketer.pk
    assert comment.text == "The seed list is opt-in only."
    assert comment.section == "privacy"
    assert comment.board_only is False
    assert comment.version is None  # a draft has no version yet
    assert recent(comment.created_at)
    assert protected(campaign) == before


def test_condition_fulfil(client, marketer, chair, outsider, conditioned, hostile):
    before = protected(conditioned)
    condition = conditioned.conditions.get()
    client.force_login(marketer)
    body = hostile(
        {"note": "Every post carries the label."},
        status="verified",
        text="Nothing to do.",
        fulfilled_by=outsider.pk,
        fulfilled_at=PAST,
        verified_by=chair.pk,
        verified_at=PAST,
    )
    response = client.post(url("condition_fulfil", conditioned, condition.pk), body)
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.status == "fulfilled"
    assert condition.fulfilment_note == "Every post carries the label."
    assert condition.text == "Label every post."
    assert condition.fulfilled_by_id == marketer.pk
    assert recent(condition.fulfilled_at)
    assert condition.verified_by is None and condition.verified_at is None
    assert protected(conditioned) == before


def test_condition_verify(client, marketer, board, outsider, conditioned, hostile):
    condition = conditioned.conditions.get()
    services.condition_fulfil(actor=marketer, condition=condition, note="Labelled.")
    before = protected(conditioned)
    client.force_login(board[0])
    body = hostile(
        {},
        status="open",
        note="Rewritten",
        fulfilment_note="Rewritten",
        fulfilled_by=outsider.pk,
        verified_by=outsider.pk,
        verified_at=PAST,
    )
    response = client.post(url("condition_verify", conditioned, condition.pk), body)
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.status == "verified"
    assert condition.verified_by_id == board[0].pk
    assert recent(condition.verified_at)
    assert condition.fulfilled_by_id == marketer.pk
    assert condition.fulfilment_note == "Labelled."
    assert protected(conditioned) == before


# --- feedback and notices ---------------------------------------------------------------------


def test_feedback_add(client, manager, outsider, campaign, hostile):
    before = protected(campaign)
    client.force_login(manager)
    body = hostile(
        {"category": "privacy", "severity": "info", "text": "FYI"},
        status="dismissed",
        triage_note="Handled.",
        triaged_by=outsider.pk,
        triaged_at=PAST,
        contact_consent="on",
        ip_hash="0" * 64,
        created_at=PAST,
    )
    response = client.post(url("feedback_add", campaign), body)
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.source == "internal"
    assert feedback.author_id == manager.pk
    assert feedback.campaign_id == campaign.pk
    assert feedback.contact_email == ""
    assert feedback.contact_consent is False
    assert feedback.ip_hash == ""
    assert feedback.status == "new"
    assert feedback.triage_note == "" and feedback.triaged_by is None
    assert feedback.triaged_at is None
    assert recent(feedback.created_at)
    assert protected(campaign) == before


def test_feedback_triage(client, marketer, reviewer, outsider, campaign, hostile):
    feedback = services.feedback_add(
        actor=marketer, campaign=campaign, category="privacy", severity="info", text="FYI"
    )
    before = protected(campaign)
    client.force_login(reviewer)
    body = hostile(
        {"status": "acknowledged", "note": "Seen."},
        text="Rewritten",
        category="other",
        severity="serious",
        triaged_by=outsider.pk,
        triaged_at=PAST,
        contact_consent="on",
    )
    response = client.post(url("feedback_triage", campaign, feedback.pk), body)
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == "acknowledged"
    assert feedback.triage_note == "Seen."
    assert feedback.triaged_by_id == reviewer.pk
    assert recent(feedback.triaged_at)
    assert (feedback.text, feedback.category, feedback.severity) == ("FYI", "privacy", "info")
    assert feedback.source == "internal"
    assert feedback.author_id == marketer.pk
    assert feedback.contact_email == "" and feedback.contact_consent is False
    assert protected(campaign) == before


def test_campaign_send_back(client, chair, approved_campaign, hostile):
    before = protected(approved_campaign)
    client.force_login(chair)
    response = client.post(url("campaign_send_back", approved_campaign), hostile({}))
    assert response.status_code == 302
    # The workflow's state; the decision, its dates and the approval's expiry stay.
    assert protected(approved_campaign) == {**before, "status": "rereview_requested"}


NOTICE_POST = {
    "title_en": "How we use AI in this campaign",
    "body_en": "We choose who sees these ads with a model.",
    "title_ar": "كيف نستخدم الذكاء الاصطناعي",
    "body_ar": "نختار من يرى هذه الإعلانات بنموذج.",
    "contact": "privacy@example.com",
}


def test_notice_edit(client, marketer, approved_campaign, hostile):
    notice = services.notice_prepare(actor=marketer, campaign=approved_campaign)
    before = protected(approved_campaign)
    client.force_login(marketer)
    extra = {
        "status": "rejected",
        "public_id": "hijacked",
        "campaign": "999",
        "campaign_id": "999",
        "updated_at": PAST,
    }
    notice_url = url("notice_edit", approved_campaign)
    response = client.post(notice_url, hostile({**NOTICE_POST, "action": "save"}, **extra))
    assert response.status_code == 302
    saved = TransparencyNotice.objects.get()
    assert saved.title_en == NOTICE_POST["title_en"]
    assert saved.published_at is None  # saving does not publish
    assert saved.public_id == notice.public_id
    assert saved.campaign_id == approved_campaign.pk
    client.post(notice_url, hostile({**NOTICE_POST, "action": "publish"}, **extra))
    assert recent(TransparencyNotice.objects.get().published_at)  # now, not the posted date
    client.post(notice_url, hostile({"action": "unpublish"}, **extra))
    assert TransparencyNotice.objects.get().published_at is None
    assert protected(approved_campaign) == before


def test_public_notice(client, marketer, chair, published, hostile):
    before = protected(published.campaign)
    body = hostile(
        {"category": "privacy", "message": "Why do I see this?"},
        status="rejected",
        source="internal",
        text="Injected",
        severity="serious",
        author=marketer.pk,
        triaged_by=chair.pk,
        triage_note="Handled.",
        contact_consent="on",
        ip_hash="0" * 64,
        campaign="999",
    )
    response = client.post(
        reverse("public_notice", args=[published.public_id]), body, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.campaign_id == published.campaign_id
    assert feedback.source == "consumer"
    assert feedback.severity == "concern"
    assert feedback.text == "Why do I see this?"
    assert feedback.author is None
    assert feedback.status == "new" and feedback.triaged_by is None
    assert feedback.triage_note == ""
    assert feedback.contact_email == "" and feedback.contact_consent is False
    assert feedback.ip_hash == ip_hash("203.0.113.7")
    # A posted "serious" would have flagged the campaign for re-review.
    assert protected(published.campaign) == before


# --- evidence ---------------------------------------------------------------------------------


def test_evidence_upload(client, settings, tmp_path, marketer, outsider, campaign, hostile):
    settings.MEDIA_ROOT = tmp_path
    before = protected(campaign)
    client.force_login(marketer)
    body = hostile(
        {"kind": "dpia", "file": SimpleUploadedFile("r.pdf", PDF)},
        uploaded_by=outsider.pk,
        uploaded_at=PAST,
        sha256="0" * 64,
        size="1",
        content_type="text/html",
        original_name="evil.html",
        campaign="999",
    )
    response = client.post(url("evidence_upload", campaign), body)
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert evidence.campaign_id == campaign.pk
    assert evidence.uploaded_by_id == marketer.pk
    assert recent(evidence.uploaded_at)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.size == len(PDF)
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "r.pdf"
    assert protected(campaign) == before


# --- people and accounts ------------------------------------------------------------------------


def test_invite(client, manager, team, outsider, hostile):
    client.force_login(manager)
    body = hostile(
        {
            "email": "nour@example.com",
            "display_name": "Nour",
            "roles": ["marketer"],
            "teams": [team.pk],
            "language": "en",
        },
        role="admin",
        invited_by=outsider.pk,
        created_at=PAST,
        expires_at=FUTURE,
        accepted_at=PAST,
        accepted_user=outsider.pk,
        revoked_at=PAST,
        nonce="0" * 64,
    )
    response = client.post(reverse("invite"), body)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.roles == ["marketer"]  # the form's roles field only
    assert list(invitation.teams.all()) == [team]
    assert invitation.invited_by_id == manager.pk
    assert recent(invitation.created_at)
    assert invitation.expires_at == invitation.created_at + timedelta(days=7)
    assert invitation.accepted_at is None and invitation.accepted_user is None
    assert invitation.revoked_at is None
    assert invitation.nonce != "0" * 64


def test_invitation_accept(client, admin_user, team, other_team, hostile):
    invitation = InvitationFactory(
        invited_by=admin_user, email="nour@example.com", roles=["marketer"], teams=[team]
    )
    body = hostile(
        {
            "email": "nour@example.com",
            "display_name": "Nour",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        teams=[other_team.pk],
        language="ar",
        is_active="",
    )
    response = client.post(reverse("invitation_accept", args=[invitation_token(invitation)]), body)
    assert response.status_code == 302
    user = User.objects.get(email="nour@example.com")
    assert user.role_set == {"marketer"}  # the invitation's roles
    assert user.is_staff is False and user.is_superuser is False
    assert user.is_specialist is False
    assert user.is_active is True
    assert user.language == "en"  # the invitation's language
    assert list(user.teams.all()) == [team]


def test_invitation_revoke(client, admin_user, hostile):
    invitation = InvitationFactory(invited_by=admin_user)
    expires = invitation.expires_at
    client.force_login(admin_user)
    body = hostile({}, revoked_at=PAST, accepted_at=PAST, expires_at=FUTURE)
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]), body)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert recent(invitation.revoked_at)
    assert invitation.accepted_at is None
    assert invitation.expires_at == expires
    assert invitation.roles == ["marketer"]


def test_user_access(client, manager, team, other_team, hostile):
    target = UserFactory(email="colleague@example.com", roles=["marketer"], teams=[team])
    client.force_login(manager)
    body = hostile(
        {"active": "0"},
        is_active="on",
        email="hijack@example.com",
        display_name="Hijacked",
        teams=[other_team.pk],
        language="ar",
    )
    response = client.post(reverse("user_access", args=[target.pk]), body)
    assert response.status_code == 302
    after = person(target)
    assert after.is_active is False  # the form's "active" field only
    assert after.is_staff is False and after.is_superuser is False
    assert after.is_specialist is False
    assert after.role_set == {"marketer"}
    assert (after.email, after.display_name) == (target.email, target.display_name)
    assert after.language == target.language
    assert list(after.teams.all()) == [team]
    assert person(manager).role_set == {"manager"}  # nor does the actor gain anything


def test_person_edit(client, manager, team, other_team, outsider, hostile):
    target = UserFactory(email="colleague@example.com", roles=["marketer"], teams=[team])
    client.force_login(manager)
    body = hostile(
        {"roles": ["marketer", "manager"], "teams": [team.pk]},
        is_active="",
        email="hijack@example.com",
        display_name="Hijacked",
        language="ar",
        access_version="0",
        user=outsider.pk,
    )
    response = client.post(reverse("person_edit", args=[target.pk]), body)
    assert response.status_code == 302
    after = person(target)
    assert after.role_set == {"marketer", "manager"}  # the form's roles and teams only
    assert list(after.teams.all()) == [team]
    assert after.is_specialist is False  # administrators only
    assert after.is_staff is False and after.is_superuser is False and after.is_active
    assert (after.email, after.display_name) == (target.email, target.display_name)
    assert after.language == target.language
    assert person(manager).role_set == {"manager"}
    assert person(outsider).role_set == {"marketer"}


def test_notification_settings(client, marketer, outsider, hostile):
    client.force_login(marketer)
    body = hostile(
        dict.fromkeys(NotificationKind.values, "digest"),
        user=outsider.pk,
        user_id=outsider.pk,
        recipient=outsider.pk,
    )
    response = client.post(reverse("notification_settings"), body)
    assert response.status_code == 302
    prefs = NotificationPreference.objects.filter(user=marketer)
    assert sorted(prefs.values_list("kind", flat=True)) == sorted(NotificationKind.values)
    assert set(prefs.values_list("channel", flat=True)) == {"digest"}
    assert not NotificationPreference.objects.exclude(user=marketer).exists()
    after = person(marketer)
    assert after.is_staff is False and after.is_superuser is False
    assert after.role_set == {"marketer"}


def test_notifications_read(client, marketer, outsider, hostile):
    mine = Notification.objects.create(recipient=marketer, kind="comment")
    theirs = Notification.objects.create(recipient=outsider, kind="comment")
    client.force_login(marketer)
    body = hostile(
        {"ids": [mine.pk, theirs.pk], "next": "/"},
        read_at=PAST,
        recipient=outsider.pk,
        user=outsider.pk,
    )
    response = client.post(reverse("notifications_read"), body)
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert recent(mine.read_at)
    assert mine.recipient_id == marketer.pk
    assert theirs.read_at is None


def test_api_tokens(client, marketer, outsider, hostile):
    client.force_login(marketer)
    body = hostile(
        {"name": "pipeline"},
        user=outsider.pk,
        user_id=outsider.pk,
        prefix="er_hijack0",
        digest="0" * 64,
        created_at=PAST,
        last_used_at=PAST,
        revoked_at=PAST,
    )
    response = client.post(reverse("api_tokens"), body)
    assert response.status_code == 200
    raw = response.context["created"]["raw"]
    token = ApiToken.objects.get()
    assert token.user_id == marketer.pk
    assert token.name == "pipeline"
    assert token.digest == token_digest(raw)
    assert token.prefix == raw[:10]
    assert recent(token.created_at)
    assert token.last_used_at is None and token.revoked_at is None


def test_api_token_revoke(client, marketer, outsider, hostile):
    token, _raw = services.api_token_create(user=marketer, name="pipeline")
    client.force_login(marketer)
    body = hostile({}, revoked_at=PAST, user=outsider.pk, name="renamed")
    response = client.post(reverse("api_token_revoke", args=[token.pk]), body)
    assert response.status_code == 302
    token.refresh_from_db()
    assert recent(token.revoked_at)
    assert token.user_id == marketer.pk
    assert token.name == "pipeline"


def test_set_language(client, marketer, team, outsider, hostile):
    client.force_login(marketer)
    body = hostile(
        {"language": "ar", "next": "/"},
        user=outsider.pk,
        email="hijack@example.com",
        display_name="Hijacked",
        is_active="",
        teams=[team.pk],
    )
    response = client.post(reverse("set_language"), body)
    assert response.status_code == 302
    after = person(marketer)
    assert after.language == "ar"
    assert (after.email, after.display_name) == (marketer.email, marketer.display_name)
    assert after.is_staff is False and after.is_superuser is False
    assert after.is_active is True
    assert after.role_set == {"marketer"}
    assert person(outsider).language == outsider.language


def test_set_language_signed_out_changes_nobody(marketer, hostile):
    before = person(marketer).language
    response = Client().post(
        reverse("set_language"), hostile({"language": "ar", "next": "/"}, user=marketer.pk)
    )
    assert response.status_code == 302
    assert person(marketer).language == before


TRAINING_MODULE_VALID = {
    "title_en": "Privacy",
    "title_ar": "الخصوصية",
    "content_en": "Read **this**.",
    "required_roles": "reviewer",
    "validity_months": "12",
    "pass_mark": "80",
    "is_active": "on",
}


def test_training_module_new(client, admin_user, hostile):
    client.force_login(admin_user)
    body = hostile(TRAINING_MODULE_VALID, id="999", created_at=PAST, updated_at=PAST)
    assert client.post(reverse("training_module_new"), body).status_code == 302
    module = TrainingModule.objects.get()
    assert module.pk != 999 and module.created_at.year > 2000
    assert module.required_roles == ["reviewer"] and module.validity_months == 12


def test_training_module_edit(client, admin_user, hostile):
    module = make_module()
    created = module.created_at
    client.force_login(admin_user)
    body = hostile(TRAINING_MODULE_VALID, id="999", created_at=PAST)
    response = client.post(reverse("training_module_edit", args=[module.pk]), body)
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.created_at == created and module.title_en == "Privacy"
    assert TrainingModule.objects.count() == 1


def test_training_record(client, admin_user, marketer, outsider, hostile):
    module = make_module()
    client.force_login(admin_user)
    valid = {
        "person": marketer.pk,
        "module": module.pk,
        "completed_on": "2026-01-05",
        "note": "Provider course",
    }
    body = hostile(valid, recorded_by=outsider.pk, method="quiz", score="100", expires_at=FUTURE)
    assert client.post(reverse("training_record"), body).status_code == 302
    completion = TrainingCompletion.objects.get()
    assert completion.person == marketer and completion.recorded_by == admin_user
    assert completion.method == "recorded" and completion.score is None
    assert completion.expires_at.year < 2099


def test_training_import(client, admin_user, marketer, outsider, hostile):
    module = make_module()
    client.force_login(admin_user)
    data = f"email,module,completed\nmarketer@example.com,{module.pk},2026-01-05\n".encode()
    body = hostile(
        {"file": SimpleUploadedFile("c.csv", data, content_type="text/csv")},
        recorded_by=outsider.pk,
        method="quiz",
        person=outsider.pk,
        expires_at=FUTURE,
    )
    assert client.post(reverse("training_import"), body).status_code == 302
    completion = TrainingCompletion.objects.get()
    assert completion.person == marketer and completion.method == "imported"
    assert completion.recorded_by == admin_user and completion.expires_at.year < 2099


def test_time_zone_set(client, marketer, outsider, team, hostile):
    client.force_login(marketer)
    body = hostile(
        {"time_zone": "Asia/Riyadh"},
        user=outsider.pk,
        email="hijack@example.com",
        language="ar",
        teams=[team.pk],
    )
    response = client.post(reverse("time_zone_set"), body)
    assert response.status_code == 302
    after = person(marketer)
    assert after.time_zone == "Asia/Riyadh"
    assert after.email == marketer.email and after.language == marketer.language
    assert after.is_staff is False and after.role_set == {"marketer"}
    assert person(outsider).time_zone == ""


def test_working_calendar_closure_day(client, chair, outsider, hostile, reference_time):
    client.force_login(chair)
    day = (reference_time + timedelta(days=10)).date()
    body = hostile(
        {"day": day.isoformat(), "reason": "Away day"},
        created_by=outsider.pk,
        created_by_id=outsider.pk,
        created_at=PAST,
    )
    response = client.post(reverse("working_calendar"), body)
    assert response.status_code == 302
    closure = ClosureDay.objects.get()
    assert (closure.day, closure.reason, closure.created_by_id) == (day, "Away day", chair.pk)
    assert closure.created_at.year != 2000


# --- the AI tool register -----------------------------------------------------------------------

TOOL_POST = {
    "name": "Lumen Copy",
    "kind": "generative_text",
    "provider": "Lumen Labs",
    "purpose": "Drafts ad copy.",
    "dpa_signed": "on",
}
TOOL_HOSTILE = {
    "review": "approved",
    "review_limits": "anything",
    "reviewed_by": "1",
    "reviewed_at": PAST,
    "review_expires_at": FUTURE,
    "campaigns": "1",
    "created_at": PAST,
}


def test_register_new(client, reviewer, hostile):
    client.force_login(reviewer)
    response = client.post(reverse("register_new"), hostile(TOOL_POST, **TOOL_HOSTILE))
    assert response.status_code == 302
    tool = RegisterTool.objects.get()
    assert tool.review == "pending" and tool.reviewed_by is None and tool.reviewed_at is None
    assert tool.review_expires_at is None and tool.review_limits == ""
    assert not tool.campaigns.exists()


def test_register_edit(client, chair, reviewer, campaign, hostile):
    tool = make_tool(actor=chair, review="banned")
    client.force_login(reviewer)
    body = hostile({**TOOL_POST, "provider": "Changed"}, **TOOL_HOSTILE)
    response = client.post(reverse("register_edit", args=[tool.pk]), body)
    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.provider == "Changed"
    assert tool.review == "banned" and tool.reviewed_by_id == chair.pk
    assert tool.review_expires_at is None
    assert not tool.campaigns.exists()


def test_register_review(client, chair, reviewer, hostile):
    tool = make_tool(actor=chair)
    client.force_login(chair)
    body = hostile(
        {"decision": "approved", "months": "6"},
        reviewed_by=reviewer.pk,
        reviewed_at=PAST,
        review_expires_at=FUTURE,
        name="Renamed",
        review_limits="ignored",
    )
    response = client.post(reverse("register_review", args=[tool.pk]), body)
    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.review == "approved" and tool.reviewed_by_id == chair.pk
    assert recent(tool.reviewed_at)
    assert tool.review_expires_at == workflow.add_months(tool.reviewed_at, 6)
    assert tool.name == "Lumen Copy" and tool.review_limits == ""


def test_register_evidence_upload(client, settings, tmp_path, chair, reviewer, outsider, hostile):
    settings.MEDIA_ROOT = tmp_path
    tool = make_tool(actor=chair)
    client.force_login(reviewer)
    body = hostile(
        {"file": SimpleUploadedFile("card.pdf", PDF)},
        uploaded_by=outsider.pk,
        sha256="0" * 64,
        size="1",
        content_type="text/html",
        original_name="evil.html",
        tool="999",
    )
    response = client.post(reverse("register_evidence_upload", args=[tool.pk]), body)
    assert response.status_code == 302
    evidence = ToolEvidence.objects.get()
    assert evidence.tool_id == tool.pk and evidence.uploaded_by_id == reviewer.pk
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.content_type == "application/pdf" and evidence.original_name == "card.pdf"
