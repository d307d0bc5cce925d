"""The seeded demo's ethics training (issue #21): two modules (one with a quiz), completions
for the demo people, one marketer whose training has expired."""

import io

import pytest
from django.core.management import call_command

from assessments import training
from assessments.models import TrainingCompletion, TrainingModule, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


def test_the_demo_has_training_and_one_marketer_with_expired_training(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # once only
    assert TrainingModule.objects.count() == 2
    assert TrainingModule.objects.exclude(quiz=[]).count() == 1
    assert TrainingCompletion.objects.count() == 8

    def states(email):
        return {
            s.module.title_en: s.state for s in training.status_of(User.objects.get(email=email))
        }

    assert set(states("marketer@example.com").values()) == {training.CURRENT}
    assert training.EXPIRED in states("marketer2@example.com").values()
    assert set(states("reviewer@example.com").values()) == {training.CURRENT}
    assert set(states("chair@example.com").values()) == {training.CURRENT}
    assert training.dashboard_section()["expiring"]  # the reviewer's, within 30 days
