"""People → Edit roles and teams: who may change whom, what the change does (assignments
withdrawn, security log, a new session id), the last administrator, and Arabic."""

import pytest
from django.test import Client
from django.urls import reverse

from assessments import audit, services
from assessments.errors import ServiceError
from assessments.models import Assignment, AuditEvent, User, UserRole
from tests.factories import UserFactory
from tests.security.conftest import SecurityLog
from tests.services.test_separation_of_duties import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def security_log(caplog):
    from assessments.security_log import LOGGER_NAME

    caplog.set_level("INFO", logger=LOGGER_NAME)
    return SecurityLog(caplog)


def edit_url(person):
    return reverse("person_edit", args=[person.pk])


def fresh(user):
    return User.objects.prefetch_related("roles", "teams").get(pk=user.pk)


def state(user):
    user = fresh(user)
    return (
        user.role_set,
        {t.slug for t in user.teams.all()},
        user.is_specialist,
        user.access_version,
    )


# --- who may open the form -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("marketer", 403),
        ("outsider", 403),
        ("reviewer", 403),
        ("chair", 403),
        ("manager", 200),
        ("admin", 200),
    ],
)
def test_every_role_opening_the_form_for_a_marketer_of_the_team(
    client, personas, team, persona, expected
):
    target = UserFactory(email="colleague@example.com", roles=["marketer"], teams=[team])
    client.force_login(personas[persona])
    assert client.get(edit_url(target)).status_code == expected
    response = client.post(edit_url(target), {"roles": ["marketer", "manager"], "teams": [team.pk]})
    assert response.status_code == (302 if expected == 200 else expected)
    assert fresh(target).role_set == ({"marketer", "manager"} if expected == 200 else {"marketer"})


def test_anonymous_is_sent_to_sign_in(client, marketer):
    response = client.get(edit_url(marketer))
    assert response.status_code == 302 and "login" in response["Location"]


def test_manager_cannot_edit_another_teams_people_a_reviewer_or_themselves(
    client, manager, outsider, team, board
):
    reviewer_in_team = UserFactory(roles=["marketer", "reviewer"], teams=[team])
    client.force_login(manager)
    assert client.get(edit_url(outsider)).status_code == 404  # not on their People page
    assert client.get(edit_url(board[0])).status_code == 404
    before = state(reviewer_in_team)
    body = {"roles": ["marketer"], "teams": [team.pk]}
    assert client.post(edit_url(reviewer_in_team), body).status_code == 403
    assert state(reviewer_in_team) == before
    assert client.post(edit_url(manager), body).status_code == 403
    assert fresh(manager).role_set == {"manager"}


# --- what each may change ----------------------------------------------------------------------


def test_admin_changes_roles_teams_and_the_specialist_flag_at_once(
    client, admin_user, marketer, other_team, security_log
):
    client.force_login(admin_user)
    response = client.post(
        edit_url(marketer),
        {"roles": ["reviewer", "marketer"], "teams": [other_team.pk], "is_specialist": "on"},
    )
    assert response.status_code == 302
    roles, teams, specialist, version = state(marketer)
    assert (roles, teams, specialist) == ({"marketer", "reviewer"}, {"northwind"}, True)
    assert version == 1
    (entry,) = security_log.events("access_changed")
    assert (entry["actor_id"], entry["target_id"]) == (admin_user.pk, marketer.pk)
    assert (entry["roles_before"], entry["roles"]) == (["marketer"], ["marketer", "reviewer"])
    assert entry["teams"] == [other_team.pk] and entry["teams_before"] != entry["teams"]
    assert (entry["specialist_before"], entry["specialist"]) == (False, True)
    people = client.get(reverse("people")).text
    assert 'data-testid="specialist"' in people and "Northwind Retail" in people


def test_saving_without_a_change_changes_and_logs_nothing(
    client, admin_user, marketer, team, security_log
):
    client.force_login(admin_user)
    response = client.post(edit_url(marketer), {"roles": ["marketer"], "teams": [team.pk]})
    assert response.status_code == 302
    assert state(marketer)[3] == 0
    assert not security_log.events("access_changed")


def test_manager_gives_marketer_and_manager_roles_in_their_teams_only(
    client, manager, marketer, team, other_team, security_log
):
    marketer.teams.add(other_team)  # a team the manager does not run: it stays
    client.force_login(manager)
    form = client.get(edit_url(marketer)).text
    assert 'name="is_specialist"' not in form and "Northwind Retail" not in form
    for body in (
        {"roles": ["marketer", "admin"], "teams": [team.pk]},  # a role they may not give
        {"roles": ["marketer"], "teams": [other_team.pk]},  # a team they do not run
        {"roles": ["reviewer"], "teams": [team.pk]},
    ):
        assert client.post(edit_url(marketer), body).status_code == 400
    assert state(marketer)[:2] == ({"marketer"}, {"aurora", "northwind"})
    response = client.post(
        edit_url(marketer), {"roles": ["manager"], "teams": [team.pk], "is_specialist": "on"}
    )
    assert response.status_code == 302
    assert state(marketer)[:3] == ({"manager"}, {"aurora", "northwind"}, False)
    assert security_log.events("access_changed")[0]["actor_id"] == manager.pk


