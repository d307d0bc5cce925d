"""Stakeholder feedback and transparency notices, including the public notice page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import (
    permissions,
    ratelimit,
    selectors,
    services,
)
from ..errors import ServiceError
from ..forms import (
    FeedbackForm,
    NoticeForm,
    PublicFeedbackForm,
    TriageForm,
)
from ..models import TransparencyNotice
from .campaign_page import _back, _form_action, _refused
from .shared import mfa_required


@require_POST
@login_required
def feedback_add(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    return _form_action(
        request,
        campaign,
        FeedbackForm(request.POST, request.FILES),
        "feedback_form",
        lambda data: services.feedback_add(
            actor=request.user,
            campaign=campaign,
            category=data["category"],
            severity=data["severity"],
            text=data["text"],
            upload=data.get("attachment"),
        ),
        _("Thank you: your feedback is on the campaign's record."),
        anchor="feedback",
    )


@require_POST
@login_required
@mfa_required
def feedback_triage(request, pk: int, feedback_pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    feedback = get_object_or_404(campaign.feedback, pk=feedback_pk)
    form = TriageForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("Choose what to do with this feedback."))
        services.feedback_triage(
            actor=request.user,
            feedback=feedback,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except ServiceError as exc:
        return _refused(request, campaign, exc, "feedback")
    messages.success(request, _("Feedback triaged."))
    return _back(campaign, "feedback")


@login_required
def feedback_attachment(request, pk: int, feedback_pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    feedback = get_object_or_404(campaign.feedback.exclude(attachment=""), pk=feedback_pk)
    response = FileResponse(
        feedback.attachment.open("rb"),
        as_attachment=True,
        filename=feedback.attachment_name,
        content_type=feedback.attachment_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
@mfa_required
def campaign_send_back(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    try:
        services.campaign_send_back(actor=request.user, campaign=campaign)
    except ServiceError as exc:
        return _refused(request, campaign, exc)
    messages.success(request, _("The campaign was sent back to review; its team revises it."))
    return _back(campaign)


@login_required
def notice_edit(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    if "notice" not in permissions.available_actions(campaign, request.user):
        return render(request, "403.html", status=403)
    try:  # reads only: the draft is stored by the first POST (notice_update)
        notice = services.notice_draft(actor=request.user, campaign=campaign)
    except ServiceError as exc:
        return _refused(request, campaign, exc)
    initial = {name: getattr(notice, name) for name in services.feedback.NOTICE_FIELDS}
    form = NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "unpublish":
            try:
                services.notice_publish(actor=request.user, notice=notice, publish=False)
            except ServiceError as exc:
                return _refused(request, campaign, exc)
            messages.success(request, _("The notice is withdrawn."))
            return redirect("notice_edit", pk=campaign.pk)
        # "Publish" saves what is in the form first, so nothing typed is lost.
        if form.is_valid():
            try:
                notice = services.notice_update(
                    actor=request.user, notice=notice, data=form.cleaned_data
                )
                if action == "publish":
                    services.notice_publish(actor=request.user, notice=notice, publish=True)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("The notice is public.") if action == "publish" else _("Notice saved."),
                )
                return redirect("notice_edit", pk=campaign.pk)
    if notice.pk is not None:
        notice.refresh_from_db()
    return render(
        request,
        "assessments/notice_edit.html",
        {
            "campaign": campaign,
            "notice": notice,
            "form": form,
            "public_url": request.build_absolute_uri(
                reverse("public_notice", args=[notice.public_id])
            ),
            "missing": services.notice_missing(notice),
        },
        status=400 if form.errors else 200,
    )


def _published_notice(public_id: str) -> TransparencyNotice:
    return get_object_or_404(selectors.published_notices(), public_id=public_id)


def public_notice(request, public_id: str):
    """The public transparency notice: no login, nothing internal."""
    notice = _published_notice(public_id)
    form = PublicFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A bot filled the honeypot: pretend success, keep nothing.
            return redirect("public_notice_thanks", public_id=public_id)
        try:
            services.feedback_add_public(
                notice=notice,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["message"],
                email=form.cleaned_data["email"],
                consent=form.cleaned_data["consent"],
                ip=ratelimit.client_address(request),
            )
        except ServiceError as exc:
            form.add_error(
                {"text": "message"}.get(exc.field, exc.field)
                if exc.field in ("text", "category", "consent", "email")
                else None,
                exc.message,
            )
        else:
            return redirect("public_notice_thanks", public_id=public_id)
    arabic = translation.get_language() == "ar"
    response = render(
        request,
        "public/notice.html",
        {
            "notice": notice,
            "title": notice.title_ar if arabic else notice.title_en,
            "body": notice.body_ar if arabic else notice.body_en,
            "ended": services.notice_has_ended(notice),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def public_notice_thanks(request, public_id: str):
    notice = _published_notice(public_id)
    return render(request, "public/thanks.html", {"notice": notice})
