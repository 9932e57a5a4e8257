"""Reads about activities. Every query a user triggers starts from their scope.

Staff see the activities of the communities in their scope (a grid worker: those of
their grids' community). A resident sees the activities of their own community that are
open to them (:func:`activities_for_resident`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.selectors import AnyUser, scope_for
from linli.activities.models import (
    Activity,
    Audience,
    ClinicReading,
    ServedCount,
    Signup,
    SignupStatus,
    Status,
)
from linli.activities.services import audience_refusal
from linli.areas.models import Area, Grid
from linli.core.roles import Capability
from linli.core.scoping import scope_condition
from linli.organisations.models import Organisation
from linli.people.models import Resident
from linli.people.selectors import visible_residents
from linli.volunteers.models import ServiceRecord, ServiceSource, Volunteer
from linli.volunteers.selectors import own_volunteer_profile, visible_volunteers


def visible_activities(
    user: AnyUser, capability: Capability = Capability.ACTIVITIES_VIEW
) -> QuerySet[Activity]:
    scope = scope_for(user, capability)
    condition = scope_condition(scope, area_path="community__path", grid="audience_grid")
    if condition is None:
        return Activity.objects.none()
    if scope.grid_ids:
        # A grid worker also sees their grid's community's activities for everyone (not
        # those meant for another grid).
        grid_ids = sorted(scope.grid_ids)
        communities = Grid.objects.filter(pk__in=grid_ids).values("community")
        condition |= Q(community__in=communities) & (
            Q(audience_grid__isnull=True) | Q(audience_grid__in=grid_ids)
        )
    return Activity.objects.filter(condition)


def may_manage(user: AnyUser, activity: Activity) -> bool:
    return visible_activities(user, Capability.ACTIVITIES_MANAGE).filter(pk=activity.pk).exists()


def activity_list(
    *, user: AnyUser, query: str = "", kind_id: int | None = None, status: str = ""
) -> QuerySet[Activity]:
    activities = visible_activities(user)
    if query:
        activities = activities.filter(title__contains=query.strip())
    if kind_id:
        activities = activities.filter(kind_id=kind_id)
    if status:
        activities = activities.filter(status=status)
    return (
        activities.select_related("kind", "community", "place")
        .annotate(
            confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
        )
        .order_by("-starts_at", "-pk")
    )


def activity_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.ACTIVITIES_VIEW
) -> Activity:
    activity = (
        visible_activities(user, capability)
        .select_related("kind", "community", "place", "team", "audience_grid")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def own_resident(user: AnyUser) -> Resident | None:
    """The register entry of the signed-in resident, if any."""
    if not isinstance(user, User):
        return None
    return (
        Resident.objects.filter(user=user, anonymised_at__isnull=True)
        .select_related("area")
        .first()
    )


def _community_condition(resident: Resident) -> Q:
    if resident.area is None:
        return Q(pk__in=[])
    ancestors = [resident.area.path[:n] for n in range(4, len(resident.area.path) + 1, 4)]
    return Q(community__path__in=ancestors)


def activities_for_resident(resident: Resident) -> list[Activity]:
    """Coming activities of the resident's community that are open to them."""
    now = timezone.now()
    candidates = (
        Activity.objects.filter(_community_condition(resident))
        .filter(status__in=[Status.PLANNED, Status.OPEN], ends_at__gte=now)
        .select_related("kind", "community", "place", "audience_grid")
        .order_by("starts_at", "pk")
    )
    return [a for a in candidates[:200] if not audience_refusal(a, resident)]


