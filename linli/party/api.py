"""``/api/v1/party``: party organisations, members, theme party days and figures, scoped
like the pages; and the pages' writes — registering a member, planning and recording a
theme party day, setting up a vanguard post — through the same services.

Only party-work roles see anything (a grid worker their grid's group); a record outside
the caller's scope is a 404.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user, require_capability
from linli.accounts.selectors import scope_for
from linli.areas.models import Area
from linli.core.api_pagination import ApiPages, pages_of
from linli.core.api_schemas import ErrorOut, RecordId
from linli.core.dates import PlausibleDate, check_query_date
from linli.core.roles import Capability
from linli.organisations.models import Organisation
from linli.party.forms import CONCERN_SLOTS
from linli.party.models import MemberKind, PartyDay, PartyMember, Position, PostKind
from linli.party.selectors import (
    concern_places,
    default_period,
    member_get_for_manager,
    member_get_for_user,
    member_grids,
    member_list,
    organisation_get_for_user,
    party_day_get_for_user,
    party_day_list,
    party_figures,
    place_label,
    post_buildings,
    visible_organisations,
)
from linli.party.services import (
    ConcernEntry,
    member_register,
    party_day_plan,
    party_day_record_by_date,
    post_add,
)

router = Router(tags=["party"])


class MemberOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="direct 直管 / dual_report 在职党员双报到 / mobile 流动")
    organisation: str
    position: str
    grid: str | None = None
    home_organisation: str = Field("", description="双报到党员的原单位党组织")
    reported_on: dt.date | None = None


class PartyConcernOut(Schema):
    request_id: int
    number: str
    text: str
    status: str
    assignee: str | None = None


class PartyDayOut(Schema):
    id: int
    organisation: str
    topic: str
    place: str
    planned_for: dt.date
    state: str = Field(..., description="planned 计划中 / held 已举办")
    held_at: dt.datetime | None = None
    members_expected: int
    members_present: int
    residents_present: int


class PartyDayDetailOut(PartyDayOut):
    concerns: list[PartyConcernOut]


class PartyFiguresIn(Schema):
    area: int | None = Field(None, description="区域编号;不填为全部范围")
    start: PlausibleDate | None = Field(None, description="起始日期,默认半年前")
    end: PlausibleDate | None = Field(None, description="截止日期,默认本月月底")


class PartyFiguresOut(Schema):
    days_planned: int
    days_held: int
    attendance_rate: float | None
    concerns_raised: int
    concerns_resolved: int
    resolution_rate: float | None
    dual_reported_by_grid: dict[str, int]


def _member_out(m: PartyMember) -> MemberOut:
    return MemberOut(
        id=m.pk,
        name=m.name,
        kind=m.kind,
        organisation=str(m.organisation),
        position=m.position,
        grid=m.grid.name if m.grid else None,
        home_organisation=m.home_organisation,
        reported_on=m.reported_on,
    )


def _day_out(day: PartyDay) -> PartyDayOut:
    return PartyDayOut(
        id=day.pk,
        organisation=str(day.organisation),
        topic=day.topic,
        place=day.place,
        planned_for=day.planned_for,
        state=day.state,
        held_at=day.held_at,
        members_expected=day.members_expected,
        members_present=day.members_present.count(),
        residents_present=day.residents_present,
    )


class PartyOrganisationOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="党委、党总支、党支部、网格党小组等")
    parent_id: int | None = Field(None, description="上级党组织")
    area: str | None = Field(None, description="所在区域")
    grid: str | None = Field(None, description="网格党小组的网格")
    member_count: int = Field(..., description="在册党员数")


def _organisation_outs(
    request: HttpRequest, organisations: list[Organisation]
) -> list[PartyOrganisationOut]:
    return [
        PartyOrganisationOut(
            id=o.pk,
            name=o.name,
            kind=o.kind,
            parent_id=o.parent_id,
            area=o.area.name if o.area else None,
            grid=o.grid.name if o.grid else None,
            member_count=getattr(o, "member_count", 0),
        )
        for o in organisations
    ]


def _with_member_count(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return organisations.annotate(
        member_count=Count("party_members", filter=Q(party_members__active=True))
    )


@router.get(
    "/organisations",
    response={200: list[PartyOrganisationOut], 401: ErrorOut, 403: ErrorOut},
    summary="党组织(本人范围内)",
    description="党委、党支部、网格党小组,按类型和名称排列;`parent_id` 连成组织树。",
)
@paginate(pages_of(_organisation_outs), page_size=50, max_page_size=200)
def list_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    require_capability(request, Capability.PARTY_VIEW)
    return _with_member_count(visible_organisations(request_user(request))).order_by(
        "kind", "name", "pk"
    )


@router.get(
    "/organisations/{organisation_id}",
    response={200: PartyOrganisationOut, 404: ErrorOut},
    summary="一个党组织",
)
def get_organisation(request: HttpRequest, organisation_id: int) -> PartyOrganisationOut:
    organisation = organisation_get_for_user(user=request_user(request), pk=organisation_id)
    counted = _with_member_count(
        Organisation.objects.filter(pk=organisation.pk).select_related("area", "grid")
    ).get()
    (out,) = _organisation_outs(request, [counted])
    return out


@router.get("/members", response=list[MemberOut], summary="党员(本人范围内)")
@paginate(ApiPages, page_size=20, max_page_size=100)
def list_members(request: HttpRequest, kind: str = "") -> list[MemberOut]:
    members: QuerySet[PartyMember] = member_list(user=request_user(request), kind=kind)
    return [_member_out(m) for m in members]


@router.get(
    "/members/{party_member_id}", response={200: MemberOut, 404: ErrorOut}, summary="一名党员"
)
def get_member(request: HttpRequest, party_member_id: int) -> MemberOut:
    return _member_out(member_get_for_user(user=request_user(request), pk=party_member_id))


@router.get("/days", response=list[PartyDayOut], summary="主题党日")
@paginate(ApiPages, page_size=20, max_page_size=100)
def list_days(request: HttpRequest, state: str = "") -> list[PartyDayOut]:
    return [_day_out(d) for d in party_day_list(user=request_user(request), state=state)]


@router.get(
    "/days/{party_day_id}",
    response={200: PartyDayDetailOut, 404: ErrorOut},
    summary="一次主题党日及群众反映的办理情况",
)
def get_day(request: HttpRequest, party_day_id: int) -> PartyDayDetailOut:
    return _day_detail_out(party_day_get_for_user(user=request_user(request), pk=party_day_id))


def _day_detail_out(day: PartyDay) -> PartyDayDetailOut:
    base = _day_out(day)
    return PartyDayDetailOut(
        **base.dict(),
        concerns=[
            PartyConcernOut(
                request_id=c.request.pk,
                number=c.request.number,
                text=c.request.text,
                status=c.request.status,
                assignee=c.request.assignee.full_name if c.request.assignee else None,
            )
            for c in day.concerns.all()
        ],
    )


@router.get(
    "/figures",
    response={200: PartyFiguresOut, 404: ErrorOut},
    summary="党建统计:党日举办、到场率、群众反映办结率、双报到人数",
)
def get_figures(request: HttpRequest, filters: Query[PartyFiguresIn]) -> PartyFiguresOut:
    user = request_user(request)
    area = None
    if filters.area is not None:
        area = Area.objects.filter(pk=filters.area).first()
        scope = scope_for(user, Capability.PARTY_VIEW)
        if area is None or not scope.covers_path(area.path):
            raise Http404
    start, end = default_period(timezone.localdate())
    figures = party_figures(
        user=user, area=area, start=filters.start or start, end=filters.end or end
    )
    return PartyFiguresOut(
        days_planned=figures.days_planned,
        days_held=figures.days_held,
        attendance_rate=figures.attendance_rate,
        concerns_raised=figures.concerns_raised,
        concerns_resolved=figures.concerns_resolved,
        resolution_rate=figures.resolution_rate,
        dual_reported_by_grid=figures.dual_reported_by_grid,
    )


# --- writes the party pages allow: plan a theme party day, set up a vanguard post ----------

WRITE_ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class PartyDayPlanIn(Schema):
    organisation: int = Field(..., description="党支部或网格党小组的编号(本人可记录的)")
    topic: str = Field(..., max_length=100, description="党日主题")
    place: str = Field("", max_length=100, description="地点")
    planned_for: PlausibleDate = Field(..., description="计划日期")


class VanguardPostIn(Schema):
    kind: PostKind = Field(
        ...,
        description="building_head 楼栋长 / elder_care 助老 / environment 环境 / safety 平安 / "
        "mediation 调解",
    )
    buildings: list[RecordId] = Field(
        default_factory=list, max_length=200, description="负责的楼栋编号(党员所在社区的)"
    )
    note: str = Field("", max_length=200, description="说明")


class VanguardPostOut(Schema):
    id: int
    member_id: int
    kind: str
    kind_label: str
    buildings: list[RecordId]
    note: str


@router.post(
    "/days",
    response={201: PartyDayOut, **WRITE_ERRORS},
    summary="安排主题党日",
    description="与主题党日页面的「安排」相同:需记录党日的权限(403);党组织须在范围内"
    "(否则 404),且为党支部或网格党小组(否则 422)。",
)
def plan_day(request: HttpRequest, payload: PartyDayPlanIn) -> Reply[PartyDayOut]:
    require_capability(request, Capability.PARTY_RECORD)
    user = request_user(request)
    organisation = organisation_get_for_user(
        user=user, pk=payload.organisation, capability=Capability.PARTY_RECORD
    )
    day = party_day_plan(
        actor=user,
        organisation=organisation,
        topic=payload.topic,
        place=payload.place,
        planned_for=check_query_date(payload.planned_for),
    )
    return Reply(201, _day_out(day))


@router.post(
    "/members/{party_member_id}/posts",
    response={201: VanguardPostOut, **WRITE_ERRORS},
    summary="设立先锋岗",
    description="与党员页面的「设立先锋岗」相同:党员的党组织须由本人管理(否则 404);"
    "楼栋须在党员所在社区(否则 422)。",
)
def add_post(
    request: HttpRequest, party_member_id: int, payload: VanguardPostIn
) -> Reply[VanguardPostOut]:
    user = request_user(request)
    member = member_get_for_manager(user=user, pk=party_member_id)
    buildings = list(post_buildings(member, payload.buildings))
    if len(buildings) != len(set(payload.buildings)):
        raise ValidationError({"buildings": [_("负责范围只能选择本社区的楼栋。")]})
    post = post_add(
        actor=user, member=member, kind=payload.kind, buildings=buildings, note=payload.note
    )
    return Reply(
        201,
        VanguardPostOut(
            id=post.pk,
            member_id=member.pk,
            kind=post.kind,
            kind_label=str(PostKind(post.kind).label),
            buildings=sorted(b.pk for b in buildings),
            note=post.note,
        ),
    )


# --- writes the party pages allow: register a member, record a theme party day ------------


class PartyMemberIn(Schema):
    organisation: RecordId = Field(..., description="党支部或网格党小组的编号(本人管理的)")
    kind: MemberKind = Field(
        MemberKind.DIRECT,
        description="direct 直管 / dual_report 在职党员双报到 / mobile 流动",
    )
    id_number: str = Field(
        "",
        max_length=30,  # 18 characters, with the spaces people type between groups
        description="身份证号:本人范围内登记在册的居民,按身份证号查找",
    )
    username: str = Field(
        "", max_length=150, description="或登录账号(不住在本社区的党员);二者填其一"
    )
    position: Position = Field(Position.MEMBER, description="职务")
    grid: RecordId | None = Field(None, description="服务网格的编号(本人范围内的)")
    home_organisation: str = Field("", max_length=100, description="原单位党组织(双报到党员)")
    reported_on: PlausibleDate | None = Field(None, description="报到日期(双报到党员)")


@router.post(
    "/members",
    response={201: MemberOut, **WRITE_ERRORS},
    summary="登记党员",
    description="与「登记党员」页面相同:需管理党员的权限(403);党组织须在本人管理的范围内"
    "(否则 404),且为党支部或网格党小组;按身份证号在本人范围内的居民名册中查找本人"
    "(找不到为 422),或填写登录账号;双报到党员须填写原单位党组织、报到日期和服务网格;"
    "已登记的居民或账号为 422。",
)
def register_member(request: HttpRequest, payload: PartyMemberIn) -> Reply[MemberOut]:
    require_capability(request, Capability.PARTY_MANAGE)
    user = request_user(request)
    organisation = organisation_get_for_user(
        user=user, pk=payload.organisation, capability=Capability.PARTY_MANAGE
    )
    grid = None
    if payload.grid is not None:
        grid = member_grids(user).filter(pk=payload.grid).first()
        if grid is None:
            raise ValidationError({"grid": [_("请选择本人范围内的网格。")]})
    member = member_register(
        actor=user,
        organisation=organisation,
        kind=payload.kind,
        id_number=payload.id_number,
        username=payload.username,
        position=payload.position,
        grid=grid,
        home_organisation=payload.home_organisation,
        reported_on=None if payload.reported_on is None else check_query_date(payload.reported_on),
    )
    return Reply(201, _member_out(member))


class PartyConcernPlaceOut(Schema):
    id: int
    name: str = Field(..., description="如 和平小区1号楼,或 和平小区(公共区域)")


class PartyConcernIn(Schema):
    text: str = Field(..., min_length=1, max_length=500, description="群众反映的问题")
    place: RecordId | None = Field(
        None, description="位置编号(见 `GET /party/days/{party_day_id}/places`);空为其中第一个"
    )


class PartyDayRecordIn(Schema):
    held_on: PlausibleDate = Field(..., description="举办日期(今天或以前)")
    place: str = Field("", max_length=100, description="地点;空为保留原地点")
    members_present: list[RecordId] = Field(
        default_factory=list, max_length=500, description="到场党员的编号(本组织的)"
    )
    residents_present: int = Field(0, ge=0, le=10000, description="参加群众(人)")
    summary: str = Field("", max_length=2000, description="活动记录")
    concerns: list[PartyConcernIn] = Field(
        default_factory=list,
        max_length=CONCERN_SLOTS,
        description="群众反映,每条转为一件诉求(来源:主题党日),按位置分派",
    )


def _day_to_record(request: HttpRequest, party_day_id: int) -> PartyDay:
    require_capability(request, Capability.PARTY_RECORD)
    return party_day_get_for_user(
        user=request_user(request), pk=party_day_id, capability=Capability.PARTY_RECORD
    )


@router.get(
    "/days/{party_day_id}/places",
    response={200: list[PartyConcernPlaceOut], **WRITE_ERRORS},
    summary="记录主题党日时群众反映可选的位置",
    description="与「记录主题党日」页面的位置选择相同:党小组网格(或党支部小区)中本人可以"
    "登记诉求的楼栋,以及小区公共区域。",
)
def list_concern_places(request: HttpRequest, party_day_id: int) -> list[PartyConcernPlaceOut]:
    day = _day_to_record(request, party_day_id)
    return [
        PartyConcernPlaceOut(id=p.pk, name=place_label(p))
        for p in concern_places(request_user(request), day.organisation)
    ]


@router.post(
    "/days/{party_day_id}/record",
    response={200: PartyDayDetailOut, **WRITE_ERRORS},
    summary="记录主题党日(到场党员、参加群众、群众反映)",
    description="与「记录主题党日」页面相同:需记录党日的权限(403),党日须在本人范围内"
    "(否则 404);举办日期不能晚于今天,到场党员须是本组织的,位置须是可选的位置"
    "(否则 422)。每条群众反映转为一件诉求,按位置分派给网格员;再次记录即更新。",
)
def record_day(
    request: HttpRequest, party_day_id: int, payload: PartyDayRecordIn
) -> PartyDayDetailOut:
    day = _day_to_record(request, party_day_id)
    user = request_user(request)
    party_day_record_by_date(
        actor=user,
        party_day=day,
        held_on=check_query_date(payload.held_on),
        members_present=payload.members_present,
        residents_present=payload.residents_present,
        summary=payload.summary,
        place=payload.place,
        concerns=[ConcernEntry(text=c.text, place_id=c.place) for c in payload.concerns],
    )
    return _day_detail_out(
        party_day_get_for_user(user=user, pk=day.pk, capability=Capability.PARTY_RECORD)
    )
