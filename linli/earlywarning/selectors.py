"""Reads about early warnings: what a user may see, from their scope. Care warnings (an
elder unvisited, an alert unacknowledged) need the care capability over the person."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from linli.accounts.selectors import AnyUser, scope_for
from linli.core.roles import Capability
from linli.core.scoping import scope_condition
from linli.earlywarning.detectors import CARE_KINDS
from linli.earlywarning.models import ACTIVE_STATUSES, EarlyWarning, WarningStatus


def visible_warnings(user: AnyUser) -> QuerySet[EarlyWarning]:
    places = scope_condition(
        scope_for(user, Capability.REQUESTS_VIEW), area_path="area__path", grid="grid"
    )
    care = scope_condition(
        scope_for(user, Capability.CARE_VIEW),
        area_path="area__path",
        grid="grid",
        resident="resident",
    )
    condition = Q(pk__in=[])
    if places is not None:
        condition |= places & ~Q(kind__in=CARE_KINDS)
    if care is not None:
        condition |= care & Q(kind__in=CARE_KINDS)
    if getattr(user, "is_authenticated", False):
        # Overdue work piling up on someone is shown to that person too.
        condition |= Q(assignee_id=user.pk) & ~Q(kind__in=CARE_KINDS)
    return EarlyWarning.objects.filter(condition)


def warning_list(
    *, user: AnyUser, status: str = "active", kind: str = ""
) -> QuerySet[EarlyWarning]:
    warnings = visible_warnings(user).select_related("area", "grid", "category")
    if status == "active":
        warnings = warnings.filter(status__in=ACTIVE_STATUSES)
    elif status in WarningStatus.values:
        warnings = warnings.filter(status=status)
    if kind:
        warnings = warnings.filter(kind=kind)
    return warnings.annotate(
        open_first=Case(
            When(status=WarningStatus.OPEN, then=Value(0)),
            When(status=WarningStatus.ACKNOWLEDGED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("open_first", "-raised_at", "-pk")


def warning_get_for_user(*, user: AnyUser, pk: int) -> EarlyWarning:
    warning = visible_warnings(user).filter(pk=pk).first()
    if warning is None:
        raise Http404
    return warning


def active_warning_count(user: AnyUser) -> int:
    return visible_warnings(user).filter(status=WarningStatus.OPEN).count()
