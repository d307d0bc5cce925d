"""The AI tool and vendor register: everyone signed in reads it, the board edits it, the chair
reviews each tool."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, registry, services
from ..errors import ServiceError
from ..models import ToolKind, ToolReview
from ..register_forms import ToolEvidenceForm, ToolForm, ToolReviewForm
from .shared import mfa_required_page


@login_required
def register_list(request):
    tools = registry.register_for(request.user)
    kind = request.GET.get("kind", "")
    review = request.GET.get("review", "")
    if kind in ToolKind.values:
        tools = tools.filter(kind=kind)
    if review in ToolReview.values:
        tools = tools.filter(review=review)
    return render(
        request,
        "assessments/register_list.html",
        {
            "tools": tools,
            "kinds": ToolKind.choices,
            "reviews": ToolReview.choices,
            "kind": kind,
            "review": review,
            "can_edit": permissions.can_edit_register(request.user),
        },
    )


@login_required
def register_detail(request, pk: int):
    tool = registry.tool_for(request.user, pk)
    return _detail(request, tool)


def _detail(request, tool, *, status=200, review_form=None, evidence_form=None):
    return render(
        request,
        "assessments/register_detail.html",
        {
            "tool": tool,
            "can_edit": permissions.can_edit_register(request.user),
            "can_review": permissions.can_review_register(request.user),
            "review_form": review_form or ToolReviewForm(),
            "evidence_form": evidence_form or ToolEvidenceForm(),
        },
        status=status,
    )


@login_required
def register_edit(request, pk: int | None = None):
    if not permissions.can_edit_register(request.user):
        return render(request, "403.html", status=403)
    tool = registry.tool_for(request.user, pk) if pk is not None else None
    form = ToolForm(request.POST or None, instance=tool)
    if request.method == "POST" and form.is_valid():
        try:
            tool = services.tool_save(actor=request.user, data=form.cleaned_data, tool=tool)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Register entry saved."))
            return redirect("register_detail", pk=tool.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "assessments/register_form.html", {"form": form, "tool": tool}, status=status
    )


@login_required
@require_POST
def register_review(request, pk: int):
    tool = registry.tool_for(request.user, pk)
    if not permissions.can_review_register(request.user):
        return render(request, "403.html", status=403)
    if permissions.mfa_missing(request.user):
        return mfa_required_page(request)
    form = ToolReviewForm(request.POST)
    if form.is_valid():
        try:
            services.tool_review(
                actor=request.user,
                tool=tool,
                decision=form.cleaned_data["decision"],
                limits=form.cleaned_data["limits"],
                months=form.cleaned_data["months"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The board's review of this tool is recorded."))
            return redirect("register_detail", pk=tool.pk)
    return _detail(request, tool, status=400, review_form=form)


@login_required
@require_POST
def register_evidence_upload(request, pk: int):
    tool = registry.tool_for(request.user, pk)
    if not permissions.can_edit_register(request.user):
        return render(request, "403.html", status=403)
    form = ToolEvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.tool_evidence_add(
                actor=request.user, tool=tool, upload=form.cleaned_data["file"]
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("Document added to the register entry."))
            return redirect("register_detail", pk=tool.pk)
    return _detail(request, tool, status=400, evidence_form=form)


@login_required
def register_evidence_download(request, pk: int, evidence_pk: int):
    tool = registry.tool_for(request.user, pk)
    evidence = get_object_or_404(tool.evidence.all(), pk=evidence_pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