def resident_activity_get(*, resident: Resident, pk: int) -> Activity:
    """An activity of the resident's community (any state: their past ones too), else 404."""
    activity = (
        Activity.objects.filter(_community_condition(resident))
        .select_related("kind", "community", "place", "audience_grid")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def own_signup(activity: Activity, resident: Resident) -> Signup | None:
    return (
        activity.signups.filter(resident=resident)
        .exclude(status=SignupStatus.CANCELLED)
        .order_by("-pk")
        .first()
    )


def signups_of(activity: Activity) -> QuerySet[Signup]:
    return (
        activity.signups.exclude(status=SignupStatus.CANCELLED)
        .select_related("resident", "resident__area")
        .order_by("status", "signed_up_at", "pk")
    )


def served_by_service(activities: QuerySet[Activity]) -> list[tuple[str, int]]:
    """People served per service: the typed counts plus the readings recorded one by one
    (each reading counts once for each service it measured), largest first."""
    totals: dict[str, int] = {}
    for row in (
        ServedCount.objects.filter(activity__in=activities)
        .values("service")
        .annotate(n=Sum("count"))
    ):
        totals[row["service"]] = totals.get(row["service"], 0) + int(row["n"] or 0)
    for services in ClinicReading.objects.filter(activity__in=activities).values_list(
        "services", flat=True
    ):
        for service in services or []:
            totals[service] = totals.get(service, 0) + 1
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def activity_served(activity: Activity) -> list[tuple[str, int]]:
    return served_by_service(Activity.objects.filter(pk=activity.pk))


def people_served(activity: Activity) -> int:
    """At least this many people were served: each service's count names distinct people,
    as do those checked in, so the largest of them is a lower bound (never a sum)."""
    checked_in = activity.signups.filter(checked_in_at__isnull=False).count()
    largest = max((n for _service, n in activity_served(activity)), default=0)
    return max(checked_in, largest)


def _people_served_total(activities: QuerySet[Activity]) -> int:
    """The sum of :func:`people_served` over ``activities``, in four queries."""
    largest: dict[int, int] = {}
    per_service: dict[tuple[int, str], int] = {}
    for pk, service, count in ServedCount.objects.filter(activity__in=activities).values_list(
        "activity", "service", "count"
    ):
        per_service[(pk, service)] = per_service.get((pk, service), 0) + count
    for pk, services in ClinicReading.objects.filter(activity__in=activities).values_list(
        "activity", "services"
    ):
        for service in services or []:
            per_service[(pk, service)] = per_service.get((pk, service), 0) + 1
    for (pk, _service), n in per_service.items():
        largest[pk] = max(largest.get(pk, 0), n)
    checked_in = dict(
        Signup.objects.filter(activity__in=activities, checked_in_at__isnull=False)
        .values("activity")
        .annotate(n=Count("pk"))
        .values_list("activity", "n")
    )
    pks = set(largest) | set(checked_in)
    return sum(max(largest.get(pk, 0), checked_in.get(pk, 0)) for pk in pks)


def readings_of(activity: Activity) -> QuerySet[ClinicReading]:
    return activity.readings.select_related("resident").order_by("-recorded_at", "-pk")


@dataclass(frozen=True)
class Figures:
    area: Area
    start: dt.date
    end: dt.date
    total: int
    held: int
    cancelled: int
    by_kind: list[tuple[str, int]]
    participants: int
    people_served: int
    served_by_service: list[tuple[str, int]]
    partners: list[str]
    volunteer_minutes: int
    volunteers: int = 0
    followups: int = 0
    readings: int = 0
    # Held (or summarised) activities per kind, beside ``by_kind``'s all but cancelled.
    held_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def kinds(self) -> list[tuple[str, int, int]]:
        return [(name, n, self.held_by_kind.get(name, 0)) for name, n in self.by_kind]

    @property
    def volunteer_hours(self) -> float:
        return round(self.volunteer_minutes / 60, 1)


def activities_in(*, user: AnyUser, area: Area, start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Visible activities at or below ``area`` that start within ``start``–``end``."""
    return visible_activities(user).filter(
        Q(community__path__startswith=area.path) | Q(place__path__startswith=area.path),
        starts_at__date__gte=start,
        starts_at__date__lte=end,
    )


def activity_figures(*, user: AnyUser, area: Area, start: dt.date, end: dt.date) -> Figures:
    activities = activities_in(user=user, area=area, start=start, end=end)
    done = activities.filter(status__in=[Status.HELD, Status.SUMMARISED])
    held_states = [Status.HELD, Status.SUMMARISED]
    kind_rows = list(
        activities.exclude(status=Status.CANCELLED)
        .values("kind__name", "kind__sort_order")
        .annotate(n=Count("pk"), held=Count("pk", filter=Q(status__in=held_states)))
        .order_by("kind__sort_order", "kind__name")
    )
    participants = Signup.objects.filter(activity__in=done, checked_in_at__isnull=False).count()
    served_total = _people_served_total(done)
    partners = sorted(
        {
            str(org)
            for org in Organisation.objects.filter(
                Q(partnered_activities__in=done) | Q(organised_activities__in=done)
            ).distinct()
        }
    )
    records = ServiceRecord.objects.counted().filter(
        source=ServiceSource.ACTIVITY,
        source_id__in=[str(pk) for pk in done.values_list("pk", flat=True)],
    )
    totals = records.aggregate(minutes=Sum("minutes"), people=Count("volunteer", distinct=True))
    return Figures(
        area=area,
        start=start,
        end=end,
        total=activities.exclude(status=Status.CANCELLED).count(),
        held=done.count(),
        cancelled=activities.filter(status=Status.CANCELLED).count(),
        by_kind=[(row["kind__name"], row["n"]) for row in kind_rows],
        held_by_kind={row["kind__name"]: row["held"] for row in kind_rows},
        participants=participants,
        people_served=served_total,
        served_by_service=served_by_service(done),
        partners=partners,
        volunteer_minutes=int(totals["minutes"] or 0),
        volunteers=int(totals["people"] or 0),
        followups=Activity.followups.through.objects.filter(activity__in=done).count(),
        readings=ClinicReading.objects.filter(activity__in=done).count(),
    )


def audience_label(activity: Activity) -> str:
    if activity.audience == Audience.GRID and activity.audience_grid is not None:
        return f"{activity.get_audience_display()}:{activity.audience_grid.name}"
    return str(activity.get_audience_display())


# --- whom a form of the activity page may name (the page and the API share them) ----------


def activity_residents(user: AnyUser, activity: Activity) -> QuerySet[Resident]:
    """Residents of the activity's community that ``user`` may see (sign up by phone)."""
    return (
        visible_residents(user)
        .filter(area__path__startswith=activity.community.path)
        .order_by("name", "pk")
    )


def activity_signed_up(user: AnyUser, activity: Activity) -> QuerySet[Resident]:
    """Of those, the ones signed up (a follow-up request may name one)."""
    return activity_residents(user, activity).filter(activity_signups__activity=activity).distinct()


def activity_attendees(user: AnyUser, activity: Activity) -> QuerySet[Resident]:
    """Of those, the ones checked in (a free clinic's readings are taken for them)."""
    return (
        activity_residents(user, activity)
        .filter(
            activity_signups__activity=activity,
            activity_signups__checked_in_at__isnull=False,
        )
        .distinct()
    )


def activity_helper_choices(user: AnyUser, activity: Activity) -> QuerySet[Volunteer]:
    """Active volunteers of the community, visible to ``user``, not yet helping."""
    return (
        visible_volunteers(user)
        .filter(community=activity.community, active=True)
        .exclude(activity_helps__activity=activity)
        .order_by("name", "pk")
    )


def volunteer_activity_get(*, user: AnyUser, pk: int) -> tuple[Volunteer, Activity]:
    """The caller's volunteer profile and an activity of its community they may help at;
    404 when they are no volunteer or the activity is elsewhere."""
    volunteer = own_volunteer_profile(user)
    if volunteer is None:
        raise Http404
    activity = Activity.objects.filter(pk=pk, community=volunteer.community).first()
    if activity is None:
        raise Http404
    return volunteer, activity
