"""``/api/v1/programmes``: the site team's day on a phone, and figures — scoped like the
pages. A programme or child outside the caller's team is a 404; every write is audited by
its service."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
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
from linli.core.api_schemas import ErrorOut
from linli.core.roles import Capability
from linli.people.models import ConsentMethod
from linli.programmes.models import Attendance, Enrolment, Phase, Programme
from linli.programmes.selectors import (
    children_of,
    day_register,
    enrolment_get_for_user,
    guardian_of,
    my_children_enrolments,
    programme_figures,
    programme_for_enrolment,
    programme_get_for_user,
    programmes_for_team,
    programmes_open_to_guardian,
)
from linli.programmes.services import PickupData, attendance_sign_in, attendance_sign_out, enrol

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
    start: dt.date
    end: dt.date
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
