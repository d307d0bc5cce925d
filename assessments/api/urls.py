from django.conf import settings
from django.urls import path, re_path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .. import converters  # noqa: F401 - registers <id:>
from . import incidents, monitoring, register, training, views

# Swagger UI (from the drf-spectacular-sidecar package) injects one fixed <style> element;
# the docs page allows exactly that one by its hash, everything else stays as strict.
SWAGGER_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
api_docs = csp_override(
    {**settings.SECURE_CSP, "style-src": [*settings.SECURE_CSP["style-src"], SWAGGER_STYLE]}
)(SpectacularSwaggerSplitView.as_view(url_name="api_schema"))

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", api_docs, name="api_docs"),
    path("api/v1/me/", views.MeView.as_view(), name="api_me"),
    path("api/v1/me/training/", training.TrainingStatusView.as_view(), name="api_training_status"),
    path("api/v1/campaigns/", views.CampaignsView.as_view(), name="api_campaigns"),
    path("api/v1/campaigns/<id:pk>/", views.CampaignView.as_view(), name="api_campaign"),
    path("api/v1/campaigns/<id:pk>/answers/", views.AnswersView.as_view(), name="api_answers"),
    path("api/v1/campaigns/<id:pk>/submit/", views.SubmitView.as_view(), name="api_submit"),
    path(
        "api/v1/campaigns/<id:pk>/clearance/",
        views.ClearanceView.as_view(),
        name="api_clearance",
    ),
    path("api/v1/campaigns/<id:pk>/events/", views.EventsView.as_view(), name="api_events"),
    path("api/v1/campaigns/<id:pk>/feedback/", views.FeedbackView.as_view(), name="api_feedback"),
    path(
        "api/v1/campaigns/<id:pk>/tools/",
        register.CampaignToolsView.as_view(),
        name="api_campaign_tools",
    ),
    path(
        "api/v1/campaigns/<id:pk>/monitoring/",
        monitoring.MonitoringView.as_view(),
        name="api_monitoring",
    ),
    path(
        "api/v1/campaigns/<id:pk>/incidents/",
        incidents.IncidentsView.as_view(),
        name="api_incidents",
    ),
    path("api/v1/incidents/<id:pk>/", incidents.IncidentView.as_view(), name="api_incident"),
    path(
        "api/v1/incidents/<id:pk>/entries/",
        incidents.IncidentEntriesView.as_view(),
        name="api_incident_entries",
    ),
    path("api/v1/register/", register.RegisterView.as_view(), name="api_register"),
    path("api/v1/register/<id:pk>/", register.ToolView.as_view(), name="api_register_tool"),
    path(
        "api/v1/questionnaires/current/",
        views.QuestionnaireView.as_view(),
        name="api_questionnaire",
    ),
    path(
        "api/v1/questionnaires/current/questions/<str:code>/guidelines/",
        views.QuestionGuidelinesView.as_view(),
        name="api_question_guidelines",
    ),
    # Anything else under /api/ answers a JSON 404 too, not the site's HTML page.
    re_path(r"^api/", views.not_found, name="api_not_found"),
]
