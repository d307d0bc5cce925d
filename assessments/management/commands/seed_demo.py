"""Demo data: two teams and one account per role. Safe to run again."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import Team, User, UserRole
from assessments.roles import Role

TEAMS = [
    ("Aurora Beverages", "aurora"),
    ("Northwind Retail", "northwind"),
]

# (e-mail, display name, roles, team slugs, language)
ACCOUNTS = [
    ("marketer@example.com", "Maya Marketer", [Role.MARKETER], ["aurora"], "en"),
    ("marketer2@example.com", "Omar Northwind", [Role.MARKETER], ["northwind"], "ar"),
    ("reviewer@example.com", "Rita Reviewer", [Role.REVIEWER], [], "en"),
    ("chair@example.com", "Chen Chair", [Role.CHAIR, Role.REVIEWER], [], "en"),
    ("manager@example.com", "Mona Manager", [Role.MANAGER], ["aurora", "northwind"], "en"),
    ("admin@example.com", "Adam Admin", [Role.ADMIN], [], "en"),
]


def demo_password(email: str) -> str:
    """Demo passwords are fixed so the README can name them; they pass the validators."""
    local = email.split("@", 1)[0]
    return f"{local.capitalize()}-Demo-2026"


class Command(BaseCommand):
    help = "Create demo teams and one account per role (idempotent). Refused unless DEBUG."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (never on a real installation).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it runs only with "
                "DEBUG=true (or --allow-production)."
            )
        with transaction.atomic():
            teams = {}
            for name, slug in TEAMS:
                teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
            rows = []
            for email, name, roles, team_slugs, language in ACCOUNTS:
                password = demo_password(email)
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email, password=password, display_name=name, language=language
                    )
                else:
                    # Re-running restores the documented password and an active account.
                    user.set_password(password)
                    user.is_active = True
                    user.save(update_fields=["password", "is_active"])
                for role in roles:
                    UserRole.objects.get_or_create(user=user, role=role)
                if Role.ADMIN in roles:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                user.teams.add(*[teams[slug] for slug in team_slugs])
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
                rows.append((", ".join(str(Role(r).label) for r in roles), email, password))
        self.stdout.write(self.style.SUCCESS("Demo accounts (sign in with e-mail and password):"))
        width = max(len(r[0]) for r in rows)
        for roles, email, password in rows:
            self.stdout.write(f"  {roles:<{width}}  {email:<24} {password}")
