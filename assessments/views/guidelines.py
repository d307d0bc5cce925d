"""The guidelines library: the list and search for everyone signed in, each guideline with its
version history, and the chair's and administrators' forms for publishing versions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import guidelines, permissions
from ..errors import ServiceError
from ..guideline_forms import GuidelineAcknowledgeForm, GuidelineForm, GuidelineSearchForm
from ..models import GuidelineVersion, LinkKind
from ..permissions import Action
from ..services import guidelines as guideline_services
from .shared import mfa_required, requires


@requires(Action.VIEW_GUIDELINES)
def guideline_list(request):
    form = GuidelineSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    language = translation.get_language()
    return render(
        request,
        "assessments/guidelines/list.html",
        {
            "form": form,
            "query": query,
            "groups": guidelines.library(language, query),
            "can_write": permissions.can(request.user, Action.WRITE_GUIDELINES),
        },
        status=200 if form.is_valid() else 400,
    )


def _version_context(request, guideline, version) -> dict:
    language = translation.get_language()
    title, title_lang = version.title(language)
    body, body_lang = version.body(language)
    links = list(guideline.links.all())
    return {
        "guideline": guideline,
        "version": version,
        "title": title,
        "title_lang": title_lang,
        "body": body,
        "body_lang": body_lang,
        "fallback": not language.startswith(body_lang),
        "topic": guideline.topic.name(language),
        "question_links": [link.code for link in links if link.kind == LinkKind.QUESTION],
        "dimension_links": [link.code for link in links if link.kind == LinkKind.DIMENSION],
        "versions": guideline.versions.all(),
        "can_write": permissions.can(request.user, Action.WRITE_GUIDELINES),
    }


@requires(Action.VIEW_GUIDELINES)
def guideline_detail(request, pk: int):
    guideline = guidelines.guideline_page(pk)
    if guideline is None:
        raise Http404
    return render(
        request,
        "assessments/guidelines/detail.html",
        _version_context(request, guideline, guideline.current),
    )


@requires(Action.VIEW_GUIDELINES)
def guideline_version(request, pk: int, number: int):
    guideline = guidelines.guideline_page(pk)
    if guideline is None:
        raise Http404
    version = get_object_or_404(GuidelineVersion, guideline=guideline, number=number)
    return render(
        request,
        "assessments/guidelines/detail.html",
        _version_context(request, guideline, version),
    )


def _publish(request, form, guideline=None):
    data = form.cleaned_data
    topic = data.get("topic")
    if topic is None:
        topic = guideline_services.guideline_topic_create(
            actor=request.user, name_en=data["new_topic_en"], name_ar=data["new_topic_ar"]
        )
    return guideline_services.guideline_publish(
        actor=request.user,
        guideline=guideline,
        topic=topic,
        title_en=data["title_en"],
        title_ar=data["title_ar"],
        body_en=data["body_en"],
        body_ar=data["body_ar"],
        change_summary=data.get("change_summary", ""),
        question_codes=data["question_codes"],
        dimensions=data["dimensions"],
    )


def _form_page(request, form, guideline=None):
    if request.method == "POST" and form.is_valid():
        try:
            version = _publish(request, form, guideline)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Version %(number)s of the guideline is published.") % {"number": version.number},
            )
            return redirect("guideline_detail", pk=version.guideline_id)
    return render(
        request,
        "assessments/guidelines/form.html",
        {"form": form, "guideline": guideline},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@requires(Action.WRITE_GUIDELINES)
@mfa_required
def guideline_new(request):
    form = GuidelineForm(request.POST if request.method == "POST" else None)
    return _form_page(request, form)


@require_http_methods(["GET", "HEAD", "POST"])
@requires(Action.WRITE_GUIDELINES)
@mfa_required
def guideline_edit(request, pk: int):
    guideline = guidelines.guideline_page(pk)
    if guideline is None:
        raise Http404
    current = guideline.current
    links = list(guideline.links.all())
    initial = {
        "topic": guideline.topic_id,
        "title_en": current.title_en,
        "title_ar": current.title_ar,
        "body_en": current.body_en,
        "body_ar": current.body_ar,
        "question_codes": [link.code for link in links if link.kind == LinkKind.QUESTION],
        "dimensions": [link.code for link in links if link.kind == LinkKind.DIMENSION],
    }
    form = GuidelineForm(
        request.POST if request.method == "POST" else None, initial=initial, new_version=True
    )
    return _form_page(request, form, guideline)


# --- acknowledging before a submission (used by the submit confirmation) ----------------------


def guidelines_pending(campaign, user) -> list[dict]:
    """The current guideline versions ``user`` acknowledges before submitting ``campaign``."""
    language = translation.get_language()
    rows = []
    for version in guidelines.pending_acknowledgements(campaign, user):
        title, lang = version.title(language)
        rows.append({"version": version, "title": title, "lang": lang})
    return rows


def acknowledged_versions(request) -> list[int]:
    """The version ids the person ticked (the service decides which were needed)."""
    form = GuidelineAcknowledgeForm(request.POST)
    return form.cleaned_data["acknowledge"] if form.is_valid() else []
