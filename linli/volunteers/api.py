"""``/api/v1/volunteers``: volunteers, their teams and service hours — scoped like the
pages (``volunteers.selectors``). Managers see the volunteers of their communities or
grids; a volunteer reads their own hours at ``/volunteers/me``. Outside scope is a 404."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user, require_capability
from linli.accounts.selectors import scope_for
from linli.areas.models import AreaKind, Grid
from linli.areas.selectors import ancestor_of_kind, communities_in_scope
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut, RecordId
from linli.core.dates import PlausibleDate, PlausibleDateTime, check_query_date
from linli.core.errors import Duplicate
from linli.core.roles import Capability
from linli.people.selectors import visible_residents
from linli.volunteers.models import (
    DaySlot,
    HoursStatus,
    ServiceCertificate,
    ServiceRecord,
    Team,
    TeamKind,
    Volunteer,
    VolunteerKind,
)
from linli.volunteers.selectors import (
    availability_grid,
    hours_for_minutes,
    hours_review_queue,
    is_own_volunteer,
    own_record_get,
    own_volunteer_profile,
    points_for_minutes,
    service_records_of,
    service_summary,
    visible_teams,
    volunteer_get_for_user,
    volunteer_list,
)
from linli.volunteers.services import (
    certificate_issue,
    service_hours_approve,
    service_hours_correct,
    service_hours_reject,
    service_hours_submit,
    service_hours_withdraw,
    service_record_add,
    team_create,
    team_member_add,
    team_member_remove,
    volunteer_create,
    volunteer_update,
)

router = Router(tags=["volunteers"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 409: ErrorOut}


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
    slot: DaySlot = Field(..., description="时段:morning 上午 / afternoon 下午 / evening 晚上")


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
    place: str = Field("", description="服务地点")
    source: str = Field(
        ...,
        description="visit 关爱走访 / activity 活动 / programme 暑期托管 / other 其他 / "
        "claim 本人补报(须审核)",
    )
    status: HoursStatus = Field(
        ...,
        description="submitted 待审核 / approved 已确认 / rejected 已退回 / "
        "withdrawn 已撤回(本人撤回);只有已确认的计入时长",
    )
    reject_reason: str = Field("", description="退回原因(已退回时)")


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
            AvailabilityOut(weekday=day, slot=DaySlot(slot))
            for day, slot in sorted(availability_grid(volunteer))
        ],
        service_count=summary.record_count,
        points=points_for_minutes(summary.minutes),
    )


def _record_out(r: ServiceRecord) -> ServiceRecordOut:
    return ServiceRecordOut(
        id=r.pk,
        started_at=r.started_at,
        minutes=r.minutes,
        content=r.content,
        place=r.place,
        source=r.source,
        status=HoursStatus(r.status),
        reject_reason=r.reject_reason,
    )


def _record_outs(request: HttpRequest, records: list[ServiceRecord]) -> list[ServiceRecordOut]:
    return [_record_out(r) for r in records]


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


class HoursClaimIn(Schema):
    started_at: PlausibleDateTime = Field(
        ..., description="开始时间(90 天内,不能是将来);不带时区时按北京时间理解"
    )
    hours: Decimal = Field(
        ..., gt=0, le=24, decimal_places=1, description="服务时长(小时,不含路上),如 1.5"
    )
    content: str = Field(..., min_length=1, max_length=200, description="做了什么服务")
    place: str = Field("", max_length=100, description="服务地点")


def _claim_minutes(hours: Decimal) -> int:
    return int(hours * 60)


@router.post(
    "/me/hours",
    response={201: ServiceRecordOut, **WRITE_ERRORS},
    summary="补报本人在系统外的服务时长(待审核)",
    description="记录为待审核,社区工作人员确认后才计入时长、积分和证明。"
    "一天合计不能超过 24 小时,只能补报 90 天内的服务(422)。",
)
def submit_own_hours(request: HttpRequest, payload: HoursClaimIn) -> Any:
    record = service_hours_submit(
        actor=request_user(request),
        volunteer=_own(request),
        started_at=payload.started_at,
        minutes=_claim_minutes(payload.hours),
        content=payload.content,
        place=payload.place,
    )
    return Reply(201, _record_out(record))


@router.post(
    "/me/hours/{record_id}",
    response={200: ServiceRecordOut, **WRITE_ERRORS},
    summary="修改本人补报的服务时长并重新提交",
    description="待审核、已退回或已撤回的记录可以修改,修改后重新进入待审核;已确认的为 409。"
    "不是本人补报的记录为 404。",
)
def correct_own_hours(request: HttpRequest, record_id: int, payload: HoursClaimIn) -> Any:
    user = request_user(request)
    record = service_hours_correct(
        actor=user,
        record=own_record_get(user=user, pk=record_id),
        started_at=payload.started_at,
        minutes=_claim_minutes(payload.hours),
        content=payload.content,
        place=payload.place,
    )
    return _record_out(record)


@router.post(
    "/me/hours/{record_id}/withdraw",
    response={200: ServiceRecordOut, **WRITE_ERRORS},
    summary="撤回本人补报的、还在待审核的服务时长",
    description="记录变为已撤回(withdrawn),不再送审、不计入时长;之后仍可修改并重新提交。"
    "已审核或已撤回的为 409;不是本人补报的记录为 404。",
)
def withdraw_own_hours(request: HttpRequest, record_id: int) -> Any:
    user = request_user(request)
    record = service_hours_withdraw(actor=user, record=own_record_get(user=user, pk=record_id))
    return _record_out(record)


class HoursQueueFiltersIn(Schema):
    status: HoursStatus | None = Field(
        HoursStatus.SUBMITTED, description="默认 submitted 待审核;传空值为全部"
    )
    q: str = Field("", max_length=50, description="志愿者姓名或服务内容的一部分")
    grid: int | None = Field(None, description="志愿者所在网格")
    since: PlausibleDate | None = Field(None, description="服务日期从")
    until: PlausibleDate | None = Field(None, description="服务日期至")


class HoursQueueItemOut(ServiceRecordOut):
    volunteer_id: int
    volunteer: str = Field(..., description="志愿者姓名")
    submitted_at: dt.datetime = Field(..., description="提交时间")
    reviewed_at: dt.datetime | None = None


def _queue_outs(request: HttpRequest, records: list[ServiceRecord]) -> list[HoursQueueItemOut]:
    return [
        HoursQueueItemOut(
            **_record_out(r).dict(),
            volunteer_id=r.volunteer_id,
            volunteer=r.volunteer.name,
            submitted_at=r.created_at,
            reviewed_at=r.reviewed_at,
        )
        for r in records
    ]


@router.get(
    "/hours/review",
    response={200: list[HoursQueueItemOut], **ERRORS},
    summary="服务时长审核队列(本人管理的志愿者补报的时长)",
    description="默认只列待审核的,先提交的在前;不含本人自己的记录。",
)
@paginate(pages_of(_queue_outs), page_size=20, max_page_size=100)
def list_hours_queue(
    request: HttpRequest, filters: Query[HoursQueueFiltersIn]
) -> QuerySet[ServiceRecord]:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    for day in (filters.since, filters.until):
        if day is not None:
            check_query_date(day)
    return hours_review_queue(
        user=request_user(request),
        status=filters.status or "",
        query=filters.q,
        grid_id=filters.grid,
        since=filters.since,
        until=filters.until,
    )


class HoursApproveIn(Schema):
    ids: list[RecordId] = Field(..., min_length=1, max_length=100, description="要确认的记录编号")


class HoursApprovedOut(Schema):
    approved: list[int] = Field(..., description="本次确认的记录")
    skipped: int = Field(..., description="已由他人审核、未改变的记录数")
    hours: Decimal = Field(..., description="本次确认的时长(小时)")


@router.post(
    "/hours/approve",
    response={200: HoursApprovedOut, **WRITE_ERRORS},
    summary="确认服务时长(一条或多条)",
    description="记录须是本人管理的志愿者的,否则整批 404;本人自己的记录 403;"
    "全部已被审核过为 409。确认后通知志愿者。",
)
def approve_hours(request: HttpRequest, payload: HoursApproveIn) -> Any:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    done = service_hours_approve(actor=request_user(request), record_ids=payload.ids)
    return HoursApprovedOut(
        approved=[r.pk for r in done.records],
        skipped=done.skipped,
        hours=hours_for_minutes(done.minutes),
    )


class HoursRejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200, description="退回原因(志愿者会看到)")


@router.post(
    "/hours/{record_id}/reject",
    response={200: ServiceRecordOut, **WRITE_ERRORS},
    summary="退回一条服务时长(写明原因)",
    description="志愿者会收到通知,可以修改后重新提交;已审核过的为 409。",
)
def reject_hours(request: HttpRequest, record_id: int, payload: HoursRejectIn) -> Any:
    # Outside the caller's scope (or without volunteers.manage) the record is a 404.
    record = service_hours_reject(
        actor=request_user(request), record_id=record_id, reason=payload.reason
    )
    return _record_out(record)


class TeamOut(Schema):
    id: int
    name: str
    kind: TeamKind = Field(..., description="service 服务队 / party_post 党员先锋岗")
    community: str
    description: str
    members: int = Field(..., description="队员人数")


class TeamIn(Schema):
    name: str = Field(..., max_length=60, description="队伍名称")
    kind: TeamKind = TeamKind.SERVICE
    description: str = Field("", max_length=200, description="简介")


def _team_outs(request: HttpRequest, teams: list[Team]) -> list[TeamOut]:
    return [
        TeamOut(
            id=t.pk,
            name=t.name,
            kind=TeamKind(t.kind),
            community=t.community.name,
            description=t.description,
            members=t.memberships.count(),
        )
        for t in teams
    ]


@router.get(
    "/teams",
    response={200: list[TeamOut], **ERRORS},
    summary="服务队和党员先锋岗(本人管理的社区)",
)
@paginate(pages_of(_team_outs), page_size=20, max_page_size=100)
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    return visible_teams(request_user(request)).select_related("community").order_by("kind", "name")


@router.post(
    "/teams",
    response={201: TeamOut, **WRITE_ERRORS},
    summary="新建一支队伍",
    description="建在本人负责的社区(与队伍页面相同);本社区已有同名队伍为 409。",
)
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    user = request_user(request)
    community = communities_in_scope(
        scope_for(user, Capability.VOLUNTEERS_MANAGE), whole_only=True
    ).first()
    if community is None:
        raise PermissionDenied(_("您没有可以建队的社区。"))
    team = team_create(
        actor=user,
        community=community,
        name=payload.name,
        kind=payload.kind,
        description=payload.description,
    )
    return Reply(201, _team_outs(request, [team])[0])


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


# --- writes: the same services as the edit page ----------------------------------------------


class VolunteerIn(Schema):
    resident: int = Field(..., description="居民编号(须在本人管理的范围内)")
    kind: VolunteerKind = VolunteerKind.RESIDENT
    grid: int | None = Field(None, description="所在网格;不填为居民所住楼栋的网格")
    joined_on: PlausibleDate | None = Field(None, description="加入日期")


class AvailabilityIn(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 周一 … 6 周日")
    slot: DaySlot


class VolunteerUpdateIn(Schema):
    """Only the fields sent change (like the edit page, which shows the rest as they are)."""

    kind: VolunteerKind | None = None
    grid: int | None = Field(None, description="所在网格;0 表示不指定")
    active: bool | None = Field(None, description="在册")
    skills: list[Annotated[str, Field(max_length=30)]] | None = Field(
        None, max_length=30, description='技能,如 ["量血压"],每项最多 30 字'
    )
    availability: list[AvailabilityIn] | None = Field(
        None, max_length=21, description="每周可服务时段(整体替换)"
    )


class ServiceRecordIn(Schema):
    started_at: PlausibleDateTime = Field(..., description="开始时间;不带时区时按北京时间理解")
    minutes: int = Field(..., description="服务时长(分钟,不含路上),1–1440")
    content: str = Field(..., min_length=1, max_length=200, description="服务内容")


def _grid_in(volunteer_community_id: int, grid_id: int) -> Grid:
    grid: Grid = get_object_or_404(Grid, pk=grid_id, community_id=volunteer_community_id)
    return grid


@router.post(
    "",
    response={201: VolunteerDetailOut, **WRITE_ERRORS},
    summary="登记一名志愿者(本人范围内的居民)",
    description="居民须在本人管理志愿者的范围内(否则 404);一位居民只能登记一次(409)。"
    "所属社区为居民所在的社区。",
)
def create_volunteer(request: HttpRequest, payload: VolunteerIn) -> Any:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    user = request_user(request)
    resident = get_object_or_404(
        visible_residents(user, Capability.VOLUNTEERS_MANAGE).select_related(
            "area", "household__unit"
        ),
        pk=payload.resident,
    )
    place = resident.household.unit if resident.household else resident.area
    community = ancestor_of_kind(place, AreaKind.COMMUNITY) if place is not None else None
    if place is None or community is None:
        raise ValidationError({"resident": [_("该居民不属于任何社区。")]})
    if Volunteer.objects.filter(resident=resident).exists():
        raise Duplicate({"resident": [_("该居民已登记为志愿者。")]})
    if payload.grid is not None:
        grid: Grid | None = _grid_in(community.pk, payload.grid)
    else:
        building = ancestor_of_kind(place, AreaKind.BUILDING)
        grid = building.grid if building is not None else None
    volunteer = volunteer_create(
        actor=user,
        community=community,
        kind=payload.kind,
        resident=resident,
        grid=grid,
        joined_on=payload.joined_on,
    )
    return Reply(201, _detail(volunteer_get_or_own(request, volunteer.pk)))


@router.post(
    "/{volunteer_id}",
    response={200: VolunteerDetailOut, **WRITE_ERRORS},
    summary="修改志愿者档案:类型、网格、在册、技能、可服务时段",
    description="只改提交的字段;`skills`、`availability` 整体替换。校验与编辑页面相同。",
)
def update_volunteer(request: HttpRequest, volunteer_id: int, payload: VolunteerUpdateIn) -> Any:
    volunteer = volunteer_get_for_user(user=request_user(request), pk=volunteer_id)
    sent = payload.dict(exclude_unset=True)
    grid = volunteer.grid
    if sent.get("grid") is not None:
        grid = _grid_in(volunteer.community_id, sent["grid"]) if sent["grid"] else None
    volunteer_update(
        actor=request_user(request),
        volunteer=volunteer,
        kind=payload.kind or volunteer.kind,
        grid=grid,
        active=volunteer.active if payload.active is None else payload.active,
        skills=[link.skill.name for link in volunteer.skill_links.all()]
        if payload.skills is None
        else payload.skills,
        availability=sorted(availability_grid(volunteer))
        if payload.availability is None
        else [(a.weekday, a.slot) for a in payload.availability],
    )
    return _detail(volunteer_get_or_own(request, volunteer.pk))


@router.post(
    "/{volunteer_id}/hours",
    response={201: ServiceRecordOut, **WRITE_ERRORS},
    summary="记录一次服务时长(管理人员代记,直接确认)",
    description="走访、活动、托管值班的时长由各自的办理自动记入;其他服务在这里记录。"
    "管理人员记录的时长直接确认;本人自己的为 403(请用 `POST /volunteers/me/hours`)。"
    "时长须在 1 分钟到 24 小时之间(422)。",
)
def record_hours(request: HttpRequest, volunteer_id: int, payload: ServiceRecordIn) -> Any:
    volunteer = volunteer_get_for_user(user=request_user(request), pk=volunteer_id)
    if is_own_volunteer(request_user(request), volunteer):
        raise PermissionDenied(_("本人的服务时长请在“我的服务”中补报,由其他工作人员审核。"))
    record = service_record_add(
        actor=request_user(request),
        volunteer=volunteer,
        started_at=payload.started_at,
        minutes=payload.minutes,
        content=payload.content,
    )
    return Reply(201, _record_outs(request, [record])[0])


class JoinIn(Schema):
    team: int = Field(..., description="队伍编号(本社区的队伍)")
    is_leader: bool = Field(False, description="任队长")


@router.post(
    "/{volunteer_id}/teams",
    response={200: VolunteerDetailOut, **WRITE_ERRORS},
    summary="加入一支队伍(或任队长)",
    description="队伍须是志愿者所在社区的(否则 404);已是队员且不是任队长时为 409。",
)
def join_team(request: HttpRequest, volunteer_id: int, payload: JoinIn) -> Any:
    user = request_user(request)
    volunteer = volunteer_get_for_user(user=user, pk=volunteer_id)
    team = get_object_or_404(
        visible_teams(user), pk=payload.team, community_id=volunteer.community_id
    )
    membership = volunteer.team_memberships.filter(team=team).first()
    if membership is not None and (membership.is_leader or not payload.is_leader):
        raise Duplicate(
            _("%(name)s 已是%(team)s的队员。") % {"name": volunteer.name, "team": team.name}
        )
    team_member_add(actor=user, team=team, volunteer=volunteer, is_leader=payload.is_leader)
    return _detail(volunteer_get_or_own(request, volunteer.pk))


@router.post(
    "/{volunteer_id}/teams/{team_id}/leave",
    response={200: VolunteerDetailOut, **WRITE_ERRORS},
    summary="退出一支队伍",
    description="不是该队队员时为 404。",
)
def leave_team(request: HttpRequest, volunteer_id: int, team_id: int) -> Any:
    user = request_user(request)
    volunteer = volunteer_get_for_user(user=user, pk=volunteer_id)
    membership = volunteer.team_memberships.filter(team_id=team_id).first()
    if membership is None:
        raise Http404
    team_member_remove(actor=user, membership=membership)
    return _detail(volunteer_get_or_own(request, volunteer.pk))


class CertificateOut(Schema):
    number: str = Field(..., description="证明编号;PDF 在页面 /volunteers/certificates/<编号>.pdf")
    period_start: dt.date | None
    period_end: dt.date
    hours: Decimal = Field(..., description="服务时长(小时)")
    record_count: int
    content_summary: str = Field(..., description="服务内容(不含被服务人的姓名)")
    issued_on: dt.date


@router.post(
    "/{volunteer_id}/certificates",
    response={201: CertificateOut, **WRITE_ERRORS},
    summary="出具志愿服务证明",
    description="证明截至今天的全部已确认的服务时长;还没有已确认的时长时为 409。",
)
def issue_certificate(request: HttpRequest, volunteer_id: int) -> Any:
    user = request_user(request)
    volunteer = volunteer_get_for_user(user=user, pk=volunteer_id)
    certificate: ServiceCertificate = certificate_issue(actor=user, volunteer=volunteer)
    return Reply(
        201,
        CertificateOut(
            number=certificate.number,
            period_start=certificate.period_start,
            period_end=certificate.period_end,
            hours=hours_for_minutes(certificate.minutes),
            record_count=certificate.record_count,
            content_summary=certificate.content_summary,
            issued_on=certificate.issued_on,
        ),
    )
