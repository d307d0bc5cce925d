from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("campaigns/", views.my_campaigns, name="my_campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/assessment/", views.assessment_start, name="assessment_start"),
    path(
        "campaigns/<int:pk>/assessment/summary/",
        views.assessment_summary,
        name="assessment_summary",
    ),
    path(
        "campaigns/<int:pk>/assessment/<slug:section>/",
        views.assessment_step,
        name="assessment_step",
    ),
    path("campaigns/<int:pk>/submit/", views.campaign_submit, name="campaign_submit"),
    path("campaigns/<int:pk>/withdraw/", views.campaign_withdraw, name="campaign_withdraw"),
    path("campaigns/<int:pk>/respond/", views.assignment_respond, name="assignment_respond"),
    path("campaigns/<int:pk>/assign/", views.review_assign, name="review_assign"),
    path("campaigns/<int:pk>/vote/", views.vote, name="vote"),
    path("campaigns/<int:pk>/confirm/", views.decision_confirm, name="decision_confirm"),
    path("campaigns/<int:pk>/overrule/", views.decision_overrule, name="decision_overrule"),
    path("campaigns/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path(
        "campaigns/<int:pk>/conditions/<int:condition_pk>/fulfil/",
        views.condition_fulfil,
        name="condition_fulfil",
    ),
    path(
        "campaigns/<int:pk>/conditions/<int:condition_pk>/verify/",
        views.condition_verify,
        name="condition_verify",
    ),
    path(
        "campaigns/<int:pk>/versions/<int:number>/diff/",
        views.version_diff,
        name="version_diff",
    ),
    path("campaigns/<int:pk>/feedback/", views.feedback_add, name="feedback_add"),
    path(
        "campaigns/<int:pk>/feedback/<int:feedback_pk>/triage/",
        views.feedback_triage,
        name="feedback_triage",
    ),
    path(
        "campaigns/<int:pk>/feedback/<int:feedback_pk>/attachment/",
        views.feedback_attachment,
        name="feedback_attachment",
    ),
    path("campaigns/<int:pk>/send-back/", views.campaign_send_back, name="campaign_send_back"),
    path("campaigns/<int:pk>/notice/", views.notice_edit, name="notice_edit"),
    path("t/<str:public_id>/", views.public_notice, name="public_notice"),
    path("t/<str:public_id>/thanks/", views.public_notice_thanks, name="public_notice_thanks"),
    path("campaigns/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path(
        "campaigns/<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "campaigns/<int:pk>/evidence/<int:evidence_pk>/delete/",
        views.evidence_delete,
        name="evidence_delete",
    ),
    path("review/", views.review_queue, name="review_queue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path(
        "people/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "people/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("people/<int:pk>/access/", views.user_access, name="user_access"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
