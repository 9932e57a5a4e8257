"""Domain errors that views and the API turn into 409 / 403 with a Chinese message."""

from __future__ import annotations


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
