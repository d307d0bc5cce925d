"""People, invitations, roles and API tokens; the language switch."""

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import (
    permissions,
    selectors,
    services,
    training,
)
from ..errors import ServiceError
from ..forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    InvitationForm,
    LanguageForm,
    PersonForm,
)
from ..invitations import check_invitation_usable, invitation_from_token
from ..models import Invitation
from ..permissions import Action
from .shared import requires


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
    trainings = training.people_statuses(people_list)
    for person in people_list:
        person.can_change_access = permissions.can_change_activation(user, person)
        person.can_edit = permissions.can_edit_person(user, person)
        person.training_statuses = trainings[person.pk]
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
