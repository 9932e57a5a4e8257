"""``/api/v1/activities``: activities, their life (create, open, hold, cancel), sign-up
and cancelling, check-in, people served and figures — scoped like the pages and written
through the same services.

Staff see the activities of the communities in their scope; anything outside is a 404.
A resident signs themselves up (no ``person``) for the activities of their community
(``/activities/mine``); staff sign up whoever called (``person``), as on the page.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user, require_capability
from linli.accounts.selectors import scope_for
from linli.activities.models import (
    Activity,
    ActivityKind,
    Audience,
    Helper,
    Signup,
    SignupChannel,
    SignupStatus,
    Status,
)
from linli.activities.selectors import (
    activities_for_resident,
    activity_attendees,
    activity_figures,
    activity_get_for_user,
    activity_helper_choices,
    activity_list,
    activity_served,
    activity_signed_up,
    own_resident,
    own_signup,
    people_served,
    resident_activity_get,
    volunteer_activity_get,
)
from linli.activities.services import (
    activity_create,
    activity_transition,
    checkin,
    followup_file,
    helper_add,
    reading_record,
    served_record,
    signup_add,
    signup_cancel,
)
from linli.areas.models import Grid
from linli.areas.selectors import communities_in_scope, visible_areas
from linli.care.services import Readings
from linli.core.api_pagination import ApiPages
from linli.core.api_schemas import ErrorOut, RecordId
from linli.core.dates import PlausibleDate, PlausibleDateTime, check_query_date
from linli.core.roles import Capability
from linli.core.scoping import subtree_condition
from linli.organisations.models import Organisation
from linli.people.selectors import visible_residents
from linli.volunteers.models import Team

router = Router(tags=["activities"])


ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ActivityOut(Schema):
    id: int
    title: str
    kind: str = Field(..., description="活动类型,如 义诊")
    community: str
    status: Status = Field(
        ...,
        description="planned 筹备中 / open 报名中 / held 已举办 / "
        "summarised 已总结 / cancelled 已取消",
    )
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int | None = Field(None, description="名额,空为不限")
    audience: str
    confirmed: int = Field(..., description="已报名人数")


class ServedOut(Schema):
    service: str
    count: int


class ActivityDetailOut(ActivityOut):
    place: str
    organisers: list[str]
    partners: list[str]
    waiting: int = Field(..., description="候补人数")
    checked_in: int = Field(..., description="已签到人数")
    served: list[ServedOut] = Field(..., description="各项服务人数(登记人数加逐人登记的义诊读数)")
    people_served: int = Field(..., description="服务人数(至少):签到人数与单项最多人数中较大者")
    cancel_reason: str


class CheckinIn(Schema):
    person: int = Field(..., description="居民编号")


class CheckinOut(Schema):
    activity_id: int
    person_id: int
    checked_in_at: dt.datetime


class ActivityFiguresOut(Schema):
    area: str
    start: dt.date
    end: dt.date
    activities: int = Field(..., description="活动数(不含已取消)")
    held: int
    cancelled: int
    by_kind: dict[str, int]
    held_by_kind: dict[str, int] = Field(..., description="各类型已举办的活动数")
    participants: int = Field(..., description="签到人次")
    people_served: int
    served_by_service: dict[str, int]
    partners: list[str] = Field(..., description="参与的主办、共建单位")
    volunteer_hours: float
    volunteers: int = Field(..., description="服务志愿者人数")
    followups: int = Field(..., description="从活动登记的后续诉求数")


def _out(activity: Activity) -> ActivityOut:
    return ActivityOut(
        id=activity.pk,
        title=activity.title,
        kind=activity.kind.name,
        community=activity.community.name,
        status=Status(activity.status),
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        capacity=activity.capacity,
        audience=activity.audience,
        confirmed=getattr(activity, "confirmed", 0),
    )


class Pages(ApiPages):
    """``?page=N&page_size=M`` (20 a page, at most 100): ``{items, count}``."""

    def paginate_queryset(
        self,
        queryset: Any,
        pagination: PageNumberPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = [_out(a) for a in page[self.items_attribute]]
        return page


@router.get(
    "",
    response=list[ActivityOut],
    summary="活动列表",
    description="本人范围内社区的活动,新的在前。可按 `status` 筛选。",
)
@paginate(Pages, page_size=20, max_page_size=100)
def list_activities(request: HttpRequest, status: Status | None = None) -> Any:
    return activity_list(user=request_user(request), status=status or "")


@router.get(
    "/figures",
    response={200: ActivityFiguresOut, **ERRORS},
    summary="活动统计",
    description="某区域(`area`:县、镇、社区的编号)在起止日期(`start`、`end`)内的活动数、"
    "举办数、签到人次、各项服务人数、参与单位和志愿服务时长。",
)
def figures(
    request: HttpRequest,
    area: int,
    start: PlausibleDate,
    end: PlausibleDate,
) -> Any:
    user = request_user(request)
    place = get_object_or_404(visible_areas(user), pk=area)
    check_query_date(start)
    check_query_date(end)
    f = activity_figures(user=user, area=place, start=start, end=end)
    return ActivityFiguresOut(
        area=place.name,
        start=start,
        end=end,
        activities=f.total,
        held=f.held,
        cancelled=f.cancelled,
        by_kind=dict(f.by_kind),
        held_by_kind=f.held_by_kind,
        participants=f.participants,
        people_served=f.people_served,
        served_by_service=dict(f.served_by_service),
        partners=f.partners,
        volunteer_hours=f.volunteer_hours,
        volunteers=f.volunteers,
        followups=f.followups,
    )


@router.get(
    "/mine",
    response={200: list[ActivityOut], **ERRORS},
    summary="我可以报名的活动(居民)",
    description="调用者作为居民所在社区即将举办、面向本人的活动;不是登记居民为 404。",
)
@paginate(ApiPages, page_size=20, max_page_size=100)
def list_mine(request: HttpRequest) -> Any:
    resident = own_resident(request_user(request))
    if resident is None:
        raise Http404
    return [_out(a) for a in activities_for_resident(resident)]


@router.get(
    "/{activity_id}",
    response={200: ActivityDetailOut, **ERRORS},
    summary="一次活动",
)
def activity_detail(request: HttpRequest, activity_id: int) -> Any:
    return activity_detail_out(activity_get_for_user(user=request_user(request), pk=activity_id))


def activity_detail_out(activity: Activity) -> ActivityDetailOut:
    signups = activity.signups.exclude(status=SignupStatus.CANCELLED)
    base = _out(activity).dict()
    base["confirmed"] = signups.filter(status=SignupStatus.CONFIRMED).count()
    return ActivityDetailOut(
        **base,
        place=(activity.place or activity.community).name,
        organisers=[str(o) for o in activity.organisers.all()],
        partners=[str(o) for o in activity.partners.all()],
        waiting=signups.filter(status=SignupStatus.WAITING).count(),
        checked_in=signups.filter(checked_in_at__isnull=False).count(),
        served=[ServedOut(service=name, count=n) for name, n in activity_served(activity)],
        people_served=people_served(activity),
        cancel_reason=activity.cancel_reason,
    )


@router.post(
    "/{activity_id}/checkins",
    response={201: CheckinOut, **ERRORS},
    summary="现场签到(工作人员)",
    description="为一位居民签到;未报名的居民现场加入名单。活动开始前一小时起、结束前可签到。",
)
def create_checkin(request: HttpRequest, activity_id: int, payload: CheckinIn) -> Any:
    user = request_user(request)
    activity = activity_get_for_user(
        user=user, pk=activity_id, capability=Capability.ACTIVITIES_MANAGE
    )
    resident = get_object_or_404(visible_residents(user), pk=payload.person)
    signup = checkin(actor=user, activity=activity, resident=resident)
    assert signup.checked_in_at is not None
    return Reply(
        201,
        CheckinOut(
            activity_id=activity.pk, person_id=resident.pk, checked_in_at=signup.checked_in_at
        ),
    )


# --- writes: the page's create, transition, sign-up, cancel and served forms -------------


class ActivityIn(Schema):
    community: int = Field(..., description="主办社区编号(本人可管理的)")
    kind: str = Field(..., max_length=30, description="活动类型代码,如 clinic(义诊)")
    title: str = Field(..., max_length=100)
    starts_at: PlausibleDateTime = Field(..., description="不带时区时按北京时间理解")
    ends_at: PlausibleDateTime
    place: int | None = Field(None, description="活动地点:社区内的小区或楼栋编号,空为社区")
    place_detail: str = Field("", max_length=100, description="如 社区服务站二楼")
    organisers: list[RecordId] = Field(default_factory=list, description="主办单位编号")
    partners: list[RecordId] = Field(default_factory=list, description="协办/共建单位编号")
    team: int | None = Field(None, description="志愿服务队编号")
    capacity: int | None = Field(None, ge=1, le=100_000, description="名额,空为不限")
    audience: Audience = Audience.EVERYONE
    audience_grid: int | None = Field(None, description="audience=grid 时面向的网格")
    description: str = Field("", max_length=2000)


class ActivityTransitionIn(Schema):
    to: Status = Field(
        ..., description="open 开始报名 / held 已举办 / summarised 已总结 / cancelled 取消"
    )
    reason: str = Field("", max_length=200, description="取消原因(取消时必填)")
    summary: str = Field("", max_length=4000, description="活动总结(summarised 时必填)")


class SignupIn(Schema):
    person: int | None = Field(None, description="工作人员代报的居民编号;居民本人报名时不填")


class SignupOut(Schema):
    activity_id: int
    person_id: int
    status: SignupStatus = Field(
        ..., description="confirmed 已报名 / waiting 候补 / cancelled 已取消"
    )
    promoted_person_id: int | None = Field(None, description="取消后递补上来的候补居民")


class ServedIn(Schema):
    counts: dict[str, int] = Field(
        ..., description='服务项目 → 人数,如 {"测血压": 32};替换此前登记的人数'
    )


@router.post(
    "",
    response={201: ActivityDetailOut, **ERRORS},
    summary="创建活动",
    description="与创建活动页面相同的校验;新活动为「筹备中」,开始报名用 transitions。",
)
def create_activity(request: HttpRequest, payload: ActivityIn) -> Any:
    require_capability(request, Capability.ACTIVITIES_MANAGE)
    user = request_user(request)
    communities = communities_in_scope(scope_for(user, Capability.ACTIVITIES_MANAGE))
    community = get_object_or_404(communities, pk=payload.community)
    places = visible_areas(user).filter(
        subtree_condition([community.path]), kind__in=["community", "compound", "building"]
    )
    errors: dict[str, list[str]] = {}
    kind = ActivityKind.objects.filter(active=True, code=payload.kind).first()
    if kind is None:
        errors["kind"] = [_("没有这个活动类型。")]
    organisers = list(Organisation.objects.filter(pk__in=payload.organisers))
    partners = list(Organisation.objects.filter(pk__in=payload.partners))
    if len(organisers) != len(set(payload.organisers)):
        errors["organisers"] = [_("没有这个单位。")]
    if len(partners) != len(set(payload.partners)):
        errors["partners"] = [_("没有这个单位。")]
    if errors:
        raise ValidationError(errors)
    assert kind is not None
    activity = activity_create(
        actor=user,
        community=community,
        kind=kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=get_object_or_404(places, pk=payload.place) if payload.place else None,
        place_detail=payload.place_detail,
        organisers=organisers,
        team=get_object_or_404(Team.objects.filter(community=community), pk=payload.team)
        if payload.team
        else None,
        partners=partners,
        capacity=payload.capacity,
        audience=payload.audience,
        audience_grid=get_object_or_404(
            Grid.objects.filter(community=community), pk=payload.audience_grid
        )
        if payload.audience_grid
        else None,
        description=payload.description,
    )
    return Reply(201, activity_detail_out(activity_get_for_user(user=user, pk=activity.pk)))


@router.post(
    "/{activity_id}/transitions",
    response={200: ActivityDetailOut, **ERRORS},
    summary="改变活动状态:开始报名、已举办、已总结、取消",
    description="不可能的状态变化为 422 并说明原因;标记为已举办时,参与的志愿者记入服务时长。",
)
def transition(request: HttpRequest, activity_id: int, payload: ActivityTransitionIn) -> Any:
    user = request_user(request)
    activity = activity_get_for_user(
        user=user, pk=activity_id, capability=Capability.ACTIVITIES_MANAGE
    )
    activity_transition(
        actor=user, activity=activity, to=payload.to, reason=payload.reason, summary=payload.summary
    )
    return activity_detail_out(activity_get_for_user(user=user, pk=activity.pk))


def _resident_and_activity(
    request: HttpRequest, activity_id: int, person: int | None
) -> tuple[Activity, Any, str]:
    """The activity and the resident a sign-up is about: the caller themselves (a
    resident, within their community), or — for staff who manage the activity — a
    resident of its community in their scope."""
    user = request_user(request)
    if person is None:
        resident = own_resident(user)
        if resident is None:
            raise Http404
        return (
            resident_activity_get(resident=resident, pk=activity_id),
            resident,
            SignupChannel.SELF,
        )
    activity = activity_get_for_user(
        user=user, pk=activity_id, capability=Capability.ACTIVITIES_MANAGE
    )
    residents = visible_residents(user).filter(area__path__startswith=activity.community.path)
    return activity, get_object_or_404(residents, pk=person), SignupChannel.STAFF


@router.post(
    "/{activity_id}/signups",
    response={201: SignupOut, **ERRORS},
    summary="报名(居民本人,或工作人员代报)",
    description="名额已满时进入候补(status=waiting),有人取消时自动递补;"
    "不面向该居民或不在报名中为 422。",
)
def create_signup(request: HttpRequest, activity_id: int, payload: SignupIn) -> Any:
    activity, resident, channel = _resident_and_activity(request, activity_id, payload.person)
    signup: Signup = signup_add(
        actor=request_user(request), activity=activity, resident=resident, channel=channel
    )
    return Reply(
        201,
        SignupOut(
            activity_id=activity.pk,
            person_id=resident.pk,
            status=SignupStatus(signup.status),
            promoted_person_id=None,
        ),
    )


@router.post(
    "/{activity_id}/signups/cancel",
    response={200: SignupOut, **ERRORS},
    summary="取消报名(居民本人,或工作人员代为取消)",
    description="没有有效的报名为 404;取消后候补的第一位自动递补。",
)
def cancel_signup(request: HttpRequest, activity_id: int, payload: SignupIn) -> Any:
    activity, resident, _channel = _resident_and_activity(request, activity_id, payload.person)
    signup = own_signup(activity, resident)
    if signup is None:
        raise Http404
    promoted = signup_cancel(actor=request_user(request), signup=signup)
    return SignupOut(
        activity_id=activity.pk,
        person_id=resident.pk,
        status=SignupStatus.CANCELLED,
        promoted_person_id=promoted.resident_id if promoted is not None else None,
    )


@router.post(
    "/{activity_id}/served",
    response={200: ActivityDetailOut, **ERRORS},
    summary="登记各项服务人数",
    description="活动举办后才能登记(否则 422);每次提交替换此前登记的人数。",
)
def record_served(request: HttpRequest, activity_id: int, payload: ServedIn) -> Any:
    user = request_user(request)
    activity = activity_get_for_user(
        user=user, pk=activity_id, capability=Capability.ACTIVITIES_MANAGE
    )
    counts = {name[:30]: count for name, count in payload.counts.items()}
    served_record(actor=user, activity=activity, counts=counts)
    return activity_detail_out(activity_get_for_user(user=user, pk=activity.pk))


# --- helpers, a free clinic's readings, a follow-up request (the page's other forms) -------


class HelperIn(Schema):
    volunteer: int = Field(..., description="本社区在册志愿者的编号")
    role: str = Field("", max_length=50, description="分工,如 测血压")


class HelperOut(Schema):
    activity_id: int
    volunteer_id: int
    volunteer: str
    role: str


class ReadingIn(Schema):
    person: int = Field(..., description="已签到居民的编号")
    bp_systolic: int | None = Field(None, description="高压 mmHg")
    bp_diastolic: int | None = Field(None, description="低压 mmHg")
    pulse: int | None = Field(None, description="脉搏 次/分")
    glucose: Decimal | None = Field(None, max_digits=4, decimal_places=1, description="血糖 mmol/L")
    glucose_context: Literal["fasting", "after_meal"] | None = Field(
        None, description="测血糖时:空腹或餐后"
    )


class ReadingOut(Schema):
    activity_id: int
    person_id: int
    services: list[str] = Field(..., description="计入的服务项目")
    alerted: bool = Field(..., description="读数超过预警值,已向关爱团队发出预警")


class FollowupIn(Schema):
    text: str = Field(..., max_length=500, description="需要跟进的问题")
    person: int | None = Field(
        None, description="已报名居民的编号;填写时诉求登记在其住处并派给其网格员"
    )


class FollowupOut(Schema):
    request_id: int
    number: str = Field(..., description="诉求编号")


def _helper_out(helper: Helper) -> HelperOut:
    return HelperOut(
        activity_id=helper.activity_id,
        volunteer_id=helper.volunteer_id,
        volunteer=helper.volunteer.name,
        role=helper.role,
    )


@router.post(
    "/{activity_id}/helpers",
    response={201: HelperOut, **ERRORS},
    summary="添加服务志愿者(工作人员)",
    description="与活动页面的「添加服务志愿者」相同:本社区在册、尚未报名服务的志愿者(否则 404);"
    "已结束或取消的活动为 409。活动举办后自动计入服务时长。",
)
def add_helper(request: HttpRequest, activity_id: int, payload: HelperIn) -> Any:
    user = request_user(request)
    activity = activity_get_for_user(
        user=user, pk=activity_id, capability=Capability.ACTIVITIES_MANAGE
    )
    volunteer = get_object_or_404(activity_helper_choices(user, activity), pk=payload.volunteer)
    helper = helper_add(actor=user, activity=activity, volunteer=volunteer, role=payload.role)
    return Reply(201, _helper_out(helper))


@router.post(
    "/{activity_id}/help",
    response={201: HelperOut, **ERRORS},
    summary="志愿者报名服务(本人)",
    description="与活动列表的「我来帮忙」相同:调用者须是志愿者,活动须在其社区(否则 404);"
    "已报名为 409。",
)
def volunteer_help(request: HttpRequest, activity_id: int) -> Any:
    user = request_user(request)
    volunteer, activity = volunteer_activity_get(user=user, pk=activity_id)
    return Reply(201, _helper_out(helper_add(actor=user, activity=activity, volunteer=volunteer)))


@router.post(
    "/{activity_id}/readings",
    response={201: ReadingOut, **ERRORS},
    summary="记录义诊读数(逐人)",
    description="与义诊读数页面相同:需管理活动和查看健康信息的权限(403);居民须已签到"
    "(否则 404),并签署了健康信息授权同意(否则 422)。读数记入其关爱档案,超过预警值时"
    "通知关爱团队。",
)
def record_reading(request: HttpRequest, activity_id: int, payload: ReadingIn) -> Any:
    user = request_user(request)
    activity = activity_get_for_user(
        user=user, pk=activity_id, capability=Capability.ACTIVITIES_MANAGE
    )
    require_capability(request, Capability.HEALTH_VIEW)
    resident = get_object_or_404(activity_attendees(user, activity), pk=payload.person)
    readings = Readings(
        bp_systolic=payload.bp_systolic,
        bp_diastolic=payload.bp_diastolic,
        pulse=payload.pulse,
        glucose=payload.glucose,
        glucose_context=(payload.glucose_context or "") if payload.glucose is not None else "",
    )
    reading = reading_record(actor=user, activity=activity, resident=resident, readings=readings)
    return Reply(
        201,
        ReadingOut(
            activity_id=activity.pk,
            person_id=resident.pk,
            services=list(reading.services),
            alerted=reading.alerted,
        ),
    )


@router.post(
    "/{activity_id}/followups",
    response={201: FollowupOut, **ERRORS},
    summary="从活动登记后续诉求",
    description="与活动页面的「登记后续诉求」相同:指明已报名的居民时登记在其住处(否则在活动"
    "地点);居民未报名为 404,已取消的活动为 409。",
)
def file_followup(request: HttpRequest, activity_id: int, payload: FollowupIn) -> Any:
    user = request_user(request)
    activity = activity_get_for_user(
        user=user, pk=activity_id, capability=Capability.ACTIVITIES_MANAGE
    )
    resident = (
        get_object_or_404(activity_signed_up(user, activity), pk=payload.person)
        if payload.person is not None
        else None
    )
    filed = followup_file(actor=user, activity=activity, text=payload.text, resident=resident)
    return Reply(201, FollowupOut(request_id=filed.pk, number=filed.number))
