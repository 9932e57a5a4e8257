"""``/api/v1/activities``: activities, check-in and figures — scoped like the pages.

Staff see the activities of the communities in their scope; anything outside is a 404.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.activities.models import Activity, SignupStatus, Status
from linli.activities.selectors import (
    activity_figures,
    activity_get_for_user,
    activity_list,
    activity_served,
    people_served,
)
from linli.activities.services import checkin
from linli.areas.selectors import visible_areas
from linli.core.api_pagination import ApiPages
from linli.core.api_schemas import ErrorOut
from linli.core.dates import check_query_date
from linli.core.roles import Capability
from linli.people.selectors import visible_residents

router = Router(tags=["activities"])


ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


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
    start: dt.date,
    end: dt.date,
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
    "/{activity_id}",
    response={200: ActivityDetailOut, **ERRORS},
    summary="一次活动",
)
def activity_detail(request: HttpRequest, activity_id: int) -> Any:
    activity = activity_get_for_user(user=request_user(request), pk=activity_id)
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
