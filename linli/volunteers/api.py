"""``/api/v1/volunteers``: volunteers, their teams and service hours — scoped like the
pages (``volunteers.selectors``). Managers see the volunteers of their communities or
grids; a volunteer reads their own hours at ``/volunteers/me``. Outside scope is a 404."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from linli.accounts.current import request_user, require_capability
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut
from linli.core.roles import Capability
from linli.volunteers.models import ServiceRecord, Volunteer, VolunteerKind
from linli.volunteers.selectors import (
    availability_grid,
    hours_for_minutes,
    own_volunteer_profile,
    points_for_minutes,
    service_records_of,
    service_summary,
    volunteer_get_for_user,
    volunteer_list,
)

router = Router(tags=["volunteers"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class VolunteerOut(Schema):
    id: int
    name: str
    kind: VolunteerKind = Field(
        ...,
        description="party_member 党员志愿者 / dual_report 在职党员双报到 / "
        "student 大学生志愿者 / resident 居民志愿者",
    )
    grid: str | None = Field(None, description="所在网格")
    active: bool = Field(..., description="在册")
    teams: list[str]
    hours: Decimal = Field(..., description="累计服务时长(小时)")


class AvailabilityOut(Schema):
    weekday: int = Field(..., description="0 周一 … 6 周日")
    slot: str = Field(..., description="时段:morning / afternoon / evening")


class VolunteerDetailOut(VolunteerOut):
    community: str
    joined_on: dt.date | None
    skills: list[str]
    availability: list[AvailabilityOut]
    service_count: int = Field(..., description="服务次数")
    points: int = Field(..., description="积分")


class ServiceRecordOut(Schema):
    id: int
    started_at: dt.datetime
    minutes: int = Field(..., description="服务时长(分钟,不含路上)")
    content: str
    source: str = Field(..., description="visit 关爱走访 / activity 活动 / other 其他")


class VolunteerFiltersIn(Schema):
    q: str = Field("", max_length=50, description="姓名的一部分")
    kind: VolunteerKind | None = None
    team: int | None = Field(None, description="服务队编号")


def _volunteer_out(volunteer: Volunteer, minutes: int) -> VolunteerOut:
    return VolunteerOut(
        id=volunteer.pk,
        name=volunteer.name,
        kind=VolunteerKind(volunteer.kind),
        grid=volunteer.grid.name if volunteer.grid else None,
        active=volunteer.active,
        teams=[m.team.name for m in volunteer.team_memberships.all()],
        hours=hours_for_minutes(minutes),
    )


def _volunteer_outs(request: HttpRequest, volunteers: list[Volunteer]) -> list[VolunteerOut]:
    return [_volunteer_out(v, getattr(v, "total_minutes", None) or 0) for v in volunteers]


def _detail(volunteer: Volunteer) -> VolunteerDetailOut:
    summary = service_summary(volunteer)
    return VolunteerDetailOut(
        **_volunteer_out(volunteer, summary.minutes).dict(),
        community=volunteer.community.name,
        joined_on=volunteer.joined_on,
        skills=[link.skill.name for link in volunteer.skill_links.all()],
        availability=[
            AvailabilityOut(weekday=day, slot=slot)
            for day, slot in sorted(availability_grid(volunteer))
        ],
        service_count=summary.record_count,
        points=points_for_minutes(summary.minutes),
    )


def _record_outs(request: HttpRequest, records: list[ServiceRecord]) -> list[ServiceRecordOut]:
    return [
        ServiceRecordOut(
            id=r.pk, started_at=r.started_at, minutes=r.minutes, content=r.content, source=r.source
        )
        for r in records
    ]


def _own(request: HttpRequest) -> Volunteer:
    volunteer = own_volunteer_profile(request_user(request))
    if volunteer is None:
        raise Http404
    return volunteer


@router.get(
    "",
    response={200: list[VolunteerOut], **ERRORS},
    summary="志愿者(本人管理的社区或网格)",
    description="可按姓名 `q`、类型 `kind`、服务队 `team` 筛选。",
)
@paginate(pages_of(_volunteer_outs), page_size=20, max_page_size=100)
def list_volunteers(
    request: HttpRequest, filters: Query[VolunteerFiltersIn]
) -> QuerySet[Volunteer]:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    return volunteer_list(
        user=request_user(request),
        query=filters.q,
        kind=filters.kind or "",
        team_id=filters.team,
    )


@router.get(
    "/me",
    response={200: VolunteerDetailOut, **ERRORS},
    summary="我的志愿者档案(时长、积分)",
    description="调用者本人的志愿者档案;没有档案为 404。",
)
def get_own(request: HttpRequest) -> Any:
    return _detail(volunteer_get_or_own(request, None))


@router.get(
    "/me/hours",
    response={200: list[ServiceRecordOut], **ERRORS},
    summary="我的服务记录(新的在前)",
)
@paginate(pages_of(_record_outs), page_size=20, max_page_size=100)
def list_own_hours(request: HttpRequest) -> QuerySet[ServiceRecord]:
    return service_records_of(_own(request))


@router.get(
    "/{volunteer_id}",
    response={200: VolunteerDetailOut, **ERRORS},
    summary="一名志愿者:服务队、技能、可服务时段、时长和积分",
)
def get_volunteer(request: HttpRequest, volunteer_id: int) -> Any:
    return _detail(volunteer_get_or_own(request, volunteer_id))


@router.get(
    "/{volunteer_id}/hours",
    response={200: list[ServiceRecordOut], **ERRORS},
    summary="一名志愿者的服务记录(新的在前)",
)
@paginate(pages_of(_record_outs), page_size=20, max_page_size=100)
def list_hours(request: HttpRequest, volunteer_id: int) -> QuerySet[ServiceRecord]:
    return service_records_of(volunteer_get_or_own(request, volunteer_id))


def volunteer_get_or_own(request: HttpRequest, volunteer_id: int | None) -> Volunteer:
    """A managed volunteer by id, or (``None``) the caller's own profile, loaded the same
    way (teams, skills, availability)."""
    if volunteer_id is None:
        volunteer_id = _own(request).pk
        own = Volunteer.objects.filter(pk=volunteer_id).select_related("grid", "community")
        return own.prefetch_related(
            "team_memberships__team", "skill_links__skill", "availability"
        ).get()
    return volunteer_get_for_user(user=request_user(request), pk=volunteer_id)
