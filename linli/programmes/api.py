"""``/api/v1/programmes``: the site team's day on a phone, and figures — scoped like the
pages. A programme or child outside the caller's team is a 404; every write is audited by
its service."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.accounts.selectors import capabilities_of
from linli.core.api_pagination import ApiPages, pages_of
from linli.core.api_schemas import ErrorOut, RecordId
from linli.core.dates import PlausibleDate, check_query_date
from linli.core.roles import Capability
from linli.people.models import ConsentMethod
from linli.programmes.models import (
    Attendance,
    Duty,
    Enrolment,
    Phase,
    Programme,
    Slot,
    SlotKind,
)
from linli.programmes.selectors import (
    children_of,
    day_register,
    duty_get_for_manager,
    enrolment_get_for_user,
    guardian_of,
    my_children_enrolments,
    phase_get_for_manager,
    programme_figures,
    programme_for_enrolment,
    programme_get_for_manager,
    programme_get_for_user,
    programmes_for_team,
    programmes_open_to_guardian,
    rota_days,
    rota_slots,
    sites_for_manager,
    slot_get_for_manager,
    slot_volunteer_choices,
    volunteers_for_rota,
)
from linli.programmes.services import (
    PhaseData,
    PickupData,
    SlotData,
    attendance_sign_in,
    attendance_sign_out,
    duties_credit,
    duty_assign,
    duty_remove,
    enrol,
    guardians_message,
    incident_record,
    phase_add,
    phase_update,
    programme_create,
    programme_update,
    satisfaction_record,
    slot_add,
    slot_remove,
    slot_update,
)
from linli.volunteers.models import Volunteer

router = Router(tags=["programmes"])


ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ProgrammeOut(Schema):
    id: int
    name: str
    site: str = Field(..., alias="site.name", description="站点(党群服务站)")


class ChildDayOut(Schema):
    enrolment_id: int
    child: str
    signed_in_at: dt.datetime | None = None
    signed_out_at: dt.datetime | None = None
    picked_up_by: str = Field("", description="接走人(授权接送名单中的人)")
    not_picked_up_alert: bool = Field(False, description="已过结束时间未接走的提醒已发出")


class AttendanceOut(Schema):
    enrolment_id: int
    day: dt.date
    signed_in_at: dt.datetime
    signed_out_at: dt.datetime | None = None
    picked_up_by: str = ""


class SignOutIn(Schema):
    pickup_name: str = Field(..., max_length=50, description="来接孩子的人的姓名")


class ProgrammeFiguresIn(Schema):
    start: PlausibleDate
    end: PlausibleDate
    area_path: str | None = Field(None, description="只统计这个区域(物化路径)之下")


class ProgrammeFiguresOut(Schema):
    programmes: int
    children: int
    families: int
    attendance_rate: float | None = Field(None, description="出勤率(%)")
    incidents: int


def _attendance_out(attendance: Attendance) -> AttendanceOut:
    return AttendanceOut(
        enrolment_id=attendance.enrolment_id,
        day=attendance.day,
        signed_in_at=attendance.signed_in_at,
        signed_out_at=attendance.signed_out_at,
        picked_up_by=attendance.picked_up_by_name,
    )


@router.get("", response=list[ProgrammeOut], summary="我负责的托管项目")
@paginate(ApiPages, page_size=20, max_page_size=100)
def list_programmes(request: HttpRequest) -> QuerySet[Programme]:
    return programmes_for_team(request_user(request)).order_by("-pk")


@router.get(
    "/{programme_id}/today",
    response={200: list[ChildDayOut], **ERRORS},
    summary="今日签到签退名单",
)
def today(request: HttpRequest, programme_id: int) -> list[ChildDayOut]:
    programme = programme_get_for_user(user=request_user(request), pk=programme_id)
    rows = day_register(programme, timezone.localdate())
    return [
        ChildDayOut(
            enrolment_id=row.enrolment.pk,
            child=row.enrolment.child.name,
            signed_in_at=row.attendance.signed_in_at if row.attendance else None,
            signed_out_at=row.attendance.signed_out_at if row.attendance else None,
            picked_up_by=row.attendance.picked_up_by_name if row.attendance else "",
            not_picked_up_alert=bool(row.attendance and row.attendance.alert_raised_at),
        )
        for row in rows
    ]


@router.post(
    "/enrolments/{enrolment_id}/sign-in",
    response={201: AttendanceOut, **ERRORS},
    summary="签到",
)
def sign_in(request: HttpRequest, enrolment_id: int) -> Reply[AttendanceOut]:
    user = request_user(request)
    enrolment = enrolment_get_for_user(user=user, pk=enrolment_id)
    programme_get_for_user(user=user, pk=enrolment.phase.programme_id)
    return Reply(201, _attendance_out(attendance_sign_in(actor=user, enrolment=enrolment)))


@router.post(
    "/enrolments/{enrolment_id}/sign-out",
    response={200: AttendanceOut, **ERRORS},
    summary="签退(只交给授权接送人)",
    description="来接的人不在授权接送名单中时 422,拒绝会被记录。",
)
def sign_out(request: HttpRequest, enrolment_id: int, payload: SignOutIn) -> AttendanceOut:
    user = request_user(request)
    enrolment = enrolment_get_for_user(user=user, pk=enrolment_id)
    programme_get_for_user(user=user, pk=enrolment.phase.programme_id)
    attendance = Attendance.objects.filter(enrolment=enrolment, day=timezone.localdate()).first()
    if attendance is None:
        raise Http404
    return _attendance_out(
        attendance_sign_out(actor=user, attendance=attendance, pickup_name=payload.pickup_name)
    )


@router.get("/figures", response={200: ProgrammeFiguresOut, **ERRORS}, summary="托管统计(不含姓名)")
def figures(request: HttpRequest, filters: Query[ProgrammeFiguresIn]) -> ProgrammeFiguresOut:
    user = request_user(request)
    if Capability.PROGRAMMES_FIGURES not in capabilities_of(user):
        raise PermissionDenied
    result = programme_figures(
        user=user, area_path=filters.area_path, start=filters.start, end=filters.end
    )
    return ProgrammeFiguresOut(
        programmes=result.programmes,
        children=result.children,
        families=result.families,
        attendance_rate=result.attendance_rate,
        incidents=result.incidents,
    )


# --- a guardian's side: programmes open to them, enrolling a child, their enrolments ------


class PickupIn(Schema):
    name: str = Field(..., max_length=50)
    relation: str = Field(..., max_length=20)
    phone: str = Field(..., max_length=20)


class EnrolIn(Schema):
    phase: int = Field(..., description="报名阶段编号(尚未结束的)")
    child: int = Field(..., description="孩子的居民编号(本户未满 18 岁)")
    guardian_relation: str = Field(..., max_length=20, description="您与孩子的关系")
    consent: bool = Field(
        ..., description="监护人同意社区为托管处理孩子的个人信息(未满十四周岁必须为 true)"
    )
    health_consent: bool = Field(False, description="同意登记过敏与健康提示(健康信息)")
    allergies: str = Field("", max_length=500)
    health_notes: str = Field("", max_length=500)
    pickups: list[PickupIn] = Field(..., min_length=1, max_length=3, description="授权接送人")


class EnrolmentOut(Schema):
    id: int
    programme: str
    phase: str
    start_date: dt.date
    end_date: dt.date
    child: str
    status: str = Field(..., description="enrolled 已报名 / waiting 候补 / withdrawn 已退出")
    pickups: list[str] = Field(..., description="授权接送人(姓名与关系)")
    satisfaction: int | None = Field(None, description="家长满意度(1–5),未评价为空")


def _enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    phase = enrolment.phase
    return EnrolmentOut(
        id=enrolment.pk,
        programme=phase.programme.name,
        phase=phase.name,
        start_date=phase.start_date,
        end_date=phase.end_date,
        child=enrolment.child.name,
        status=enrolment.status,
        pickups=[f"{p.name}({p.relation})" for p in enrolment.pickups.all()],
        satisfaction=enrolment.satisfaction,
    )


@router.get(
    "/open",
    response=list[ProgrammeOut],
    summary="我可以为孩子报名的托管项目(家长)",
    description="调用者所在社区或小区站点的项目。",
)
@paginate(ApiPages, page_size=20, max_page_size=100)
def list_open(request: HttpRequest) -> QuerySet[Programme]:
    return programmes_open_to_guardian(request_user(request)).order_by("-pk")


@router.get(
    "/mine",
    response=list[EnrolmentOut],
    summary="我的孩子的报名(家长)",
)
@paginate(
    pages_of(lambda request, rows: [_enrolment_out(e) for e in rows]),
    page_size=20,
    max_page_size=100,
)
def list_mine(request: HttpRequest) -> QuerySet[Enrolment]:
    return (
        my_children_enrolments(request_user(request))
        .select_related("phase__programme", "child")
        .prefetch_related("pickups")
    )


@router.post(
    "/{programme_id}/enrolments",
    response={201: EnrolmentOut, **ERRORS},
    summary="为自己的孩子报名(家长)",
    description="与报名页面相同:孩子须是本户未满 18 岁的成员;未满十四周岁须监护人同意"
    "(`consent`);名额已满时列入候补(status=waiting)。",
)
def create_enrolment(request: HttpRequest, programme_id: int, payload: EnrolIn) -> Any:
    user = request_user(request)
    programme = programme_for_enrolment(user=user, pk=programme_id)
    guardian = guardian_of(user)
    if guardian is None:
        raise Http404
    child = next((c for c in children_of(guardian) if c.pk == payload.child), None)
    if child is None:
        raise Http404
    phase = get_object_or_404(
        Phase.objects.filter(programme=programme, end_date__gte=timezone.localdate()),
        pk=payload.phase,
    )
    if not payload.consent:
        raise ValidationError({"consent": [_("未满十四周岁的孩子须监护人同意后才能报名。")]})
    enrolment = enrol(
        actor=user,
        phase=phase,
        child=child,
        guardian=guardian,
        guardian_relation=payload.guardian_relation,
        pickups=[
            PickupData(name=p.name, relation=p.relation, phone=p.phone) for p in payload.pickups
        ],
        consent_method=ConsentMethod.ONLINE,
        health_consent=payload.health_consent,
        allergies=payload.allergies,
        health_notes=payload.health_notes,
    )
    return Reply(201, _enrolment_out(enrolment))


# --- setting a programme up: the programme, its phases and timetable (the pages' forms) ----

SETUP_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 409: ErrorOut}


class ProgrammeIn(Schema):
    site: int = Field(..., description="党群服务站编号(本人可管理的)")
    name: str = Field(..., max_length=80, description="项目名称")
    description: str = Field("", max_length=2000, description="简介")


class ProgrammeSetupOut(Schema):
    id: int
    name: str
    site_id: int
    site: str
    description: str


class PhaseIn(Schema):
    name: str = Field(..., max_length=60, description="阶段名称,如 第一期")
    start_date: PlausibleDate
    end_date: PlausibleDate
    weekdays: str = Field(
        "12345", max_length=7, pattern=r"^[1-7]+$", description="开放日:周几的数字,如 12345"
    )
    opens_at: dt.time = Field(..., description="每日开始时间")
    closes_at: dt.time = Field(..., description="每日结束时间")
    capacity: int = Field(..., ge=0, le=100_000, description="名额")
    min_age: int = Field(6, ge=0, le=100)
    max_age: int = Field(14, ge=0, le=100)
    fee: Decimal = Field(Decimal(0), max_digits=8, decimal_places=2, description="费用(元)")


class PhaseOut(Schema):
    id: int
    programme_id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    weekdays: str
    opens_at: dt.time
    closes_at: dt.time
    capacity: int
    min_age: int
    max_age: int
    fee: Decimal


class SlotIn(Schema):
    weekday: int | None = Field(None, ge=1, le=7, description="周几(1–7);空为每个开放日")
    starts_at: dt.time
    ends_at: dt.time
    kind: SlotKind = Field(..., description="课程内容")
    title: str = Field("", max_length=60)
    volunteer: int | None = Field(None, description="志愿者编号(可排班的在册志愿者)")
    teacher_name: str = Field("", max_length=50, description="或授课老师的姓名")


class SlotOut(Schema):
    id: int
    phase_id: int
    weekday: int | None
    starts_at: dt.time
    ends_at: dt.time
    kind: str
    kind_label: str
    title: str
    volunteer_id: int | None
    teacher_name: str


class RemovedOut(Schema):
    removed: bool = True


def _programme_setup_out(programme: Programme) -> ProgrammeSetupOut:
    return ProgrammeSetupOut(
        id=programme.pk,
        name=programme.name,
        site_id=programme.site_id,
        site=programme.site.name,
        description=programme.description,
    )


def _phase_data(payload: PhaseIn) -> PhaseData:
    return PhaseData(
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        capacity=payload.capacity,
        weekdays=payload.weekdays,
        min_age=payload.min_age,
        max_age=payload.max_age,
        fee=payload.fee,
    )


def _phase_out(phase: Phase) -> PhaseOut:
    return PhaseOut(
        id=phase.pk,
        programme_id=phase.programme_id,
        name=phase.name,
        start_date=phase.start_date,
        end_date=phase.end_date,
        weekdays=phase.weekdays,
        opens_at=phase.opens_at,
        closes_at=phase.closes_at,
        capacity=phase.capacity,
        min_age=phase.min_age,
        max_age=phase.max_age,
        fee=phase.fee,
    )


def _slot_data(payload: SlotIn, volunteers: QuerySet[Volunteer]) -> SlotData:
    volunteer = None
    if payload.volunteer is not None:
        volunteer = volunteers.filter(pk=payload.volunteer).first()
        if volunteer is None:
            raise ValidationError({"volunteer": [_("请选择可排班的志愿者。")]})
    return SlotData(
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        kind=payload.kind,
        title=payload.title,
        weekday=payload.weekday,
        volunteer=volunteer,
        teacher_name=payload.teacher_name,
    )


def _slot_out(slot: Slot) -> SlotOut:
    return SlotOut(
        id=slot.pk,
        phase_id=slot.phase_id,
        weekday=slot.weekday,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        kind=slot.kind,
        kind_label=str(SlotKind(slot.kind).label),
        title=slot.title,
        volunteer_id=slot.volunteer_id,
        teacher_name=slot.teacher_name,
    )


def _managed_site(request: HttpRequest, site_id: int) -> Any:
    return get_object_or_404(sites_for_manager(request_user(request)), pk=site_id)


@router.post(
    "",
    response={201: ProgrammeSetupOut, **SETUP_ERRORS},
    summary="新建托管项目",
    description="与「新建托管项目」页面相同:站点须在您可管理的范围内(否则 404)。"
    "之后添加阶段(`/programmes/{programme_id}/phases`)和课表。",
)
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Any:
    programme = programme_create(
        actor=request_user(request),
        site=_managed_site(request, payload.site),
        name=payload.name,
        description=payload.description,
    )
    return Reply(201, _programme_setup_out(programme))


@router.post(
    "/{int:programme_id}",
    response={200: ProgrammeSetupOut, **SETUP_ERRORS},
    summary="修改托管项目",
)
def update_programme(request: HttpRequest, programme_id: int, payload: ProgrammeIn) -> Any:
    user = request_user(request)
    programme = programme_get_for_manager(user=user, pk=programme_id)
    saved = programme_update(
        actor=user,
        programme=programme,
        site=_managed_site(request, payload.site),
        name=payload.name,
        description=payload.description,
    )
    return _programme_setup_out(saved)


@router.post(
    "/{int:programme_id}/phases",
    response={201: PhaseOut, **SETUP_ERRORS},
    summary="添加阶段(日期、开放日与时间、名额、年龄、费用)",
    description="与「添加阶段」页面相同的校验(日期先后、开放时间、年龄范围等,否则 422)。",
)
def create_phase(request: HttpRequest, programme_id: int, payload: PhaseIn) -> Any:
    user = request_user(request)
    programme = programme_get_for_manager(user=user, pk=programme_id)
    phase = phase_add(actor=user, programme=programme, **vars(_phase_data(payload)))
    return Reply(201, _phase_out(phase))


@router.post(
    "/phases/{int:phase_id}",
    response={200: PhaseOut, **SETUP_ERRORS},
    summary="修改阶段",
    description="与「修改阶段」页面相同;名额不能少于已报名人数等限制为 422。",
)
def update_phase(request: HttpRequest, phase_id: int, payload: PhaseIn) -> Any:
    user = request_user(request)
    phase = phase_get_for_manager(user=user, pk=phase_id)
    return _phase_out(phase_update(actor=user, phase=phase, data=_phase_data(payload)))


@router.get(
    "/phases/{int:phase_id}/slots",
    response={200: list[SlotOut], **ERRORS},
    summary="阶段的课表",
)
def list_slots(request: HttpRequest, phase_id: int) -> Any:
    phase = phase_get_for_manager(user=request_user(request), pk=phase_id)
    return [_slot_out(s) for s in phase.slots.order_by("weekday", "starts_at", "pk")]


@router.post(
    "/phases/{int:phase_id}/slots",
    response={201: SlotOut, **SETUP_ERRORS},
    summary="添加一节课(课表)",
    description="与「安排课表」页面相同:须在每日开放时间之内、不与同一天的课重叠(否则 422);"
    "`volunteer` 为可排班的在册志愿者,或填写 `teacher_name`。",
)
def create_slot(request: HttpRequest, phase_id: int, payload: SlotIn) -> Any:
    user = request_user(request)
    phase = phase_get_for_manager(user=user, pk=phase_id)
    data = _slot_data(payload, volunteers_for_rota(user, phase.programme))
    return Reply(201, _slot_out(slot_add(actor=user, phase=phase, **vars(data))))


@router.post(
    "/slots/{int:slot_id}",
    response={200: SlotOut, **SETUP_ERRORS},
    summary="修改一节课",
)
def update_slot(request: HttpRequest, slot_id: int, payload: SlotIn) -> Any:
    user = request_user(request)
    slot = slot_get_for_manager(user=user, pk=slot_id)
    data = _slot_data(payload, slot_volunteer_choices(user, slot))
    return _slot_out(slot_update(actor=user, slot=slot, data=data))


@router.post(
    "/slots/{int:slot_id}/remove",
    response={200: RemovedOut, **SETUP_ERRORS},
    summary="删除一节课",
    description="已有记入服务时长的值班的课不能删除(422)。",
)
def remove_slot(request: HttpRequest, slot_id: int) -> Any:
    user = request_user(request)
    slot_remove(actor=user, slot=slot_get_for_manager(user=user, pk=slot_id))
    return RemovedOut()


# --- the team's incident log and message to parents; a parent's rating (the pages' forms) ---


class IncidentIn(Schema):
    description: str = Field(..., max_length=2000, description="事件经过")
    action_taken: str = Field("", max_length=2000, description="处理情况")


class IncidentOut(Schema):
    id: int
    programme_id: int
    happened_at: dt.datetime
    description: str
    action_taken: str


class MessageIn(Schema):
    text: str = Field(..., max_length=250, description="发给家长的消息")


class MessageOut(Schema):
    sent: int = Field(..., description="收到消息的家长人数")


class RatingIn(Schema):
    score: int = Field(..., ge=1, le=5, description="满意度 1–5")
    comment: str = Field("", max_length=500, description="意见")


@router.post(
    "/{int:programme_id}/incidents",
    response={201: IncidentOut, **SETUP_ERRORS},
    summary="记录事件(站点团队)",
    description="与项目页面的「记录事件」相同:发生时间为现在;经过为空为 422。",
)
def record_incident(request: HttpRequest, programme_id: int, payload: IncidentIn) -> Any:
    user = request_user(request)
    programme = programme_get_for_user(user=user, pk=programme_id)
    incident = incident_record(
        actor=user,
        programme=programme,
        happened_at=timezone.now(),
        description=payload.description,
        action_taken=payload.action_taken,
    )
    return Reply(
        201,
        IncidentOut(
            id=incident.pk,
            programme_id=programme.pk,
            happened_at=incident.happened_at,
            description=incident.description,
            action_taken=incident.action_taken,
        ),
    )


@router.post(
    "/{int:programme_id}/messages",
    response={200: MessageOut, **SETUP_ERRORS},
    summary="给在托孩子的家长发消息(站点团队)",
    description="与项目页面的「发消息」相同:站内消息发给每位正式参加的孩子的家长。",
)
def message_guardians(request: HttpRequest, programme_id: int, payload: MessageIn) -> Any:
    user = request_user(request)
    programme = programme_get_for_user(user=user, pk=programme_id)
    return MessageOut(sent=guardians_message(actor=user, programme=programme, text=payload.text))


@router.post(
    "/mine/{int:enrolment_id}/rating",
    response={200: EnrolmentOut, **SETUP_ERRORS},
    summary="评价托管(家长)",
    description="与「我的孩子」页面的评价相同:本人孩子的报名(否则 404),托管结束后、"
    "正式参加的才能评价(否则 422);再次评价即替换。",
)
def rate_enrolment(request: HttpRequest, enrolment_id: int, payload: RatingIn) -> Any:
    user = request_user(request)
    enrolment = get_object_or_404(my_children_enrolments(user), pk=enrolment_id)
    satisfaction_record(
        actor=user, enrolment=enrolment, score=payload.score, comment=payload.comment
    )
    return _enrolment_out(
        my_children_enrolments(user)
        .select_related("phase__programme", "child")
        .prefetch_related("pickups")
        .get(pk=enrolment_id)
    )


# --- the volunteer rota (the rota page): put a volunteer on duty, credit the hours served,
# cancel a duty. ``programmes.manage`` over the programme's site, as on the page (else 404).


class DutyIn(Schema):
    day: PlausibleDate = Field(..., description="值班日期(这一期的开放日)")
    slot: RecordId | None = Field(None, description="这一期课表中一节课的编号;空为全天值班")
    volunteer: RecordId = Field(..., description="志愿者编号(可排班的在册志愿者)")


class DutyOut(Schema):
    id: int
    phase_id: int
    day: dt.date
    slot_id: int | None = Field(None, description="课的编号;空为全天值班")
    volunteer_id: int
    volunteer: str
    starts_at: dt.time
    ends_at: dt.time
    credited: bool = Field(..., description="已记入志愿服务时长(之后不能取消)")


class RotaDayOut(Schema):
    day: dt.date
    duties: list[DutyOut]


class RotaVolunteerOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="志愿者类型,如 student 大学生志愿者")


class RotaOut(Schema):
    phase_id: int
    days: list[RotaDayOut] = Field(..., description="这一期的每个开放日及当天的值班")
    volunteers: list[RotaVolunteerOut] = Field(..., description="可以排班的志愿者")


class CreditedOut(Schema):
    credited: int = Field(..., description="这次记入服务时长的值班次数")


def _duty_out(duty: Duty) -> DutyOut:
    return DutyOut(
        id=duty.pk,
        phase_id=duty.phase_id,
        day=duty.day,
        slot_id=duty.slot_id,
        volunteer_id=duty.volunteer_id,
        volunteer=duty.volunteer.name,
        starts_at=duty.starts_at,
        ends_at=duty.ends_at,
        credited=duty.service_record_id is not None,
    )


@router.get(
    "/phases/{int:phase_id}/rota",
    response={200: RotaOut, **ERRORS},
    summary="值班表(每个开放日的志愿者值班)",
    description="与「值班排班」页面相同:本人可管理的项目的阶段(否则 404)。",
)
def get_rota(request: HttpRequest, phase_id: int) -> Any:
    user = request_user(request)
    phase = phase_get_for_manager(user=user, pk=phase_id)
    return RotaOut(
        phase_id=phase.pk,
        days=[
            RotaDayOut(day=day, duties=[_duty_out(d) for d in duties])
            for day, duties in rota_days(phase)
        ],
        volunteers=[
            RotaVolunteerOut(id=v.pk, name=v.name, kind=v.kind)
            for v in volunteers_for_rota(user, phase.programme)
        ],
    )


@router.post(
    "/phases/{int:phase_id}/rota",
    response={201: DutyOut, **SETUP_ERRORS},
    summary="安排志愿者值班",
    description="与「值班排班」页面相同:须是这一期的开放日、当天课表中的课(或全天)、"
    "可排班的在册志愿者,且与其当天的其他值班(任何项目)不重叠,否则 422。"
    "当天或以后的值班会通知志愿者。",
)
def create_duty(request: HttpRequest, phase_id: int, payload: DutyIn) -> Any:
    user = request_user(request)
    phase = phase_get_for_manager(user=user, pk=phase_id)
    # The page's choices: the phase's slots, the volunteers the caller may put on the rota.
    volunteer = volunteers_for_rota(user, phase.programme).filter(pk=payload.volunteer).first()
    slot = None if payload.slot is None else rota_slots(phase).filter(pk=payload.slot).first()
    if volunteer is None or (payload.slot is not None and slot is None):
        errors: dict[str, list[str]] = {}
        if volunteer is None:
            errors["volunteer"] = [_("请选择可排班的志愿者。")]
        if payload.slot is not None and slot is None:
            errors["slot"] = [_("这节课不在这一期的课表中。")]
        raise ValidationError(errors)
    duty = duty_assign(
        actor=user,
        phase=phase,
        day=check_query_date(payload.day),
        slot=slot,
        volunteer=volunteer,
    )
    return Reply(201, _duty_out(duty))


@router.post(
    "/phases/{int:phase_id}/rota/credit",
    response={200: CreditedOut, **SETUP_ERRORS},
    summary="把已结束的值班记入志愿服务时长",
    description="与「值班排班」页面的「记入服务时长」相同:结束时间已过、尚未记入的值班,"
    "每次一条志愿服务记录;没有可记入的为 0。",
)
def credit_duties(request: HttpRequest, phase_id: int) -> Any:
    user = request_user(request)
    phase = phase_get_for_manager(user=user, pk=phase_id)
    return CreditedOut(credited=duties_credit(actor=user, phase=phase))


@router.post(
    "/duties/{int:duty_id}/remove",
    response={200: RemovedOut, **SETUP_ERRORS},
    summary="取消一次值班",
    description="已记入服务时长的值班不能取消(422)。",
)
def remove_duty(request: HttpRequest, duty_id: int) -> Any:
    user = request_user(request)
    duty_remove(actor=user, duty=duty_get_for_manager(user=user, pk=duty_id))
    return RemovedOut()
