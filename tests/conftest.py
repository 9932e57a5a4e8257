from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from huey.contrib.djhuey import HUEY

from tests.cast import (
    FAST_HASHERS,
    PASSWORD,
    Cast,
    CastRecording,
    build_cast,
    record_cast,
    replay_cast,
)

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse ORM calls from that thread in live-server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(settings.BASE_DIR).parent / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# The suite must pass on any date (DESIGN: tests never read the calendar). CI proves it
# by running the suite a second time with the clock moved ahead:
# ``LINLI_TEST_CLOCK_SHIFT_DAYS=365.5 pytest``. The half day moves the time of day too (a
# run in the afternoon is replayed in the small hours), so a test that only passes outside
# the quiet hours fails in one of the two runs. The shift starts before any test module is
# imported, so module-level "today" values move with it; time still ticks.
_clock_shift: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _clock_shift
    days = float(os.environ.get("LINLI_TEST_CLOCK_SHIFT_DAYS", "0") or 0)
    if days:
        _clock_shift = time_machine.travel(
            dt.datetime.now(dt.UTC) + dt.timedelta(days=days), tick=True
        )
        _clock_shift.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _clock_shift
    if _clock_shift is not None:
        _clock_shift.stop()
        _clock_shift = None


def pytest_report_header(config: pytest.Config) -> str | None:
    days = os.environ.get("LINLI_TEST_CLOCK_SHIFT_DAYS")
    if not days:
        return None
    return f"clock shifted {days} days ahead: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate() -> None:
    # Background tasks run inline in tests, so their effects can be asserted directly.
    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _no_tasks_left_for_later() -> Iterator[None]:
    """Tasks scheduled for later (a month's sum of dashboard figures) wait in the queue's
    memory in immediate mode; a test starts and ends without any."""
    HUEY.storage.flush_schedule()
    yield
    HUEY.storage.flush_schedule()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters (``linli.core.throttling``) live in the cache, local memory in
    tests, for the whole run: every test client calls from 127.0.0.1, so without this
    the address limits would add up across tests and refuse the thirty-first filing."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="session")
def _cast_recording(django_db_setup: None, django_db_blocker: Any) -> CastRecording | None:
    # The tests' own password hasher (``_fast_passwords``), or the cast could not log in.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        return record_cast()


@pytest.fixture
def cast(db: None, _cast_recording: CastRecording | None) -> Cast:
    """The cast of tests/cast.py, replayed from one recording (built anew if it cannot be)."""
    if _cast_recording is None:
        return build_cast()
    return replay_cast(_cast_recording)


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD), username
    return client


@pytest.fixture
def client_for(client: Client) -> Any:
    def _client_for(username: str) -> Client:
        client.logout()
        return login(client, username)

    return _client_for


# --- browser tests ---------------------------------------------------------------------------


def _chromium_path() -> str | None:
    for candidate in (
        os.environ.get("LINLI_CHROMIUM"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Drive Debian's Chromium when it is there (CI installs it); otherwise Playwright's
    own browser, which ``playwright install chromium`` downloads on a developer machine."""
    path = _chromium_path()
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if path:
        args["executable_path"] = path
    else:
        # A fresh developer machine without Debian's Chromium: fetch Playwright's once.
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def screenshot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Query-plan tests (``@pytest.mark.postgres``) ask PostgreSQL's planner: on any other
    # database they are not collected at all (deselected, not skipped) — the PostgreSQL lane
    # of CI runs them.
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        elsewhere = [item for item in items if item.get_closest_marker("postgres") is not None]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if item.get_closest_marker("postgres") is None]
    # Browser tests flush the database when they end; run them after every other test,
    # whatever order parametrisation (pytest-playwright's browser_name) left them in.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
