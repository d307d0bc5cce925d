from django.apps import AppConfig
from django.contrib.auth import signals as auth_signals
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
        from allauth.account import signals as account_signals
        from allauth.mfa import signals as mfa_signals
        from django.db.models import fields

        from . import audit, security_log, tasks  # noqa: F401
        from .services import search_text

        # Django's own Arabic catalogue lacks the blank choice of select boxes: the same
        # label through ours, which translates it.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
        # SQLite's append-only trigger calls audit_guard(), a function each connection
        # must be given when it opens.
        connection_created.connect(
            audit.register_sqlite_functions, dispatch_uid="assessments.audit.sqlite_functions"
        )
        # Security events (sign-in, sign-out, failed sign-in, second factor) to the
        # ethicsreview.security log.
        for signal, receiver in (
            (auth_signals.user_logged_in, security_log.on_logged_in),
            (auth_signals.user_logged_out, security_log.on_logged_out),
            (auth_signals.user_login_failed, security_log.on_login_failed),
            (mfa_signals.authenticator_added, security_log.on_mfa_added),
            (mfa_signals.authenticator_removed, security_log.on_mfa_removed),
            (mfa_signals.authentication_failed, security_log.on_mfa_failed),
        ):
            signal.connect(receiver, dispatch_uid=f"assessments.security_log.{receiver.__name__}")
        # A new primary e-mail address changes what its owner's campaigns are found by.
        account_signals.email_changed.connect(
            search_text.on_email_changed, dispatch_uid="assessments.search_text.email_changed"
        )
