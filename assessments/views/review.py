"""Review actions: submit, withdraw, assignments, votes, decisions, comments, conditions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import (
    notifications,
    permissions,
    selectors,
    services,
)
from ..errors import ServiceError
from ..forms import (
    CommentForm,
    ConditionFulfilForm,
    OverruleForm,
    RespondForm,
    SignForm,
    SubmitConfirmForm,
    VoteForm,
    WithdrawForm,
)
from ..models import Channel, NotificationKind
from .campaign_page import _back, _detail_response, _errors_as_messages, _form_action, _refused
from .guidelines import acknowledged_versions, guidelines_pending
from .shared import mfa_required


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def campaign_submit(request, pk: int):
    """GET: the confirmation step, saying what happens next (the tier's route, when the
    decision is due, what the owner receives). POST: the confirming one, carrying the tier
    that was shown; only it submits."""
    campaign = selectors.campaign_for(request.user, pk)
    if "submit" not in permissions.available_actions(campaign, request.user):
        messages.error(request, _("This campaign cannot be submitted now. Nothing was submitted."))
        return _back(campaign)
    if request.method != "POST":
        return _submit_confirmation(request, campaign)
    form = SubmitConfirmForm(request.POST)
    if not form.is_valid():
        _errors_as_messages(request, form)
        return redirect("campaign_submit", pk=campaign.pk)
    try:
        version = services.campaign_submit(
            actor=request.user,
            campaign=campaign,
            expected_tier=form.cleaned_data["confirmed_tier"],
            acknowledged=acknowledged_versions(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("campaign_submit", pk=campaign.pk)
    messages.success(
        request,
        _("Version %(number)s submitted to the ethics board.") % {"number": version.number},
    )
    return _back(campaign)


def _submit_confirmation(request, campaign):
    outlook = services.submission_outlook(campaign=campaign, actor=request.user)
    owner = campaign.owner
    return render(
        request,
        "assessments/submit_confirm.html",
        {
            "campaign": campaign,
            "outlook": outlook,
            "resubmission": campaign.versions.exists(),
            "owner_is_me": owner.pk == request.user.pk,
            "decision_channel": Channel(
                notifications.channel_for(owner, NotificationKind.DECISION)
            ),
            "form": SubmitConfirmForm(initial={"confirmed_tier": outlook.tier})
            if not outlook.blockers
            else None,
            "guidelines_pending": guidelines_pending(campaign, request.user),
        },
    )


@require_POST
@login_required
def campaign_withdraw(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return _detail_response(request, campaign, status=400)
    try:
        services.campaign_withdraw(
            actor=request.user, campaign=campaign, reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        return _refused(request, campaign, exc)
    messages.success(request, _("The campaign was withdrawn."))
    return _back(campaign)


@require_POST
@login_required
def assignment_respond(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    assignment = get_object_or_404(
        campaign.assignments.filter(
            reviewer=request.user, status="pending", version=services.current_version(campaign)
        )
    )
    form = RespondForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("action") == "recuse":
            services.assignment_recuse(
                actor=request.user,
                assignment=assignment,
                reason=form.cleaned_data.get("reason", ""),
            )
            messages.success(request, _("You recused yourself. The chair has been told."))
        else:
            services.assignment_accept(
                actor=request.user,
                assignment=assignment,
                declaration=form.cleaned_data.get("declaration", ""),
            )
            messages.success(request, _("Assignment accepted. You can now vote."))
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _detail_response(request, campaign, status=400, respond_form=form)
    return _back(campaign)


@require_POST
@login_required
@mfa_required
def review_assign(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    ids = [int(v) for v in request.POST.getlist("reviewers") if v.isdecimal() and len(v) < 10]
    reviewers = selectors.people_with_ids(ids)
    try:
        services.review_assign(actor=request.user, campaign=campaign, reviewers=reviewers)
    except ServiceError as exc:
        return _refused(request, campaign, exc)
    messages.success(request, _("Reviewers assigned."))
    return _back(campaign)


@require_POST
@login_required
@mfa_required
def vote(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    form = VoteForm(request.POST)
    return _form_action(
        request,
        campaign,
        form,
        "vote_form",
        lambda data: services.vote_cast(
            actor=request.user,
            campaign=campaign,
            decision=data["decision"],
            rationale=data["rationale"],
            conditions=form.condition_list(),
            report_every_days=data["report_every_days"],
            reasons=data["reasons"],
            password=data["password"],
        ),
        _("Your vote is signed and recorded."),
    )


@require_POST
@login_required
@mfa_required
def decision_confirm(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    return _form_action(
        request,
        campaign,
        SignForm(request.POST),
        "confirm_form",
        lambda data: services.decision_confirm(
            actor=request.user,
            campaign=campaign,
            password=data["password"],
            rationale=data["rationale"],
            expected_outcome=data["expected_outcome"],
            expected_version=data["expected_version"],
        ),
        _("Decision confirmed and signed."),
    )


@require_POST
@login_required
@mfa_required
def decision_overrule(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    form = OverruleForm(request.POST)
    return _form_action(
        request,
        campaign,
        form,
        "overrule_form",
        lambda data: services.decision_overrule(
            actor=request.user,
            campaign=campaign,
            outcome=data["outcome"],
            rationale=data["rationale"],
            conditions=form.condition_list(),
            report_every_days=data["report_every_days"],
            password=data["password"],
            expected_outcome=data["expected_outcome"],
            expected_version=data["expected_version"],
        ),
        _("The outcome was overruled; your signature is recorded."),
    )


@require_POST
@login_required
def comment_add(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    definition = selectors.definition_of(campaign.assessment.questionnaire)
    language = translation.get_language()
    sections = [(s.code, s.title.get(language)) for s in definition.sections]
    return _form_action(
        request,
        campaign,
        CommentForm(request.POST, sections=sections),
        "comment_form",
        lambda data: services.comment_add(
            actor=request.user,
            campaign=campaign,
            text=data["text"],
            section=data["section"],
            board_only=data["board_only"],
        ),
        _("Comment added."),
        anchor="comments",
    )


def _condition_for(request, pk: int, condition_pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    return campaign, get_object_or_404(campaign.conditions, pk=condition_pk)


@require_POST
@login_required
def condition_fulfil(request, pk: int, condition_pk: int):
    campaign, condition = _condition_for(request, pk, condition_pk)
    form = ConditionFulfilForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("Say how the condition was fulfilled."))
        services.condition_fulfil(
            actor=request.user, condition=condition, note=form.cleaned_data["note"]
        )
    except ServiceError as exc:
        return _detail_response(
            request, campaign, status=400, fulfil_errors={condition.pk: exc.message}
        )
    messages.success(request, _("Condition marked as fulfilled; a reviewer will verify it."))
    return _back(campaign, "conditions")


@require_POST
@login_required
@mfa_required
def condition_verify(request, pk: int, condition_pk: int):
    campaign, condition = _condition_for(request, pk, condition_pk)
    try:
        services.condition_verify(actor=request.user, condition=condition)
    except ServiceError as exc:
        return _refused(request, campaign, exc, "conditions")
    messages.success(request, _("Condition verified."))
    return _back(campaign, "conditions")
