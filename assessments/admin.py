from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Campaign, Invitation, Questionnaire, RoutingRule, Team, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "roles__role", "teams"]
    search_fields = ["email", "display_name"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    inlines = [UserRoleInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Keep staff/superuser flags in step with the administrator role.
        user = form.instance
        services.user_set_roles(
            actor=request.user, user=user, roles=list(user.roles.values_list("role", flat=True))
        )

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "language", "teams", "is_specialist")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields] + ["teams"]

    def has_add_permission(self, request):
        # Invitations are created on the People page, which sends the e-mail.
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed for reference; changes go through the application (and its services)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["slug", "version", "title_en", "source", "checksum", "loaded_at"]
    list_filter = ["slug"]
    readonly_fields = [
        "slug",
        "version",
        "title_en",
        "title_ar",
        "source",
        "checksum",
        "loaded_at",
        "definition",
    ]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "owner", "status", "flight_start", "flight_end", "updated_at"]
    list_filter = ["status", "team"]
    search_fields = ["name", "owner__email"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Administrators configure how each tier is reviewed."""

    list_display = [
        "tier",
        "reviewers_required",
        "specialist_required",
        "chair_confirms",
        "due_working_days",
        "validity_months",
    ]

    def has_delete_permission(self, request, obj=None):
        return False
