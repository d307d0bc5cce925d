from django.urls import path

from . import converters, reports, views  # noqa: F401 - converters registers <id:>

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/api-tokens/<id:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("campaigns/", views.my_campaigns, name="my_campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/all/", views.campaign_list, name="campaign_list"),
    path("campaigns/all/export.csv", views.campaign_export, name="campaign_export"),
    path("campaigns/<id:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<id:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<id:pk>/assessment/", views.assessment_start, name="assessment_start"),
    path("campaigns/<id:pk>/assessment/move/", views.assessment_move, name="assessment_move"),
    path(
        "campaigns/<id:pk>/assessment/summary/",
        views.assessment_summary,
        name="assessment_summary",
    ),
    path(
        "campaigns/<id:pk>/assessment/<slug:section>/",
        views.assessment_step,
        name="assessment_step",
    ),
    path("campaigns/<id:pk>/submit/", views.campaign_submit, name="campaign_submit"),
    path("campaigns/<id:pk>/withdraw/", views.campaign_withdraw, name="campaign_withdraw"),
    path("campaigns/<id:pk>/respond/", views.assignment_respond, name="assignment_respond"),
    path("campaigns/<id:pk>/assign/", views.review_assign, name="review_assign"),
    path("campaigns/<id:pk>/vote/", views.vote, name="vote"),
    path("campaigns/<id:pk>/confirm/", views.decision_confirm, name="decision_confirm"),
    path("campaigns/<id:pk>/overrule/", views.decision_overrule, name="decision_overrule"),
    path("campaigns/<id:pk>/comments/", views.comment_add, name="comment_add"),
    path(
        "campaigns/<id:pk>/conditions/<id:condition_pk>/fulfil/",
        views.condition_fulfil,
        name="condition_fulfil",
    ),
    path(
        "campaigns/<id:pk>/conditions/<id:condition_pk>/verify/",
        views.condition_verify,
        name="condition_verify",
    ),
    path(
        "campaigns/<id:pk>/versions/<id:number>/diff/",
        views.version_diff,
        name="version_diff",
    ),
    path("campaigns/<id:pk>/report/", reports.campaign_report, name="campaign_report"),
    path(
        "campaigns/<id:pk>/report.pdf",
        reports.campaign_report_pdf,
        name="campaign_report_pdf",
    ),
    path(
        "campaigns/<id:pk>/assessment.json",
        reports.campaign_assessment_json,
        name="campaign_assessment_json",
    ),
    path("campaigns/<id:pk>/feedback/", views.feedback_add, name="feedback_add"),
    path(
        "campaigns/<id:pk>/feedback/<id:feedback_pk>/triage/",
        views.feedback_triage,
        name="feedback_triage",
    ),
    path(
        "campaigns/<id:pk>/feedback/<id:feedback_pk>/attachment/",
        views.feedback_attachment,
        name="feedback_attachment",
    ),
    path("campaigns/<id:pk>/send-back/", views.campaign_send_back, name="campaign_send_back"),
    path("campaigns/<id:pk>/notice/", views.notice_edit, name="notice_edit"),
    path("t/<public_id:public_id>/", views.public_notice, name="public_notice"),
    path(
        "t/<public_id:public_id>/thanks/", views.public_notice_thanks, name="public_notice_thanks"
    ),
    path("campaigns/<id:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path(
        "campaigns/<id:pk>/evidence/<id:evidence_pk>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "campaigns/<id:pk>/evidence/<id:evidence_pk>/delete/",
        views.evidence_delete,
        name="evidence_delete",
    ),
    path("review/", views.review_queue, name="review_queue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path(
        "people/invitations/<id:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "people/invitations/<id:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("people/<id:pk>/access/", views.user_access, name="user_access"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
