"""Reads for field work. Every query a user triggers starts from their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import communities_in_scope
from linli.core.roles import Capability, Role
from linli.core.scoping import Scope, apply_scope, scope_condition
from linli.fieldwork.models import (
    FindingOutcome,
    Patrol,
    PatrolFinding,
    Posting,
    SinkDownConcern,
    SinkDownPlan,
    SinkDownVisit,
)
from linli.requests.figures import local_day_start
from linli.requests.workflow import Status

UNPATROLLED_DAYS = 2
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``month``'s month."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _oversee(user: AnyUser) -> Scope:
    return scope_for(user, Capability.FIELDWORK_OVERSEE)


def _scoped_or_own(
    queryset: QuerySet[SinkDownVisit], user: AnyUser, *, own: str = "cadre"
) -> QuerySet[SinkDownVisit]:
    condition = scope_condition(_oversee(user), area_path="community__path", grid="grid")
    if user.is_authenticated:
        mine = Q(**{f"{own}_id": user.pk})
        condition = mine if condition is None else condition | mine
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


# --- sink-down -------------------------------------------------------------------------


def visible_postings(user: AnyUser) -> QuerySet[Posting]:
    """Postings in the overseer's scope, and the cadre's own."""
    condition = scope_condition(_oversee(user), area_path="community__path", grid="grid")
    mine = Q(cadre_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    condition = mine if condition is None else condition | mine
    return Posting.objects.filter(condition).select_related("cadre", "compound", "grid")


@dataclass(frozen=True)
class PostingChoices:
    """What an overseer may link a cadre to: the compounds and grids in their scope, and
    the cadres and leaders whose role is held over a place inside (or above) it."""

    compounds: QuerySet[Area]
    grids: QuerySet[Grid]
    cadres: list[tuple[int, str]]  # (user id, name), by name


def posting_choices(user: AnyUser) -> PostingChoices:
    scope = _oversee(user)
    compounds = apply_scope(
        Area.objects.filter(kind=AreaKind.COMPOUND), scope, area_path="path"
    ).order_by("path")
    grids = apply_scope(
        Grid.objects.select_related("community"), scope, area_path="community__path", grid="pk"
    ).order_by("code")
    community_paths = [c.path for c in communities_in_scope(scope)]
    assignments = RoleAssignment.objects.filter(
        role__in=[Role.CADRE, Role.LEADER], user__is_active=True
    ).select_related("user", "area", "grid")
    cadres: dict[int, str] = {}
    for assignment in assignments:
        place = assignment.area.path if assignment.area else None
        grid_community = assignment.grid.community.path if assignment.grid else None
        if (place and any(p.startswith(place) or place.startswith(p) for p in community_paths)) or (
            grid_community in community_paths
        ):
            cadres[assignment.user_id] = str(assignment.user)
    return PostingChoices(
        compounds=compounds,
        grids=grids,
        cadres=sorted(cadres.items(), key=lambda item: item[1]),
    )


def own_postings(user: AnyUser) -> QuerySet[Posting]:
    if not user.is_authenticated:
        return Posting.objects.none()
    return (
        Posting.objects.filter(cadre_id=user.pk, active=True)
        .select_related("compound", "grid", "community")
        .order_by("kind", "pk")
    )


def visible_visits(user: AnyUser) -> QuerySet[SinkDownVisit]:
    return _scoped_or_own(SinkDownVisit.objects.all(), user).select_related(
        "cadre", "posting__compound", "posting__grid"
    )


def visit_get_for_user(*, user: AnyUser, pk: int) -> SinkDownVisit:
    visit = visible_visits(user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


def plans_of(user: AnyUser, month: dt.date) -> QuerySet[SinkDownPlan]:
    return SinkDownPlan.objects.filter(
        posting__in=own_postings(user), month=month.replace(day=1)
    ).select_related("posting")


def my_concerns(user: AnyUser) -> QuerySet[SinkDownConcern]:
    """What the cadre raised on their visits, newest first, with the request's state."""
    if not user.is_authenticated:
        return SinkDownConcern.objects.none()
    return (
        SinkDownConcern.objects.filter(visit__cadre_id=user.pk)
        .select_related("request", "visit")
        .order_by("-visit__visited_on", "-pk")
    )


@dataclass(frozen=True)
class CadreMonth:
    cadre: User
    postings: list[Posting]
    visits: int
    last_visit: dt.date | None
    planned_on: dt.date | None

    @property
    def went_down(self) -> bool:
        return self.visits > 0


