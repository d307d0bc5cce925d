"""The dashboard's training section (issue #21) reads a fixed number of queries whatever the
number of people and completions: the modules, the people's roles and teams, the current
trainings."""

from datetime import timedelta

import pytest
from django.urls import reverse

from assessments import training
from tests.factories import UserFactory
from tests.training_support import complete, make_module

pytestmark = pytest.mark.django_db

SECTION_QUERIES = 3


def people(count, module, team, now):
    for _ in range(count):
        person = UserFactory(roles=["marketer"], teams=[team])
        complete(person, module, now - timedelta(days=100))


def test_the_section_reads_three_queries_whatever_the_data(
    team, manager, reference_time, django_assert_num_queries, client
):
    module = make_module(roles=["marketer", "reviewer"])
    people(3, module, team, reference_time)
    with django_assert_num_queries(SECTION_QUERIES):
        small = training.dashboard_section()
    people(30, module, team, reference_time)
    with django_assert_num_queries(SECTION_QUERIES):
        large = training.dashboard_section()
    assert [(r.team, r.role, r.people, r.covered) for r in small["rows"]] == [
        ("Aurora Beverages", "marketer", 3, 3)
    ]
    assert large["rows"][0].people == 33
    client.force_login(manager)
    assert client.get(reverse("dashboard")).status_code == 200


def test_without_modules_the_section_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert training.dashboard_section()["modules"] is False
