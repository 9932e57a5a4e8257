"""``/api/v1/rosters``: the weekly visit roster (排班) as the roster page shows it, and
its generation — the same selectors and ``roster_generate``; ``care.manage`` like the page."""

# No ``from __future__ import annotations``: pydantic reads the schemas' annotations.

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from linli.accounts.current import request_user, require_capability
from linli.core.api_schemas import ErrorOut
from linli.core.dates import PlausibleDate, check_query_date
from linli.core.roles import Capability
from linli.rosters.selectors import communities_managed, roster_assignments, roster_gaps
from linli.rosters.services import next_week_start, roster_generate, week_start_of

router = Router(tags=["rosters"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class RosterAssignmentOut(Schema):
    day: dt.date
    slot: str = Field(..., description="时段:morning / afternoon / evening")
    person_id: int = Field(..., description="关爱对象(居民编号)")
    person: str
    volunteer_id: int
    volunteer: str


class RosterGapOut(Schema):
    person_id: int
    person: str
    missing: int = Field(..., description="本周还差几次走访")
    reason: str


class RosterWeekOut(Schema):
    week_start: dt.date = Field(..., description="周一")
    assignments: list[RosterAssignmentOut]
    gaps: list[RosterGapOut] = Field(..., description="未排满的关爱对象")


class RosterGenerateIn(Schema):
    week: PlausibleDate | None = Field(None, description="这一周中的任一天,默认下周")


class RosterGenerateOut(Schema):
    week_start: dt.date
    assignments: int
    gaps: int
    missing_visits: int


def _week(day: dt.date | None) -> dt.date:
    return week_start_of(check_query_date(day)) if day is not None else next_week_start()


@router.get(
    "",
    response={200: RosterWeekOut, **ERRORS},
    summary="一周的走访排班",
    description="`week` 为这一周中的任一天(默认下周);按日期、时段排列,并列出未排满的人。",
)
def get_week(request: HttpRequest, week: PlausibleDate | None = None) -> Any:
    require_capability(request, Capability.CARE_MANAGE)
    user = request_user(request)
    week_start = _week(week)
    assignments = roster_assignments(
        user=user, week_start=week_start, capability=Capability.CARE_MANAGE
    ).order_by("day", "slot", "pk")
    gaps = roster_gaps(user=user, week_start=week_start, capability=Capability.CARE_MANAGE)
    return RosterWeekOut(
        week_start=week_start,
        assignments=[
            RosterAssignmentOut(
                day=a.day,
                slot=a.slot,
                person_id=a.resident_id,
                person=a.resident.name,
                volunteer_id=a.volunteer_id,
                volunteer=a.volunteer.name,
            )
            for a in assignments
        ],
        gaps=[
            RosterGapOut(
                person_id=g.resident_id, person=g.resident.name, missing=g.missing, reason=g.reason
            )
            for g in gaps
        ],
    )


@router.post(
    "/generate",
    response={201: RosterGenerateOut, **ERRORS},
    summary="生成(或重新生成)一周的排班",
    description="只有负责整个社区的工作人员可以生成(否则 403);已有的排班按最新的关爱计划重排。",
)
def generate(request: HttpRequest, payload: RosterGenerateIn) -> Any:
    communities = communities_managed(request_user(request))
    if not communities:
        raise PermissionDenied(_("只有负责整个社区的工作人员可以生成排班。"))
    result = roster_generate(
        actor=request_user(request), week_start=_week(payload.week), communities=communities
    )
    return Reply(
        201,
        RosterGenerateOut(
            week_start=result.week_start,
            assignments=result.assignments,
            gaps=result.gaps,
            missing_visits=result.missing_visits,
        ),
    )
