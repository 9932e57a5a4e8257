"""Login lockout: django-axes counts failures per account and per source address."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.db.models import Sum
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Axes' guard, first in ``AUTHENTICATION_BACKENDS``.

    Every login over HTTP (the login page, the admin site) passes its request and is
    checked. ``authenticate()`` without a request only happens in code run by an
    operator or a test (``Client.login``, the shell); there is no address to lock then,
    so the guard steps aside instead of raising as axes does by default.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


def locked_parameters(request: HttpRequest, credentials: dict[str, Any] | None) -> set[str]:
    """Which of axes' lockout parameters (``username``, ``ip_address``) hold the lock now.

    The lockout page must say what is locked: someone at a locked address who typed the
    right password has not had their account locked. Axes' own handler answers, one
    queryset of recent attempts per parameter (in the order of the parameters), so the
    counting is axes' and not a copy of it.
    """
    handler = AxesProxyHandler.get_implementation()
    attempts_of = getattr(handler, "get_user_attempts", None)
    parameters = get_lockout_parameters(request, credentials)
    if attempts_of is None:  # a handler without per-parameter attempts: name them all
        return {p for p in parameters if isinstance(p, str)}
    limit = get_failure_limit(request, credentials)
    locked: set[str] = set()
    for parameter, attempts in zip(parameters, attempts_of(request, credentials), strict=True):
        failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if failures >= limit:
            locked.update([parameter] if isinstance(parameter, str) else parameter)
    return locked
