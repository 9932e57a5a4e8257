"""Login lockout: django-axes counts failures per account and per source address."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
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
