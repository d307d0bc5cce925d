"""Ethics training pages (issue #21): everyone's own status and the modules to take;
administrators define modules, record completions done elsewhere and import them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import permissions, selectors, services, training
from ..errors import ServiceError
from ..models import TrainingModule
from ..permissions import Action
from ..services.training import CSV_MAX_BYTES
from ..training_forms import (
    CompletionImportForm,
    CompletionRecordForm,
    QuizForm,
    TrainingModuleForm,
)
from .shared import requires


@login_required
def training_list(request):
    user = request.user
    manages = permissions.can(user, Action.MANAGE_TRAINING)
    context = {
        "mine": training.status_of(user),
        "modules": selectors.training_modules(include_retired=manages),
        "manages": manages,
        "history": selectors.training_history(user),
    }
    return render(request, "assessments/training_list.html", context)


def _module_for(request, pk: int) -> TrainingModule:
    module = get_object_or_404(TrainingModule, pk=pk)
    if not module.is_active and not permissions.can(request.user, Action.MANAGE_TRAINING):
        raise Http404
    return module


@login_required
def training_module(request, pk: int):
    """Read the module; answer its quiz (or confirm reading it) to complete it."""
    module = _module_for(request, pk)
    form = QuizForm(module, request.POST or None)
    outcome = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.training_take(
                actor=request.user, module=module, answers=form.answers()
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("training_module", pk=module.pk)
        if outcome.passed:
            messages.success(
                request,
                _("Completed: “%(title)s”. Valid until %(date)s.")
                % {
                    "title": module.title,
                    "date": outcome.completion.expires_at.date().isoformat(),
                },
            )
            return redirect("training_list")
        # A failed quiz is an answer (the score), not an invalid request: 200.
    elif request.method == "POST":
        status = 400
    mine = training.status_of(request.user, roles=module.required_roles)
    return render(
        request,
        "assessments/training_module.html",
        {
            "module": module,
            "form": form,
            "outcome": outcome,
            "mine": next((s for s in mine if s.module.pk == module.pk), None),
            "manages": permissions.can(request.user, Action.MANAGE_TRAINING),
        },
        status=status,
    )


def _module_form(request, module: TrainingModule | None):
    form = TrainingModuleForm.for_module(module, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.training_module_save(
                actor=request.user, module=module, data=form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Module “%(title)s” saved.") % {"title": saved.title})
            return redirect("training_module", pk=saved.pk)
    return render(
        request,
        "assessments/training_module_form.html",
        {"form": form, "module": module},
        status=400 if form.errors else 200,
    )


@requires(Action.MANAGE_TRAINING)
def training_module_new(request):
    return _module_form(request, None)


@requires(Action.MANAGE_TRAINING)
def training_module_edit(request, pk: int):
    return _module_form(request, get_object_or_404(TrainingModule, pk=pk))


@requires(Action.MANAGE_TRAINING)
def training_record(request):
    form = CompletionRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.training_record(
                actor=request.user,
                person=data["person"],
                module=data["module"],
                completed_on=data["completed_on"],
                note=data["note"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Completion recorded."))
            return redirect("training_list")
    return render(
        request,
        "assessments/training_record.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@requires(Action.MANAGE_TRAINING)
def training_import(request):
    form = CompletionImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(CSV_MAX_BYTES + 1)
        try:
            count = services.training_import(actor=request.user, data=data)
        except services.CsvProblems as exc:
            problems = exc.problems
            form.add_error(None, exc.message)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(count)s completions imported.") % {"count": count})
            return redirect("training_list")
    return render(
        request,
        "assessments/training_import.html",
        {"form": form, "problems": problems},
        status=400 if form.errors else 200,
    )
