"""The demo accounts the bulk history acts as: created once, reused by later runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from assessments.models import (
    Team,
    User,
    UserRole,
)
from assessments.roles import Role

from .vocabulary import BULK_PASSWORD, FIRST_NAMES, HISTORY_MONTHS, LAST_NAMES, TEAMS

# --- people ---------------------------------------------------------------------------------


@dataclass
class _Person:
    id: int
    name: str
    email: str
    specialist: bool = False


@dataclass
class _People:
    teams: list[Team]
    marketers: dict[int, list[_Person]]  # team id -> marketers
    managers: dict[int, list[_Person]]
    reviewers: list[_Person]
    chairs: list[_Person]
    created: int = 0


def _people_spec() -> list[tuple[str, str, list[str], list[str], bool]]:
    """(e-mail, name, roles, team slugs, specialist) of the accounts this module adds."""
    names = iter(zip(FIRST_NAMES, LAST_NAMES, strict=True))
    spec = []

    def person(roles, teams, specialist=False):
        first, last = next(names)
        spec.append(
            (f"{first}.{last}@example.com".lower(), f"{first} {last}", roles, teams, specialist)
        )

    for _name, slug in TEAMS:
        for _ in range(2 if slug in ("aurora", "northwind") else 3):
            person([Role.MARKETER], [slug])
    slugs = [slug for _name, slug in TEAMS]
    person([Role.MANAGER], slugs[2:5])
    person([Role.MANAGER], slugs[5:])
    person([Role.CHAIR, Role.REVIEWER], [])
    for index in range(9):
        person([Role.REVIEWER], [], specialist=index < 3)
    return spec


def _ensure_people(now: datetime) -> _People:
    """Teams and accounts (created once; later runs reuse them). One password hash for all."""
    teams = {}
    for name, slug in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
    spec = _people_spec()
    existing = set(
        User.objects.filter(email__in=[s[0] for s in spec]).values_list("email", flat=True)
    )
    missing = [s for s in spec if s[0] not in existing]
    if missing:
        password = make_password(BULK_PASSWORD)
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    display_name=name,
                    password=password,
                    language="en",
                    is_specialist=specialist,
                    date_joined=now - timedelta(days=31 * HISTORY_MONTHS + 30),
                )
                for email, name, _roles, _teams, specialist in missing
            ]
        )
        ids = dict(
            User.objects.filter(email__in=[s[0] for s in missing]).values_list("email", "id")
        )
        UserRole.objects.bulk_create(
            [UserRole(user_id=ids[s[0]], role=role) for s in missing for role in s[2]],
            ignore_conflicts=True,
        )
        Membership = User.teams.through
        Membership.objects.bulk_create(
            [Membership(user_id=ids[s[0]], team_id=teams[t].pk) for s in missing for t in s[3]],
            ignore_conflicts=True,
        )
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=ids[s[0]], email=s[0], verified=True, primary=True)
                for s in missing
            ]
        )
    team_list = [teams[slug] for _name, slug in TEAMS]

    def people(role, **filters):
        qs = (
            User.objects.filter(is_active=True, roles__role=role, **filters)
            .order_by("pk")
            .distinct()
        )
        return [_Person(u.pk, u.display_name or u.email, u.email, u.is_specialist) for u in qs]

    return _People(
        teams=team_list,
        marketers={t.pk: people(Role.MARKETER, teams=t) for t in team_list},
        managers={t.pk: people(Role.MANAGER, teams=t) for t in team_list},
        reviewers=people(Role.REVIEWER),
        chairs=people(Role.CHAIR),
        created=len(missing),
    )
