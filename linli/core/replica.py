"""Reads from a streaming read replica, only where that is safe (issue 19).

With ``DATABASE_REPLICA_URL`` set (``settings.LINLI_READ_REPLICA``), the database alias
``replica`` is a PostgreSQL hot standby of ``default``. Everything reads and writes the
primary (``default``) except the queries of a view marked :func:`replica_reads`, and then
only when every one of these holds:

- the request is a ``GET`` or ``HEAD`` (a form post, an API write: always the primary);
- the browser (cookie) or the user (cache, shared by every app server through Redis) did
  not write anything in the last ``LINLI_REPLICA_PIN_SECONDS`` seconds — read-your-own-
  writes: whoever just filed a request sees it in their list at once, however far the
  replica lags;
- the primary is not inside a transaction of the view's own (``transaction.atomic()``:
  an audit record, a rebuild of an aggregate): what is read there to be written goes to
  the primary, as do ``select_for_update()``, ``get_or_create()`` and every write;
- the model is not in :data:`PRIMARY_ONLY_APPS` (sessions, login lockouts, one-time-code
  devices: security state that must never be read stale).

Huey tasks, management commands (``migrate`` included) and unmarked views never enter the
replica context, so they use the primary only. Migrations run on ``default`` alone; the
replica receives them through streaming replication.

Without ``DATABASE_REPLICA_URL`` the ``replica`` alias is the primary's own settings (never
connected to unless routing is on) and the test runner treats it as a mirror of
``default``: a separate connection to the same database, which sees only committed rows
— like a replica that lags behind the test's open transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from linli.core.numbers import whole_number

REPLICA = "replica"
PIN_COOKIE = "linli_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Security state is read from the primary only, even in a marked view.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "otp_totp", "otp_static", "django_otp"})
_MARK = "linli_replica_reads"

_replica_reads: ContextVar[bool] = ContextVar("linli_replica_reads", default=False)

View = TypeVar("View", bound=Callable[..., Any])


def replica_reads(view: View) -> View:
    """Marks a read-only page (a list, a dashboard) whose GET may read from the replica.

    The mark travels through ``functools.wraps``, so the decorator's place in the stack
    does not matter. A marked view must not need to see its reader's own writes beyond
    what the pin gives (see the module's doc)."""
    view.__dict__[_MARK] = True
    return view


def routing_enabled() -> bool:
    return bool(getattr(settings, "LINLI_READ_REPLICA", False)) and REPLICA in settings.DATABASES


def reading_from_replica() -> bool:
    """True inside a marked view's GET, where reads may go to the replica."""
    return _replica_reads.get()


def _primary_in_transaction() -> bool:
    # The test runner's own wrapping transactions are not the view's.
    return any(
        not getattr(block, "_from_testcase", False)
        for block in connections[DEFAULT_DB_ALIAS].atomic_blocks
    )


class ReplicaRouter:
    """``DATABASE_ROUTERS``: the primary for everything but the reads described above."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _replica_reads.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not _primary_in_transaction()
        ):
            return REPLICA
        # Named explicitly: otherwise Django would follow an instance read from the
        # replica back to it (``instance._state.db``) outside the replica context.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _cache_key(user_pk: object) -> str:
    return f"linli:primary-until:user:{user_pk}"


def pinned_to_primary(request: HttpRequest) -> bool:
    """Whether this browser or this user wrote within the last few seconds."""
    now = time.time()
    until = whole_number(request.COOKIES.get(PIN_COOKIE))
    if until is not None and until > now:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        until = cache.get(_cache_key(user.pk))
        return isinstance(until, int) and until > now
    return False


def pin_to_primary(request: HttpRequest, response: HttpResponse) -> None:
    """After a write: this browser (cookie) and this user (cache, every app server) read
    from the primary for the next ``LINLI_REPLICA_PIN_SECONDS`` seconds."""
    seconds = int(settings.LINLI_REPLICA_PIN_SECONDS)
    until = int(time.time()) + seconds
    response.set_cookie(
        PIN_COOKIE,
        str(until),
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    # After a login the user is the one who just logged in; after a logout, nobody.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_cache_key(user.pk), until, seconds)


class ReplicaReadsMiddleware:
    """Opens the replica context around a marked view's GET, and pins writers to the
    primary. Placed after the session and authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not routing_enabled():
            return self.get_response(request)
        try:
            response = self.get_response(request)
        finally:
            token: Token[bool] | None = request.__dict__.pop("_linli_replica_token", None)
            if token is not None:
                _replica_reads.reset(token)
        if request.method not in SAFE_METHODS:
            pin_to_primary(request, response)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        if (
            routing_enabled()
            and request.method in SAFE_METHODS
            and getattr(view, _MARK, False)
            and not pinned_to_primary(request)
        ):
            request.__dict__["_linli_replica_token"] = _replica_reads.set(True)
