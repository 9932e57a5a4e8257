"""Suite-wide test set-up that belongs to no one area of ``tests/``.

pytest loads this before ``tests/conftest.py`` (it sits in the rootdir).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters (``linli.core.throttling``) live in the cache, local memory in
    tests, for the whole run: every test client calls from 127.0.0.1, so without this
    the address limits would add up across tests and refuse the thirty-first filing."""
    cache.clear()
    yield
    cache.clear()
