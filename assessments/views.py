"""Thin views: scoped getter, form, service, redirect."""

from functools import wraps

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from . import (
    insights,
    intake,
    listing,
    notifications,
    permissions,
    queue,
    ratelimit,
    selectors,
    services,
    workflow,
)
from .errors import ServiceError, SignatureLocked
from .forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    CampaignForm,
    CommentForm,
    ConditionFulfilForm,
    EvidenceForm,
    FeedbackForm,
    InvitationForm,
    LanguageForm,
    NoticeForm,
    OverruleForm,
    PersonForm,
    PublicFeedbackForm,
    RespondForm,
    SignForm,
    SubmitConfirmForm,
    TriageForm,
    VoteForm,
    WithdrawForm,
)
from .invitations import check_invitation_usable, invitation_from_token
from .listing import CampaignFilterForm
from .models import Channel, Invitation, NotificationKind, Team, TransparencyNotice, User
from .permissions import Action


def requires(action: Action):
    """Signed in and allowed to do ``action``; others get a clear 403 page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not permissions.can(request.user, action):
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def mfa_required_page(request):
    """Why two-factor authentication is needed and where to set it up; nothing was done."""
    response = render(request, "assessments/mfa_required.html", status=403)
    response.denied_reason = "mfa_required"  # for the security log (AccessDeniedLogMiddleware)
    return response


def mfa_required(view):
    """Board actions (``permissions.MFA_ACTIONS``) need two-factor authentication first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if permissions.mfa_missing(request.user):
            return mfa_required_page(request)
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def home(request):
    return render(
        request,
        "assessments/home.html",
        {"attention": selectors.home_attention(request.user)},
    )


@requires(Action.VIEW_DASHBOARD)
def dashboard(request):
    form = insights.DashboardFilterForm(request.GET or None)
    filters = form.filters()
    language = translation.get_language()
    questionnaire = selectors.current_questionnaire()
    data = insights.dashboard_data(
        filters,
        definition=selectors.definition_of(questionnaire) if questionnaire else None,
        language=language,
    )
    options = form.options("tier", "channel", "market")
    options["team"] = insights.team_options(form, data["teams"])
    svgs = insights.charts_for(data, rtl=translation.get_language_bidi())
    return render(
        request,
        "assessments/dashboard.html",
        {
            "form": form,
            "options": options,
            "data": data,
            "headline": insights.headline_html(data["headline"]),
            "cards": insights.cards_for(data, svgs),
        },
    )


MY_CAMPAIGNS_SHOWN = 30
LIST_SELECTS = ("state", "tier", "team", "channel", "market", "on", "sort")
EDITABLE = workflow.EDITABLE_STATES


def _list_filters(request):
    form = CampaignFilterForm(request.GET or None)
    filters = form.filters()
    campaigns = listing.apply_filters(permissions.visible_campaigns(request.user), filters)
    return form, filters, campaigns


@requires(Action.VIEW_CAMPAIGNS)
def campaign_list(request):
    """Every campaign the user may see, filtered (the dashboard links here), sorted and
    paged by cursor."""
    form, filters, campaigns = _list_filters(request)
    sort = filters.get("sort", "")
    try:
        page = listing.page_of(
            campaigns,
            sort=sort,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            values=listing.LIST_VALUES,
        )
    except listing.InvalidCursor as exc:
        form.add_error(None, exc.message)  # and the first page, with a 400
        page = listing.page_of(campaigns, sort=sort, values=listing.LIST_VALUES)
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(
        request,
        "assessments/campaign_list.html",
        {
            "form": form,
            "options": form.options(*LIST_SELECTS),
            "page": page,
            "rows": listing.rows_html(page.rows),
            "query": query.urlencode(),
            "filtered": bool(filters),
        },
        status=400 if form.errors else 200,
    )


