"""Incidents of a campaign: the list and the form to open one (anyone who may see the
campaign), each incident's timeline, and the chair's lifting of a suspension and closing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions, selectors, services
from ..errors import ServiceError
from ..incident_forms import IncidentCloseForm, IncidentEntryForm, IncidentForm


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def incident_list(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    initial = {"feedback": request.GET.get("feedback", "")[:12]}
    form = IncidentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        feedback_pk = data.pop("feedback")
        feedback = selectors.feedback_on(campaign, feedback_pk)
        try:
            if feedback_pk and feedback is None:
                raise ServiceError(_("That feedback is not on this campaign."))
            incident = services.incident_open(
                actor=request.user, campaign=campaign, feedback=feedback, **data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The incident is opened; the chair is told."))
            return redirect("incident_detail", pk=campaign.pk, incident_pk=incident.pk)
    return render(
        request,
        "assessments/incidents/list.html",
        {
            "campaign": campaign,
            "incidents": campaign.incidents.select_related("opened_by"),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _act(request, incident, campaign):
    """Run the posted action; returns the bound form with errors, or None when done."""
    action = request.POST.get("action")
    if action == "lift":
        services.incident_lift_suspension(actor=request.user, incident=incident)
        messages.success(request, _("The suspension of the clearance is lifted."))
        return None
    if action == "close":
        form = IncidentCloseForm(request.POST)
        if not form.is_valid():
            return form
        services.incident_close(
            actor=request.user, incident=incident, resolution=form.cleaned_data["resolution"]
        )
        messages.success(request, _("The incident is closed."))
        return None
    form = IncidentEntryForm(request.POST, campaign=campaign)
    if not form.is_valid():
        return form
    services.incident_add_entry(actor=request.user, incident=incident, **form.cleaned_data)
    messages.success(request, _("Added to the incident's timeline."))
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def incident_detail(request, pk: int, incident_pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    incident = get_object_or_404(
        campaign.incidents.select_related("opened_by", "closed_by", "suspension_lifted_by"),
        pk=incident_pk,
    )
    entry_form = IncidentEntryForm(campaign=campaign)
    close_form = IncidentCloseForm()
    status = 200
    if request.method == "POST":
        try:
            bound = _act(request, incident, campaign)
        except ServiceError as exc:
            messages.error(request, exc.message)
            status = 400 if permissions.can_open_campaign(request.user, campaign) else 403
        else:
            if bound is None:
                return redirect("incident_detail", pk=campaign.pk, incident_pk=incident.pk)
            status = 400
            if isinstance(bound, IncidentCloseForm):
                close_form = bound
            else:
                entry_form = bound
    return render(
        request,
        "assessments/incidents/detail.html",
        {
            "campaign": campaign,
            "incident": incident,
            "entries": incident.entries.select_related("owner", "author"),
            "entry_form": entry_form,
            "close_form": close_form,
            "is_chair": permissions.is_chair(request.user),
        },
        status=status,
    )
