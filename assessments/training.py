"""Ethics training rules (issue #21): who needs which module, whose training is current, the
quiz (its text format and its score), and the policy that refuses an act without it.

Reads only; the writes are in ``services.training``. A person's status for a module comes
from their latest completion: *current* while ``now < expires_at``, *expired* after, *missing*
without any. A policy needs every active module required for the roles the person acts in;
when no module is required for those roles nothing is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .errors import ServiceError
from .models import TrainingCompletion, TrainingModule, User
from .roles import Role

CURRENT, EXPIRED, MISSING = "current", "expired", "missing"
EXPIRING_DAYS = 30
REMINDER_DAYS = (30, 7)
BOARD_ROLES = frozenset({Role.REVIEWER, Role.CHAIR})


@dataclass(frozen=True)
class ModuleStatus:
    module: TrainingModule
    state: str
    completed_at: datetime | None = None
    expires_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.state == CURRENT

    @property
    def label(self) -> str:
        return {
            CURRENT: _("Current"),
            EXPIRED: _("Expired"),
            MISSING: _("Not taken"),
        }[self.state]

    def as_dict(self) -> dict:
        return {
            "module": self.module.pk,
            "title": self.module.title,
            "status": self.state,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "url": reverse("training_module", args=[self.module.pk]),
        }


def active_modules() -> list[TrainingModule]:
    return list(TrainingModule.objects.active())


def required_modules(roles: Iterable[str], modules=None) -> list[TrainingModule]:
    """The active modules required for any of ``roles``."""
    roles = set(roles)
    modules = active_modules() if modules is None else modules
    return [m for m in modules if m.is_active and roles.intersection(m.required_roles or [])]


def latest_completions(people: Iterable[int], modules: Iterable[int]) -> dict:
    """{(person id, module id): (completed_at, expires_at)} of each pair's latest completion,
    in one query."""
    rows = (
        TrainingCompletion.objects.filter(person_id__in=list(people), module_id__in=list(modules))
        .values("person_id", "module_id")
        .annotate(completed=Max("completed_at"), expires=Max("expires_at"))
    )
    return {(r["person_id"], r["module_id"]): (r["completed"], r["expires"]) for r in rows}


def statuses(person_id: int, modules, latest: dict, now: datetime) -> list[ModuleStatus]:
    """The person's status for each of ``modules`` from ``latest_completions``."""
    result = []
    for module in modules:
        completed, expires = latest.get((person_id, module.pk), (None, None))
        if expires is None:
            state = MISSING
        elif now < expires:
            state = CURRENT
        else:
            state = EXPIRED
        result.append(ModuleStatus(module, state, completed, expires))
    return result


def status_of(person: User, *, roles: Iterable[str] | None = None, now=None) -> list[ModuleStatus]:
    """``person``'s status for every module required for ``roles`` (default: their roles)."""
    now = now or timezone.now()
    modules = required_modules(person.role_set if roles is None else roles)
    if not modules:
        return []
    latest = latest_completions([person.pk], [m.pk for m in modules])
    return statuses(person.pk, modules, latest, now)


def people_statuses(people: list[User], *, now=None) -> dict[int, list[ModuleStatus]]:
    """{person id: statuses for the modules their roles require} for a list of people whose
    roles are prefetched; two queries whatever the number of people."""
    now = now or timezone.now()
    modules = active_modules()
    if not modules or not people:
        return {p.pk: [] for p in people}
    latest = latest_completions([p.pk for p in people], [m.pk for m in modules])
    return {
        p.pk: statuses(p.pk, required_modules(p.role_set, modules), latest, now) for p in people
    }


# --- the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    team: str
    role: str
    people: int
    covered: int

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.people) if self.people else 100

    @property
    def role_label(self) -> str:
        return str(dict(Role.choices)[self.role])


@dataclass(frozen=True)
class Expiring:
    person: str
    module: TrainingModule
    expires_at: datetime


