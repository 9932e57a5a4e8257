"""``/api/v1/requests``: file, list, read, move and rate requests (诉求) with a token.

Scoped exactly like the pages: every read starts from ``visible_requests`` (something
outside the caller's scope is a 404), and every write goes through the services, whose
errors ``linli.api`` turns into the shared JSON shape: 409 for a move the workflow does
not allow, 403 for one the caller may not make, 422 for bad input.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_labels
from linli.core.api_pagination import ApiPages
from linli.core.api_schemas import ErrorOut
from linli.core.dates import PlausibleDate
from linli.core.errors import Conflict
from linli.core.keyset import (
    Cursor,
    CursorFiltersMismatch,
    InvalidCursor,
    cursor_loads,
    fingerprint,
)
from linli.core.pagination import COUNT_CAP, count_rows
from linli.requests.locate import resident_of, resolve_location
from linli.requests.models import (
    Category,
    Channel,
    Feedback,
    Mediation,
    Request,
    RequestEvent,
)
from linli.requests.selectors import (
    QUEUE_ORDERING,
    OverdueFirst,
    QueueFilters,
    QueueKey,
    assignable_users,
    mediation_of,
    request_get_for_user,
    request_queue,
    request_queue_parts,
)
from linli.requests.services import (
    mediation_add_session,
    mediation_conclude,
    mediation_start,
    request_accept_suggestion,
    request_clear_urgent,
    request_feedback,
    request_reclassify,
    request_record_contact,
    request_reveal_reporter_phone,
    request_set_public,
    request_submit,
    request_transition,
)
from linli.requests.workflow import OPEN_STATUSES, Status

router = Router(tags=["requests"])

# Channels a caller may name; Open311 has its own endpoint.
ApiChannel = Literal[
    "api",
    "chat",
    "phone",
    "patrol",
    "party_day",
    "sink_down",
    "visit",
    "resident_page",
    "activity",
    "survey",
]
StatusFilter = Literal[
    "open",
    "waiting",
    "submitted",
    "accepted",
    "assigned",
    "in_progress",
    "resolved",
    "closed",
    "rejected",
]
ChannelFilter = Literal[
    "api",
    "chat",
    "phone",
    "patrol",
    "party_day",
    "sink_down",
    "visit",
    "resident_page",
    "open311",
    "activity",
    "survey",
]


# --- schemas -------------------------------------------------------------------------------


class LocationOut(Schema):
    code: str = Field(..., description="区域编码")
    kind: str = Field(..., description="community / compound / building / unit")
    label: str = Field(..., description="可读的位置,如 和平社区和平小区1号楼1单元101室")
    room: str = Field("", description="房号(仅单元)")


class RequestOut(Schema):
    id: int
    number: str = Field(..., description="诉求编号,如 20261128-0007")
    text: str
    status: str = Field(..., description="状态代码")
    status_label: str
    category: str = Field(..., description="类别代码")
    category_label: str
    location: LocationOut
    grid: str | None = Field(None, description="网格编码;位置只到小区或社区时为空(待派单)")
    assignee: str | None = Field(None, description="承办人的用户名")
    channel: str
    urgent: bool
    submitted_at: dt.datetime
    due_at: dt.datetime = Field(..., description="办理时限")
    overdue: bool = Field(..., description="仍未办结且已超过办理时限")


class RequestIn(Schema):
    text: str = Field(..., description="问题描述", max_length=2000)
    category: str | None = Field(
        None, max_length=30, description="类别代码;不填为 other,由分拣补充"
    )
    building: int | None = Field(None, ge=1, description="楼号;不指明小区时在反映人所住小区查找")
    unit: int | None = Field(None, ge=1, description="单元号(需同时填写楼号或楼栋编码)")
    room: str | None = Field(None, max_length=10, description="房号,如 502(需有单元)")
    location_code: str | None = Field(
        None, max_length=24, description="区域编码:社区、小区、楼栋或单元"
    )
    urgent: bool = False
    channel: ApiChannel = Field("api", description="来源渠道")


# Text limits are the web forms' (tests/core/test_boundary.py compares them).
class TransitionIn(Schema):
    to: str = Field(..., max_length=20, description="目标状态,如 in_progress、resolved、closed")
    note: str = Field("", max_length=2000, description="说明;不予受理、办结、退回重办时必填")
    assignee: str | None = Field(None, max_length=150, description="派单或改派时的承办人用户名")


class FeedbackIn(Schema):
    resolved: bool = Field(..., description="问题是否解决;未解决会重新办理")
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    comment: str = Field("", max_length=1000, description="意见或建议")
    via: Literal["reporter", "phone", "visit"] = Field(
        "reporter", description="reporter 为反映人自评;phone / visit 为工作人员登记回访"
    )


class EventOut(Schema):
    at: dt.datetime
    kind: str
    kind_label: str
    actor: str | None = Field(None, description="操作人用户名;系统自动流转时为空")
    transition: str
    # Read as ``from_`` (a keyword in Python), written as ``from``.
    from_: str | None = Field(None, serialization_alias="from")
    to: str | None
    note: str


class RequestFilters(Schema):
    status: StatusFilter | None = Field(
        None, description="状态;open 为所有未办结的,waiting 为待受理和待派单的"
    )
    category: str | None = Field(None, description="类别代码")
    grid: str | None = Field(None, description="网格编码")
    channel: ChannelFilter | None = None
    overdue: bool | None = Field(None, description="true 只看超期的,false 只看未超期的")


ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 403: ErrorOut, 409: ErrorOut}


# --- building the answers ------------------------------------------------------------------


def _is_overdue(request: Request, now: dt.datetime) -> bool:
    annotated = getattr(request, "is_overdue", None)
    if annotated is not None:
        return bool(annotated)
    return request.status in OPEN_STATUSES and request.due_at < now


def requests_out(requests: list[Request]) -> list[RequestOut]:
    """The API form of many requests: locations labelled in one query, not one each."""
    labels = area_labels([r.location.path for r in requests], top_kind=AreaKind.COMMUNITY)
    now = timezone.now()
    return [
        RequestOut(
            id=r.pk,
            number=r.number,
            text=r.text,
            status=r.status,
            status_label=str(Status(r.status).label),
            category=r.category.code,
            category_label=r.category.name,
            location=LocationOut(
                code=r.location.code,
                kind=r.location.kind,
                label=labels[r.location.path] + (f"{r.room}室" if r.room else ""),
                room=r.room,
            ),
            grid=r.grid.code if r.grid is not None else None,
            assignee=r.assignee.username if r.assignee is not None else None,
            channel=r.channel,
            urgent=r.urgent,
            submitted_at=r.submitted_at,
            due_at=r.due_at,
            overdue=_is_overdue(r, now),
        )
        for r in requests
    ]


def _out(user: User, pk: int) -> RequestOut:
    """One request as the caller sees it now (re-read, so the answer shows every change)."""
    return requests_out([request_get_for_user(user=user, pk=pk)])[0]


CURSOR_SALT = "linli.requests.api.cursor"


def filters_fingerprint(filters: RequestFilters) -> str:
    """What a cursor remembers of the list it continues: its filters and its order."""
    return fingerprint(QUEUE_ORDERING, filters.model_dump())


def cursor_encode(now: dt.datetime, key: QueueKey, filters: RequestFilters) -> str:
    """The opaque ``next`` cursor: the row's place in the queue's order, the moment the
    walk began (so "overdue" means the same on every page) and a fingerprint of the filters
    and order, signed so it cannot be forged into something else (it names no row the
    caller could not already see)."""
    dumped = OverdueFirst.dump_key(key)
    return Cursor(now, dumped, filters_fingerprint(filters)).dumps(salt=CURSOR_SALT)


def cursor_decode(text: str, filters: RequestFilters) -> tuple[dt.datetime, QueueKey]:
    """The moment the walk began and the row to continue after; 422 when the cursor is not
    one of ours, or was made for other filters (it would continue another list)."""
    try:
        cursor = cursor_loads(text, salt=CURSOR_SALT, filters=filters_fingerprint(filters))
        if cursor.backwards:
            raise InvalidCursor("the API walks forwards")
        return cursor.began, OverdueFirst.load_key(cursor.key)
    except CursorFiltersMismatch as error:
        raise ValidationError(
            {
                "cursor": [
                    _(
                        "翻页游标是按另一组筛选条件(或排序)生成的,不能接着翻:"
                        "请用与上一页相同的筛选条件,或去掉 cursor 从第一页重新开始。"
                    )
                ]
            }
        ) from error
    except (InvalidCursor, ValueError, TypeError) as error:
        raise ValidationError(
            {"cursor": [_("翻页游标无效;请去掉 cursor 从第一页重新开始。")]}
        ) from error


class RequestPages(ApiPages):
    """``?page=N&page_size=M`` (20 a page by default, at most 100) for the first pages, or
    ``?cursor=…`` (the previous answer's ``next``, with the same filters) for any page at
    the cost of the first: ``{items, count, count_exact, next}``."""

    class Input(ApiPages.Input):
        cursor: str | None = Field(
            None,
            max_length=1000,
            description="上一页返回的 `next`(筛选条件须与上一页相同);给出时忽略 `page`,"
            "可一直翻到最后",
        )

    class Output(Schema):
        items: list[Any]
        count: int
        count_exact: bool
        next: str | None

    def paginate_queryset(  # type: ignore[override]
        self,
        queryset: OverdueFirst,
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        filters: RequestFilters = params["filters"]
        page_size = self._get_page_size(pagination.page_size)
        if pagination.cursor:
            _began, key = cursor_decode(pagination.cursor, filters)
            rows = queryset.after(key, page_size + 1)
        else:
            offset = (pagination.page - 1) * page_size
            if offset >= COUNT_CAP:
                raise ValidationError(
                    {
                        "page": [
                            _(
                                "只能翻到前 %(cap)s 条;请用筛选条件(状态、类别、网格等)缩小范围,"
                                "或用上一页返回的 next 作为 cursor 继续翻页。"
                            )
                            % {"cap": f"{COUNT_CAP:,}"}
                        ]
                    }
                )
            rows = queryset[offset : offset + page_size + 1]
        counted = count_rows(queryset)
        following = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            following = cursor_encode(queryset.now, queryset.key_of(rows[-1]), filters)
        return {
            self.items_attribute: requests_out(rows),
            "count": counted.rows,
            "count_exact": counted.exact,
            "next": following,
        }


# --- operations ----------------------------------------------------------------------------


@router.post(
    "",
    response={201: RequestOut, **WRITE_ERRORS},
    summary="提交诉求",
    description=(
        "位置:`location_code` 为区域编码(须在您可登记的范围内,否则 422);"
        "只填 `building`/`unit`/`room` 时在反映人所住小区查找,没有住址的工作人员在其所在社区查找,"
        "同号楼栋不止一栋时 422 并请您改用 `location_code`;都不填则为您所在社区,等待派单。"
        "位置到楼栋或单元的诉求会立即派给该网格的网格员。"
        "类别不填、或位置只到社区或小区时按内容自动分诊:把握足够(`LINLI_TRIAGE_THRESHOLD`,"
        "默认 0.6)则补上类别和楼栋单元并派单,否则类别为 `other`、等待派单并附分诊建议。"
    ),
)
def create_request(request: HttpRequest, payload: RequestIn) -> Reply[RequestOut]:
    user = request_user(request)
    place = resolve_location(
        user=user,
        location_code=payload.location_code or "",
        building=payload.building,
        unit=payload.unit,
        room=payload.room or "",
    )
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, is_active=True).first()
        if category is None:
            raise ValidationError(
                {"category": [_("未知的类别代码“%(code)s”。") % {"code": payload.category}]}
            )
    created = request_submit(
        submitted_by=user,
        text=payload.text,
        channel=Channel(payload.channel),
        location=place.area,
        room=place.room,
        category=category,
        urgent=payload.urgent,
        reporter=resident_of(user),
    )
    return Reply(201, _out(user, created.pk))


@router.get(
    "",
    response=list[RequestOut],
    summary="诉求列表(可筛选、分页)",
    description="只列出您可见的诉求;超期的在前,再按紧急、办理时限排序。"
    "分页:`page`(从 1 开始)和 `page_size`(默认 20,最多 100),返回 "
    "`{items, count, count_exact, next}`;第 10000 条之后的页答 422。"
    "还有下一页时 `next` 为游标,把它作为 `cursor`(其余筛选条件不变)即得下一页,"
    "任何一页都与第一页一样快,可一直翻到最后;最后一页 `next` 为 null。"
    "游标记着生成它时的筛选条件和排序:换了筛选条件再用它答 422。"
    "`count_exact` 为 false 时 `count` 不是精确数:PostgreSQL 上为估计值,"
    "否则为数到 10000 即停的 10000。",
)
@paginate(RequestPages, page_size=20, max_page_size=100)
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> OverdueFirst:
    user = request_user(request)
    cursor = request.GET.get("cursor")
    # A walk by cursor keeps the moment it began: a row does not turn overdue mid-walk.
    now = cursor_decode(cursor, filters)[0] if cursor else timezone.now()
    queue_filters = QueueFilters(
        status=filters.status or "",
        channel=filters.channel or "",
        overdue_only=filters.overdue is True,
    )

    def narrowed(requests: QuerySet[Request]) -> QuerySet[Request]:
        if filters.category:
            requests = requests.filter(category__code=filters.category)
        if filters.grid:
            requests = requests.filter(grid__code=filters.grid)
        if filters.overdue is False:
            requests = requests.exclude(status__in=list(OPEN_STATUSES), due_at__lt=now)
        return requests

    parts = request_queue_parts(user=user, now=now, filters=queue_filters)
    return OverdueFirst(
        narrowed(request_queue(user=user, now=now, filters=queue_filters)),
        now,
        counted_in=None if parts is None else [narrowed(part) for part in parts],
    )


@router.get(
    "/{int:request_id}",
    response={200: RequestOut, **ERRORS},
    summary="查看一条诉求",
)
def get_request(request: HttpRequest, request_id: int) -> RequestOut:
    return _out(request_user(request), request_id)


@router.post(
    "/{int:request_id}/transitions",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="流转诉求(受理、派单、开始处理、办结、核实关闭、退回重办)",
    description="工作流不允许的流转返回 409,您无权执行的返回 403,超出范围的诉求返回 404。"
    "`assignee` 为承办人用户名(派单、改派时必填)。",
)
def transition_request(request: HttpRequest, request_id: int, payload: TransitionIn) -> RequestOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    assignee = None
    if payload.assignee:
        assignee = assignable_users(found).filter(username=payload.assignee).first()
        if assignee is None:
            raise ValidationError(
                {
                    "assignee": [
                        _("%(name)s 不负责这个地方,不能派给他/她。") % {"name": payload.assignee}
                    ]
                }
            )
    request_transition(
        request=found, to=payload.to, actor=user, note=payload.note, assignee=assignee
    )
    return _out(user, request_id)


@router.post(
    "/{int:request_id}/feedback",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="回访评价(是否解决、满意度)",
    description="反映人本人评价(`via=reporter`),或社区工作人员登记电话、上门回访。"
    "“未解决”会让诉求重新办理。",
)
def feedback_request(request: HttpRequest, request_id: int, payload: FeedbackIn) -> RequestOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    request_feedback(
        request=found,
        actor=user,
        resolved=payload.resolved,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
        via=Feedback.Via(payload.via),
    )
    return _out(user, request_id)


@router.get(
    "/{int:request_id}/events",
    response={200: list[EventOut], **ERRORS},
    summary="诉求的办理记录(时间线)",
    by_alias=True,
)
def request_events(request: HttpRequest, request_id: int) -> list[EventOut]:
    found = request_get_for_user(user=request_user(request), pk=request_id)
    events = RequestEvent.objects.filter(request=found).select_related("actor")
    return [
        EventOut(
            at=e.created_at,
            kind=e.kind,
            kind_label=str(RequestEvent.Kind(e.kind).label),
            actor=e.actor.username if e.actor is not None else None,
            transition=e.transition,
            from_=e.from_status or None,
            to=e.to_status or None,
            note=e.note,
        )
        for e in events
    ]


# --- a dispatcher's and an assignee's buttons on the request page ------------------------------


class ClearUrgentIn(Schema):
    reason: str = Field(..., max_length=200, description="为什么不是紧急情况(必填)")


class PublicIn(Schema):
    public: bool = Field(..., description="true 公开(Open311 无令牌读者可见内容),false 取消公开")


class ReporterContactIn(Schema):
    note: str = Field("", max_length=500, description="联系情况;不填记为“已与反映人联系”")


class ReporterPhoneOut(Schema):
    phone: str = Field(..., description="反映人的完整手机号;未登记为空字符串")


@router.post(
    "/{int:request_id}/clear-urgent",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="解除紧急(误报)",
    description="与诉求页面的「不紧急」相同:派单人员写明理由(空为 422),办理时限恢复为"
    "普通时限,并作为分诊纠正记录;不是派单人员为 403,不是紧急诉求为 409。",
)
def clear_urgent(request: HttpRequest, request_id: int, payload: ClearUrgentIn) -> RequestOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    request_clear_urgent(request=found, actor=user, reason=payload.reason)
    return _out(user, request_id)


@router.post(
    "/{int:request_id}/public",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="设为公开或取消公开(Open311)",
    description="与诉求页面的「设为公开」相同:只有社区的派单人员可以设置(403);公开后 "
    "Open311 无令牌读者可看到诉求内容,仍不含姓名、电话和房号。记入审计日志。",
)
def set_public(request: HttpRequest, request_id: int, payload: PublicIn) -> RequestOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    request_set_public(request=found, actor=user, public=payload.public)
    return _out(user, request_id)


@router.post(
    "/{int:request_id}/contacted",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="已联系反映人(首次响应)",
    description="与诉求页面的「已联系」相同:承办人(或派单人员)记一条办理记录;"
    "还没有响应时即为首次响应时间。无权联系为 403。",
)
def contacted(request: HttpRequest, request_id: int, payload: ReporterContactIn) -> RequestOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    request_record_contact(request=found, actor=user, note=payload.note)
    return _out(user, request_id)


@router.post(
    "/{int:request_id}/reporter-phone",
    response={200: ReporterPhoneOut, **WRITE_ERRORS},
    summary="查看反映人的完整手机号(打电话;记入审计日志)",
    description="与诉求页面的「打电话」相同:只有承办人和派单人员可以查看(403),每次都记入"
    "审计日志;反映人已撤回同意、不得处理其信息时为 403。",
)
def reporter_phone(request: HttpRequest, request_id: int) -> ReporterPhoneOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    return ReporterPhoneOut(phone=request_reveal_reporter_phone(request=found, actor=user))


# --- category and place, triage's suggestion, mediation (the request page's forms) ----------


class ReclassifyIn(Schema):
    category: str | None = Field(None, max_length=30, description="新的类别代码;不填则不变")
    location_code: str | None = Field(
        None,
        max_length=24,
        description="新的位置:本社区之内的社区、小区、楼栋或单元的区域编码;不填则不变",
    )
    room: str | None = Field(
        None, max_length=10, description="房号(位置须为单元);不填时改了位置即清空,未改则不变"
    )
    note: str = Field("", max_length=200, description="说明(可选)")


class MediationSessionOut(Schema):
    held_on: dt.date
    mediators: str
    notes: str


class MediationOut(Schema):
    parties: list[str] = Field(..., description="当事人,每项一位")
    outcome: str = Field(..., description="pending(调解中)或结果代码")
    outcome_label: str
    agreement_text: str
    concluded_at: dt.datetime | None
    sessions: list[MediationSessionOut]


class MediationStartIn(Schema):
    parties: str = Field(..., max_length=2000, description="当事人,每行一位;再次提交即修改")


class MediationSessionIn(Schema):
    held_on: PlausibleDate = Field(..., description="调解日期(不晚于今天)")
    mediators: str = Field(..., max_length=200, description="调解人")
    notes: str = Field(..., max_length=2000, description="调解经过")


class MediationConcludeIn(Schema):
    outcome: Literal["agreement", "no_agreement", "referred_judicial", "referred_court"]
    agreement_text: str = Field("", max_length=2000, description="协议内容;达成协议的必填")


def _mediation_out(found: Mediation) -> MediationOut:
    return MediationOut(
        parties=found.party_list,
        outcome=found.outcome,
        outcome_label=str(Mediation.Outcome(found.outcome).label),
        agreement_text=found.agreement_text,
        concluded_at=found.concluded_at,
        sessions=[
            MediationSessionOut(held_on=s.held_on, mediators=s.mediators, notes=s.notes)
            for s in found.sessions.all()
        ],
    )


def _started_mediation(found: Request) -> Mediation:
    mediation = mediation_of(found)
    if mediation is None:
        raise Conflict(_("请先登记当事人,再记录调解经过。"))
    return mediation


@router.post(
    "/{int:request_id}/reclassify",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="改类别和位置(分诊纠正)",
    description="与诉求页面的「改类别和位置」相同:只有派单人员可以调整(403),已办结或关闭的"
    "为 409;位置只能在诉求所在社区之内(否则 422)。记为分诊纠正;待派单的诉求有了网格即派单。",
)
def reclassify_request(request: HttpRequest, request_id: int, payload: ReclassifyIn) -> RequestOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    category = found.category
    if payload.category:
        named = Category.objects.filter(code=payload.category, is_active=True).first()
        if named is None:
            raise ValidationError(
                {"category": [_("未知的类别代码“%(code)s”。") % {"code": payload.category}]}
            )
        category = named
    location, room = found.location, found.room
    if payload.location_code:
        chosen = Area.objects.filter(
            code=payload.location_code, path__startswith=found.community.path
        ).first()
        if chosen is None:
            raise ValidationError({"location_code": [_("只能在本社区之内调整位置。")]})
        if chosen.pk != location.pk:
            location, room = chosen, ""
    if payload.room is not None:
        room = payload.room
    request_reclassify(
        request=found,
        actor=user,
        category=category,
        location=location,
        room=room,
        note=payload.note,
    )
    return _out(user, request_id)


@router.post(
    "/{int:request_id}/accept-suggestion",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="采纳分诊建议",
    description="与诉求页面的「采纳」相同:按分诊建议的类别(和位置)调整;没有待采纳的建议为 409,"
    "不是派单人员为 403。",
)
def accept_suggestion(request: HttpRequest, request_id: int) -> RequestOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    request_accept_suggestion(request=found, actor=user)
    return _out(user, request_id)


@router.get(
    "/{int:request_id}/mediation",
    response={200: MediationOut, **ERRORS},
    summary="调解记录",
    description="矛盾纠纷类诉求的调解记录;还没有登记当事人为 404。",
)
def get_mediation(request: HttpRequest, request_id: int) -> MediationOut:
    found = request_get_for_user(user=request_user(request), pk=request_id)
    mediation = mediation_of(found)
    if mediation is None:
        raise Http404
    return _mediation_out(mediation)


@router.post(
    "/{int:request_id}/mediation",
    response={200: MediationOut, **WRITE_ERRORS},
    summary="登记(或修改)调解当事人",
    description="与诉求页面的「调解」相同:只有矛盾纠纷类诉求(否则 409),承办人或社区两委"
    "(否则 403)。",
)
def start_mediation(
    request: HttpRequest, request_id: int, payload: MediationStartIn
) -> MediationOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    mediation_start(request=found, actor=user, parties=payload.parties)
    return _mediation_out(_started_mediation(found))


@router.post(
    "/{int:request_id}/mediation/sessions",
    response={200: MediationOut, **WRITE_ERRORS},
    summary="记录一次调解",
    description="还没有登记当事人为 409;调解日期晚于今天、调解人或经过为空为 422。",
)
def add_mediation_session(
    request: HttpRequest, request_id: int, payload: MediationSessionIn
) -> MediationOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    mediation_add_session(
        mediation=_started_mediation(found),
        actor=user,
        held_on=payload.held_on,
        mediators=payload.mediators,
        notes=payload.notes,
    )
    return _mediation_out(_started_mediation(found))


@router.post(
    "/{int:request_id}/mediation/conclude",
    response={200: MediationOut, **WRITE_ERRORS},
    summary="记录调解结果",
    description="还没有登记当事人为 409;达成协议而没有协议内容为 422。",
)
def conclude_mediation(
    request: HttpRequest, request_id: int, payload: MediationConcludeIn
) -> MediationOut:
    user = request_user(request)
    found = request_get_for_user(user=user, pk=request_id)
    mediation_conclude(
        mediation=_started_mediation(found),
        actor=user,
        outcome=payload.outcome,
        agreement_text=payload.agreement_text,
    )
    return _mediation_out(_started_mediation(found))
