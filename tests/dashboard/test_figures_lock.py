"""The stored figures' writers wait for each other (PostgreSQL).

A month's sum deletes the month's rows and inserts their replacement. Two at once under
READ COMMITTED: the second one's DELETE waits for the first one's deleted rows, finds them
gone when the first commits, cannot see the first one's new rows — and inserts its own
beside them: the month counted twice until the next rebuild. The writers take one
advisory lock first (``aggregates.FIGURES_LOCK``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection, transaction

from linli.dashboard import aggregates
from linli.dashboard.models import DailyFigure, MonthFigure
from tests.cast import Cast
from tests.dashboard.test_aggregates import NOW, world  # noqa: F401 - the fixture
from tests.threads import run_in_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_two_sums_of_one_month_at_once_count_it_once(world: Cast) -> None:  # noqa: F811
    aggregates.rebuild()
    month = min(MonthFigure.objects.values_list("month", flat=True))
    once = sorted(MonthFigure.objects.filter(month=month).values_list("area_id", "status", "total"))
    first_done, second_started = threading.Event(), threading.Event()

    def first() -> None:
        with transaction.atomic():
            aggregates.refresh_month(month)
            first_done.set()
            second_started.wait(10)
            time.sleep(1.0)  # the second one is now waiting on the first's rows

    def second() -> None:
        first_done.wait(10)
        second_started.set()
        aggregates.refresh_month(month)

    assert run_in_threads(first, second) == []
    assert (
        sorted(MonthFigure.objects.filter(month=month).values_list("area_id", "status", "total"))
        == once
    )


def test_a_days_recount_does_not_wait_for_a_months_sum(world: Cast) -> None:  # noqa: F811
    """A month's sum takes ~20 s at 3 M residents; the recount of a day (of another month,
    or its own with ``months=False``) goes on meanwhile."""
    aggregates.rebuild()
    month = min(MonthFigure.objects.values_list("month", flat=True))
    day = DailyFigure.objects.filter(month=month).values_list("day", flat=True).first()
    assert day is not None
    summing, done = threading.Event(), threading.Event()
    waited: list[float] = []

    def month_sum() -> None:
        with transaction.atomic():
            aggregates.refresh_month(month)
            summing.set()
            done.wait(10)

    def day_recount() -> None:
        try:
            summing.wait(10)
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
            started = time.monotonic()
            aggregates.refresh_day(day, months=False)
            waited.append(time.monotonic() - started)
        finally:
            done.set()

    assert run_in_threads(month_sum, day_recount) == []
    assert len(waited) == 1
