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
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                aggregates.refresh_month(month)
                first_done.set()
                second_started.wait(10)
                time.sleep(1.0)  # the second one is now waiting on the first's rows
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_done.wait(10)
            second_started.set()
            aggregates.refresh_month(month)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
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
    errors: list[BaseException] = []

    def month_sum() -> None:
        try:
            with transaction.atomic():
                aggregates.refresh_month(month)
                summing.set()
                done.wait(10)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def day_recount() -> None:
        try:
            summing.wait(10)
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
            started = time.monotonic()
            aggregates.refresh_day(day, months=False)
            waited.append(time.monotonic() - started)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            done.set()
            connection.close()

    threads = [threading.Thread(target=month_sum), threading.Thread(target=day_recount)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(waited) == 1
