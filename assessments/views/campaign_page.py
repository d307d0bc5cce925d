"""The campaign page, and the form-then-service pattern every action on it uses."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .. import (
    intake,
    permissions,
    provenance,
    registry,
    selectors,
    services,
)
from ..errors import ServiceError, SignatureLocked
from ..forms import (
    CommentForm,
    EvidenceForm,
    FeedbackForm,
    OverruleForm,
    RespondForm,
    SignForm,
    TriageForm,
    VoteForm,
)
from ..wording import join_list


@login_required
def campaign_detail(request, pk: int):
    return _detail_response(request, selectors.campaign_for(request.user, pk, page=True))


def _detail_response(request, campaign, *, status: int = 200, **forms):
    """The campaign page: intake, result, assessment progress, evidence and the review
    (versions, assignments, votes, decisions, conditions, comments, timeline). Forms
    passed in (bound, with errors) replace the empty ones so nothing typed is lost."""
    language = translation.get_language()
    definition = selectors.definition_of(campaign.assessment.questionnaire)
    answers = campaign.assessment.answers
    result = selectors.campaign_result(campaign)
    # The result panel, the intake and the assessment sections are built only when their
    # fragments (keyed like the review's, on the campaign's last audit event) are stale.
    sections = SimpleLazyObject(
        lambda: selectors.assessment_sections(definition, campaign.intake(), answers, language)
    )
    review = selectors.review_context(campaign, request.user, language)
    proposed = []
    eligible = []
    if "assign" in review["actions"] and review["current_version"] is not None:
        eligible = list(services.eligible_reviewers(campaign, review["current_version"]))
        proposed = [u.pk for u in services.review_propose(campaign=campaign)]
    actions = review["actions"]

    def form(name: str, action: str, make):
        """The form passed in (bound, with errors), or an empty one when the user may
        act (forms the page does not show are not built)."""
        if name in forms and action not in actions:
            return _errors_as_messages(request, forms[name])
        return forms.get(name) or (make() if action in actions else None)

    can_edit = permissions.can_edit_campaign(request.user, campaign)
    # A newer questionnaire version: the team may move a draft to it; the board sees,
    # read-only, what it would say (which approvals to revisit).
    newer = (
        selectors.newer_questionnaire(campaign)
        if can_edit or permissions.is_board(request.user)
        else None
    )
    evidence = selectors.evidence_for(campaign)
    context = {
        "campaign": campaign,
        "newer": newer,
        "can_move": newer is not None and can_edit,
        "under_newer": selectors.result_under(campaign, newer, language)
        if newer is not None and not can_edit
        else None,
        "result": result,
        "result_view": SimpleLazyObject(
            lambda: selectors.result_view(result, definition, answers, language)
        ),
        **registry.campaign_tools_context(campaign, request.user, definition, language),
        "sections": sections,
        # The assessment steps' address without the step (one reverse() for all).
        "steps_url": reverse("assessment_step", args=[campaign.pk, "step"]).removesuffix("step/"),
        "evidence": evidence,
        "synthetic_findings": provenance.synthetic_media_findings(campaign, evidence),
        "evidence_form": EvidenceForm() if can_edit else None,
        "can_edit": can_edit,
        "intake_labels": SimpleLazyObject(lambda: _intake_labels(campaign)),
        "review": review,
        "eligible": eligible,
        "proposed": proposed,
        "respond_form": forms.get("respond_form")
        or (RespondForm() if review["my_pending"] else None),
        "vote_form": form("vote_form", "vote", VoteForm),
        "confirm_form": _sign_form(
            request, forms, "confirm_form", "confirm", SignForm, campaign, review
        ),
        "overrule_form": _sign_form(
            request, forms, "overrule_form", "overrule", OverruleForm, campaign, review
        ),
        "comment_form": form(
            "comment_form",
            "comment",
            lambda: CommentForm(sections=[(s.code, s.title) for s in sections]),
        ),
        "feedback_form": form("feedback_form", "feedback", FeedbackForm),
        "triage_form": TriageForm() if "triage" in actions else None,
        "feedback": selectors.feedback_for(campaign),
        "consultation": selectors.consultation_record(campaign, definition, language),
        "fulfil_errors": forms.get("fulfil_errors") or {},
        "mfa_missing": bool(permissions.MFA_ACTIONS & actions)
        and permissions.mfa_missing(request.user),
    }
    return render(request, "assessments/campaign_detail.html", context, status=status)


def _intake_labels(campaign) -> list[tuple[str, str]]:
    return [
        (_("Channels"), join_list(intake.labels("channels", campaign.channels))),
        (_("Markets"), join_list(intake.labels("markets", campaign.markets))),
        (_("AI techniques"), join_list(intake.labels("ai_techniques", campaign.ai_techniques))),
        (_("Data sources"), join_list(intake.labels("data_sources", campaign.data_sources))),
        (
            _("Data categories"),
            join_list(intake.labels("data_categories", campaign.data_categories)),
        ),
        (_("Can reach minors"), _("Yes") if campaign.reaches_minors else _("No")),
        (_("Can reach vulnerable groups"), _("Yes") if campaign.reaches_vulnerable else _("No")),
    ]


def _errors_as_messages(request, form) -> None:
    """A refused form the page no longer shows (the user may not do that): its errors
    become messages, so the refusal is still said."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _sign_form(request, forms, name: str, action: str, form_class, campaign, review):
    """The chair's signing form, carrying the outcome and version the page shows."""
    if action not in review["actions"]:
        return _errors_as_messages(request, forms[name]) if name in forms else None
    expectation = services.expectation_of(
        action, campaign.status, review["current_version"], review["decisions"]
    )
    form = forms.get(name)
    if form is None:
        return form_class(initial=expectation)
    form.show_current(expectation)
    return form


def _back(campaign, anchor: str = "review"):
    return redirect(reverse("campaign_detail", args=[campaign.pk]) + f"#{anchor}")


def _refused(request, campaign, exc: ServiceError, anchor: str = "review"):
    messages.error(request, exc.message)
    return _back(campaign, anchor)


def _form_action(request, campaign, form, form_name: str, call, success, anchor: str = "review"):
    """Validate ``form``, call the service with its data; on success a message and back to
    the campaign page, otherwise the page again with the form, its errors and what was
    typed (``form_name`` is the form's place in the page)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except SignatureLocked as exc:
            # Too many wrong signature passwords: the session ends (services.review).
            logout(request)
            messages.error(request, exc.message)
            return redirect(settings.LOGIN_URL)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, success)
            return _back(campaign, anchor)
    return _detail_response(request, campaign, status=400, **{form_name: form})
