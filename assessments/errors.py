class ServiceError(Exception):
    """A refused action. ``message`` is user-facing (translated) text; views show it
    as an error and nothing has changed."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class SignatureLocked(ServiceError):
    """Too many wrong signature passwords: signing is refused for a while and the view
    ends the person's session (they sign in again)."""
