"""The board's working calendar (weekend, public holidays, closure days) and each
person's time zone."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, selectors, services, working_calendar
from ..errors import ServiceError
from ..forms import ClosureDayForm, TimeZoneForm
from ..models import ClosureDay
from ..permissions import Action
from .shared import mfa_required_page

UPCOMING_DAYS = 366


def _may_manage(request) -> bool:
    return permissions.can(request.user, Action.MANAGE_CALENDAR)


@login_required
def working_calendar_page(request):
    """What counts as a working day: everyone signed in may read it (their due dates
    follow it); the chair and administrators declare closure days here."""
    form = ClosureDayForm()
    if request.method == "POST":
        if not _may_manage(request):
            return render(request, "403.html", status=403)
        if permissions.mfa_missing(request.user):
            return mfa_required_page(request)
        form = ClosureDayForm(request.POST)
        if form.is_valid():
            try:
                services.closure_day_add(
                    actor=request.user,
                    day=form.cleaned_data["day"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Closure day declared."))
                return redirect("working_calendar")
    today = working_calendar.local_day(timezone.now())
    until = today + timedelta(days=UPCOMING_DAYS)
    language = translation.get_language() or settings.LANGUAGE_CODE
    holidays = sorted(
        (day, name)
        for year in range(today.year, until.year + 1)
        for day, name in working_calendar.public_holidays(year, language).items()
        if today <= day <= until
    )
    context = {
        "form": form,
        "may_manage": _may_manage(request),
        "weekend": [WEEKDAYS[day] for day in sorted(working_calendar.weekend_days())],
        "country": settings.HOLIDAY_COUNTRY,
        "subdivision": settings.HOLIDAY_SUBDIVISION,
        "board_zone": settings.CALENDAR_TIME_ZONE,
        "holidays": holidays,
        "closures": selectors.closure_days_from(today),
    }
    return render(request, "assessments/working_calendar.html", context)


@require_POST
@login_required
def closure_day_remove(request, pk):
    if not _may_manage(request):
        return render(request, "403.html", status=403)
    if permissions.mfa_missing(request.user):
        return mfa_required_page(request)
    closure = get_object_or_404(ClosureDay, pk=pk)
    services.closure_day_remove(actor=request.user, closure=closure)
    messages.success(request, _("Closure day removed."))
    return redirect("working_calendar")


@require_POST
@login_required
def time_zone_set(request):
    """The person's display time zone, from the form on their settings page."""
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a time zone from the list."))
        return redirect("notification_settings")
    try:
        services.user_set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Time zone saved."))
    return redirect("notification_settings")
