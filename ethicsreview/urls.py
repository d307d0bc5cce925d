from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from assessments import health

# The Django admin signs people in through allauth (rate limits, MFA) instead of its own form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Ethics Review administration"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("assessments.api.urls")),
    path("", include("assessments.urls")),
]