def cadres_for_month(user: AnyUser, month: dt.date) -> list[CadreMonth]:
    """Every cadre with an active posting in scope, and whether they went down in ``month``
    (to any of those postings). Those not yet down come first."""
    first, last = month_bounds(month)
    postings = list(
        apply_scope(
            Posting.objects.filter(active=True),
            _oversee(user),
            area_path="community__path",
            grid="grid",
        ).select_related("cadre", "compound", "grid")
    )
    by_cadre: dict[int, list[Posting]] = {}
    for posting in postings:
        by_cadre.setdefault(posting.cadre_id, []).append(posting)
    posting_ids = [p.pk for p in postings]
    visits: dict[int, dict[str, Any]] = {
        row["cadre_id"]: dict(row)
        for row in SinkDownVisit.objects.filter(
            posting_id__in=posting_ids, visited_on__range=(first, last)
        )
        .values("cadre_id")
        .annotate(n=Count("pk"), last=Max("visited_on"))
    }
    plans: dict[int, dt.date | None] = {}
    for plan in SinkDownPlan.objects.filter(posting_id__in=posting_ids, month=first):
        cadre_id = next(p.cadre_id for p in postings if p.pk == plan.posting_id)
        plans[cadre_id] = plan.planned_on or plans.get(cadre_id)
    rows = [
        CadreMonth(
            cadre=group[0].cadre,
            postings=group,
            visits=int(visits.get(cadre_id, {}).get("n", 0)),
            last_visit=visits.get(cadre_id, {}).get("last"),
            planned_on=plans.get(cadre_id),
        )
        for cadre_id, group in by_cadre.items()
    ]
    rows.sort(key=lambda r: (r.went_down, r.cadre.get_full_name()))
    return rows


# --- patrols ---------------------------------------------------------------------------


def _patrol_condition(user: AnyUser) -> Q | None:
    condition: Q | None = None
    for scope in (_oversee(user), scope_for(user, Capability.PATROL)):
        part = scope_condition(scope, area_path="grid__community__path", grid="grid")
        if part is not None:
            condition = part if condition is None else condition | part
    return condition


def visible_patrols(user: AnyUser) -> QuerySet[Patrol]:
    condition = _patrol_condition(user)
    if condition is None:
        return Patrol.objects.none()
    return Patrol.objects.filter(condition).select_related("grid", "worker")


def patrol_get_for_user(*, user: AnyUser, pk: int) -> Patrol:
    patrol = visible_patrols(user).filter(pk=pk).first()
    if patrol is None:
        raise Http404
    return patrol


def patrol_grids(user: AnyUser) -> QuerySet[Grid]:
    """The grids the user patrols."""
    return Grid.objects.filter(pk__in=sorted(scope_for(user, Capability.PATROL).grid_ids))


def open_patrol(user: AnyUser) -> Patrol | None:
    if not user.is_authenticated:
        return None
    return (
        Patrol.objects.filter(worker_id=user.pk, finished_at=None)
        .select_related("grid")
        .order_by("-started_at")
        .first()
    )


def patrol_grids_in_scope(user: AnyUser) -> QuerySet[Grid]:
    """Grids whose patrols the user may see (as an overseer or their own grid)."""
    condition: Q | None = None
    for scope in (_oversee(user), scope_for(user, Capability.PATROL)):
        part = scope_condition(scope, area_path="community__path", grid="pk")
        if part is not None:
            condition = part if condition is None else condition | part
    if condition is None:
        return Grid.objects.none()
    return Grid.objects.filter(condition)


@dataclass(frozen=True)
class GridPatrolState:
    grid: Grid
    last_patrol: dt.datetime | None
    days_since: int | None


