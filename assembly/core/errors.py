"""Errors raised by services. Views turn them into translated 4xx answers; the live layer into
error events. Messages are lazy so they render in the reader's language."""


class DomainError(Exception):
    status = 400

    def __init__(self, message, **details):
        super().__init__(str(message))
        self.message = message
        self.details = details


class NotFound(DomainError):
    """Unknown, or not visible to this person: the two must look the same."""

    status = 404


class Forbidden(DomainError):
    """Known to exist, but this person may not do it."""

    status = 403


class Conflict(DomainError):
    """Not possible from the current state (e.g. a transition not allowed from this phase)."""

    status = 409


class Invalid(DomainError):
    """The input itself is wrong: the form is shown again with what was typed."""

    status = 422

    def __init__(self, message, field: str | None = None, **details):
        super().__init__(message, **details)
        self.field = field
