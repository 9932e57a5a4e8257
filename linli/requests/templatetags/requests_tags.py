"""Small template helpers for request pages: time left, and a status's badge colour."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import roles_of
from linli.core.roles import Role
from linli.requests.models import Request
from linli.requests.workflow import OPEN_STATUSES, Status

register = template.Library()

_STATUS_TONES = {
    "submitted": "st-waiting",
    "accepted": "st-waiting",
    "assigned": "st-assigned",
    "in_progress": "st-progress",
    "resolved": "st-resolved",
    "closed": "st-closed",
    "rejected": "st-closed",
}


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return _("%(n)d分钟") % {"n": max(minutes, 1)}
    hours = round(minutes / 60)
    if hours < 48:
        return _("%(n)d小时") % {"n": hours}
    return _("%(n)d天") % {"n": hours // 24}


def time_left(due_at: dt.datetime, now: dt.datetime | None = None) -> str:
    """``还剩3小时`` before the deadline, ``已超期2小时`` after it."""
    seconds = (due_at - (now or timezone.now())).total_seconds()
    if seconds >= 0:
        return _("还剩%(span)s") % {"span": _span(seconds)}
    return _("已超期%(span)s") % {"span": _span(-seconds)}


@register.filter
def due_phrase(due_at: dt.datetime | None) -> str:
    return time_left(due_at) if due_at is not None else ""


@register.filter
def status_tone(status: str) -> str:
    return _STATUS_TONES.get(status, "grey")


@register.filter
def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def _day(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(m)d月%(d)d日") % {"m": local.month, "d": local.day}


def resident_status_text(request: Request) -> str:
    """The status in plain words for the resident who reported it: who has it, and by
    when it should be done (「已交给网格员陈中平,预计12月5日前办好」), not office terms."""
    status = request.status
    by = _day(request.due_at)
    who = ""
    if request.assignee is not None:
        known = getattr(request, "assignee_is_grid_worker", None)  # annotated on lists
        is_worker = Role.GRID_WORKER in roles_of(request.assignee) if known is None else known
        role = _("网格员") if is_worker else _("工作人员")
        who = f"{role}{request.assignee}"
    elif request.assignee_organisation is not None:
        who = str(request.assignee_organisation)
    if status in {Status.SUBMITTED, Status.ACCEPTED} or (status == Status.ASSIGNED and not who):
        return _("社区已收到,正在安排人手,预计%(by)s前办好") % {"by": by}
    if status == Status.ASSIGNED:
        return _("已交给%(who)s,预计%(by)s前办好") % {"who": who, "by": by}
    if status == Status.IN_PROGRESS:
        return _("%(who)s正在处理,预计%(by)s前办好") % {"who": who or _("工作人员"), "by": by}
    if status == Status.RESOLVED:
        return _("已经办好了,请您看看是否满意")
    if status == Status.CLOSED:
        return _("已办好,事情已了结")
    return _("社区没有受理这件事,原因见下方记录")


@register.filter
def resident_status(request: Request) -> str:
    return resident_status_text(request)