@requires(Action.VIEW_CAMPAIGNS)
def campaign_export(request):
    """The filtered list as CSV, streamed from the database in chunks."""
    form, filters, campaigns = _list_filters(request)
    if form.errors:
        return redirect(f"{reverse('campaign_list')}?{request.GET.urlencode()}")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        listing.csv_rows(campaigns, sort=filters.get("sort", "")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="campaigns-{stamp}.csv"'
    return response


@login_required
def api_tokens(request):
    """The user's personal API tokens: create (the secret is shown once, here) and list."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ServiceError as exc:
            form.add_error("name", exc.message)
        else:
            created = {"token": token, "raw": raw}
            form = ApiTokenForm()
    return render(
        request,
        "assessments/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": list(request.user.api_tokens.order_by("revoked_at", "-created_at")),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def api_token_revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")


@requires(Action.MANAGE_PEOPLE)
def people(request):
    user = request.user
    people_list = list(selectors.people_for(user))
    for person in people_list:
        person.can_change_access = permissions.can_change_activation(user, person)
        person.can_edit = permissions.can_edit_person(user, person)
    invitations = list(selectors.invitations_for(user)[:200])
    for invitation in invitations:
        invitation.can_revoke = permissions.can_revoke_invitation(user, invitation)
    return render(
        request,
        "assessments/people.html",
        {
            "people": people_list,
            "invitations": invitations,
            "form": InvitationForm(actor=user),
        },
    )


@requires(Action.MANAGE_PEOPLE)
def invite(request):
    form = InvitationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user,
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                roles=form.cleaned_data["roles"],
                teams=list(form.cleaned_data["teams"]),
                language=form.cleaned_data["language"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("people")
    return render(request, "assessments/invite.html", {"form": form})


def _invitation_for(request, pk: int) -> Invitation:
    invitation = get_object_or_404(selectors.invitations_for(request.user), pk=pk)
    return invitation


@require_POST
@requires(Action.MANAGE_PEOPLE)
def invitation_revoke(request, pk: int):
    invitation = _invitation_for(request, pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation withdrawn."))
    return redirect("people")


@require_POST
@requires(Action.MANAGE_PEOPLE)
def invitation_resend(request, pk: int):
    invitation = _invitation_for(request, pk)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation sent again."))
    return redirect("people")


@require_POST
@requires(Action.MANAGE_PEOPLE)
def user_access(request, pk: int):
    person = get_object_or_404(selectors.people_for(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=person, active=active)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if active:
            messages.success(request, _("%(name)s can sign in again.") % {"name": person})
        else:
            messages.success(
                request, _("%(name)s has been deactivated and signed out.") % {"name": person}
            )
    return redirect("people")


@requires(Action.MANAGE_PEOPLE)
def person_edit(request, pk: int):
    person = get_object_or_404(selectors.people_for(request.user), pk=pk)
    if not permissions.can_edit_person(request.user, person):
        return render(request, "403.html", status=403)
    form = PersonForm(request.POST or None, actor=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.user_update(
                actor=request.user,
                user=person,
                roles=form.cleaned_data["roles"],
                teams=list(form.cleaned_data["teams"]),
                is_specialist=form.cleaned_data.get("is_specialist", person.is_specialist),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if changed:
                messages.success(request, _("%(name)s's access was changed.") % {"name": person})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("people")
    return render(
        request,
        "assessments/person_edit.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


def invitation_accept(request, token: str):
    try:
        invitation = invitation_from_token(token)
        check_invitation_usable(invitation)
    except ServiceError as exc:
        return render(
            request, "assessments/invitation_invalid.html", {"reason": exc.message}, status=410
        )
    if request.user.is_authenticated:
        # Accepting creates a new account: never attach it to whoever is signed in.
        logout(request)
    form = AcceptInvitationForm(
        request.POST or None, initial={"display_name": invitation.display_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ServiceError as exc:
            if exc.field == "email":
                form.add_error("email", exc.message)
            else:
                return render(
                    request,
                    "assessments/invitation_invalid.html",
                    {"reason": exc.message},
                    status=410,
                )
        else:
            messages.success(request, _("Welcome to Ethics Review, %(name)s.") % {"name": user})
            return perform_login(request, user, redirect_url=reverse("home"))
    return render(
        request,
        "assessments/invitation_accept.html",
        {"form": form, "invitation": invitation},
    )


@require_POST
def set_language(request):
    """Switch the interface language; saved on the person's account when signed in."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        raise Http404
    language = form.cleaned_data["language"]
    next_url = form.cleaned_data["next"] or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    translation.activate(language)
    # A plain redirect: redirect() would take a "next" without "/" for a view name to reverse.
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


# --- campaigns and the assessment wizard ---------------------------------------------------


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
    teams = Team.objects.filter(pk=campaign.team_id)
    initial = {name: getattr(campaign, name) for name in services.INTAKE_FIELDS}
    form = CampaignForm(
        request.POST or None, teams=teams, initial={**initial, "team": campaign.team}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update_intake(
                actor=request.user, campaign=campaign, intake=_intake_from(form)
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Intake saved."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "assessments/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request, pk: int):
    return _detail_response(request, selectors.campaign_for(request.user, pk, page=True))


def _detail_response(request, campaign, *, status: int = 200, **forms):
    """The campaign page: intake, result, assessment progress, evidence and the review
    (versions, assignments, votes, decisions, conditions, comments, timeline). Forms
    passed in (bound, with errors) replace the empty ones so nothing typed is lost."""
    language = translation.get_language()
    definition = selectors.definition_of(campaign.assessment.questionnaire)
    sections = selectors.assessment_sections(
        definition, campaign.intake(), campaign.assessment.answers, language
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
    context = {
        "campaign": campaign,
        "newer": newer,
        "can_move": newer is not None and can_edit,
        "under_newer": selectors.result_under(campaign, newer, language)
        if newer is not None and not can_edit
        else None,
        **selectors.result_view(
            selectors.campaign_result(campaign), definition, campaign.assessment.answers, language
        ),
        "sections": sections,
        # The assessment steps' address without the step (one reverse() for all).
        "steps_url": reverse("assessment_step", args=[campaign.pk, "step"]).removesuffix("step/"),
        "evidence": list(campaign.evidence.select_related("uploaded_by"))
        if selectors.has(campaign, "evidence")
        else [],
        "evidence_form": EvidenceForm() if can_edit else None,
        "can_edit": can_edit,
        "intake_labels": _intake_labels(campaign),
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


def _intake_labels(campaign) -> list[tuple[str, str]]:
    return [
        (_("Channels"), ", ".join(intake.labels("channels", campaign.channels))),
        (_("Markets"), ", ".join(intake.labels("markets", campaign.markets))),
        (_("AI techniques"), ", ".join(intake.labels("ai_techniques", campaign.ai_techniques))),
        (_("Data sources"), ", ".join(intake.labels("data_sources", campaign.data_sources))),
        (
            _("Data categories"),
            ", ".join(intake.labels("data_categories", campaign.data_categories)),
        ),
        (_("Can reach minors"), _("Yes") if campaign.reaches_minors else _("No")),
        (_("Can reach vulnerable groups"), _("Yes") if campaign.reaches_vulnerable else _("No")),
    ]


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
        for question in current.questions:
            question.current = typed.get(question.code, question.value)
            question.error = errors[question.code].message if question.code in errors else ""
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
    return render(
        request,
        "assessments/assessment_summary.html",
        {
            "campaign": campaign,
            "sections": selectors.assessment_sections(
                definition, campaign.intake(), campaign.assessment.answers, language
            ),
            **selectors.result_view(
                selectors.campaign_result(campaign),
                definition,
                campaign.assessment.answers,
                language,
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


# --- review actions (each: scoped getter, form, service, redirect or page with errors) ------


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
    outlook = services.submission_outlook(campaign=campaign)
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
    reviewers = list(User.objects.filter(pk__in=ids))
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


@login_required
def version_diff(request, pk: int, number: int):
    campaign = selectors.campaign_for(request.user, pk)
    newer = get_object_or_404(campaign.versions, number=number)
    older = get_object_or_404(campaign.versions, number=number - 1)
    comments = campaign.comments.filter(version=older).select_related("author")
    if not permissions.is_board(request.user):
        comments = comments.filter(board_only=False)
    return render(
        request,
        "assessments/version_diff.html",
        {
            "campaign": campaign,
            "diff": selectors.version_diff(older, newer, translation.get_language()),
            "comments": list(comments),
        },
    )


@requires(Action.VIEW_REVIEW_QUEUE)
def review_queue(request):
    work = selectors.review_queue_for(request.user)
    return render(
        request,
        "assessments/review_queue.html",
        {"queue": work, "items": queue.items_html(work, _("due"))},
    )


# --- stakeholder feedback and transparency notices ----------------------------------------


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
    try:
        notice = services.notice_prepare(actor=request.user, campaign=campaign)
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
                services.notice_update(actor=request.user, notice=notice, data=form.cleaned_data)
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
    return get_object_or_404(
        TransparencyNotice.objects.select_related("campaign", "campaign__team").filter(
            published_at__isnull=False
        ),
        public_id=public_id,
    )


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


# --- notifications -----------------------------------------------------------------------------


@login_required
def notifications_page(request):
    items = list(
        request.user.notifications.select_related("campaign").order_by("-created_at", "-pk")[:100]
    )
    for item in items:
        item.outcome_label = notifications.outcome_label(item.params)
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
        {"rows": rows, "channels": Channel.choices},
    )
