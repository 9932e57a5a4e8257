"""``/api/v1/warnings``: early warnings (预警) as the list page shows them — the same
``visible_warnings`` scope, acknowledging and closing through the same services."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from linli.accounts.current import request_user
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut
from linli.earlywarning.models import EarlyWarning, WarningKind, WarningStatus
from linli.earlywarning.selectors import warning_get_for_user, warning_list
from linli.earlywarning.services import warning_acknowledge, warning_close

router = Router(tags=["warnings"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class WarningOut(Schema):
    id: int
    kind: WarningKind
    title: str
    reason: str
    status: WarningStatus = Field(
        ..., description="open 待处理 / acknowledged 已知悉 / closed 已关闭"
    )
    area: str = Field(..., description="位置")
    grid: str | None
    count: int
    raised_at: dt.datetime
    last_seen_at: dt.datetime = Field(..., description="最近一次扫描仍然成立的时间")
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_note: str


class WarningFiltersIn(Schema):
    status: Literal["active", "open", "acknowledged", "closed", "all"] = Field(
        "active", description="active(默认,未关闭)、open、acknowledged、closed、all"
    )
    kind: WarningKind | None = None


class WarningCloseIn(Schema):
    note: str = Field("", max_length=300, description="处理说明")


def _out(warning: EarlyWarning) -> WarningOut:
    return WarningOut(
        id=warning.pk,
        kind=WarningKind(warning.kind),
        title=warning.title,
        reason=warning.reason,
        status=WarningStatus(warning.status),
        area=warning.area.name,
        grid=warning.grid.name if warning.grid else None,
        count=warning.count,
        raised_at=warning.raised_at,
        last_seen_at=warning.last_seen_at,
        acknowledged_at=warning.acknowledged_at,
        closed_at=warning.closed_at,
        close_note=warning.close_note,
    )


@router.get(
    "",
    response={200: list[WarningOut], **ERRORS},
    summary="预警(待处理的在前)",
    description="本人负责范围内的预警;`status`、`kind` 筛选。",
)
@paginate(pages_of(lambda request, rows: [_out(w) for w in rows]), page_size=20, max_page_size=100)
def list_warnings(request: HttpRequest, filters: Query[WarningFiltersIn]) -> QuerySet[EarlyWarning]:
    return warning_list(user=request_user(request), status=filters.status, kind=filters.kind or "")


@router.get("/{warning_id}", response={200: WarningOut, **ERRORS}, summary="一条预警")
def get_warning(request: HttpRequest, warning_id: int) -> Any:
    return _out(warning_get_for_user(user=request_user(request), pk=warning_id))


@router.post(
    "/{warning_id}/acknowledge",
    response={200: WarningOut, **ERRORS},
    summary="知悉预警",
    description="记下谁在何时知悉;已知悉或已关闭的预警不能再知悉(422)。",
)
def acknowledge(request: HttpRequest, warning_id: int) -> Any:
    user = request_user(request)
    warning = warning_get_for_user(user=user, pk=warning_id)
    return _out(warning_acknowledge(actor=user, warning=warning))


@router.post(
    "/{warning_id}/close",
    response={200: WarningOut, **ERRORS},
    summary="关闭预警",
    description="情况已处理;`note` 写处理说明。情况仍在时,下次扫描会重新预警。",
)
def close(request: HttpRequest, warning_id: int, payload: WarningCloseIn) -> Any:
    user = request_user(request)
    warning = warning_get_for_user(user=user, pk=warning_id)
    return _out(warning_close(actor=user, warning=warning, note=payload.note))
