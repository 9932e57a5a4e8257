"""Rate limits for the doors that take writes or tokens from outside.

``LINLI_RATE_LIMITS`` (settings) names each limit — ``"api_token": "120/m"`` — and a
limit counts requests per identity (a token, a user, a source address) in fixed
windows in Django's cache: ``cache.add`` + ``cache.incr`` are atomic in Redis (used when
``REDIS_URL`` is set, so every app server counts together) and in the local-memory
cache (one process). Identities are hashed before they become cache keys, so no token
is stored in the cache.

Over a limit the caller gets HTTP 429 with ``Retry-After`` and a Chinese message:
``/api/v1`` through django-ninja's throttling (``ApiThrottle``; the answer is
``linli.api.on_throttled``),
Open311 and the resident's filing page by calling :func:`over_limit` themselves.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.throttling import BaseThrottle

from linli.core.middleware import client_ip

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"120/m"`` → 120 per 60 seconds; periods s, m, h and d."""
    count, _slash, period = text.strip().partition("/")
    if not count.isdigit() or int(count) < 1 or period not in _PERIODS:
        raise ValueError(f"a rate looks like 120/m (per s, m, h or d), not {text!r}")
    return Rate(int(count), _PERIODS[period])


def rate_of(name: str) -> Rate:
    return parse_rate(settings.LINLI_RATE_LIMITS[name])


def over_limit(name: str, identity: str | None) -> int | None:
    """Count one request of ``identity`` against the limit ``name``.

    Returns ``None`` while within the limit, else the whole seconds until the window in
    which the caller may try again. No identity (no source address known): not counted.
    """
    if not identity:
        return None
    rate = rate_of(name)
    now = time.time()
    window = int(now // rate.seconds)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"linli:rate:{name}:{digest}:{window}"
    # add() starts the window's counter only if absent; incr() is atomic.
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=rate.seconds + 1)
        count = 1
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))


def over_any_limit(limits: Sequence[tuple[str, str | None]]) -> int | None:
    """Every limit counts the request; the longest wait wins."""
    waits = [wait for name, identity in limits if (wait := over_limit(name, identity))]
    return max(waits) if waits else None


def throttled_message(wait: int) -> str:
    return _("请求过于频繁,请 %(seconds)s 秒后再试。") % {"seconds": wait}


# --- /api/v1 (django-ninja) ------------------------------------------------------------------


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


class ApiThrottle(BaseThrottle):
    """A django-ninja throttle over one of ``LINLI_RATE_LIMITS``.

    Ninja keeps one throttle object for all requests and threads and asks ``wait()``
    after ``allow_request()``; the wait is kept per thread.
    """

    def __init__(self, name: str, identity: Callable[[HttpRequest], str | None]) -> None:
        self.name = name
        self.identity = identity
        self._last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        self._last.wait = over_limit(self.name, self.identity(request))
        return self._last.wait is None

    def wait(self) -> float | None:
        wait: int | None = getattr(self._last, "wait", None)
        return float(wait) if wait is not None else None


def api_throttles() -> list[BaseThrottle]:
    """Per token and per source address (after the token was accepted)."""
    return [ApiThrottle("api_token", bearer_token), ApiThrottle("api_address", client_ip)]
