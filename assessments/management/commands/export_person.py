import json

from django.core.management.base import BaseCommand, CommandError

from assessments.models import User
from assessments.services import person_export


class Command(BaseCommand):
    help = "Print everything Ethics Review holds about one person, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {options['email']!r}.")
        self.stdout.write(json.dumps(person_export(user=user), indent=2, ensure_ascii=False))