def unpatrolled_grids(
    user: AnyUser, *, now: dt.datetime | None = None, days: int = UNPATROLLED_DAYS
) -> list[GridPatrolState]:
    """Grids in the overseer's scope not patrolled for ``days`` days (or never)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    grids = apply_scope(
        Grid.objects.all(), _oversee(user), area_path="community__path", grid="pk"
    ).annotate(last=Max("patrols__started_at"))
    rows = []
    for grid in grids.order_by("code"):
        last: dt.datetime | None = getattr(grid, "last", None)
        since = (today - timezone.localdate(last)).days if last else None
        if since is None or since >= days:
            rows.append(GridPatrolState(grid=grid, last_patrol=last, days_since=since))
    return rows


def unpatrolled_count(
    user: AnyUser, *, now: dt.datetime | None = None, days: int = UNPATROLLED_DAYS
) -> int:
    """How many grids :func:`unpatrolled_grids` lists, counted in the database: the home
    shows only the number (a county's 4,167 grids built as rows took ~0.1 s at 3 M)."""
    now = now or timezone.now()
    since = local_day_start(timezone.localdate(now) - dt.timedelta(days=days - 1))
    return (
        apply_scope(Grid.objects.all(), _oversee(user), area_path="community__path", grid="pk")
        .exclude(Exists(Patrol.objects.filter(grid_id=OuterRef("pk"), started_at__gte=since)))
        .count()
    )


# --- figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldworkFigures:
    start: dt.date
    end: dt.date
    cadres: int
    cadres_down: int
    visits: int
    households: int
    concerns: int
    concerns_resolved: int
    patrols: int
    findings_solved: int
    findings_filed: int
    patrols_per_grid: list[tuple[Grid, int]]

    @property
    def cadres_not_down(self) -> int:
        return self.cadres - self.cadres_down

    @property
    def resolution_rate(self) -> int | None:
        """Concerns whose request is resolved or closed, in per cent (None without any)."""
        if not self.concerns:
            return None
        return round(self.concerns_resolved * 100 / self.concerns)


def fieldwork_figures(
    user: AnyUser, *, start: dt.date, end: dt.date, area: Area | None = None
) -> FieldworkFigures:
    """Figures of the overseer's scope (narrowed to ``area``'s subtree) over ``start``..``end``.

    A cadre counts as down when they have a visit to one of their postings in the period.
    """
    scope = _oversee(user)
    postings = apply_scope(
        Posting.objects.filter(active=True), scope, area_path="community__path", grid="grid"
    )
    visits = apply_scope(
        SinkDownVisit.objects.filter(visited_on__range=(start, end)),
        scope,
        area_path="community__path",
        grid="grid",
    )
    grids = apply_scope(Grid.objects.all(), scope, area_path="community__path", grid="pk")
    if area is not None:
        grids = grids.filter(
            Q(community__path__startswith=area.path) | Q(buildings__path__startswith=area.path)
        ).distinct()
        inside = (
            Q(community__path__startswith=area.path)
            | Q(compound__path__startswith=area.path)
            | Q(grid__in=grids)
        )
        postings = postings.filter(inside)
        visits = visits.filter(posting__in=postings)
    concerns = SinkDownConcern.objects.filter(visit__in=visits)
    # A subquery, not the ids: a county's 4,167 grid ids written into four statements cost
    # more to compile and send than the statements took to run (docs/scaling.md, 3 M).
    patrols = Patrol.objects.filter(
        grid_id__in=grids.values("pk"),
        started_at__date__range=(start, end),
    )
    findings = PatrolFinding.objects.filter(patrol__in=patrols)
    counts = dict(
        patrols.values_list("grid_id").annotate(n=Count("pk")).values_list("grid_id", "n")
    )
    cadre_ids = set(postings.values_list("cadre_id", flat=True))
    down_ids = set(visits.filter(cadre_id__in=cadre_ids).values_list("cadre_id", flat=True))
    return FieldworkFigures(
        start=start,
        end=end,
        cadres=len(cadre_ids),
        cadres_down=len(down_ids),
        visits=visits.count(),
        households=sum(visits.values_list("households_count", flat=True)),
        concerns=concerns.count(),
        concerns_resolved=concerns.filter(request__status__in=RESOLVED_STATUSES).count(),
        patrols=patrols.count(),
        findings_solved=findings.filter(outcome=FindingOutcome.SOLVED).count(),
        findings_filed=findings.filter(outcome=FindingOutcome.FILED).count(),
        patrols_per_grid=[(g, counts.get(g.pk, 0)) for g in grids.order_by("code")],
    )


# --- building choices and the home block ------------------------------------------------


def posting_buildings(postings: list[Posting]) -> QuerySet[Area]:
    """The buildings of the postings' compounds and grids."""
    condition = Q(pk__in=[])
    for posting in postings:
        if posting.compound is not None:
            condition |= Q(path__startswith=posting.compound.path)
        elif posting.grid_id is not None:
            condition |= Q(grid_id=posting.grid_id)
    return Area.objects.filter(condition, kind="building").order_by("path")


@dataclass(frozen=True)
class HomeBlock:
    postings: list[Posting]
    visits_this_month: int
    concerns: list[SinkDownConcern]
    concerns_open: int
    open_patrol: Patrol | None
    patrol_grids: list[Grid]
    patrolled_today: bool
    unpatrolled: int  # grids not patrolled for UNPATROLLED_DAYS days
    not_down: int | None


HOME_CONCERNS_SHOWN = 5


def home_block(user: AnyUser, *, now: dt.datetime | None = None) -> HomeBlock | None:
    """What the home page shows of field work: a cadre's postings and the concerns they
    raised with each request's state; a grid worker's patrol; an overseer's gaps."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    postings = list(own_postings(user))
    grids = list(patrol_grids(user))
    oversee = not _oversee(user).is_empty
    if not postings and not grids and not oversee:
        return None
    first, last = month_bounds(today)
    concerns = my_concerns(user)
    return HomeBlock(
        postings=postings,
        visits_this_month=SinkDownVisit.objects.filter(
            cadre_id=user.pk, visited_on__range=(first, last)
        ).count()
        if postings
        else 0,
        concerns=list(concerns[:HOME_CONCERNS_SHOWN]) if postings else [],
        concerns_open=concerns.exclude(request__status__in=[*RESOLVED_STATUSES, Status.REJECTED])
        .exclude(request=None)
        .count()
        if postings
        else 0,
        open_patrol=open_patrol(user) if grids else None,
        patrol_grids=grids,
        patrolled_today=Patrol.objects.filter(worker_id=user.pk, started_at__date=today).exists()
        if grids
        else False,
        unpatrolled=unpatrolled_count(user, now=now) if oversee else 0,
        not_down=sum(1 for r in cadres_for_month(user, today) if not r.went_down)
        if oversee
        else None,
    )
