"""Campaigns and the assessment wizard: intake, steps, summary, evidence, the campaign page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import (
    guidelines,
    permissions,
    registry,
    selectors,
    services,
    workflow,
)
from ..errors import ServiceError
from ..forms import (
    CampaignForm,
    EvidenceForm,
)
from ..permissions import Action
from .shared import requires

MY_CAMPAIGNS_SHOWN = 30
EDITABLE = workflow.EDITABLE_STATES


def _intake_from(form: CampaignForm) -> dict:
    return {name: form.cleaned_data[name] for name in services.INTAKE_FIELDS}


@requires(Action.VIEW_MY_CAMPAIGNS)
def my_campaigns(request):
    """The teams' most recent campaigns (work in progress first in mind: drafts show how
    far the assessment is); the full history is in the campaign list."""
    campaigns = list(
        selectors.campaigns_for(request.user)
        .filter(team_id__in=request.user.team_ids)
        .order_by("-updated_at", "-pk")[: MY_CAMPAIGNS_SHOWN + 1]
    )
    more = len(campaigns) > MY_CAMPAIGNS_SHOWN
    rows = [
        (campaign, selectors.campaign_result(campaign) if campaign.status in EDITABLE else None)
        for campaign in campaigns[:MY_CAMPAIGNS_SHOWN]
    ]
    return render(
        request,
        "assessments/my_campaigns.html",
        {"rows": rows, "more": more, "can_create": permissions.can_create_campaign(request.user)},
    )


@login_required
def campaign_new(request):
    if not permissions.can_create_campaign(request.user):
        return render(request, "403.html", status=403)
    form = CampaignForm(request.POST or None, teams=permissions.campaign_teams(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user, team=form.cleaned_data["team"], intake=_intake_from(form)
            )
            services.campaign_set_tools(
                actor=request.user, campaign=campaign, tools=form.cleaned_data["tools"]
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Campaign created. Now answer the assessment."))
            return redirect("assessment_start", pk=campaign.pk)
    return render(request, "assessments/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    if not permissions.can_edit_campaign(request.user, campaign):
        return render(request, "403.html", status=403)
    teams = selectors.team_of(campaign)
    initial = {name: getattr(campaign, name) for name in services.INTAKE_FIELDS}
    form = CampaignForm(
        request.POST or None,
        teams=teams,
        initial={**initial, "team": campaign.team, "tools": list(campaign.tools.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update_intake(
                actor=request.user, campaign=campaign, intake=_intake_from(form)
            )
            services.campaign_set_tools(
                actor=request.user, campaign=campaign, tools=form.cleaned_data["tools"]
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Intake saved."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "assessments/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_POST
def assessment_move(request, pk: int):
    """Move the draft's assessment to the newest questionnaire version (answers carried
    where the codes match)."""
    campaign = selectors.campaign_for(request.user, pk)
    newer = selectors.newer_questionnaire(campaign)
    if newer is None:
        messages.info(request, _("The assessment is already on the newest questionnaire."))
        return redirect("campaign_detail", pk=campaign.pk)
    try:
        dropped = services.assessment_move_questionnaire(
            actor=request.user, campaign=campaign, questionnaire=newer
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("campaign_detail", pk=campaign.pk)
    messages.success(
        request,
        ngettext(
            "Moved to version %(version)s; %(count)s answer could not be carried over.",
            "Moved to version %(version)s; %(count)s answers could not be carried over.",
            len(dropped),
        )
        % {"version": newer.version, "count": len(dropped)},
    )
    return redirect("assessment_start", pk=campaign.pk)


@login_required
def assessment_start(request, pk: int):
    """Resume where the marketer left off (or start at the first step)."""
    campaign = selectors.campaign_for(request.user, pk)
    definition = selectors.definition_of(campaign.assessment.questionnaire)
    steps = selectors.assessment_sections(
        definition, campaign.intake(), campaign.assessment.answers, translation.get_language()
    )
    codes = [s.code for s in steps]
    last = campaign.assessment.last_section
    return redirect("assessment_step", pk=pk, section=last if last in codes else codes[0])


def _raw_answers(request, definition, section_code: str) -> dict:
    """The submitted answers of the questions that were on the page (listed in "shown")."""
    raw = {}
    for code in request.POST.getlist("shown"):
        question = definition.questions.get(code)
        if question is None or question.section != section_code:
            continue
        raw[code] = (
            request.POST.getlist(code)
            if question.type == "multiple"
            else request.POST.get(code, "")
        )
    return raw


@login_required
def assessment_step(request, pk: int, section: str):
    campaign = selectors.campaign_for(request.user, pk)
    assessment = campaign.assessment
    definition = selectors.definition_of(assessment.questionnaire)
    if definition.section(section) is None:
        raise Http404
    can_edit = permissions.can_edit_campaign(request.user, campaign)
    errors: dict = {}
    typed: dict = {}
    if request.method == "POST":
        if not can_edit:
            return render(request, "403.html", status=403)
        raw = _raw_answers(request, definition, section)
        errors = services.assessment_save_answers(
            actor=request.user, campaign=campaign, answers=raw, section=section
        )
        typed = {code: raw[code] for code in errors}
        assessment.refresh_from_db()
        action = request.POST.get("action", "save")
        if not errors and not request.htmx and action in ("next", "back", "summary"):
            steps = selectors.assessment_sections(
                definition, campaign.intake(), assessment.answers, translation.get_language()
            )
            return redirect(_step_target(pk, [s.code for s in steps], section, action))
    language = translation.get_language()
    steps = selectors.assessment_sections(
        definition, campaign.intake(), assessment.answers, language
    )
    codes = [s.code for s in steps]
    current = next((s for s in steps if s.code == section), None)
    if current is not None:
        linked = guidelines.by_question([q.code for q in current.questions], language)
        for question in current.questions:
            question.current = typed.get(question.code, question.value)
            question.error = errors[question.code].message if question.code in errors else ""
            question.guidelines = linked.get(question.code, [])
    context = {
        "campaign": campaign,
        "steps": steps,
        "step": current,
        "section_title": definition.section(section).title.get(language),
        "position": codes.index(section) + 1 if section in codes else None,
        "previous": codes[codes.index(section) - 1] if section in codes[1:] else None,
        "next": codes[codes.index(section) + 1] if section in codes[:-1] else None,
        "errors": [
            (definition.questions[code].text.get(language), error.message, code)
            for code, error in errors.items()
            if code in definition.questions
        ],
        "can_edit": can_edit,
        "saved": request.method == "POST" and not errors,
    }
    template = "assessments/assessment_step.html"
    if request.htmx:
        template += "#questions"
    return render(request, template, context, status=400 if errors and not request.htmx else 200)


def _step_target(pk: int, codes: list[str], section: str, action: str) -> str:
    if action == "summary":
        return reverse("assessment_summary", args=[pk])
    if section not in codes:
        return reverse("assessment_start", args=[pk])
    index = codes.index(section) + (1 if action == "next" else -1)
    if index >= len(codes):
        return reverse("assessment_summary", args=[pk])
    if index < 0:
        return reverse("campaign_detail", args=[pk])
    return reverse("assessment_step", args=[pk, codes[index]])


@login_required
def assessment_summary(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    actions = permissions.available_actions(campaign, request.user)
    definition = selectors.definition_of(campaign.assessment.questionnaire)
    language = translation.get_language()
    result = selectors.result_view(
        selectors.campaign_result(campaign), definition, campaign.assessment.answers, language
    )
    return render(
        request,
        "assessments/assessment_summary.html",
        {
            "campaign": campaign,
            "sections": selectors.assessment_sections(
                definition, campaign.intake(), campaign.assessment.answers, language
            ),
            **result,
            **registry.campaign_tools_context(campaign, request.user, definition, language),
            "result_guidelines": guidelines.behind_result(
                definition, result["drivers"], result["red_flags"], language
            ),
            "can_edit": permissions.can_edit_campaign(request.user, campaign),
            "actions": actions,
            "resubmission": "submit" in actions and campaign.versions.exists(),
        },
    )


@require_POST
@login_required
def evidence_upload(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user,
                campaign=campaign,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Evidence file added."))
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
    return redirect(reverse("campaign_detail", args=[pk]) + "#evidence")


def _evidence_for(request, pk: int, evidence_pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    return get_object_or_404(campaign.evidence.select_related("campaign"), pk=evidence_pk)


@login_required
def evidence_download(request, pk: int, evidence_pk: int):
    evidence = _evidence_for(request, pk, evidence_pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def evidence_delete(request, pk: int, evidence_pk: int):
    evidence = _evidence_for(request, pk, evidence_pk)
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Evidence file removed."))
    return redirect(reverse("campaign_detail", args=[pk]) + "#evidence")


@login_required
def version_diff(request, pk: int, number: int):
    campaign = selectors.campaign_for(request.user, pk)
    return render(
        request,
        "assessments/version_diff.html",
        {
            "campaign": campaign,
            **selectors.version_comparison(
                campaign, number, request.user, translation.get_language()
            ),
        },
    )
