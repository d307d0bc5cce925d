from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/v1/me/", views.MeView.as_view(), name="api_me"),
    path("api/v1/campaigns/", views.CampaignsView.as_view(), name="api_campaigns"),
    path("api/v1/campaigns/<int:pk>/", views.CampaignView.as_view(), name="api_campaign"),
    path("api/v1/campaigns/<int:pk>/answers/", views.AnswersView.as_view(), name="api_answers"),
    path("api/v1/campaigns/<int:pk>/submit/", views.SubmitView.as_view(), name="api_submit"),
    path(
        "api/v1/campaigns/<int:pk>/clearance/",
        views.ClearanceView.as_view(),
        name="api_clearance",
    ),
    path("api/v1/campaigns/<int:pk>/events/", views.EventsView.as_view(), name="api_events"),
    path("api/v1/campaigns/<int:pk>/feedback/", views.FeedbackView.as_view(), name="api_feedback"),
    path(
        "api/v1/questionnaires/current/",
        views.QuestionnaireView.as_view(),
        name="api_questionnaire",
    ),
    # Anything else under /api/ answers a JSON 404 too, not the site's HTML page.
    re_path(r"^api/", views.not_found, name="api_not_found"),
]
