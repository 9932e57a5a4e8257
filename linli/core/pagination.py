from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

M = TypeVar("M", bound=Model)


def paginate(
    request: HttpRequest, queryset: QuerySet[M], *, per_page: int | None = None
) -> Page[M]:
    paginator = Paginator(queryset, per_page or settings.LINLI_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    """The current filters, to carry into pagination links."""
    params: Any = request.GET.copy()
    params.pop("page", None)
    encoded: str = params.urlencode()
    return encoded
