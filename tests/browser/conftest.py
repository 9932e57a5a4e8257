"""Browser-test plumbing that must live next to the browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import DEFAULT_DB_ALIAS, connections


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_under_playwright(django_db_setup: None) -> Iterator[None]:
    """Keep ``serialized_rollback`` working while Playwright's event loop runs.

    Django keeps the snapshot that ``serialized_rollback`` restores (the tags and request
    categories the data migrations seed) on the connection object of the thread that
    created the test database. Playwright's sync API leaves an asyncio loop running in
    the test thread, so asgiref hands every later test a fresh, context-local connection
    object without that snapshot: the flush after each live-server test then wipes the
    seeded rows for good, for the browser tests and any transactional test after them.
    Putting the snapshot on the connection class makes every connection object carry it.
    """
    original = connections[DEFAULT_DB_ALIAS]
    contents = getattr(original, "_test_serialized_contents", None)
    wrapper_class = type(original)
    if contents is None or hasattr(wrapper_class, "_test_serialized_contents"):
        yield
        return
    wrapper_class._test_serialized_contents = contents  # type: ignore[attr-defined]
    yield
    del wrapper_class._test_serialized_contents  # type: ignore[attr-defined]
