from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Ethics Review")

    def ready(self) -> None:
        # Imported once the registry is ready (the audit module uses the models): the usual
        # place to wire receivers, not a way around a circular import.
        # tasks: the web process enqueues tasks by name, so they are registered here
        # rather than only when a worker autodiscovers them.
        from . import audit, tasks  # noqa: F401

        # SQLite's append-only trigger calls audit_guard(), a function each connection
        # must be given when it opens.
        connection_created.connect(
            audit.register_sqlite_functions, dispatch_uid="assessments.audit.sqlite_functions"
        )