def dashboard_section(*, now=None) -> dict:
    """Training coverage by team and role (active people holding a role some module is
    required for; covered: every such module current) and the trainings that expire within
    ``EXPIRING_DAYS`` and are not renewed. One query without modules, three with."""
    now = now or timezone.now()
    modules = active_modules()
    if not modules:
        return {"modules": False, "rows": [], "expiring": []}
    roles_by_person: dict[int, set[str]] = {}
    teams_by_person: dict[int, set[str]] = {}
    # One row per (person, role, team): both lists in one query (people hold few of each).
    for person_id, role, team in User.objects.filter(
        is_active=True, roles__isnull=False
    ).values_list("pk", "roles__role", "teams__name"):
        roles_by_person.setdefault(person_id, set()).add(role)
        if team:
            teams_by_person.setdefault(person_id, set()).add(team)
    latest: dict[tuple[int, int], datetime] = {}
    names: dict[int, str] = {}
    for person_id, module_id, expires, name in TrainingCompletion.objects.filter(
        module__in=modules, expires_at__gt=now, person__is_active=True
    ).values_list("person_id", "module_id", "expires_at", "person__display_name"):
        key = (person_id, module_id)
        latest[key] = max(expires, latest.get(key, expires))
        names[person_id] = name
    counts: dict[tuple[str, str], list[int]] = {}
    no_team = str(_("No team"))
    for person_id, roles in roles_by_person.items():
        for role in roles:
            required = required_modules({role}, modules)
            if not required:
                continue
            covered = all((person_id, m.pk) in latest for m in required)
            for team in teams_by_person.get(person_id) or [no_team]:
                cell = counts.setdefault((team, role), [0, 0])
                cell[0] += 1
                cell[1] += covered
    order = {role: index for index, role in enumerate(Role.values)}
    rows = [
        CoverageRow(team, role, people, covered)
        for (team, role), (people, covered) in sorted(
            counts.items(), key=lambda item: (item[0][0], order[item[0][1]])
        )
    ]
    by_pk = {m.pk: m for m in modules}
    horizon = now + timedelta(days=EXPIRING_DAYS)
    expiring = sorted(
        (
            Expiring(names[person_id], by_pk[module_id], expires)
            for (person_id, module_id), expires in latest.items()
            if expires <= horizon
            and by_pk[module_id] in required_modules(roles_by_person.get(person_id, ()), modules)
        ),
        key=lambda e: (e.expires_at, e.person),
    )
    return {"modules": True, "rows": rows, "expiring": expiring}


# --- the policy ----------------------------------------------------------------------------


class TrainingRequired(ServiceError):
    """Refused for want of current training. ``message`` links to each missing module (for
    pages); ``text`` says the same without markup (for the API); ``missing`` lists them."""

    def __init__(self, missing: list[ModuleStatus]):
        self.missing = missing
        self.text = _(
            "Your required ethics training is not current, so nothing was done. Complete "
            "first: %(modules)s."
        ) % {"modules": "; ".join(f"{_describe(s)} ({s.as_dict()['url']})" for s in missing)}
        links = format_html_join(
            "; ",
            '<a href="{}">{}</a> ({})',
            ((s.as_dict()["url"], s.module.title, _state_phrase(s)) for s in missing),
        )
        message = format_html(
            "{} {}.",
            _("Your required ethics training is not current, so nothing was done. Complete first:"),
            links,
        )
        super().__init__(message)


def _state_phrase(status: ModuleStatus) -> str:
    if status.state == EXPIRED:
        return _("expired on %(date)s") % {
            "date": formats.date_format(timezone.localtime(status.expires_at), "Y-m-d")
        }
    return _("not taken")


def _describe(status: ModuleStatus) -> str:
    return f"“{status.module.title}”, {_state_phrase(status)}"


def missing_for(person: User, roles: Iterable[str], *, now=None) -> list[ModuleStatus]:
    return [s for s in status_of(person, roles=roles, now=now) if not s.current]


