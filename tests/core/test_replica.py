"""The read-replica router (issue 19): which reads go to ``replica``, and read-your-own-writes.

The ``replica`` alias is a test mirror of ``default``: a second connection to the same
test database that sees only committed rows. Everything a test writes stays in its open
transaction, so the mirror behaves like a replica that has not caught up yet: a page that
reads from it does not show what was just written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.core.replica import (
    PIN_COOKIE,
    REPLICA,
    ReplicaRouter,
    _replica_reads,
    reading_from_replica,
)
from linli.requests.models import Request
from tests.cast import Cast
from tests.conftest import login

pytestmark = [
    pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA]),
    pytest.mark.usefixtures("_replica_on"),
]

TEXT = "3单元门口的路灯坏了,晚上很黑"


@pytest.fixture
def _replica_on() -> Iterator[None]:
    with override_settings(LINLI_READ_REPLICA=True, LINLI_REPLICA_PIN_SECONDS=5):
        yield
    # A second connection to the test database would keep it from being dropped.
    connections[REPLICA].close()


def _queries(client: Client, url: str) -> tuple[int, int, str]:
    """(queries on the primary, queries on the replica, page text) of one GET."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return len(primary), len(replica), response.content.decode()


def test_the_router_sends_reads_to_the_replica_only_inside_a_marked_view() -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Request) == DEFAULT_DB_ALIAS  # a task, a command, any view
    token = _replica_reads.set(True)
    try:
        assert reading_from_replica()
        assert router.db_for_read(Request) == REPLICA
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS  # security state
        assert router.db_for_write(Request) == DEFAULT_DB_ALIAS
        assert Request.objects.all().db == REPLICA
        assert Request.objects.select_for_update().db == DEFAULT_DB_ALIAS
        with transaction.atomic():  # read-then-write in the view's own transaction
            assert router.db_for_read(Request) == DEFAULT_DB_ALIAS
            assert Request.objects.all().db == DEFAULT_DB_ALIAS
        assert router.db_for_read(Request) == REPLICA
    finally:
        _replica_reads.reset(token)
    assert router.db_for_read(Request) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "requests")
    assert not router.allow_migrate(REPLICA, "requests")


def test_lists_and_dashboards_read_from_the_replica_other_pages_from_the_primary(
    cast: Cast,
) -> None:
    worker = login(Client(), cast.worker1.username)
    _primary, on_replica, _html = _queries(worker, reverse("requests:tasks"))
    assert on_replica > 0

    leader = login(Client(), cast.leader.username)
    _primary, on_replica, _html = _queries(leader, reverse("dashboard:index"))
    assert on_replica > 0

    # Not marked: the report form, the home page.
    resident = login(Client(), cast.resident_user.username)
    for url in (reverse("requests:report"), reverse("home")):
        primary, on_replica, _html = _queries(resident, url)
        assert (primary > 0, on_replica) == (True, 0), url


def test_without_a_replica_everything_reads_from_the_primary(cast: Cast) -> None:
    worker = login(Client(), cast.worker1.username)
    with override_settings(LINLI_READ_REPLICA=False):
        primary, on_replica, _html = _queries(worker, reverse("requests:tasks"))
        assert (primary > 0, on_replica) == (True, 0)


def test_a_resident_sees_the_request_just_filed_and_the_replica_is_used_again_later(
    cast: Cast,
) -> None:
    start = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        resident = login(Client(), cast.resident_user.username)
        # The mirror cannot see this test's rows: a list read from it shows nothing new.
        _primary, on_replica, html = _queries(resident, reverse("requests:mine"))
        assert on_replica > 0

        response = resident.post(reverse("requests:report"), {"text": TEXT, "place": "home"})
        assert response.status_code == 302
        assert Request.objects.filter(text=TEXT).count() == 1
        assert int(response.cookies[PIN_COOKIE].value) == int(start.timestamp()) + 5

        # Within the pin: the list comes from the primary and shows the new request.
        clock.shift(4)
        _primary, on_replica, html = _queries(resident, reverse("requests:mine"))
        assert on_replica == 0
        assert TEXT[:8] in html

        # The same user on another device (no cookie): pinned through the shared cache.
        other_device = login(Client(), cast.resident_user.username)
        other_device.cookies.pop(PIN_COOKIE, None)
        _primary, on_replica, html = _queries(other_device, reverse("requests:mine"))
        assert on_replica == 0
        assert TEXT[:8] in html

        # Someone else is not pinned by this resident's write.
        worker = login(Client(), cast.worker1.username)
        _primary, on_replica, _html = _queries(worker, reverse("requests:tasks"))
        assert on_replica > 0

        # Past the pin the replica serves the list again (here: not caught up).
        clock.shift(2)
        _primary, on_replica, html = _queries(resident, reverse("requests:mine"))
        assert on_replica > 0
        assert TEXT[:8] not in html
