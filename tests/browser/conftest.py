"""Browser-test plumbing that must live next to the browser tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import DESKTOP, PHONE
from tests.cast import FAST_HASHERS, Cast, build_cast

T = TypeVar("T")


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


def serve_once(
    request: pytest.FixtureRequest, build: Callable[[], T]
) -> Iterator[tuple[T, LiveServer]]:
    """Build a world once and serve it to every test of a module, for read-only journeys.

    pytest-django's ``live_server`` makes each test transactional, so a world built per
    test is built again for every test and flushed after it. Journeys that only read a
    large world (the demo's) share one instead: the seeded rows are restored and the world
    committed once, a live server of the module's own serves it, and the database is
    flushed when the module ends — what a transactional test leaves behind. The tests of
    such a module must not change what another of them reads.
    """
    blocker = request.getfixturevalue("django_db_blocker")
    request.getfixturevalue("django_db_setup")
    with blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        connection = connections[DEFAULT_DB_ALIAS]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
        world = build()
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    try:
        with blocker.unblock():  # the tests read what the server wrote
            yield world, server
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
        with blocker.unblock():
            call_command("flush", verbosity=0, interactive=False)


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    """The test cast (tests/cast.py), committed for a live server to serve."""
    return build_cast()


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    """A page on a phone: 390×844 at twice the density, touch, a mobile user agent's CSS."""
    context: BrowserContext = browser.new_context(
        **{
            **browser_context_args,
            "viewport": PHONE,
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
        }
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(page: Page) -> Page:
    """pytest-playwright's page at an office screen's size."""
    page.set_viewport_size(DESKTOP)
    return page
