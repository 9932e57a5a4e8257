from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language

M = TypeVar("M", bound=Model)


class Sliceable(Protocol[M]):
    """A list the paginator can page through without being a queryset (e.g. two queries
    read one after the other, ``linli.requests.selectors.OverdueFirst``)."""

    def __getitem__(self, key: slice) -> list[M]: ...

    def capped_count(self, limit: int) -> int: ...

    def estimated_count(self) -> int | None: ...


# Counting stops here: beyond it a list says 「1万+」 and its pages end (see docs/scaling.md).
# An exact COUNT of a million requests repeats the whole scan for a number nobody reads.
COUNT_CAP = 10_000


def capped_count(object_list: Any, cap: int = COUNT_CAP) -> int:
    """How many rows, counted no further than ``cap + 1`` (``cap + 1`` means "more")."""
    if isinstance(object_list, QuerySet):
        if object_list._result_cache is not None:  # already read: slicing gives a list
            return min(len(object_list), cap + 1)
        counted: QuerySet[Any] = object_list
        if not counted.query.is_sliced:
            # No ORDER BY: the first cap + 1 rows in any order are as many, without a sort.
            counted = counted.order_by()
        return counted[: cap + 1].count()
    counter = getattr(object_list, "capped_count", None)
    if counter is not None:
        found: int = counter(cap + 1)
        return found
    return min(len(object_list), cap + 1)


def estimated_count(object_list: Any) -> int | None:
    """PostgreSQL's row estimate for the list (``EXPLAIN (FORMAT JSON)``, planning only, no
    row read), or ``None`` where there is none: another database, or not a query."""
    if isinstance(object_list, QuerySet):
        if connections[object_list.db].vendor != "postgresql":
            return None
        query = object_list.query
        if (
            query.is_sliced
            or query.combinator
            or query.is_empty()  # .none(): nothing to plan, and nothing to count
            or object_list._result_cache is not None
        ):
            return None  # bounded, combined, empty or already read: counting is cheap
        # Only the rows matter: no ordering, no joined columns to plan.
        bare = object_list.order_by()
        if getattr(bare, "_fields", None) is None:  # select_related() is refused after values()
            bare = bare.select_related(None)
        plan = json.loads(bare.explain(format="json"))
        rows: int = plan[0]["Plan"]["Plan Rows"]
        return rows
    estimator = getattr(object_list, "estimated_count", None)
    if estimator is not None:
        found: int | None = estimator()
        return found
    return None


@dataclass(frozen=True)
class Counted:
    """How many rows a list has, and how that is known: ``exact`` (counted to the end),
    or not — then ``estimated`` (the planner's figure, 「约 3.2 万条」) or capped (more than
    :data:`COUNT_CAP` were found, 「1万+」)."""

    rows: int
    exact: bool
    estimated: bool = False


# The planner's estimate is taken only when it is this many times the cap: estimates of a
# scoped list run ~20 % high (10,657 for 8,677 rows, docs/scaling.md), and a list near the
# cap is cheaper to count than to mis-state.
ESTIMATE_ABOVE = 2


def count_rows(object_list: Any) -> Counted:
    """Count without scanning a large list: on PostgreSQL a list the planner puts well
    beyond :data:`COUNT_CAP` (:data:`ESTIMATE_ABOVE` times) takes its estimate; otherwise it
    is counted, no further than the cap (on SQLite always, having no estimate). Small lists
    so say their true size; one whose estimate was too low still stops at the cap."""
    estimate = estimated_count(object_list)
    if estimate is not None and estimate > ESTIMATE_ABOVE * COUNT_CAP:
        return Counted(rows=estimate, exact=False, estimated=True)
    found = capped_count(object_list)
    if found > COUNT_CAP:
        return Counted(rows=COUNT_CAP, exact=False)
    return Counted(rows=found, exact=True)


def approximate(rows: int) -> str:
    """An estimate said as people say it: 「3.2 万」 in Chinese, "32,000" otherwise (two
    significant figures either way: the planner's figure is no more precise)."""
    if rows <= 0:
        return "0"
    digits = max(0, int(math.log10(rows)) - 1)
    rounded = round(rows, -digits)
    if (get_language() or "zh-hans").startswith("zh"):
        if rounded >= 10_000:
            return f"{rounded / 10_000:.1f}".removesuffix(".0") + " 万"
        return str(rounded)
    return f"{rounded:,}"


def asks_first_page(number: Any) -> bool:
    """Whether ``get_page(number)`` answers the first page without knowing the count: 1,
    or no page number at all (Django's ``get_page`` reads a non-number as page 1)."""
    try:
        return int(number) == 1 and (not isinstance(number, float) or number.is_integer())
    except (TypeError, ValueError):
        return True


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator whose count stops at :data:`COUNT_CAP`; pages past it do not exist
    (``get_page`` answers the last one), so ``?page=25000`` costs what page 500 costs.
    On PostgreSQL a large list is not counted at all: its size is the planner's estimate
    (:func:`count_rows`).

    The first page is read before anything is counted, one row more than it shows: a list
    that fits on it (a volunteer's ten plans, a resident's requests, a search by phone —
    most lists people open) then knows its size from its rows, and sends no count (nor
    the planner's estimate) at all."""

    def get_page(self, number: Any) -> Page:  # type: ignore[type-arg]
        if asks_first_page(number):
            return self.page(1)
        return super().get_page(number)

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        if self.orphans or "counted" in self.__dict__ or not asks_first_page(number):
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["counted"] = Counted(rows=len(rows), exact=True)
        else:
            rows = rows[: self.per_page]
        return Page(rows, self.validate_number(1), self)

    @cached_property
    def counted(self) -> Counted:
        return count_rows(self.object_list)

    @cached_property
    def capped(self) -> bool:
        """More rows than pages: the page says 「1万+」 or 「约 3.2 万条」."""
        return not self.counted.exact

    @cached_property
    def approximate_total(self) -> str:
        """The estimate as the page says it (empty when the count is not an estimate)."""
        return approximate(self.counted.rows) if self.counted.estimated else ""

    @cached_property
    def count(self) -> int:
        return min(self.counted.rows, COUNT_CAP)


def paginate(
    request: HttpRequest, queryset: QuerySet[M] | Sliceable[M], *, per_page: int | None = None
) -> Page[M]:
    size = per_page or settings.LINLI_PAGE_SIZE
    paginator = CappedPaginator(queryset, size)  # type: ignore[arg-type]
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    """The current filters, to carry into pagination links (without the page number or
    the keyset cursor, which each link sets itself)."""
    params: Any = request.GET.copy()
    params.pop("page", None)
    params.pop("cursor", None)
    encoded: str = params.urlencode()
    return encoded
