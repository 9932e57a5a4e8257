"""``/api/v1/fieldwork``: sink-down visits, who has not gone down, patrols and figures —
scoped like the pages; an object outside the caller's scope is a 404."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of, scope_for
from linli.areas.models import Area
from linli.core.api_pagination import ApiPages
from linli.core.api_schemas import ErrorOut, RecordId
from linli.core.dates import PlausibleDate, check_query_date
from linli.core.roles import Capability
from linli.core.scoping import apply_scope
from linli.fieldwork.models import Patrol, PatrolFinding, Posting, SinkDownVisit
from linli.fieldwork.selectors import (
    cadres_for_month,
    fieldwork_figures,
    own_postings,
    patrol_get_for_user,
    patrol_grids,
    posting_choices,
    visible_patrols,
    visible_postings,
    visible_visits,
    visit_get_for_user,
)
from linli.fieldwork.services import (
    MAX_CONCERNS,
    patrol_check,
    patrol_finding_add,
    patrol_finish,
    patrol_start,
    plan_save,
    posting_create,
    sink_down_visit_record,
)
from linli.requests.models import Category

router = Router(tags=["fieldwork"])


ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class SinkDownConcernOut(Schema):
    text: str
    request_number: str | None = Field(None, description="转成的诉求编号")
    request_status: str | None = Field(None, description="诉求状态")


class SinkDownVisitOut(Schema):
    id: int
    cadre: str
    kind: str = Field(..., description="baopian 包片 / liandian 联点")
    place: str = Field(..., description="小区或网格")
    visited_on: dt.date
    households_count: int
    households: str
    listened_to: str
    notes: str
    concerns: list[SinkDownConcernOut]


class SinkDownVisitIn(Schema):
    posting: int = Field(..., description="自己的包片/联点编号")
    visited_on: PlausibleDate
    households_count: int = Field(0, ge=0, le=500)
    households: str = Field("", max_length=2000)
    listened_to: str = Field("", max_length=2000)
    notes: str = Field("", max_length=2000)
    concerns: list[Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=list,
        max_length=MAX_CONCERNS,
        description="收集的问题,每条转为一件诉求(渠道 sink_down)",
    )


class CadreMonthOut(Schema):
    cadre: str
    places: list[str]
    visits: int
    went_down: bool
    last_visit: dt.date | None
    planned_on: dt.date | None


class FindingOut(Schema):
    id: int
    category: str
    text: str
    outcome: str = Field(..., description="solved 就地解决 / filed 转为诉求")
    request_number: str | None


class PatrolOut(Schema):
    id: int
    grid_id: int
    grid: str
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    buildings: list[str]
    places: str
    findings: list[FindingOut]


class PatrolIn(Schema):
    grid: int = Field(..., description="自己负责的网格编号")


class FindingIn(Schema):
    category: str = Field(..., max_length=30, description="诉求类别代码,如 sanitation")
    text: str = Field(..., max_length=500)
    solved: bool = Field(False, description="true 就地解决;false 转为诉求(渠道 patrol)")
    building: int | None = Field(None, description="本网格楼栋编号")


class FinishIn(Schema):
    note: str = Field("", max_length=500)


class PostingOut(Schema):
    id: int
    cadre: str = Field(..., description="干部的用户名")
    cadre_name: str
    kind: str = Field(..., description="baopian 包片 / liandian 联点")
    place: str = Field(..., description="小区或网格")
    compound: int | None = Field(None, description="包片的小区编号")
    grid: int | None = Field(None, description="联点的网格编号")
    active: bool


class PostingIn(Schema):
    cadre: str = Field(..., max_length=150, description="干部(镇街领导或包片/联点干部)的用户名")
    kind: Literal["baopian", "liandian"]
    compound: int | None = Field(None, description="包片:范围内的小区编号")
    grid: int | None = Field(None, description="联点:范围内的网格编号")


class PlanIn(Schema):
    posting: int = Field(..., description="自己的包片/联点编号")
    month: PlausibleDate = Field(..., description="计划月份中的任一天")
    planned_on: PlausibleDate | None = Field(None, description="计划下沉的日期(须在该月之内)")
    note: str = Field("", max_length=200, description="计划内容")


class PlanOut(Schema):
    posting: int
    month: dt.date = Field(..., description="该月的第一天")
    planned_on: dt.date | None
    note: str


class CheckIn(Schema):
    buildings: list[RecordId] = Field(
        default_factory=list, max_length=500, description="已巡查的本网格楼栋编号(全部,覆盖上次)"
    )
    places: str = Field("", max_length=200, description="其他点位")


class FieldworkFiguresOut(Schema):
    start: dt.date
    end: dt.date
    cadres: int
    cadres_down: int
    visits: int
    households: int
    concerns: int
    concerns_resolved: int
    resolution_rate: int | None = Field(None, description="问题办结率(%)")
    patrols: int
    findings_solved: int
    findings_filed: int
    patrols_per_grid: dict[str, int]


class FiguresQuery(Schema):
    start: PlausibleDate | None = None
    end: PlausibleDate | None = None
    area: int | None = Field(None, description="区域编号(镇、社区或小区)")


def _visit_out(visit: SinkDownVisit) -> SinkDownVisitOut:
    return SinkDownVisitOut(
        id=visit.pk,
        cadre=str(visit.cadre),
        kind=visit.posting.kind,
        place=visit.posting.place_name,
        visited_on=visit.visited_on,
        households_count=visit.households_count,
        households=visit.households,
        listened_to=visit.listened_to,
        notes=visit.notes,
        concerns=[
            SinkDownConcernOut(
                text=c.text,
                request_number=c.request.number if c.request else None,
                request_status=c.request.status if c.request else None,
            )
            for c in visit.concerns.select_related("request")
        ],
    )


def _finding_out(finding: PatrolFinding) -> FindingOut:
    return FindingOut(
        id=finding.pk,
        category=finding.category.code,
        text=finding.text,
        outcome=finding.outcome,
        request_number=finding.request.number if finding.request else None,
    )


def _patrol_out(patrol: Patrol) -> PatrolOut:
    return PatrolOut(
        id=patrol.pk,
        grid_id=patrol.grid_id,
        grid=patrol.grid.name,
        worker=str(patrol.worker),
        started_at=patrol.started_at,
        finished_at=patrol.finished_at,
        buildings=[b.name for b in patrol.buildings.order_by("path")],
        places=patrol.places,
        findings=[_finding_out(f) for f in patrol.findings.select_related("category", "request")],
    )


def _posting_out(posting: Posting) -> PostingOut:
    return PostingOut(
        id=posting.pk,
        cadre=posting.cadre.username,
        cadre_name=str(posting.cadre),
        kind=posting.kind,
        place=posting.place_name,
        compound=posting.compound_id,
        grid=posting.grid_id,
        active=posting.active,
    )


class Pages(ApiPages):
    """``?page=N&page_size=M`` (20 a page, at most 100): ``{items, count}``."""

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: PageNumberPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        page[self.items_attribute] = [
            _visit_out(i)
            if isinstance(i, SinkDownVisit)
            else _posting_out(i)
            if isinstance(i, Posting)
            else _patrol_out(i)
            for i in items
        ]
        return page


def _require(request: HttpRequest, capability: Capability) -> None:
    if capability not in capabilities_of(request.user):
        raise PermissionDenied(_("您没有这项操作的权限。"))


@router.get(
    "/visits",
    response=list[SinkDownVisitOut],
    summary="下沉走访记录(最新在前)",
    description="干部看自己的记录;社区、镇街看范围内的全部。",
)
@paginate(Pages, page_size=20, max_page_size=100)
def list_visits(request: HttpRequest) -> QuerySet[SinkDownVisit]:
    return visible_visits(request_user(request)).order_by("-visited_on", "-pk")


@router.get(
    "/visits/{visit_id}", response={200: SinkDownVisitOut, **ERRORS}, summary="一次下沉走访"
)
def get_visit(request: HttpRequest, visit_id: int) -> SinkDownVisitOut:
    return _visit_out(visit_get_for_user(user=request_user(request), pk=visit_id))


@router.post(
    "/visits",
    response={201: SinkDownVisitOut, **ERRORS},
    summary="记录一次下沉走访",
    description="收集的问题各自转为一件诉求(渠道 sink_down),按常规流程分派。",
)
def create_visit(request: HttpRequest, payload: SinkDownVisitIn) -> Reply[SinkDownVisitOut]:
    user = request_user(request)
    _require(request, Capability.SINK_DOWN)
    posting = own_postings(user).filter(pk=payload.posting).first()
    if posting is None:
        raise Http404
    visit = sink_down_visit_record(
        actor=user,
        posting=posting,
        visited_on=check_query_date(payload.visited_on),
        households_count=payload.households_count,
        households=payload.households,
        listened_to=payload.listened_to,
        notes=payload.notes,
        concerns=payload.concerns,
    )
    return Reply(201, _visit_out(visit))


@router.get(
    "/cadres",
    response={200: list[CadreMonthOut], **ERRORS},
    summary="某月干部下沉情况(未下沉的在前)",
    description="`month` 为该月任一天,默认本月。",
)
def list_cadres(request: HttpRequest, month: PlausibleDate | None = None) -> list[CadreMonthOut]:
    _require(request, Capability.FIELDWORK_OVERSEE)
    month = check_query_date(month) if month else timezone.localdate()
    return [
        CadreMonthOut(
            cadre=str(r.cadre),
            places=[p.place_name for p in r.postings],
            visits=r.visits,
            went_down=r.went_down,
            last_visit=r.last_visit,
            planned_on=r.planned_on,
        )
        for r in cadres_for_month(request_user(request), month)
    ]


@router.get("/patrols", response=list[PatrolOut], summary="巡查记录(最新在前)")
@paginate(Pages, page_size=20, max_page_size=100)
def list_patrols(request: HttpRequest, grid: int | None = None) -> QuerySet[Patrol]:
    patrols = visible_patrols(request_user(request)).order_by("-started_at", "-pk")
    return patrols.filter(grid_id=grid) if grid is not None else patrols


@router.get("/patrols/{patrol_id}", response={200: PatrolOut, **ERRORS}, summary="一次巡查")
def get_patrol(request: HttpRequest, patrol_id: int) -> PatrolOut:
    return _patrol_out(patrol_get_for_user(user=request_user(request), pk=patrol_id))


@router.post("/patrols", response={201: PatrolOut, **ERRORS}, summary="开始巡查自己的网格")
def start_patrol(request: HttpRequest, payload: PatrolIn) -> Reply[PatrolOut]:
    user = request_user(request)
    _require(request, Capability.PATROL)
    grid = patrol_grids(user).filter(pk=payload.grid).first()
    if grid is None:
        raise Http404
    return Reply(201, _patrol_out(patrol_start(actor=user, grid=grid)))


def _own_patrol(request: HttpRequest, patrol_id: int) -> Patrol:
    patrol = patrol_get_for_user(user=request_user(request), pk=patrol_id)
    if patrol.worker_id != request.user.pk:
        raise PermissionDenied(_("只能记录自己的巡查。"))
    return patrol


@router.post(
    "/patrols/{patrol_id}/findings",
    response={201: FindingOut, **ERRORS},
    summary="记录巡查发现",
    description="`solved=true` 记为就地解决;否则转为诉求(渠道 patrol)。照片请在页面上传。",
)
def add_finding(request: HttpRequest, patrol_id: int, payload: FindingIn) -> Reply[FindingOut]:
    patrol = _own_patrol(request, patrol_id)
    category = Category.objects.filter(code=payload.category, is_active=True).first()
    if category is None:
        raise ValidationError({"category": [_("未知的类别。")]})
    building = (
        patrol.grid.buildings.filter(pk=payload.building).first() if payload.building else None
    )
    if payload.building and building is None:
        raise ValidationError({"building": [_("请选择本网格的楼栋。")]})
    finding = patrol_finding_add(
        actor=request_user(request),
        patrol=patrol,
        category=category,
        text=payload.text,
        solved=payload.solved,
        building=building,
    )
    return Reply(201, _finding_out(finding))


@router.post("/patrols/{patrol_id}/finish", response={200: PatrolOut, **ERRORS}, summary="结束巡查")
def finish_patrol(request: HttpRequest, patrol_id: int, payload: FinishIn) -> PatrolOut:
    patrol = _own_patrol(request, patrol_id)
    return _patrol_out(patrol_finish(actor=request_user(request), patrol=patrol, note=payload.note))


@router.get(
    "/figures",
    response={200: FieldworkFiguresOut, **ERRORS},
    summary="下沉与巡查统计",
    description="默认本月 1 日到今天;`area` 为范围内的镇、社区或小区。",
)
def get_figures(request: HttpRequest, filters: Query[FiguresQuery]) -> FieldworkFiguresOut:
    user = request_user(request)
    _require(request, Capability.FIELDWORK_OVERSEE)
    today = timezone.localdate()
    start = check_query_date(filters.start) if filters.start else today.replace(day=1)
    end = check_query_date(filters.end) if filters.end else today
    if start > end:
        raise ValidationError({"start": [_("开始日期不能晚于结束日期。")]})
    area: Area | None = None
    if filters.area is not None:
        area = apply_scope(
            Area.objects.filter(pk=filters.area),
            scope_for(user, Capability.FIELDWORK_OVERSEE),
            area_path="path",
        ).first()
        if area is None:
            raise Http404
    f = fieldwork_figures(user, start=start, end=end, area=area)
    return FieldworkFiguresOut(
        start=f.start,
        end=f.end,
        cadres=f.cadres,
        cadres_down=f.cadres_down,
        visits=f.visits,
        households=f.households,
        concerns=f.concerns,
        concerns_resolved=f.concerns_resolved,
        resolution_rate=f.resolution_rate,
        patrols=f.patrols,
        findings_solved=f.findings_solved,
        findings_filed=f.findings_filed,
        patrols_per_grid={g.name: n for g, n in f.patrols_per_grid},
    )


# --- postings (包片/联点), plans, patrol check-ins: the pages' other forms ------------------


@router.get(
    "/postings",
    response=list[PostingOut],
    summary="包片/联点",
    description="干部看自己的;社区、镇街看范围内的全部。",
)
@paginate(Pages, page_size=20, max_page_size=100)
def list_postings(request: HttpRequest) -> QuerySet[Posting]:
    return visible_postings(request_user(request)).order_by("kind", "pk")


@router.post(
    "/postings",
    response={201: PostingOut, **ERRORS},
    summary="安排包片或联点",
    description="与「安排包片/联点」页面相同:社区、镇街把范围内的干部或镇街领导安排到一个小区"
    "(包片,填 `compound`)或一个网格(联点,填 `grid`),二者选其一(否则 422);"
    "范围外的小区、网格或干部为 422。",
)
def create_posting(request: HttpRequest, payload: PostingIn) -> Reply[PostingOut]:
    _require(request, Capability.FIELDWORK_OVERSEE)
    choices = posting_choices(request_user(request))
    errors: dict[str, list[str]] = {}
    cadre = User.objects.filter(username=payload.cadre).first()
    if cadre is None or cadre.pk not in dict(choices.cadres):
        errors["cadre"] = [_("只有镇街领导或包片/联点干部可以下沉。")]
    compound = grid = None
    if payload.compound is not None:
        compound = choices.compounds.filter(pk=payload.compound).first()
        if compound is None:
            errors["compound"] = [_("请选择一个小区。")]
    if payload.grid is not None:
        grid = choices.grids.filter(pk=payload.grid).first()
        if grid is None:
            errors["grid"] = [_("请选择范围内的网格。")]
    if errors:
        raise ValidationError(errors)
    assert cadre is not None
    posting = posting_create(
        actor=request_user(request),
        cadre=cadre,
        kind=payload.kind,
        compound=compound,
        grid=grid,
    )
    return Reply(201, _posting_out(posting))


@router.post(
    "/plans",
    response={200: PlanOut, **ERRORS},
    summary="保存下沉计划",
    description="与「下沉计划」页面相同:干部为自己的一个包片/联点设定某月计划下沉的日期"
    "(再次提交即修改);不是自己的包片/联点为 404,日期不在该月为 422。",
)
def save_plan(request: HttpRequest, payload: PlanIn) -> PlanOut:
    user = request_user(request)
    _require(request, Capability.SINK_DOWN)
    posting = own_postings(user).filter(pk=payload.posting).first()
    if posting is None:
        raise Http404
    plan = plan_save(
        actor=user,
        posting=posting,
        month=check_query_date(payload.month),
        planned_on=check_query_date(payload.planned_on) if payload.planned_on else None,
        note=payload.note,
    )
    return PlanOut(
        posting=plan.posting_id, month=plan.month, planned_on=plan.planned_on, note=plan.note
    )


@router.post(
    "/patrols/{patrol_id}/check",
    response={200: PatrolOut, **ERRORS},
    summary="巡查打卡(已巡查的楼栋和点位)",
    description="与巡查页面的「打卡」相同:勾选的楼栋代替上次的;不是本网格的楼栋为 422,"
    "不是自己的巡查为 403,已结束的巡查为 422。",
)
def check_patrol(request: HttpRequest, patrol_id: int, payload: CheckIn) -> PatrolOut:
    patrol = _own_patrol(request, patrol_id)
    chosen = set(payload.buildings)
    buildings = [b for b in patrol.grid.buildings.all() if b.pk in chosen]
    if len(buildings) != len(chosen):
        raise ValidationError({"buildings": [_("只能勾选本网格的楼栋。")]})
    return _patrol_out(
        patrol_check(
            actor=request_user(request), patrol=patrol, buildings=buildings, places=payload.places
        )
    )
