from __future__ import annotations

from functools import cached_property
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

M = TypeVar("M", bound=Model)


class Sliceable(Protocol[M]):
    """A list the paginator can page through without being a queryset (e.g. two queries
    read one after the other, ``linli.requests.selectors.OverdueFirst``)."""

    def __getitem__(self, key: slice) -> list[M]: ...

    def capped_count(self, limit: int) -> int: ...


# Counting stops here: beyond it a list says 「1万+」 and its pages end (see docs/scaling.md).
# An exact COUNT of a million requests repeats the whole scan for a number nobody reads.
COUNT_CAP = 10_000


def capped_count(object_list: Any, cap: int = COUNT_CAP) -> int:
    """How many rows, counted no further than ``cap + 1`` (``cap + 1`` means "more")."""
    if isinstance(object_list, QuerySet):
        if object_list._result_cache is not None:  # already read: slicing gives a list
            return min(len(object_list), cap + 1)
        return object_list[: cap + 1].count()
    counter = getattr(object_list, "capped_count", None)
    if counter is not None:
        found: int = counter(cap + 1)
        return found
    return min(len(object_list), cap + 1)


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator whose count stops at :data:`COUNT_CAP`; pages past it do not exist
    (``get_page`` answers the last one), so ``?page=25000`` costs what page 500 costs."""

    @cached_property
    def _counted(self) -> int:
        return capped_count(self.object_list)

    @cached_property
    def capped(self) -> bool:
        """More rows than were counted: the page says 「1万+」."""
        return self._counted > COUNT_CAP

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)


def paginate(
    request: HttpRequest, queryset: QuerySet[M] | Sliceable[M], *, per_page: int | None = None
) -> Page[M]:
    size = per_page or settings.LINLI_PAGE_SIZE
    paginator = CappedPaginator(queryset, size)  # type: ignore[arg-type]
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    """The current filters, to carry into pagination links."""
    params: Any = request.GET.copy()
    params.pop("page", None)
    encoded: str = params.urlencode()
    return encoded
