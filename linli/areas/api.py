"""``/api/v1/areas``: the area tree (county → town → community → compound → building →
unit) as far as the caller may see it (``areas.selectors.visible_areas``)."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from linli.accounts.current import request_user, require_capability
from linli.areas.models import Area, AreaKind, area_children
from linli.areas.selectors import area_get_for_user, area_labels, visible_areas
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut
from linli.core.roles import Capability

router = Router(tags=["areas"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class AreaOut(Schema):
    id: int
    kind: AreaKind = Field(
        ...,
        description="county 县 / town 镇街 / community 社区 / compound 小区 / "
        "building 楼栋 / unit 单元",
    )
    name: str
    label: str = Field(..., description="从小区(或更高一级)起的完整名称,如 幸福小区1号楼2单元")
    code: str = Field(..., description="区划或统计编码")
    parent_id: int | None
    grid_id: int | None = Field(None, description="楼栋所属网格")
    floors: int | None = Field(None, description="单元层数")
    flats_per_floor: int | None = Field(None, description="单元每层户数")


class AreaDetailOut(AreaOut):
    children: list[AreaOut] = Field(..., description="下一级区域(本人范围内)")


class AreaFilters(Schema):
    kind: AreaKind | None = Field(None, description="只列这一类区域")
    parent: int | None = Field(None, description="只列这一区域的下一级")


def _parent_ids(areas: list[Area]) -> dict[str, int]:
    paths = {a.path[: -Area.steplen] for a in areas if a.depth > 1}
    return dict(Area.objects.filter(path__in=paths).values_list("path", "pk"))


def _outs(areas: list[Area]) -> list[AreaOut]:
    labels = area_labels([a.path for a in areas], top_kind=AreaKind.COUNTY)
    parents = _parent_ids(areas)
    return [
        AreaOut(
            id=a.pk,
            kind=AreaKind(a.kind),
            name=a.name,
            label=labels.get(a.path, a.name),
            code=a.code,
            parent_id=parents.get(a.path[: -Area.steplen]),
            grid_id=a.grid_id,
            floors=a.floors,
            flats_per_floor=a.flats_per_floor,
        )
        for a in areas
    ]


@router.get(
    "",
    response={200: list[AreaOut], **ERRORS},
    summary="区域列表(本人范围内)",
    description="按层级顺序列出本人可见的区域;`kind` 只列一类,`parent` 只列某区域的下一级。",
)
@paginate(pages_of(lambda request, rows: _outs(rows)), page_size=50, max_page_size=200)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]) -> QuerySet[Area]:
    require_capability(request, Capability.AREAS_VIEW)
    areas = visible_areas(request_user(request))
    if filters.kind is not None:
        areas = areas.filter(kind=filters.kind)
    if filters.parent is not None:
        parent = area_get_for_user(user=request_user(request), pk=filters.parent)
        areas = areas.filter(path__startswith=parent.path, depth=parent.depth + 1)
    return areas.order_by("path")


@router.get(
    "/{area_id}",
    response={200: AreaDetailOut, **ERRORS},
    summary="一个区域及其下一级",
)
def get_area(request: HttpRequest, area_id: int) -> Any:
    user = request_user(request)
    area = area_get_for_user(user=user, pk=area_id)
    children = list(
        area_children(area).filter(pk__in=visible_areas(user).values("pk")).order_by("path")
    )
    (out,) = _outs([area])
    return AreaDetailOut(**out.dict(), children=_outs(children))
