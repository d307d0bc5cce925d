"""Reads for the board's instruments: training modules and records, closure days."""

from ..models import ClosureDay, TrainingCompletion, TrainingModule


def training_modules(*, include_retired: bool) -> list:
    modules = TrainingModule.objects.all() if include_retired else TrainingModule.objects.active()
    return list(modules)


def training_history(user, *, limit: int = 50) -> list:
    """The person's latest completions, newest first (the model's ordering)."""
    return list(TrainingCompletion.objects.filter(person=user).select_related("module")[:limit])


def closure_days_from(day) -> list:
    return list(ClosureDay.objects.filter(day__gte=day))
