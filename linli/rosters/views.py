from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.current import request_user
from linli.accounts.selectors import capabilities_of
from linli.core.dates import parse_query_date
from linli.core.errors import BadInput
from linli.core.outcomes import run_service
from linli.core.roles import Capability
from linli.rosters.selectors import communities_managed, roster_assignments, roster_gaps
from linli.rosters.services import next_week_start, roster_generate, week_start_of
from linli.volunteers.models import Weekday
from linli.volunteers.selectors import own_volunteer_profile


def _week_from(value: str | None) -> dt.date:
    if not value:
        return next_week_start()
    try:
        return week_start_of(parse_query_date(value))
    except ValidationError as error:
        raise BadInput(" ".join(error.messages)) from error


@login_required
def roster_week_view(request: HttpRequest) -> HttpResponse:
    if Capability.CARE_MANAGE not in capabilities_of(request.user):
        if own_volunteer_profile(request.user) is not None:
            return redirect("volunteers:my_service")
        raise PermissionDenied(_("您没有这项操作的权限。"))
    week_start = _week_from(request.GET.get("week"))
    assignments = list(
        roster_assignments(
            user=request.user, week_start=week_start, capability=Capability.CARE_MANAGE
        )
    )
    by_day: list[tuple[dt.date, str, list[object]]] = []
    for offset, label in enumerate(Weekday.labels):
        day = week_start + dt.timedelta(days=offset)
        by_day.append((day, str(label), [a for a in assignments if a.day == day]))
    gaps = list(
        roster_gaps(user=request.user, week_start=week_start, capability=Capability.CARE_MANAGE)
    )
    return render(
        request,
        "rosters/week.html",
        {
            "week_start": week_start,
            "week_end": week_start + dt.timedelta(days=6),
            "previous_week": week_start - dt.timedelta(days=7),
            "following_week": week_start + dt.timedelta(days=7),
            "by_day": by_day,
            "assignment_count": len(assignments),
            "gaps": gaps,
            "can_generate": bool(communities_managed(request.user)),
        },
    )


@login_required
@require_POST
def roster_generate_view(request: HttpRequest) -> HttpResponse:
    communities = communities_managed(request.user)
    if not communities:
        raise PermissionDenied(_("只有负责整个社区的工作人员可以生成排班。"))
    week_start = _week_from(request.POST.get("week"))
    user = request_user(request)
    run_service(
        request,
        lambda: roster_generate(actor=user, week_start=week_start, communities=communities),
        success=lambda result: (
            _("已生成 %(week)s 起一周的排班:%(n)s 次走访,%(gaps)s 人未排满。")
            % {"week": f"{week_start:%m月%d日}", "n": result.assignments, "gaps": result.gaps}
        ),
    )
    return redirect(f"{reverse('rosters:week')}?week={week_start:%Y-%m-%d}")
