from django.core.management.base import BaseCommand, CommandError

from assessments.models import User
from assessments.services import person_erase


class Command(BaseCommand):
    help = "Pseudonymise one person everywhere; the audit chain stays valid."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {options['email']!r}.")
        if not options["yes"]:
            raise CommandError("This cannot be undone. Run again with --yes to confirm.")
        label = person_erase(user=user)
        self.stdout.write(f"{options['email']} is now {label}; they can no longer sign in.")
