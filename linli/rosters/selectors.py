"""Reads of the roster, from the user's scope (the people they may see the care of)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area
from linli.areas.selectors import communities_in_scope
from linli.core.roles import Capability
from linli.core.scoping import apply_scope
from linli.privacy.gate import visible
from linli.rosters.models import RosterAssignment, RosterGap
from linli.volunteers.models import Volunteer


def _week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def roster_assignments(
    *, user: AnyUser, week_start: dt.date, capability: Capability = Capability.CARE_VIEW
) -> QuerySet[RosterAssignment]:
    return visible(
        apply_scope(
            RosterAssignment.objects.filter(week_start=week_start),
            scope_for(user, capability),
            area_path="resident__area__path",
            household="resident__household",
            resident="resident",
        ),
        user,
    ).select_related("resident__household__unit", "volunteer")


def roster_gaps(
    *, user: AnyUser, week_start: dt.date, capability: Capability = Capability.CARE_VIEW
) -> QuerySet[RosterGap]:
    return visible(
        apply_scope(
            RosterGap.objects.filter(week_start=week_start),
            scope_for(user, capability),
            area_path="resident__area__path",
            household="resident__household",
            resident="resident",
        ),
        user,
    ).select_related("resident", "plan")


def assignments_for_volunteer(volunteer: Volunteer) -> list[RosterAssignment]:
    """The volunteer's visits planned for this week and next, from today on."""
    today = timezone.localdate()
    return list(
        RosterAssignment.objects.filter(
            volunteer=volunteer,
            week_start__in=[_week_of(today), _week_of(today) + dt.timedelta(days=7)],
            day__gte=today,
        )
        .select_related("resident", "plan")
        .order_by("day", "slot")
    )


def communities_managed(user: AnyUser) -> list[Area]:
    """Whole communities in which the user may build the roster (a grid is not enough)."""
    return list(communities_in_scope(scope_for(user, Capability.CARE_MANAGE), whole_only=True))
