"""Ethics training writes (issue #21): administrators define modules, record completions done
elsewhere and import them from CSV; people pass a module's quiz. Each completion is an audit
event with its date and expiry; reminders go out 30 and 7 days before an expiry.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, training, workflow
from ..errors import ServiceError
from ..models import (
    CompletionMethod,
    EventKind,
    NotificationKind,
    TrainingCompletion,
    TrainingModule,
    User,
)
from ..notifications import notify
from ..permissions import Action
from ..roles import Role
from .read_models import cached_lists_refresh

MODULE_FIELDS = (
    "title_en",
    "title_ar",
    "content_en",
    "content_ar",
    "external_url",
    "required_roles",
    "validity_months",
    "quiz",
    "pass_mark",
    "is_active",
)


def _check_admin(actor: User) -> None:
    if not permissions.can(actor, Action.MANAGE_TRAINING):
        raise ServiceError(_("Only administrators manage ethics training."))


def training_module_save(
    *, actor: User, module: TrainingModule | None = None, data: dict
) -> TrainingModule:
    """Create ``module`` (None) or change it with the ``MODULE_FIELDS`` in ``data``."""
    _check_admin(actor)
    if not (data.get("content_en") or data.get("content_ar") or data.get("external_url")):
        raise ServiceError(_("Give the module's content or an external https link."))
    if data.get("external_url") and not data["external_url"].lower().startswith("https://"):
        raise ServiceError(_("The external link must start with https://."), field="external_url")
    unknown = set(data.get("required_roles") or []) - set(Role.values)
    if unknown:
        raise ServiceError(_("Choose roles from the list."), field="required_roles")
    with transaction.atomic():
        cached_lists_refresh()
        if module is None:
            module = TrainingModule()
            created = True
        else:
            module = TrainingModule.objects.select_for_update().get(pk=module.pk)
            created = False
        for field in MODULE_FIELDS:
            if field in data:
                setattr(module, field, data[field])
        module.save()
        audit.record(
            kind=EventKind.TRAINING_MODULE_SAVED,
            actor=actor,
            payload={
                "module": module.pk,
                "created": created,
                "required_roles": sorted(module.required_roles),
                "validity_months": module.validity_months,
                "questions": len(module.quiz),
                "active": module.is_active,
            },
        )
    return module


def _complete(
    *,
    person: User,
    module: TrainingModule,
    completed_at: datetime,
    method: str,
    actor: User | None,
    score: int | None = None,
    note: str = "",
) -> TrainingCompletion:
    """One completion row and its audit event (inside the caller's transaction)."""
    completion = TrainingCompletion.objects.create(
        person=person,
        module=module,
        completed_at=completed_at,
        expires_at=workflow.add_months(completed_at, module.validity_months),
        method=method,
        score=score,
        recorded_by=actor if method != CompletionMethod.QUIZ else None,
        note=note,
    )
    audit.record(
        kind=EventKind.TRAINING_COMPLETED,
        actor=actor,
        payload={
            "module": module.pk,
            "person": person.pk,
            "method": method,
            "completed_at": completion.completed_at.isoformat(),
            "expires_at": completion.expires_at.isoformat(),
            "score": score,
        },
    )
    return completion


@dataclass(frozen=True)
class QuizOutcome:
    score: int
    passed: bool
    completion: TrainingCompletion | None


def training_take(
    *, actor: User, module: TrainingModule, answers: dict[int, set[int]]
) -> QuizOutcome:
    """``actor`` completes ``module``: with a quiz, a passing score records the completion and
    a failing one only reports the score; without one, reading it is the completion."""
    if not (actor.is_authenticated and actor.is_active):
        raise ServiceError(_("Sign in to take a module."))
    with transaction.atomic():
        cached_lists_refresh()
        module = TrainingModule.objects.select_for_update().get(pk=module.pk)
        if not module.is_active:
            raise ServiceError(_("This module is retired."))
        score = training.quiz_score(module.quiz, answers) if module.quiz else None
        if score is not None and score < module.pass_mark:
            return QuizOutcome(score=score, passed=False, completion=None)
        completion = _complete(
            person=actor,
            module=module,
            completed_at=timezone.now(),
            method=CompletionMethod.QUIZ if module.quiz else CompletionMethod.READ,
            actor=actor,
            score=score,
        )
    return QuizOutcome(
        score=score if score is not None else 100, passed=True, completion=completion
    )


def _completed_at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _check_day(day: date) -> str | None:
    if day > timezone.localdate():
        return _("the date is in the future")
    if day.year < 2000:
        return _("the date is before 2000")
    return None


def training_record(
    *, actor: User, person: User, module: TrainingModule, completed_on: date, note: str
) -> TrainingCompletion:
    """An administrator records a completion done elsewhere, with a note saying where."""
    _check_admin(actor)
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Say where and how the training was done."), field="note")
    problem = _check_day(completed_on)
    if problem:
        raise ServiceError(problem, field="completed_on")
    with transaction.atomic():
        cached_lists_refresh()
        module = TrainingModule.objects.select_for_update().get(pk=module.pk)
        return _complete(
            person=person,
            module=module,
            completed_at=_completed_at(completed_on),
            method=CompletionMethod.RECORDED,
            actor=actor,
            note=note,
        )


class CsvProblems(ServiceError):
    """The import was refused; ``problems`` lists every one, with its line number."""

    def __init__(self, problems: list[str]):
        super().__init__(_("Nothing was imported: the file has problems."))
        self.problems = problems


CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 5_000
CSV_MAX_PROBLEMS = 200
CSV_HEADER = ["email", "module", "completed"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _decode(data: bytes) -> str:
    if len(data) > CSV_MAX_BYTES:
        raise CsvProblems([_("The file is larger than 1 MB; split it.")])
    if b"\x00" in data:
        raise CsvProblems([_("The file contains NUL bytes: it is not a CSV text file.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvProblems([_("The file is not UTF-8 text; save it as “CSV UTF-8”.")]) from None


def _parse_rows(text: str) -> tuple[list[tuple[int, list[str]]], list[str]]:
    problems = []
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise CsvProblems([_("The file is not valid CSV: %(error)s") % {"error": exc}]) from None
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise CsvProblems([_("The file is empty.")])
    header = [c.strip().lower() for c in numbered[0][1]]
    if header != CSV_HEADER:
        raise CsvProblems([_("Line 1: the header must be “email,module,completed”.")])
    body = numbered[1:]
    if len(body) > CSV_MAX_ROWS:
        raise CsvProblems([_("More than %(max)s rows; split the file.") % {"max": CSV_MAX_ROWS}])
    return body, problems


def training_import(*, actor: User, data: bytes) -> int:
    """Completions from a CSV file (``email,module,completed`` with the module's id or English
    title and an ISO date), all or nothing: ``CsvProblems`` lists every problem with its line
    number and nothing is recorded. Returns the number recorded."""
    _check_admin(actor)
    body, problems = _parse_rows(_decode(data))
    modules = list(TrainingModule.objects.all())
    by_key = {str(m.pk): m for m in modules} | {m.title_en.strip().lower(): m for m in modules}
    emails = {row[0].strip().lower() for _n, row in body if row}
    people = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    wanted, seen = [], set()
    for number, row in body:
        cells = [c.strip() for c in row]
        if len(cells) != 3:
            problems.append(_("Line %(line)s: expected 3 values.") % {"line": number})
            continue
        if any(c.startswith(FORMULA_STARTS) for c in cells):
            problems.append(
                _("Line %(line)s: a value starts with =, +, -, @ (a spreadsheet formula).")
                % {"line": number}
            )
            continue
        email, key, when = cells
        person = people.get(email.lower())
        module = by_key.get(key.lower())
        line_problems = []
        if person is None:
            line_problems.append(_("nobody has this e-mail address"))
        elif not person.is_active:
            line_problems.append(_("this person is deactivated"))
        if module is None:
            line_problems.append(_("no such module"))
        try:
            day = date.fromisoformat(when)
        except ValueError:
            line_problems.append(_("the date is not YYYY-MM-DD"))
        else:
            problem = _check_day(day)
            if problem:
                line_problems.append(problem)
        if not line_problems and (person.pk, module.pk, day) in seen:
            line_problems.append(_("the same completion appears twice"))
        if line_problems:
            problems.append(
                _("Line %(line)s: %(problems)s.")
                % {"line": number, "problems": "; ".join(line_problems)}
            )
            continue
        seen.add((person.pk, module.pk, day))
        wanted.append((person, module, day))
    if problems:
        raise CsvProblems(problems[:CSV_MAX_PROBLEMS])
    with transaction.atomic():
        cached_lists_refresh()
        locked = {
            m.pk: m
            for m in TrainingModule.objects.select_for_update().filter(
                pk__in={m.pk for _p, m, _d in wanted}
            )
        }
        for person, module, day in wanted:
            _complete(
                person=person,
                module=locked[module.pk],
                completed_at=_completed_at(day),
                method=CompletionMethod.IMPORTED,
                actor=actor,
            )
    return len(wanted)


def training_reminders_send(*, now=None) -> int:
    """Periodic: a reminder 30 and 7 days before a required module's training expires, once
    each (the dedupe key names the window, the module and the expiry; ``notify`` adds the
    person), to active people who hold a role it is required for and have not renewed it."""
    now = now or timezone.now()
    modules = {m.pk: m for m in training.active_modules()}
    horizon = now + timedelta(days=max(training.REMINDER_DAYS))
    renewed = TrainingCompletion.objects.filter(
        person=OuterRef("person"), module=OuterRef("module"), expires_at__gt=OuterRef("expires_at")
    )
    expiring = (
        TrainingCompletion.objects.filter(
            module_id__in=list(modules),
            expires_at__gt=now,
            expires_at__lte=horizon,
            person__is_active=True,
        )
        .exclude(Exists(renewed))
        .select_related("person")
        .prefetch_related("person__roles")
    )
    sent = 0
    for completion in expiring:
        module = modules[completion.module_id]
        person = completion.person
        if not required_for_person(module, person):
            continue
        window = next(
            d
            for d in sorted(training.REMINDER_DAYS)
            if completion.expires_at <= now + timedelta(days=d)
        )
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=[person],
                    kind=NotificationKind.TRAINING_EXPIRING,
                    params={
                        "days": window,
                        "expires": timezone.localdate(completion.expires_at).isoformat(),
                        "module": module.pk,
                        "title_en": module.title_en,
                        "title_ar": module.title_ar,
                    },
                    # Per person, module and expiry: a duplicate completion sends nothing more.
                    dedupe_key=(f"training{window}:{module.pk}:{completion.expires_at.date()}"),
                )
            )
    return sent


def required_for_person(module: TrainingModule, person: User) -> bool:
    return bool(set(module.required_roles or []) & person.role_set)
