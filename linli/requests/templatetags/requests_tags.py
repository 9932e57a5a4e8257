"""Small template helpers for request pages: time left, and a status's badge colour."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.requests.workflow import OPEN_STATUSES

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