def require_to_submit(actor: User, *, now=None) -> None:
    """A marketer needs the modules required for marketers (``TRAINING_REQUIRED_TO_SUBMIT``)."""
    if settings.TRAINING_REQUIRED_TO_SUBMIT:
        missing = missing_for(actor, {Role.MARKETER}, now=now)
        if missing:
            raise TrainingRequired(missing)


def require_to_decide(actor: User, act_role: str, *, now=None) -> None:
    """A reviewer or chair needs the modules required for the role they act in and for the
    board roles they hold, to vote, confirm or overrule (``TRAINING_REQUIRED_TO_DECIDE``)."""
    if settings.TRAINING_REQUIRED_TO_DECIDE:
        roles = {act_role} | (BOARD_ROLES & actor.role_set)
        missing = missing_for(actor, roles, now=now)
        if missing:
            raise TrainingRequired(missing)


# --- the quiz ------------------------------------------------------------------------------

QUIZ_MAX_QUESTIONS = 30
QUIZ_MAX_OPTIONS = 8
QUIZ_MAX_LINE = 500


def parse_quiz(text: str) -> list[dict]:
    """The quiz from its text form, one line each: ``? question | السؤال``, then its options
    ``* right answer | ...`` or ``- wrong answer | ...`` (English, then Arabic after "|").
    ValidationError lists every problem with its line number."""
    quiz, problems = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > QUIZ_MAX_LINE:
            problems.append(_("Line %(line)s is too long.") % {"line": number})
            continue
        marker, body = line[0], line[1:].strip()
        en, sep, ar = body.partition("|")
        en, ar = en.strip(), ar.strip()
        if marker not in "?*-":
            problems.append(
                _("Line %(line)s: start it with “?” (question), “*” (right) or “-” (wrong).")
                % {"line": number}
            )
            continue
        if not (en and sep and ar):
            problems.append(
                _("Line %(line)s: write the English text, “|”, then the Arabic text.")
                % {"line": number}
            )
            continue
        if marker == "?":
            quiz.append({"question": {"en": en, "ar": ar}, "options": [], "correct": []})
        elif not quiz:
            problems.append(_("Line %(line)s: an option before any question.") % {"line": number})
        else:
            question = quiz[-1]
            if marker == "*":
                question["correct"].append(len(question["options"]))
            question["options"].append({"en": en, "ar": ar})
    for index, question in enumerate(quiz, start=1):
        if len(question["options"]) < 2 or len(question["options"]) > QUIZ_MAX_OPTIONS:
            problems.append(
                _("Question %(n)s needs between 2 and %(max)s options.")
                % {"n": index, "max": QUIZ_MAX_OPTIONS}
            )
        if not question["correct"]:
            problems.append(_("Question %(n)s has no right answer (“*”).") % {"n": index})
    if len(quiz) > QUIZ_MAX_QUESTIONS:
        problems.append(_("At most %(max)s questions.") % {"max": QUIZ_MAX_QUESTIONS})
    if problems:
        raise ValidationError(problems)
    return quiz


def quiz_text(quiz: list[dict]) -> str:
    """The text form of ``quiz`` (``parse_quiz`` reads it back)."""
    lines = []
    for question in quiz or []:
        lines.append(f"? {question['question']['en']} | {question['question']['ar']}")
        for index, option in enumerate(question["options"]):
            mark = "*" if index in question["correct"] else "-"
            lines.append(f"{mark} {option['en']} | {option['ar']}")
    return "\n".join(lines)


def quiz_score(quiz: list[dict], answers: dict[int, set[int]]) -> int:
    """Percentage of questions answered exactly right (every right option, no wrong one)."""
    if not quiz:
        return 100
    right = sum(
        1 for index, q in enumerate(quiz) if set(answers.get(index, ())) == set(q["correct"])
    )
    return round(100 * right / len(quiz))
