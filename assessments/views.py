"""Thin views: scoped getter, form, service, redirect."""

from functools import wraps

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import permissions, selectors, services
from .errors import ServiceError
from .forms import AcceptInvitationForm, InvitationForm, LanguageForm
from .invitations import check_invitation_usable, invitation_from_token
from .models import Invitation
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


@login_required
def home(request):
    return render(
        request,
        "assessments/home.html",
        {"attention": selectors.home_attention(request.user)},
    )


@requires(Action.VIEW_MY_CAMPAIGNS)
def my_campaigns(request):
    return render(request, "assessments/my_campaigns.html")


@requires(Action.VIEW_REVIEW_QUEUE)
def review_queue(request):
    return render(request, "assessments/review_queue.html")


@requires(Action.VIEW_DASHBOARD)
def dashboard(request):
    return render(request, "assessments/dashboard.html")


@requires(Action.MANAGE_PEOPLE)
def people(request):
    user = request.user
    people_list = list(selectors.people_for(user))
    for person in people_list:
        person.can_change_access = permissions.can_change_activation(user, person)
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
    response = redirect(next_url)
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
