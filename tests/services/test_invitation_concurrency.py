"""Two people racing to accept one invitation on PostgreSQL: exactly one account."""

import threading

import pytest
from django.db import connections

from assessments import services
from assessments.errors import ServiceError
from assessments.invitations import invitation_token
from assessments.models import User
from tests.factories import PASSWORD, InvitationFactory


@pytest.mark.django_db(transaction=True)
def test_simultaneous_acceptances_create_exactly_one_account(postgres):
    invitation = InvitationFactory()
    token = invitation_token(invitation)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.invitation_accept(
                token=token, email=invitation.email, display_name=name, password=PASSWORD
            )
            result = "accepted"
        except ServiceError as exc:
            result = f"refused: {exc.message}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=accept, args=(f"racer {i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[0] == "accepted"
    assert outcomes.count("accepted") == 1, outcomes
    assert all("already been used" in o for o in outcomes if o != "accepted"), outcomes
    assert User.objects.filter(email=invitation.email).count() == 1
