"""Domain errors that views and the API turn into 409 / 403 with a Chinese message."""

from __future__ import annotations

from django.core.exceptions import BadRequest, ValidationError


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """The object is not in a state that allows this change (HTTP 409)."""

    status_code = 409
    code = "invalid_transition"


class NotPermitted(DomainError):
    """The user can see the object but may not make this change (HTTP 403)."""

    status_code = 403
    code = "not_permitted"


class BadInput(BadRequest):
    """A page's query or form cannot be used as given (HTTP 400).

    Its message is written for the person who typed it and is shown on the 400 page;
    Django's own ``BadRequest``/``SuspiciousOperation`` messages are not.
    """


class Conflict(ValidationError):
    """A change the object's present state does not allow (already closed, already
    answered) or that would duplicate one already there.

    A ``ValidationError``, so pages show it beside the form like any refusal; the API
    answers it 409 with ``code`` ``invalid_transition`` (a state) or ``duplicate``.
    """

    api_code = "invalid_transition"


class Duplicate(Conflict):
    """The same thing is already recorded (an active consent, an answer, a signup)."""

    api_code = "duplicate"
