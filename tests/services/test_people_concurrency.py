"""Two administrators taking the role from each other at the same moment on PostgreSQL:
one of them stays an administrator."""

import threading

import pytest
from django.db import connections

from assessments import services
from assessments.errors import ServiceError
from assessments.models import User, UserRole
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_leave_one_admin(postgres):
    first = UserFactory(email="first-admin@example.com", roles=["admin"])
    second = UserFactory(email="second-admin@example.com", roles=["admin"])
    # Each request read its actor (an administrator) before either change.
    actors = {first.pk: User.objects.get(pk=first.pk), second.pk: User.objects.get(pk=second.pk)}
    for actor in actors.values():
        assert actor.has_role("admin")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def demote(actor: User, target: User) -> None:
        try:
            barrier.wait(timeout=10)
            services.user_update(
                actor=actor, user=target, roles=["reviewer"], teams=[], is_specialist=False
            )
            result = "demoted"
        except ServiceError as exc:
            result = f"refused: {exc.message}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=demote, args=(actors[first.pk], second)),
        threading.Thread(target=demote, args=(actors[second.pk], first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [
        "demoted",
        "refused: This is the last administrator: give someone else the role first.",
    ], outcomes
    assert UserRole.objects.filter(role="admin").count() == 1
