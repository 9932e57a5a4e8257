"""A list that fits on its first page is not counted: its size is known from its rows
(``CappedPaginator``, ``keyset_page``). Longer lists and later pages are counted as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.accounts.models import User
from linli.core.keyset import keyset_page
from linli.core.pagination import CappedPaginator, Counted

pytestmark = pytest.mark.django_db

SIZE = 3


def _users(n: int) -> Any:
    User.objects.bulk_create(User(username=f"pager-{i:02d}") for i in range(n))
    return User.objects.filter(username__startswith="pager-").order_by("username")


@pytest.mark.parametrize("number", [1, "1", None, "", "abc", 1.0])
@pytest.mark.parametrize("rows", [0, 2, SIZE])
def test_a_list_that_fits_on_its_first_page_is_read_in_one_statement(
    rows: int, number: Any
) -> None:
    users = _users(rows)
    with CaptureQueriesContext(connection) as statements:
        paginator = CappedPaginator(users, SIZE)
        page = paginator.get_page(number)
        names = [user.username for user in page]
        total, pages, more = paginator.count, paginator.num_pages, page.has_next()
    assert len(statements) == 1, [q["sql"] for q in statements]
    assert "COUNT(" not in statements[0]["sql"].upper()
    assert names == [f"pager-{i:02d}" for i in range(rows)]
    assert (total, pages, more, page.number) == (rows, 1, False, 1)
    assert paginator.counted == Counted(rows=rows, exact=True)


@pytest.mark.parametrize("number", [1, None, "x", 2, 3, 99, "-1"])
def test_longer_lists_and_later_pages_read_as_django_reads_them(number: Any) -> None:
    users = _users(SIZE * 2 + 1)
    ours = CappedPaginator(users, SIZE).get_page(number)
    django = Paginator(users, SIZE).get_page(number)
    assert [u.pk for u in ours] == [u.pk for u in django]
    assert (ours.number, ours.has_next(), ours.has_previous()) == (
        django.number,
        django.has_next(),
        django.has_previous(),
    )
    assert (ours.paginator.count, ours.paginator.num_pages) == (SIZE * 2 + 1, 3)


def test_a_first_page_of_a_longer_list_is_read_once_and_then_counted() -> None:
    users = _users(SIZE + 1)
    with CaptureQueriesContext(connection) as statements:
        paginator = CappedPaginator(users, SIZE)
        page = paginator.get_page(1)
        names = [user.username for user in page]
        total = paginator.count
    assert names == ["pager-00", "pager-01", "pager-02"]
    assert total == SIZE + 1
    assert page.has_next()
    # the rows (one more than shown), then the count (on PostgreSQL the planner's estimate
    # first: a list it puts beyond the cap is not counted)
    first, *counting = [q["sql"].upper() for q in statements]
    assert f"LIMIT {SIZE + 1}" in first
    assert len(counting) == (2 if connection.vendor == "postgresql" else 1), counting
    assert "COUNT(" in counting[-1]


class _Rows:
    """A keyset over a list of numbers."""

    def __init__(self, n: int) -> None:
        self.rows = list(range(n))

    def key_of(self, row: int) -> int:
        return row

    def after(self, key: int | None, size: int) -> list[int]:
        return [r for r in self.rows if key is None or r > key][:size]

    def before(self, key: int, size: int) -> list[int]:
        return [r for r in self.rows if r < key][-size:]

    def dump_key(self, key: int) -> list[Any]:
        return [key]

    def load_key(self, data: Any) -> int:
        return int(data[0])


def _keyset(n: int, counts: list[str]) -> Any:
    def counted() -> Counted:
        counts.append("counted")
        return Counted(rows=n, exact=True)

    return keyset_page(
        _Rows(n),
        cursor=None,
        size=SIZE,
        counted=counted,
        began=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        filters="",
        salt="test",
    )


@pytest.mark.parametrize("n", [0, 1, SIZE])
def test_a_keyset_first_page_that_holds_the_whole_list_is_not_counted(n: int) -> None:
    counts: list[str] = []
    page = _keyset(n, counts)
    assert counts == []
    assert (page.rows, page.counted, page.total_pages) == (
        list(range(n)),
        Counted(rows=n, exact=True),
        1,
    )


def test_a_longer_keyset_list_is_counted() -> None:
    counts: list[str] = []
    page = _keyset(SIZE + 1, counts)
    assert counts == ["counted"]
    assert (page.rows, page.has_next, page.total_pages) == ([0, 1, 2], True, 2)
