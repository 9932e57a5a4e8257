"""The demo's early warnings: the rubbish that keeps blocking 向阳花园3号楼二单元 was
reported twice more in the fortnight before the group-chat message, so the scan that
closes the demo build raises a live hotspot warning there (with whatever else the
records show: elders unvisited, overdue work)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.areas.models import area_children
from linli.demo.world import World
from linli.earlywarning.services import warnings_scan
from linli.requests.models import Category, Channel
from linli.requests.services import request_submit, request_transition
from linli.requests.workflow import Status

EARLIER_REPORTS = (
    (11, "phone", "3号楼2单元门口又堆满垃圾了,进出都得绕着走。"),
    (6, "resident_page", "二单元门口垃圾没人清,味道很大,麻烦处理一下。"),
)


def build_warnings_world(world: World, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    building = world.buildings[("向阳花园", 3)]
    unit = next(u for u in area_children(building) if u.name.startswith("2"))
    worker = world.users["chenzhongping"]
    sanitation = Category.objects.get(code="sanitation")
    for days, channel, text in EARLIER_REPORTS:
        at = now - dt.timedelta(days=days, hours=2)
        request = request_submit(
            submitted_by=None if channel == Channel.RESIDENT_PAGE else worker,
            text=text,
            channel=channel,
            location=unit,
            category=sanitation,
            reporter_name="向阳花园住户",
            at=at,
        )
        for step, status in enumerate((Status.IN_PROGRESS, Status.RESOLVED), start=1):
            request_transition(
                request=request,
                to=status,
                actor=worker,
                note="已清理,提醒住户按时投放" if status == Status.RESOLVED else "",
                at=at + dt.timedelta(hours=step),
            )
    warnings_scan(now=now)
