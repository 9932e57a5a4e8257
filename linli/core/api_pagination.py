"""The one pagination of ``/api/v1`` list endpoints: ``?page=N&page_size=M``.

ninja's own ``page`` has no upper bound, so ``?page=99999999999999999999`` became an
OFFSET no database can hold (a 500). Every paginated endpoint uses ``ApiPages``, whose
page number stops at ``MAX_PAGE`` and is otherwise a 422 like any other bad input.
"""

# No ``from __future__ import annotations``: pydantic reads the fields' annotations.

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Field
from ninja.pagination import PageNumberPagination

# 100 000 pages of at most 100 items: more rows than any list here will hold.
MAX_PAGE = 100_000


class ApiPages(PageNumberPagination):
    """``{items, count}``; ``page`` from 1 to ``MAX_PAGE``, ``page_size`` capped by the
    endpoint's ``max_page_size``."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码,从 1 开始")
        page_size: int | None = Field(None, ge=1, description="每页条数(有上限)")


def pages_of(convert: Callable[[HttpRequest, list[Any]], list[Any]]) -> type[ApiPages]:
    """``ApiPages`` that turn the page's rows into output schemas with ``convert`` (given
    the request, so what is shown can depend on the caller): only one page of rows is
    ever read, and the conversion sees them all at once (one query for labels)."""

    class Converted(ApiPages):
        def paginate_queryset(
            self,
            queryset: Any,
            pagination: PageNumberPagination.Input,
            request: HttpRequest,
            **params: Any,
        ) -> Any:
            page = super().paginate_queryset(queryset, pagination, request, **params)
            page[self.items_attribute] = convert(request, list(page[self.items_attribute]))
            return page

    return Converted
