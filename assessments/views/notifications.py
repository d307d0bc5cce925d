"""The notification centre and each person's notification settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import (
    notifications,
    services,
)
from ..errors import ServiceError
from ..forms import TimeZoneForm
from ..models import Channel, NotificationKind


@login_required
def notifications_page(request):
    items = list(
        request.user.notifications.select_related("campaign").order_by("-created_at", "-pk")[:100]
    )
    for item in items:
        item.outcome_label = notifications.outcome_label(item.params)
        item.due_day = notifications.due_day(item.params, timezone.get_current_timezone())
    return render(request, "assessments/notifications.html", {"items": items})


@require_POST
@login_required
def notifications_read(request):
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdecimal() and len(v) < 10]
    services.notifications_mark_read(user=request.user, ids=ids or None)
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)  # not redirect(): "next" is not a view name
    return redirect("notifications")


@login_required
def notification_settings(request):
    current = {
        kind: notifications.channel_for(request.user, kind) for kind in NotificationKind.values
    }
    if request.method == "POST":
        choices = {kind: request.POST.get(kind, current[kind]) for kind in NotificationKind.values}
        try:
            services.notification_preferences_set(user=request.user, choices=choices)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("notification_settings")
    rows = [(kind, label, current[kind]) for kind, label in NotificationKind.choices]
    return render(
        request,
        "assessments/notification_settings.html",
        {
            "rows": rows,
            "channels": Channel.choices,
            "time_zone_form": TimeZoneForm(initial={"time_zone": request.user.time_zone}),
        },
    )
