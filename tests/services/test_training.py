"""Ethics training writes (issue #21): modules, the quiz, recorded and imported completions
(all or nothing, every problem with its line number, hostile files refused), each completion
an audit event with its date and expiry."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from assessments import audit, services, training
from assessments.errors import ServiceError
from assessments.models import AuditEvent, EventKind, TrainingCompletion
from assessments.services.training import CSV_MAX_BYTES
from tests.factories import UserFactory
from tests.training_support import QUIZ, make_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]

MODULE_DATA = {
    "title_en": "Fairness in targeting",
    "title_ar": "العدالة في الاستهداف",
    "content_en": "Test who you reach.",
    "content_ar": "اختبر من تصل إليهم.",
    "external_url": "",
    "required_roles": ["marketer", "reviewer"],
    "validity_months": 24,
    "quiz": QUIZ,
    "pass_mark": 100,
    "is_active": True,
}


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "chair", "manager"])
def test_only_administrators_define_modules(personas, persona):
    with pytest.raises(ServiceError):
        services.training_module_save(actor=personas[persona], data=MODULE_DATA)


def test_a_module_is_saved_with_an_event(admin_user):
    module = services.training_module_save(actor=admin_user, data=MODULE_DATA)
    assert module.required_roles == ["marketer", "reviewer"]
    event = AuditEvent.objects.get(kind=EventKind.TRAINING_MODULE_SAVED)
    assert event.payload["module"] == module.pk and event.actor_id == admin_user.pk
    changed = services.training_module_save(
        actor=admin_user, module=module, data={**MODULE_DATA, "validity_months": 6}
    )
    assert changed.pk == module.pk and changed.validity_months == 6
    assert audit.verify().ok


def test_a_module_needs_content_or_an_https_link(admin_user):
    with pytest.raises(ServiceError):
        services.training_module_save(
            actor=admin_user, data={**MODULE_DATA, "content_en": "", "content_ar": ""}
        )
    with pytest.raises(ServiceError):
        services.training_module_save(
            actor=admin_user, data={**MODULE_DATA, "external_url": "http://example.com/"}
        )


def test_passing_the_quiz_records_a_completion_and_its_event(marketer):
    module = make_module(quiz=QUIZ, pass_mark=100, validity_months=12)
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        outcome = services.training_take(actor=marketer, module=module, answers={0: {0, 1}, 1: {0}})
    assert outcome.passed and outcome.score == 100
    completion = TrainingCompletion.objects.get()
    assert completion.method == "quiz" and completion.score == 100
    assert completion.expires_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    event = AuditEvent.objects.get(kind=EventKind.TRAINING_COMPLETED)
    assert event.payload == {
        "module": module.pk,
        "person": marketer.pk,
        "method": "quiz",
        "completed_at": "2026-03-01T09:00:00+00:00",
        "expires_at": "2027-03-01T09:00:00+00:00",
        "score": 100,
    }


def test_failing_the_quiz_records_nothing_and_gives_the_score(marketer):
    module = make_module(quiz=QUIZ, pass_mark=100)
    outcome = services.training_take(actor=marketer, module=module, answers={0: {0}, 1: {0}})
    assert not outcome.passed and outcome.score == 50
    assert not TrainingCompletion.objects.exists()
    assert not AuditEvent.objects.filter(kind=EventKind.TRAINING_COMPLETED).exists()


def test_a_module_without_quiz_is_completed_by_reading_it(marketer):
    module = make_module()
    outcome = services.training_take(actor=marketer, module=module, answers={})
    assert outcome.passed and outcome.completion.method == "read"


def test_a_retired_module_cannot_be_taken(marketer):
    with pytest.raises(ServiceError):
        services.training_take(actor=marketer, module=make_module(is_active=False), answers={})


def test_the_quiz_text_form_round_trips_and_lists_problems_with_line_numbers():
    assert training.parse_quiz(training.quiz_text(QUIZ)) == QUIZ
    with pytest.raises(ValidationError) as invalid:
        training.parse_quiz("* before | قبل\n? Q only English\n? Q | س\n- a | أ\n- b | ب\nx")
    messages = invalid.value.messages
    assert any("Line 1" in m for m in messages)
    assert any("Line 2" in m for m in messages)
    assert any("Line 6" in m for m in messages)
    assert any("no right answer" in m for m in messages)


def test_an_administrator_records_a_completion_with_a_note(admin_user, marketer):
    module = make_module()
    completion = services.training_record(
        actor=admin_user,
        person=marketer,
        module=module,
        completed_on=date(2026, 1, 10),
        note="Provider course, certificate 123",
    )
    assert completion.recorded_by == admin_user and completion.method == "recorded"
    assert completion.completed_at == datetime(2026, 1, 10, tzinfo=UTC)
    event = AuditEvent.objects.get(kind=EventKind.TRAINING_COMPLETED)
    assert "note" not in event.payload  # free text about a person stays out of the chain
    assert event.payload["expires_at"] == "2027-01-10T00:00:00+00:00"


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "chair", "manager"])
def test_only_administrators_record_and_import(personas, persona, marketer):
    module = make_module()
    with pytest.raises(ServiceError):
        services.training_record(
            actor=personas[persona],
            person=marketer,
            module=module,
            completed_on=date(2026, 1, 10),
            note="x",
        )
    with pytest.raises(ServiceError):
        services.training_import(actor=personas[persona], data=b"email,module,completed\n")
    assert not TrainingCompletion.objects.exists()


def test_recording_needs_a_note_and_a_past_date(admin_user, marketer, reference_time):
    module = make_module()
    with pytest.raises(ServiceError):
        services.training_record(
            actor=admin_user,
            person=marketer,
            module=module,
            completed_on=date(2026, 1, 1),
            note=" ",
        )
    with pytest.raises(ServiceError):
        services.training_record(
            actor=admin_user,
            person=marketer,
            module=module,
            completed_on=date(2027, 1, 1),
            note="x",
        )


# --- CSV import ------------------------------------------------------------------------------


def test_import_records_every_row(admin_user, marketer, reviewer, reference_time):
    module = make_module()
    data = (
        "email,module,completed\n"
        f"MARKETER@example.com,{module.pk},2026-01-05\n"
        "reviewer@example.com,privacy and consent,2026-02-01\n"
    ).encode()
    assert services.training_import(actor=admin_user, data=data) == 2
    assert set(TrainingCompletion.objects.values_list("person__email", "method")) == {
        ("marketer@example.com", "imported"),
        ("reviewer@example.com", "imported"),
    }
    assert AuditEvent.objects.filter(kind=EventKind.TRAINING_COMPLETED).count() == 2


def test_import_is_all_or_nothing_and_lists_every_problem(admin_user, marketer, reference_time):
    module = make_module()
    gone = UserFactory(email="gone@example.com", is_active=False)
    data = (
        "\ufeffEmail,Module,Completed\n"
        f"marketer@example.com,{module.pk},2026-01-05\n"  # fine
        "nobody@example.com,999,2026-01-05\n"
        f"marketer@example.com,{module.pk},05/01/2026\n"
        f"{gone.email},{module.pk},2026-01-05\n"
        f"marketer@example.com,{module.pk},2030-01-01\n"
        f"marketer@example.com,{module.pk}\n"
        f"marketer@example.com,{module.pk},2026-01-05\n"  # the same as line 2
    ).encode()
    with pytest.raises(services.CsvProblems) as refused:
        services.training_import(actor=admin_user, data=data)
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == [f"Line {n}" for n in range(3, 9)]
    assert "nobody has this e-mail address" in problems[0] and "no such module" in problems[0]
    assert "YYYY-MM-DD" in problems[1]
    assert "deactivated" in problems[2]
    assert "future" in problems[3]
    assert "3 values" in problems[4]
    assert "twice" in problems[5]
    assert not TrainingCompletion.objects.exists()
    assert not AuditEvent.objects.filter(kind=EventKind.TRAINING_COMPLETED).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"email,module,completed\n" + b"x" * CSV_MAX_BYTES, "larger than 1 MB"),
        (b"email,module,completed\nm@example.com\x00,1,2026-01-01\n", "NUL"),
        ("email,module,completed\nmé@example.com,1,2026-01-01\n".encode("latin-1"), "UTF-8"),
        (b"", "empty"),
        (b"name,when\n", "header"),
        (b"email,module,completed\n" + b"a@example.com,1,2026-01-01\n" * 5001, "More than"),
    ],
)
def test_hostile_files_are_refused_clearly(admin_user, data, message):
    with pytest.raises(services.CsvProblems) as refused:
        services.training_import(actor=admin_user, data=data)
    assert message in refused.value.problems[0]


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)"])
def test_formula_cells_are_refused(admin_user, marketer, cell):
    make_module()
    data = f"email,module,completed\nmarketer@example.com,{cell},2026-01-01\n".encode()
    with pytest.raises(services.CsvProblems) as refused:
        services.training_import(actor=admin_user, data=data)
    assert "formula" in refused.value.problems[0]


def test_a_persons_export_includes_their_training(admin_user, marketer):
    services.training_record(
        actor=admin_user,
        person=marketer,
        module=make_module(),
        completed_on=date(2026, 1, 10),
        note="Provider course",
    )
    [row] = services.person_export(user=marketer)["training"]
    assert row["method"] == "recorded" and row["note"] == "Provider course"
    assert row["expires_at"].startswith("2027-01-10")
