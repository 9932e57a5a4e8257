"""``/api/v1/programmes``: the site team's day on a phone, and figures — scoped like the
pages. A programme or child outside the caller's team is a 404; every write is audited by
its service."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.accounts.selectors import capabilities_of
from linli.core.api_pagination import ApiPages
from linli.core.api_schemas import ErrorOut
from linli.core.roles import Capability
from linli.programmes.models import Attendance, Programme
from linli.programmes.selectors import (
    day_register,
    enrolment_get_for_user,
    programme_figures,
    programme_get_for_user,
    programmes_for_team,
)
from linli.programmes.services import attendance_sign_in, attendance_sign_out

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
