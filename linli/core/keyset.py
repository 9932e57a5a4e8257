"""Keyset (cursor) pagination, shared by list pages and the API.

A page is read as "the ``size`` rows after (or before) this row's place in the order",
through an index range, never as an OFFSET: page 5,000 costs what page 1 costs. The place
travels in a signed cursor together with the moment the walk began (so an order that
depends on "now", such as overdue first, stays the same on every page), the page number
(for 「第 n 页」), the direction, and a fingerprint of the filters and ordering the list was
made with: a cursor used with other filters would continue a different list.

A list that can be paged so implements :class:`Keyset` (``linli.requests.selectors.
OverdueFirst`` is one); :func:`keyset_page` reads one page of it for a cursor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.core import signing

from linli.core.pagination import COUNT_CAP, Counted, approximate

R = TypeVar("R")
K = TypeVar("K")


class Keyset(Protocol[R, K]):
    """A list in a total order that can be read from any row's place."""

    def key_of(self, row: R) -> K: ...

    def after(self, key: K | None, size: int) -> list[R]:
        """The ``size`` rows that follow ``key`` (from the start when ``None``)."""
        ...

    def before(self, key: K, size: int) -> list[R]:
        """The ``size`` rows just before ``key``, in the list's order."""
        ...

    def dump_key(self, key: K) -> list[Any]:
        """The key as JSON values."""
        ...

    def load_key(self, data: Any) -> K:
        """The key back from :meth:`dump_key`; ``ValueError``/``TypeError`` when it is not one."""
        ...


def fingerprint(ordering: str, filters: Mapping[str, Any]) -> str:
    """A short digest of the ordering and the filters a list was made with (the cursor is
    signed, so the digest only needs to tell lists apart, not resist forgery)."""
    canonical = json.dumps([ordering, sorted(filters.items())], default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class InvalidCursor(ValueError):
    """Tampered, truncated, expired, or not made by this list."""


class CursorFiltersMismatch(InvalidCursor):
    """A genuine cursor, made for other filters or another ordering."""


@dataclass(frozen=True)
class Cursor:
    began: dt.datetime  # the moment the walk began: "now" for every page of it
    key: list[Any]  # the row's place (``Keyset.dump_key``)
    filters: str  # :func:`fingerprint` of the list it was made for
    page: int = 1  # the number of the page it leads to
    backwards: bool = False  # the rows before ``key`` rather than after it

    def dumps(self, *, salt: str) -> str:
        return signing.dumps(
            [self.began.isoformat(), self.key, self.filters, self.page, self.backwards],
            salt=salt,
        )


def _aware(text: Any) -> dt.datetime:
    if not isinstance(text, str):
        raise TypeError("not a time")
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a time without a zone")
    return moment


def cursor_loads(
    text: str, *, salt: str, filters: str, max_age: dt.timedelta | None = None
) -> Cursor:
    """The cursor in ``text``, checked: signed with ``salt``, younger than ``max_age`` (when
    given), and made for the list whose fingerprint is ``filters``."""
    try:
        began, key, made_for, page, backwards = signing.loads(text, salt=salt, max_age=max_age)
        cursor = Cursor(
            began=_aware(began),
            key=list(key),
            filters=str(made_for),
            page=page,
            backwards=backwards,
        )
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            raise ValueError("page")
        if not isinstance(backwards, bool):
            raise TypeError("direction")
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidCursor(str(error)) from error
    if cursor.filters != filters:
        raise CursorFiltersMismatch(cursor.filters)
    return cursor


def load_key(keyset: Keyset[Any, K], cursor: Cursor) -> K:
    try:
        return keyset.load_key(cursor.key)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise InvalidCursor(str(error)) from error


@dataclass(frozen=True)
class KeysetPage(Generic[R]):
    """One page read by :func:`keyset_page`, with what its navigation needs."""

    rows: list[R]
    number: int
    size: int
    counted: Counted
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def total_pages(self) -> int | None:
        """How many pages in all, when the count is exact (and this page lies within it)."""
        if not self.counted.exact:
            return None
        pages = max(1, -(-self.counted.rows // self.size))
        return pages if self.number <= pages else None

    @property
    def approximate_total(self) -> str:
        """「3.2 万」 when the count is the planner's estimate, else empty."""
        return approximate(self.counted.rows) if self.counted.estimated else ""

    @property
    def capped(self) -> bool:
        """Counted to :data:`COUNT_CAP` and there were more (「1万+」)."""
        return not self.counted.exact and not self.counted.estimated

    @property
    def cap(self) -> int:
        return COUNT_CAP


def keyset_page(
    keyset: Keyset[R, K],
    *,
    cursor: Cursor | None,
    size: int,
    counted: Callable[[], Counted],
    began: dt.datetime,
    filters: str,
    salt: str,
) -> KeysetPage[R]:
    """The page ``cursor`` leads to (the first page without one).

    Going back past the start (rows were removed, or added before the first row) gives the
    first page, full; going forward past the end gives the last page. Each read is
    ``size + 1`` rows, so whether another page follows is known without counting; and a
    list that fits on its first page knows its size from its rows: ``counted`` (how the
    list is counted) is called only for a longer one.
    """
    key = load_key(keyset, cursor) if cursor is not None else None
    rows: list[R] = []
    number, more_before, more_after = 1, False, False
    backwards = cursor is not None and cursor.backwards
    if cursor is not None and key is not None and not backwards:
        rows = keyset.after(key, size + 1)
        more_after = len(rows) > size
        rows = rows[:size]
        number, more_before = cursor.page, True
        # Nothing left after it (rows went away meanwhile): the rows before it, as the last page.
        backwards = not rows
    if cursor is not None and key is not None and backwards:
        more_after = bool(rows) or cursor.backwards
        rows = keyset.before(key, size + 1)
        more_before = len(rows) > size
        rows = rows[-size:]
        number = max(2, cursor.page - (0 if cursor.backwards else 1))
        if not more_before:  # back at the start: the first page, full
            cursor = None
    if cursor is None:
        rows = keyset.after(None, size + 1)
        more_after = len(rows) > size
        rows = rows[:size]
        number, more_before = 1, False

    def link(row: R, page: int, backwards: bool) -> str:
        dumped = keyset.dump_key(keyset.key_of(row))
        return Cursor(began, dumped, filters, page, backwards).dumps(salt=salt)

    return KeysetPage(
        rows=rows,
        number=number,
        size=size,
        counted=(
            Counted(rows=len(rows), exact=True)
            if number == 1 and not more_before and not more_after
            else counted()
        ),
        next_cursor=link(rows[-1], number + 1, False) if rows and more_after else None,
        previous_cursor=link(rows[0], number - 1, True) if rows and more_before else None,
    )