def test_the_service_refuses_a_manager_changing_the_specialist_flag(manager, marketer, team):
    with pytest.raises(ServiceError):
        services.user_update(
            actor=manager, user=marketer, roles=["marketer"], teams=[team], is_specialist=True
        )
    assert state(marketer) == ({"marketer"}, {"aurora"}, False, 0)


def test_bad_input_gets_a_clear_error_and_changes_nothing(client, admin_user, marketer, team):
    client.force_login(admin_user)
    for body in (
        {"roles": [], "teams": [team.pk]},
        {"roles": ["pope"], "teams": [team.pk]},
        {"roles": ["marketer"], "teams": [987654]},
        {"roles": ["marketer"], "teams": []},  # marketers need a team
    ):
        response = client.post(edit_url(marketer), body)
        assert response.status_code == 400, body
        assert "invalid-feedback" in response.text or "alert" in response.text
    assert state(marketer) == ({"marketer"}, {"aurora"}, False, 0)


# --- administrators ------------------------------------------------------------------------------


def test_admin_cannot_remove_their_own_administrator_role(client, admin_user):
    client.force_login(admin_user)
    response = client.post(edit_url(admin_user), {"roles": ["reviewer"]})
    assert response.status_code == 400
    assert "You cannot remove your own administrator role." in response.text
    assert fresh(admin_user).role_set == {"admin"}


def test_the_last_administrator_keeps_the_role(admin_user):
    other = UserFactory(email="second-admin@example.com", roles=["admin"])
    stale = User.objects.get(pk=other.pk)
    assert stale.has_role("admin")  # read before the first demotion, as a racing request
    services.user_update(
        actor=admin_user, user=other, roles=["reviewer"], teams=[], is_specialist=False
    )
    with pytest.raises(ServiceError, match="last administrator"):
        services.user_update(
            actor=stale, user=admin_user, roles=["reviewer"], teams=[], is_specialist=False
        )
    assert fresh(admin_user).role_set == {"admin"}
    assert fresh(admin_user).is_superuser


# --- consequences ------------------------------------------------------------------------------


def test_losing_the_reviewer_role_on_this_page_withdraws_open_assignments(
    client, complete_campaign, marketer, chair, board, admin_user, other_team
):
    staff(complete_campaign, marketer, chair, board[1:2])
    client.force_login(admin_user)
    response = client.post(edit_url(board[1]), {"roles": ["manager"], "teams": [other_team.pk]})
    assert response.status_code == 302
    assert Assignment.objects.get(reviewer=board[1]).status == "withdrawn"
    event = AuditEvent.objects.get(kind="assignment_withdrawn")
    assert event.actor_id == admin_user.pk
    assert Assignment.objects.exclude(reviewer=board[1]).get().status == "pending"
    assert audit.verify().ok


def test_joining_the_campaigns_team_on_this_page_withdraws_the_assignment(
    client, complete_campaign, marketer, chair, board, admin_user, team
):
    staff(complete_campaign, marketer, chair, board[1:2])
    client.force_login(admin_user)
    response = client.post(edit_url(board[1]), {"roles": ["reviewer"], "teams": [team.pk]})
    assert response.status_code == 302
    assert Assignment.objects.get(reviewer=board[1]).status == "withdrawn"


def test_a_team_change_gives_the_person_a_new_session_id(client, admin_user, marketer, other_team):
    theirs = Client()
    theirs.force_login(marketer)
    assert theirs.get(reverse("home")).status_code == 200
    before = theirs.cookies["sessionid"].value
    client.force_login(admin_user)
    body = {"roles": ["marketer"], "teams": [other_team.pk]}  # roles unchanged
    assert client.post(edit_url(marketer), body).status_code == 302
    assert theirs.get(reverse("home")).status_code == 200
    assert theirs.cookies["sessionid"].value != before


def test_people_list_shows_the_edit_link_only_where_allowed(client, manager, marketer, team):
    reviewer_in_team = UserFactory(roles=["marketer", "reviewer"], teams=[team])
    client.force_login(manager)
    html = client.get(reverse("people")).text
    assert edit_url(marketer) in html
    assert edit_url(reviewer_in_team) not in html
    assert edit_url(manager) not in html


def test_arabic(client, admin_user, marketer):
    admin_user.language = "ar"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    page = client.get(edit_url(marketer)).text
    assert 'dir="rtl"' in page
    assert "Roles and teams of" not in page and "Privacy/legal specialist" not in page
    assert "الأدوار" in page  # "Roles"
    response = client.post(edit_url(admin_user), {"roles": ["reviewer"]})
    assert response.status_code == 400
    assert "You cannot remove your own administrator role." not in response.text
    people = client.get(reverse("people")).text
    assert "Edit roles and teams" not in people


def test_the_service_re_checks_the_person_as_they_are_now(manager, marketer, team):
    stale = User.objects.get(pk=marketer.pk)
    assert stale.role_set == {"marketer"}  # read by the manager's request
    UserRole.objects.create(user=marketer, role="reviewer")  # an administrator, meanwhile
    with pytest.raises(ServiceError):
        services.user_update(
            actor=manager, user=stale, roles=["marketer"], teams=[team], is_specialist=False
        )
    assert fresh(marketer).role_set == {"marketer", "reviewer"}
