from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services, webhooks
from .models import (
    Campaign,
    Invitation,
    MonitoringRule,
    Questionnaire,
    RoutingRule,
    Team,
    User,
    UserRole,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"email", "display_name"} & set(form.changed_data):
            services.search_text_refresh(campaigns=Campaign.objects.filter(owner=obj))

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

    def save_model(self, request, obj, form, change):
        if change and "name" in form.changed_data:
            # Through the service, which rewrites the team's campaigns' search text.
            name, obj.name = obj.name, form.initial["name"]
            super().save_model(request, obj, form, change)
            services.team_rename(actor=request.user, team=obj, name=name)
        else:
            super().save_model(request, obj, form, change)


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


@admin.register(MonitoringRule)
class MonitoringRuleAdmin(admin.ModelAdmin):
    """Administrators configure how often a live campaign of each tier reports."""

    list_display = ["tier", "cadence", "every_days"]

    def has_delete_permission(self, request, obj=None):
        return False


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


# --- webhooks (the admin is for administrators only) ---------------------------------------


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = webhooks.url_problem(url)
        if problem is not None:
            raise forms.ValidationError(problem)
        return url

    def clean_events(self):
        # Stored in the order of WebhookEvent, whatever the order ticked.
        chosen = set(self.cleaned_data["events"])
        return [value for value in WebhookEvent.values if value in chosen]


DELIVERY_COLUMNS = [
    "event",
    "status",
    "attempts",
    "last_status_code",
    "last_error",
    "created_at",
    "delivered_at",
    "next_attempt_at",
]


class RecentDeliveryInline(admin.TabularInline):
    """The last 50 deliveries of this webhook (all of them: Webhook deliveries)."""

    model = WebhookDelivery
    fields = readonly_fields = DELIVERY_COLUMNS
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("recent deliveries (the last 50)")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        webhook_id = (
            request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        )
        if not webhook_id:
            return queryset.none()
        recent = (
            WebhookDelivery.objects.filter(webhook_id=webhook_id)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:50]
        )
        return queryset.filter(pk__in=list(recent)).order_by("-created_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "url", "active", "event_list", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "created_at"]
    inlines = [RecentDeliveryInline]

    @admin.display(description=_("events"))
    def event_list(self, obj):
        labels = dict(WebhookEvent.choices)
        return ", ".join(str(labels.get(e, e)) for e in obj.events or [])

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ["name", "url", "events", "active"]})
        if obj is None:  # the secret is generated when the webhook is saved
            return [main]
        signing = (
            _("Signing"),
            {
                "fields": ["secret", "created_at"],
                # The admin shows descriptions as HTML: escape the <placeholders>.
                "description": escape(
                    _(
                        "Give this secret to the receiver. Each delivery carries the header "
                        "X-EthicsReview-Signature: t=<unix time>,v1=<signature>, where the "
                        "signature is the hex HMAC-SHA256, with this secret, of the timestamp, "
                        "a dot and the raw request body. Receivers recompute it, compare in "
                        "constant time and refuse timestamps older than 5 minutes (see the "
                        "README, Webhooks)."
                    )
                ),
            },
        )
        return [main, signing]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "webhook", *DELIVERY_COLUMNS]
    list_filter = ["webhook", "status", "event"]
    list_select_related = ["webhook"]
    readonly_fields = ["webhook", "campaign", "body", *DELIVERY_COLUMNS]
    actions = ["send_again_now"]

    @admin.action(description=_("Send again now (pending or failed deliveries)"))
    def send_again_now(self, request, queryset):
        count = webhooks.send_again(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued to be sent again.",
                "%(count)d deliveries queued to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
