"""Reads of the audit trail: only for users who hold ``AUDIT_VIEW``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.accounts.selectors import AnyUser, capabilities_of
from linli.core.models import AuditEvent
from linli.core.roles import Capability


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""
    action: str = ""
    obj: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    result: str = ""  # "" | "success" | "failure"

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("user", self.user),
                ("action", self.action),
                ("object", self.obj),
                ("from", self.date_from.isoformat() if self.date_from else ""),
                ("to", self.date_to.isoformat() if self.date_to else ""),
                ("result", self.result),
            )
            if value
        ]
        return "; ".join(parts) or "all"


def can_view_audit(user: AnyUser) -> bool:
    return Capability.AUDIT_VIEW in capabilities_of(user)


def audit_events_search(*, user: AnyUser, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The audit trail is system-wide, so the scope is all or nothing: a 404 without
    ``AUDIT_VIEW`` (held by the admin role), never a 403 that confirms the page."""
    if not can_view_audit(user):
        raise Http404
    events = AuditEvent.objects.all()
    if filters.user:
        events = events.filter(actor_name__icontains=filters.user)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.obj:
        events = events.filter(
            Q(object_type__icontains=filters.obj)
            | Q(object_repr__icontains=filters.obj)
            | Q(object_id=filters.obj)
        )
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        events = events.filter(created_at__gte=start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        events = events.filter(created_at__lt=end)
    if filters.result == "success":
        events = events.filter(success=True)
    elif filters.result == "failure":
        events = events.filter(success=False)
    return events.order_by("-sequence")
