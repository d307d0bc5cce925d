"""Every URL of the application, as every persona, with GET and POST.

Each URL name must be declared below with how it is protected; a new URL without a
declaration fails. The test then checks, for every cell, the invariants that protection
implies: no 500s; anonymous visitors never get a page or change anything; another team's
marketer gets 404 for anything of the campaign; pages for a role answer 403 to the others.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from assessments import services
from assessments.invitations import invitation_token
from assessments.models import Assignment, AuditEvent, Campaign, ClosureDay
from tests.factories import PASSWORD, InvitationFactory, make_tool, published_notice

pytestmark = pytest.mark.django_db

# How each URL is protected:
#   public    - for anyone (health probes, the public notice, an invitation link)
#   login     - any signed-in person
#   role      - a page of some roles only (others: 403)
#   campaign  - something of one campaign (another team's marketer: 404)
#   people    - the People pages (managers and administrators)
#   admin     - administrators only (others: 403)
ACCESS = {
    "healthz": "public",
    "readyz": "public",
    "public_notice": "public",
    "public_notice_thanks": "public",
    "invitation_accept": "public",
    "set_language": "public",
    "home": "login",
    "notifications": "login",
    "notifications_read": "login",
    "notification_settings": "login",
    "campaign_new": "login",
    "api_tokens": "login",
    "api_token_revoke": "login",
    "time_zone_set": "login",
    "working_calendar": "login",  # closure days: POST by the chair and administrators only
    "closure_day_remove": "login",  # the chair and administrators only (others: 403)
    "api_schema": "public",
    "api_docs": "public",
    "api_not_found": "public",
    "api_me": "login",
    "api_campaigns": "login",
    "api_questionnaire": "login",
    "api_campaign": "campaign",
    "api_answers": "campaign",
    "api_submit": "campaign",
    "api_clearance": "campaign",
    "api_events": "campaign",
    "api_feedback": "campaign",
    "api_question_guidelines": "login",
    "guideline_list": "login",
    "guideline_detail": "login",
    "guideline_version": "login",
    "guideline_new": "role",
    "guideline_edit": "role",
    "my_campaigns": "role",
    "campaign_list": "role",
    "campaign_export": "role",
    "review_queue": "role",
    "dashboard": "role",
    "people": "people",
    "invite": "people",
    "invitation_revoke": "people",
    "invitation_resend": "people",
    "user_access": "people",
    "person_edit": "people",
    "campaign_detail": "campaign",
    "campaign_edit": "campaign",
    "assessment_start": "campaign",
    "assessment_move": "campaign",
    "assessment_summary": "campaign",
    "assessment_step": "campaign",
    "campaign_submit": "campaign",
    "campaign_withdraw": "campaign",
    "assignment_respond": "campaign",
    "review_assign": "campaign",
    "vote": "campaign",
    "decision_confirm": "campaign",
    "decision_overrule": "campaign",
    "comment_add": "campaign",
    "condition_fulfil": "campaign",
    "condition_verify": "campaign",
    "version_diff": "campaign",
    "campaign_report": "campaign",
    "campaign_report_pdf": "campaign",
    "campaign_assessment_json": "campaign",
    "feedback_add": "campaign",
    "feedback_triage": "campaign",
    "feedback_attachment": "campaign",
    "campaign_send_back": "campaign",
    "notice_edit": "campaign",
    "evidence_upload": "campaign",
    "evidence_download": "campaign",
    "evidence_delete": "campaign",
    "api_training_status": "login",
    "training_list": "login",
    "training_module": "login",
    "training_module_new": "admin",
    "training_module_edit": "admin",
    "training_record": "admin",
    "training_import": "admin",
    "register_list": "login",
    "register_new": "login",
    "register_detail": "login",
    "register_edit": "login",
    "register_review": "login",
    "register_evidence_upload": "login",
    "register_evidence_download": "login",
    "api_register": "login",
    "api_register_tool": "login",
    "api_campaign_tools": "campaign",
    "monitoring_page": "campaign",
    "monitoring_report": "campaign",
    "incident_list": "campaign",
    "incident_detail": "campaign",
    "api_monitoring": "campaign",
    "api_incidents": "campaign",
    "api_incident": "campaign",
    "api_incident_entries": "campaign",
}

PERSONAS = ["anonymous", "marketer", "outsider", "reviewer", "chair", "manager", "admin"]


def app_url_names() -> set[str]:
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if getattr(pattern, "namespace", None) in ("admin",) or "allauth" in str(
                    getattr(pattern, "urlconf_name", "")
                ):
                    continue  # third-party: protected by their own login (tested elsewhere)
                walk(pattern.url_patterns)
            elif pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_declared():
    assert app_url_names() == set(ACCESS), (
        f"undeclared: {sorted(app_url_names() - set(ACCESS))}; "
        f"stale: {sorted(set(ACCESS) - app_url_names())}"
    )


@pytest.fixture
def world(settings, tmp_path, approved_campaign, marketer, chair, board, admin_user):
    """One campaign with something behind every URL: versions 1 and 2, a condition,
    evidence, feedback with an attachment, a published notice, a pending invitation."""
    settings.MEDIA_ROOT = tmp_path
    campaign = approved_campaign
    services.decision_overrule(
        actor=chair,
        campaign=campaign,
        outcome="approved_with_conditions",
        rationale="Label",
        conditions=["Label every post."],
        password=PASSWORD,
        **services.signing_expectation(campaign, "overrule"),
    )
    notice = published_notice(actor=marketer, campaign=campaign)
    report = services.monitoring_report_file(
        actor=marketer, campaign=campaign, figures="A,10,5\nB,10,4"
    )
    incident = services.incident_open(
        actor=marketer,
        campaign=campaign,
        what_happened="Ads shown to minors.",
        harm_type="safety",
        severity="serious",
    )
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.7\n%%EOF\n")
    feedback = services.feedback_add(
        actor=marketer,
        campaign=campaign,
        category="privacy",
        severity="info",
        text="FYI",
        upload=SimpleUploadedFile("f.pdf", b"%PDF-1.7\n%%EOF\n"),
    )
    services.campaign_send_back(actor=chair, campaign=campaign)
    campaign = Campaign.objects.get(pk=campaign.pk)
    evidence = services.evidence_add(actor=marketer, campaign=campaign, upload=pdf, kind="dpia")
    services.campaign_submit(actor=marketer, campaign=campaign)  # version 2, in review
    campaign = Campaign.objects.get(pk=campaign.pk)
    invitation = InvitationFactory(invited_by=admin_user)
    token, _raw = services.api_token_create(user=marketer, name="pipeline")
    # Linked to nothing, so that the submissions of the worlds built on this one need no
    # acknowledgement.
    guideline = services.guideline_publish(
        actor=admin_user,
        topic=services.guideline_topic_create(actor=admin_user, name_en="Topic"),
        title_en="A guideline",
        title_ar="",
        body_en="Some **text**.",
        body_ar="",
        change_summary="",
    ).guideline
    module = services.training_module_save(
        actor=admin_user,
        data={"title_en": "Privacy", "title_ar": "الخصوصية", "content_en": "Read me."},
    )
    closure = ClosureDay.objects.create(day=date(2031, 1, 2), reason="Away day")
    tool = make_tool(actor=chair, review="approved")
    tool_file = services.tool_evidence_add(
        actor=chair, tool=tool, upload=SimpleUploadedFile("card.pdf", b"%PDF-1.7\n%%EOF\n")
    )
    kwargs = {
        "closure_day_remove": [closure.pk],
        "training_module": [module.pk],
        "training_module_edit": [module.pk],
        "api_token_revoke": [token.pk],
        "campaign_detail": [campaign.pk],
        "campaign_report": [campaign.pk],
        "campaign_report_pdf": [campaign.pk],
        "campaign_assessment_json": [campaign.pk],
        "public_notice": [notice.public_id],
        "public_notice_thanks": [notice.public_id],
        "invitation_accept": [invitation_token(invitation)],
        "invitation_revoke": [invitation.pk],
        "invitation_resend": [invitation.pk],
        "user_access": [board[0].pk],
        "person_edit": [board[0].pk],
        "assessment_step": [campaign.pk, "privacy"],
        "condition_fulfil": [campaign.pk, campaign.conditions.get().pk],
        "condition_verify": [campaign.pk, campaign.conditions.get().pk],
        "version_diff": [campaign.pk, 2],
        "feedback_triage": [campaign.pk, feedback.pk],
        "feedback_attachment": [campaign.pk, feedback.pk],
        "evidence_download": [campaign.pk, evidence.pk],
        "evidence_delete": [campaign.pk, evidence.pk],
        "guideline_detail": [guideline.pk],
        "guideline_edit": [guideline.pk],
        "guideline_version": [guideline.pk, 1],
        "api_question_guidelines": ["privacy.basis"],
        "register_detail": [tool.pk],
        "register_edit": [tool.pk],
        "register_review": [tool.pk],
        "register_evidence_upload": [tool.pk],
        "register_evidence_download": [tool.pk, tool_file.pk],
        "api_register_tool": [tool.pk],
        "monitoring_report": [campaign.pk, report.pk],
        "incident_detail": [campaign.pk, incident.pk],
        "api_incident": [incident.pk],
        "api_incident_entries": [incident.pk],
    }
    assert Assignment.objects.exists()
    return campaign, kwargs


def url_for(name, campaign, kwargs):
    if name in kwargs:
        return reverse(name, args=kwargs[name])
    if ACCESS[name] == "campaign":
        return reverse(name, args=[campaign.pk])
    return reverse(name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_invariants(client, personas, world, persona):
    campaign, kwargs = world
    problems = []
    for name, access in sorted(ACCESS.items()):
        url = url_for(name, campaign, kwargs)
        for method in ("get", "post"):
            client.logout()  # opening an invitation link signs a person out: start afresh
            if persona != "anonymous":
                client.force_login(personas[persona])
            events = AuditEvent.objects.count()
            response = getattr(client, method)(url)
            status = response.status_code
            if hasattr(response, "streaming_content"):
                # Consuming it lets the test client close the file without also closing
                # the test's database connection (response.close() alone would).
                b"".join(response.streaming_content)
            cell = f"{persona} {method.upper()} {name} → {status}"
            if status >= 500:
                problems.append(cell + " (server error)")
            changed = AuditEvent.objects.count() != events
            anonymous_through = status == 200 or changed
            if persona == "anonymous" and access != "public" and anonymous_through:
                problems.append(cell + " (anonymous got through)")
            # 405 (a GET on a POST-only action) says nothing about the campaign either.
            hidden = status == 404 or (method == "get" and status == 405)
            if persona == "outsider" and access == "campaign" and (not hidden or changed):
                problems.append(cell + " (another team's marketer must get 404)")
            refused = status in (403, 405)
            not_people = persona in ("marketer", "outsider", "reviewer", "chair")
            if not_people and access == "people" and not refused:
                problems.append(cell + " (people pages are for managers and admins)")
            if persona not in ("admin", "anonymous") and access == "admin" and not refused:
                problems.append(cell + " (administrators only)")
    assert not problems, "\n".join(problems)
