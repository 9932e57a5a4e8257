"""Reads for care: every query a user triggers starts from their scope.

With N home visits a week a person is due 7/N days after the last home visit and overdue
one day after that; with no home visit yet the plan is due from the day it was made. The
due moment is kept on the plan by the services (``plans_due_refresh``); overdue is read
from it here, against the clock of the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import AnyUser, cached_for_user, capabilities_of, scope_for
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import (
    ancestor_of_kind,
    ancestor_paths,
    building_of,
    communities_in_scope,
)
from linli.care.models import (
    Alert,
    AlertKind,
    AlertLevel,
    AlertStatus,
    CarePlan,
    Visit,
)
from linli.core.roles import Capability, Role
from linli.core.scoping import EVERYTHING, NOTHING, Scope, apply_scope
from linli.notifications.models import Notification
from linli.people.models import Resident, TagCode
from linli.people.selectors import residents_with_health_processing
from linli.privacy.gate import (
    Sensitive,
    care_notes_visible_ids,
    health_visible_ids,
    may_see,
    visible,
)
from linli.volunteers.models import Volunteer

M = TypeVar("M", bound=Model)

OVERDUE_GRACE = dt.timedelta(days=1)
MAX_VISITS_PER_WEEK = 14
# Roles told about a person's alerts besides their volunteers and grid worker.
ALERT_AREA_ROLES = (Role.STAFF,)


def volunteer_of(user: AnyUser) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user_id=user.pk, active=True).first()


def care_personal_scope(user: object, role: Role) -> Scope:
    """A volunteer reaches the people whose active plan names them primary or backup."""
    if role != Role.VOLUNTEER or not isinstance(user, User):
        return NOTHING
    # Two index-served halves, not one OR across the two joined volunteers (which read
    # every active plan: 34 ms at 3 M residents, 80,000 plans, on every page a volunteer
    # opens); unordered (CarePlan's default order by name would sort a set).
    plans = CarePlan.objects.filter(active=True).order_by()
    resident_ids = (
        plans.filter(primary_volunteer__user=user)
        .values_list("resident_id", flat=True)
        .union(plans.filter(backup_volunteer__user=user).values_list("resident_id", flat=True))
    )
    return Scope(resident_ids=frozenset(resident_ids))


# --- scoped querysets ----------------------------------------------------------------------


def _scope(user: AnyUser, capability: Capability, within: str | None) -> Scope:
    """The user's scope; EVERYTHING when it covers the whole subtree ``within`` (an area
    path the caller narrows the rows to itself): the scope's filter would then only repeat
    the caller's, at the price of a join to every row's area (the dashboard's counts)."""
    scope = scope_for(user, capability)
    if within is not None and scope.covers_path(within):
        return EVERYTHING
    return scope


def _scoped_residents(
    user: AnyUser, capability: Capability, *, within: str | None = None
) -> QuerySet[Resident]:
    return visible(
        apply_scope(
            Resident.objects.all(),
            _scope(user, capability, within),
            area_path="area__path",
            resident="pk",
        ),
        user,
    )


def _scoped(
    queryset: QuerySet[M], user: AnyUser, capability: Capability, *, within: str | None = None
) -> QuerySet[M]:
    """Care records about the people in the user's scope, through the privacy gate.
    ``within``: see :func:`_scope`."""
    return visible(
        apply_scope(
            queryset,
            _scope(user, capability, within),
            area_path="resident__area__path",
            resident="resident_id",
        ),
        user,
    )


def visible_plans(
    user: AnyUser, capability: Capability = Capability.CARE_VIEW, *, within: str | None = None
) -> QuerySet[CarePlan]:
    plans = _scoped(CarePlan.objects.all(), user, capability, within=within)
    communities = cached_for_user(
        user,
        f"care:plan-communities:{capability}:{within}",
        lambda: _plan_communities(_scope(user, capability, within)),
    )
    return plans if communities is None else plans.filter(community_id__in=communities)


def _plan_communities(scope: Scope) -> list[int] | QuerySet[Area, int] | None:
    """The communities a scope of places reaches (whole or in part), to narrow plans by the
    community they keep (``CarePlan.community``): a place's due list and counts are then a
    range of the (community, active, due_at) index instead of a walk of every active plan
    joined to its person's place — a town's due count read 5,000 plans and every resident
    at 300 k (docs/scaling.md, session 33). A narrowing only, beside the scope's own
    condition on the person's place, so a plan whose kept community were ever wrong would
    be missing from a list, never shown outside the scope. ``None`` (no narrowing) for a
    scope of everything, or one naming people or households (a volunteer's, a resident's),
    who may live anywhere. Up to ``INLINE_COMMUNITIES`` ids written into the query as
    constants (the planner then estimates from the column's statistics); more as a
    subquery, as the request scope does with areas."""
    if scope.everything or scope.resident_ids or scope.household_ids or scope.is_empty:
        return None
    communities = communities_in_scope(scope)
    found = list(communities.values_list("pk", flat=True)[: INLINE_COMMUNITIES + 1])
    return (
        found
        if len(found) <= INLINE_COMMUNITIES
        else communities.order_by().values_list("pk", flat=True)
    )


INLINE_COMMUNITIES = 500


def care_resident_get(
    *, user: AnyUser, pk: int, capability: Capability = Capability.CARE_VIEW
) -> Resident:
    resident = (
        _scoped_residents(user, capability).select_related("household__unit").filter(pk=pk).first()
    )
    if resident is None:
        raise Http404
    return resident


def plan_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.CARE_VIEW
) -> CarePlan:
    plan = (
        visible_plans(user, capability)
        .select_related("resident__household__unit", "primary_volunteer", "backup_volunteer")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def can_see_health(user: AnyUser, resident: Resident) -> bool:
    """Readings, care notes and health alerts: the care team (the plan's volunteers, the
    grid worker) and staff, and only while the person's health consent is active."""
    return may_see(user, resident, Sensitive.HEALTH)


def can_see_care_notes(user: AnyUser, resident: Resident) -> bool:
    """Visit notes, concerns and how alerts were closed: the care team and staff."""
    return may_see(user, resident, Sensitive.CARE_NOTES)


def may_manage(user: AnyUser, resident: Resident) -> bool:
    return _scoped_residents(user, Capability.CARE_MANAGE).filter(pk=resident.pk).exists()


def loggable_ids(user: AnyUser, resident_ids: Iterable[int]) -> set[int]:
    """Of these residents, the ids ``user`` may log a visit for (one query, none without
    the capability). Per person, not per user: someone who logs visits in one grid and
    only watches a town (a grid worker who is also a cadre) sees 「记录走访」 where it works."""
    ids = {pk for pk in resident_ids if pk is not None}
    if not ids or Capability.CARE_LOG not in capabilities_of(user):
        return set()
    return set(
        _scoped_residents(user, Capability.CARE_LOG).filter(pk__in=ids).values_list("pk", flat=True)
    )


# --- due and overdue -------------------------------------------------------------------------


def with_due(plans: QuerySet[CarePlan], *, now: dt.datetime | None = None) -> QuerySet[CarePlan]:
    """Annotate ``overdue``: a day past the plan's ``due_at``.

    ``due_at`` and ``last_home_visit_at`` are the plan's own columns, kept by
    :func:`linli.care.services.plans_due_refresh`. They were a subquery on the visits
    per plan: a county's 80,581 plans took 1.9 s to list at 3 M residents
    (docs/scaling.md, session 30); now the due list is a range of the (active, due_at)
    index.
    """
    now = now or timezone.now()
    return plans.annotate(
        overdue=Case(
            When(due_at__lt=now - OVERDUE_GRACE, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def due_plans(
    user: AnyUser,
    *,
    now: dt.datetime | None = None,
    only_due: bool = True,
    overdue_only: bool = False,
) -> QuerySet[CarePlan]:
    """Active plans in scope, most urgent (earliest due) first."""
    now = now or timezone.now()
    plans = with_due(visible_plans(user).filter(active=True), now=now)
    if overdue_only:
        plans = plans.filter(Q(due_at__lt=now - OVERDUE_GRACE))
    elif only_due:
        # Due some time today counts: a volunteer plans the day, not the minute.
        plans = plans.filter(Q(due_at__lte=_end_of_today(now)))
    return plans.select_related(
        "resident__household__unit", "primary_volunteer", "backup_volunteer"
    ).order_by(F("due_at").asc(), "pk")


@dataclass(frozen=True)
class CareFigures:
    plans: int
    due: int
    overdue: int
    open_alerts: int
    urgent_alerts: int
    # Only when asked for (``with_gaps``): a count over the scope's residents that the
    # volunteer's pages never show.
    gaps: int | None = None


def _end_of_today(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=23, minute=59, second=59)


def care_figures(
    user: AnyUser, *, now: dt.datetime | None = None, with_gaps: bool = False
) -> CareFigures:
    """The care counts of the user's scope: active plans, due today, overdue, open and
    urgent alerts — two statements — and, ``with_gaps``, people living alone without a
    plan (a third)."""
    now = now or timezone.now()
    counts = with_due(visible_plans(user).filter(active=True), now=now).aggregate(
        plans=Count("pk"),
        due=Count("pk", filter=Q(due_at__lte=_end_of_today(now))),
        overdue=Count("pk", filter=Q(due_at__lt=now - OVERDUE_GRACE)),
    )
    alerts = visible_alerts(user).exclude(status=AlertStatus.CLOSED)
    alert_counts = alerts.aggregate(
        open=Count("pk"), urgent=Count("pk", filter=Q(level=AlertLevel.URGENT))
    )
    return CareFigures(
        plans=counts["plans"],
        due=counts["due"],
        overdue=counts["overdue"],
        open_alerts=alert_counts["open"],
        urgent_alerts=alert_counts["urgent"],
        gaps=care_gaps(user).count() if with_gaps else None,
    )


def care_gaps(user: AnyUser, *, within: str | None = None) -> QuerySet[Resident]:
    """People living alone (独居老人) in scope with no active care plan."""
    return (
        _scoped_residents(user, Capability.CARE_VIEW, within=within)
        .filter(tags__code=TagCode.LIVING_ALONE)
        .exclude(Exists(CarePlan.objects.filter(resident_id=OuterRef("pk"), active=True)))
        .select_related("household__unit")
        .order_by("birth_date", "pk")
        .distinct()
    )


def plans_of_volunteer(volunteer: Volunteer) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(
        Q(primary_volunteer=volunteer) | Q(backup_volunteer=volunteer), active=True
    )


# --- visits and alerts -----------------------------------------------------------------------


def visible_visits(user: AnyUser, *, within: str | None = None) -> QuerySet[Visit]:
    return _scoped(Visit.objects.all(), user, Capability.CARE_VIEW, within=within)


def visits_of(*, user: AnyUser, resident: Resident, limit: int = 20) -> list[Visit]:
    return list(
        visible_visits(user)
        .filter(resident=resident)
        .select_related("volunteer", "recorded_by", "concern_request")
        .order_by("-visited_at", "-pk")[:limit]
    )


def recent_concerns(resident: Resident, *, count: int) -> list[str]:
    """The concern of each of the last ``count`` visits, newest first ("" when none)."""
    return list(
        Visit.objects.filter(resident=resident)
        .order_by("-visited_at", "-pk")
        .values_list("concern", flat=True)[:count]
    )


HEALTH_ALERT_KINDS = (AlertKind.BLOOD_PRESSURE, AlertKind.GLUCOSE)


def visible_alerts(user: AnyUser, *, within: str | None = None) -> QuerySet[Alert]:
    """Alerts in scope; a health alert only while the person's health consent is active."""
    return _scoped(Alert.objects.all(), user, Capability.CARE_VIEW, within=within).exclude(
        Q(kind__in=HEALTH_ALERT_KINDS)
        & ~Q(resident__in=residents_with_health_processing(Resident.objects.all()))
    )


@dataclass(frozen=True)
class AlertShown:
    """An alert as one user may see it: a health alert's kind and every alert's notes
    only with the matching visibility (a leader sees that there is an alert, not why)."""

    alert: Alert
    kind: str  # the alert's kind, or "health" when its kind is not for this user
    kind_label: str
    summary: str
    close_note: str


def alerts_shown(user: AnyUser, alerts: Iterable[Alert]) -> list[AlertShown]:
    alerts = list(alerts)
    resident_ids = [a.resident_id for a in alerts]
    health = health_visible_ids(user, resident_ids)
    notes = care_notes_visible_ids(user, resident_ids)
    shown = []
    for alert in alerts:
        health_alert = alert.kind in HEALTH_ALERT_KINDS
        kind_visible = not health_alert or alert.resident_id in health
        notes_visible = alert.resident_id in notes and kind_visible
        shown.append(
            AlertShown(
                alert=alert,
                kind=alert.kind if kind_visible else "health",
                kind_label=str(alert.get_kind_display() if kind_visible else _("健康预警")),
                summary=alert.summary if notes_visible else "",
                close_note=alert.close_note if notes_visible else "",
            )
        )
    return shown


def alerts_list(user: AnyUser, *, status: str = "active") -> QuerySet[Alert]:
    """Alerts in scope: open and acknowledged ones by default, urgent first, newest first."""
    alerts = visible_alerts(user)
    if status == "active":
        alerts = alerts.exclude(status=AlertStatus.CLOSED)
    elif status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    urgency = Case(
        When(level=AlertLevel.URGENT, then=Value(0)),
        default=Value(1),
    )
    state = Case(When(status=AlertStatus.OPEN, then=Value(0)), default=Value(1))
    return alerts.select_related("resident__household__unit", "visit").order_by(
        state, urgency, "-created_at", "-pk"
    )


def alert_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.CARE_VIEW
) -> Alert:
    alert = (
        _scoped(Alert.objects.all(), user, capability)
        .select_related("resident")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404
    return alert


def care_team_of(resident: Resident) -> list[User]:
    """Who hears about the person's alerts: their volunteers, grid worker(s) and the staff
    holding an area the person lives in."""
    users: dict[int, User] = {}
    plan = (
        CarePlan.objects.filter(resident=resident)
        .select_related("primary_volunteer__user", "backup_volunteer__user")
        .first()
    )
    if plan is not None:
        for volunteer in (plan.primary_volunteer, plan.backup_volunteer):
            if volunteer is not None and volunteer.user is not None:
                users[volunteer.user.pk] = volunteer.user
    area = resident.area
    if area is not None:
        building = building_of(area)
        place = Q(role__in=ALERT_AREA_ROLES, area__path__in=ancestor_paths(area.path))
        if building is not None and building.grid_id is not None:
            place |= Q(role=Role.GRID_WORKER, grid_id=building.grid_id)
        for assignment in RoleAssignment.objects.filter(place, user__is_active=True).select_related(
            "user"
        ):
            users[assignment.user.pk] = assignment.user
    return list(users.values())


# --- one visit, as saved -----------------------------------------------------------------------


def visit_get(*, user: AnyUser, pk: int) -> Visit:
    """One visit the user may see (else 404): the screen shown right after saving it."""
    visit = (
        visible_visits(user)
        .select_related("resident", "volunteer", "recorded_by", "concern_request")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


@dataclass(frozen=True)
class Told:
    """An alert a visit raised and the people notified of it."""

    alert: Alert
    people: list[User]


def visit_told(visit: Visit) -> list[Told]:
    """Who was told about what this visit recorded: each alert it raised and the users who
    received its notification."""
    from linli.care.services import alert_link

    told: list[Told] = []
    for alert in visit.alerts.order_by("pk"):
        users = User.objects.filter(
            pk__in=Notification.objects.filter(link=alert_link(alert)).values("user_id")
        ).order_by("full_name", "pk")
        told.append(Told(alert=alert, people=list(users)))
    return told


def plan_volunteers(resident: Resident) -> QuerySet[Volunteer]:
    """Who may be named on the person's care plan: the active volunteers of their community
    (the plan page's choices and the API's)."""
    unit = resident.household.unit if resident.household else None
    community = ancestor_of_kind(unit, AreaKind.COMMUNITY) if unit else None
    volunteers = Volunteer.objects.filter(active=True)
    if community is not None:
        volunteers = volunteers.filter(community=community)
    return volunteers.order_by("name", "pk")
