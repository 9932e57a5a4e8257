"""The leaders' dashboard (驾驶舱): counts of one place (county, town, community, compound
or grid) over a period, read through the tested selectors of the apps that own the data.

Every read starts from the user's scope: the places offered are those whose figures the
user may see whole (:func:`linli.requests.figures.figure_places_for_user`); any other place
is a 404. Nothing here is personal: blocks hold counts, place names and category names only
(early warnings that name a person or a household are shown as a count of their kind).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import AnyUser, capabilities_of
from linli.activities.selectors import Figures as ActivityFigures
from linli.activities.selectors import activity_figures
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import ancestor_paths, area_labels
from linli.care.models import AlertStatus
from linli.care.selectors import care_gaps, visible_alerts, visible_plans, visible_visits
from linli.core.roles import Capability
from linli.dashboard import aggregates
from linli.earlywarning.models import WarningKind
from linli.earlywarning.selectors import warning_list
from linli.fieldwork.selectors import FieldworkFigures, fieldwork_figures
from linli.party.selectors import PartyFigures, party_figures
from linli.requests.figures import (
    Place,
    PlaceChoice,
    RequestFigures,
    figure_place_get,
    figure_place_keys,
    figure_places_for_user,
    local_day_start,
    place_condition,
    request_figures,
)
from linli.requests.models import Request
from linli.requests.workflow import OPEN_STATUSES
from linli.surveys.models import Survey
from linli.surveys.selectors import survey_results, visible_surveys
from linli.volunteers.models import ServiceRecord
from linli.volunteers.selectors import hours_for_minutes, visible_volunteers

# Warnings whose title names a place and a category only; the others (an assignee, an
# elder, a household) are shown as a count of their kind.
TITLED_KINDS = frozenset(
    {WarningKind.HOTSPOT, WarningKind.CATEGORY_RISE, WarningKind.GRID_UNPATROLLED}
)
HEAT_ROWS = 20
SURVEYS_SHOWN = 3
DAILY_TREND_MAX_DAYS = 62


def place_key(place: Place) -> str:
    return f"grid-{place.pk}" if isinstance(place, Grid) else f"area-{place.pk}"


def place_url(place: Place) -> str:
    kind = "grid" if isinstance(place, Grid) else "area"
    return reverse("dashboard:place", args=[kind, place.pk])


def dashboard_places(user: AnyUser) -> list[PlaceChoice]:
    """The places whose dashboard ``user`` may open (those their scope covers whole)."""
    return figure_places_for_user(user)


def dashboard_place_get(*, user: AnyUser, kind: str, pk: int) -> PlaceChoice:
    """The place ``kind``-``pk`` if ``user`` may see it whole, else a 404."""
    choice = figure_place_get(user, f"{kind}-{pk}")
    if choice is None:
        raise Http404
    return choice


def dashboard_place_keys(user: AnyUser) -> frozenset[str]:
    """The keys of :func:`dashboard_places`, without building the choices."""
    return figure_place_keys(user)


def default_place(choices: list[PlaceChoice]) -> PlaceChoice | None:
    """The widest place: the county or town of a leader, a community for staff, a grid for a
    worker."""
    return choices[0] if choices else None


# --- breadcrumb and children ---------------------------------------------------------------


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


def _grids_of_compound(compound: Area) -> QuerySet[Grid]:
    return Grid.objects.filter(buildings__path__startswith=compound.path).distinct()


def breadcrumb(place: Place, allowed: set[str]) -> list[Crumb]:
    """The places above ``place`` that the user may open, the widest first."""
    path = place.community.path if isinstance(place, Grid) else place.path
    wanted = ancestor_paths(path) if isinstance(place, Grid) else ancestor_paths(path)[:-1]
    ancestors = list(Area.objects.filter(path__in=wanted).order_by("path"))
    return [Crumb(label=a.name, url=place_url(a)) for a in ancestors if place_key(a) in allowed]


def children_of(place: Place) -> list[Place]:
    """One level down: county → towns; town → communities; community → compounds and
    grids; compound → the grids covering its buildings; a grid has none (its buildings are
    in the heat table)."""
    if isinstance(place, Grid):
        return []
    if place.kind == AreaKind.COMPOUND:
        return list(_grids_of_compound(place).order_by("code"))
    if place.kind == AreaKind.COMMUNITY:
        compounds: list[Place] = list(
            Area.objects.filter(
                path__startswith=place.path, depth=place.depth + 1, kind=AreaKind.COMPOUND
            ).order_by("path")
        )
        return compounds + list(Grid.objects.filter(community=place).order_by("code"))
    below = AreaKind.TOWN if place.kind == AreaKind.COUNTY else AreaKind.COMMUNITY
    return list(
        Area.objects.filter(
            path__startswith=place.path, depth=place.depth + 1, kind=below
        ).order_by("path")
    )


@dataclass(frozen=True)
class ChildRow:
    label: str
    kind_label: str
    url: str  # empty when the user may not open it
    total: int
    open_now: int
    overdue_now: int
    escalated_now: int
    key: str = ""  # place_key of the child


def _links_for(rows: list[ChildRow], allowed: set[str]) -> list[ChildRow]:
    """The rows with a link only to the children ``allowed`` names."""
    return [row if row.key in allowed else replace(row, url="") for row in rows]


def child_rows(
    requests: QuerySet[Request],
    place: Place,
    allowed: set[str],
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
) -> list[ChildRow]:
    rows = []
    since, until = local_day_start(start), local_day_start(end)
    for child in children_of(place):
        placed = requests.filter(place_condition(child))
        open_now = Q(status__in=list(OPEN_STATUSES))
        counts = placed.aggregate(
            total=Count("pk", filter=Q(submitted_at__gte=since, submitted_at__lt=until)),
            open_now=Count("pk", filter=open_now),
            overdue=Count("pk", filter=open_now & Q(due_at__lt=now)),
            escalated=Count("pk", filter=open_now & Q(escalated_at__isnull=False)),
        )
        rows.append(
            ChildRow(
                label=child.name,
                kind_label=_("网格") if isinstance(child, Grid) else child.kind_label,
                url=place_url(child) if place_key(child) in allowed else "",
                total=counts["total"],
                open_now=counts["open_now"],
                overdue_now=counts["overdue"],
                escalated_now=counts["escalated"],
                key=place_key(child),
            )
        )
    return rows


# --- requests over time ----------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Requests submitted per period step (day or month), by category."""

    step: str  # "day" or "month"
    labels: list[str]
    categories: list[str]
    counts: dict[str, list[int]]  # category name → one count per label
    rates: dict[str, list[float]] = field(default_factory=dict)  # monthly rates, per cent

    @property
    def totals(self) -> list[int]:
        if not self.counts:
            return [0] * len(self.labels)
        return [sum(column) for column in zip(*self.counts.values(), strict=True)]

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        return [
            (label, [self.counts[c][i] for c in self.categories], self.totals[i])
            for i, label in enumerate(self.labels)
        ]


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day < end:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def request_trend(
    requests: QuerySet[Request],
    place: Place,
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    with_rates: bool = True,
) -> Trend:
    """Requests submitted in ``place`` on ``start`` ≤ day < ``end``, per day (short periods)
    or per month, by category; with the monthly 三率 and on-time rate for longer periods."""
    tz = timezone.get_default_timezone()
    cohort = requests.filter(
        place_condition(place),
        submitted_at__gte=local_day_start(start),
        submitted_at__lt=local_day_start(end),
    )
    daily = (end - start).days <= DAILY_TREND_MAX_DAYS
    bucket: TruncDate | TruncMonth
    if daily:
        steps = [start + dt.timedelta(days=n) for n in range((end - start).days)]
        bucket = TruncDate("submitted_at", tzinfo=tz)
        labels = [f"{d.month}/{d.day}" for d in steps]
    else:
        steps = _month_starts(start, end)
        bucket = TruncMonth("submitted_at", tzinfo=tz)
        labels = [f"{d.year % 100:02d}年{d.month}月" for d in steps]
    index = {d: i for i, d in enumerate(steps)}
    counts: dict[str, list[int]] = {}
    for row in (
        cohort.annotate(bucket=bucket)
        .values("bucket", "category__name", "category__sort_order")
        .annotate(n=Count("pk"))
        .order_by("category__sort_order", "category__name")
    ):
        day = row["bucket"]
        if isinstance(day, dt.datetime):
            day = timezone.localtime(day, tz).date() if timezone.is_aware(day) else day.date()
        position = index.get(day)
        if position is None:
            continue
        name = row["category__name"] or _("未分类")
        counts.setdefault(name, [0] * len(steps))[position] += row["n"]
    rates: dict[str, list[float]] = {}
    if with_rates and not daily:
        names = {
            "response": _("响应率"),
            "resolution": _("解决率"),
            "satisfaction": _("满意率"),
            "on_time": _("按期办结率"),
        }
        rates = {label: [] for label in names.values()}
        for month in steps:
            following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            figures = request_figures(
                requests, place=place, start=max(month, start), end=min(following, end), now=now
            )
            for key, label in names.items():
                percent = getattr(figures, key).percent
                rates[label].append(float(percent) if percent is not None else 0.0)
    return Trend(
        step="day" if daily else "month",
        labels=labels,
        categories=list(counts),
        counts=counts,
        rates=rates,
    )


# --- building × category heat table ------------------------------------------------------


@dataclass(frozen=True)
class HeatTable:
    categories: list[str]
    rows: list[tuple[str, list[int], int]]  # building label, count per category, total


def _buildings_in(place: Place) -> QuerySet[Area]:
    if isinstance(place, Grid):
        return Area.objects.filter(kind=AreaKind.BUILDING, grid=place)
    return Area.objects.filter(kind=AreaKind.BUILDING, path__startswith=place.path)


def building_heat(
    requests: QuerySet[Request], place: Place, *, start: dt.date, end: dt.date
) -> HeatTable:
    """Which 楼栋 keeps reporting what: requests submitted in the period located at a
    building or one of its units, counted per building and category (the busiest
    buildings first)."""
    buildings = {b.path: b for b in _buildings_in(place)}
    if not buildings:
        return HeatTable(categories=[], rows=[])
    lengths = sorted({len(p) for p in buildings})
    cohort = requests.filter(
        place_condition(place),
        submitted_at__gte=local_day_start(start),
        submitted_at__lt=local_day_start(end),
        location__kind__in=[AreaKind.BUILDING, AreaKind.UNIT],
    )
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    order: dict[str, int] = {}
    for row in cohort.values("location__path", "category__name", "category__sort_order").annotate(
        n=Count("pk")
    ):
        path = row["location__path"]
        building = next((path[:n] for n in lengths if path[:n] in buildings), None)
        if building is None:
            continue
        name = row["category__name"] or _("未分类")
        order[name] = row["category__sort_order"] or 0
        table[building][name] += row["n"]
    categories = sorted(order, key=lambda c: (order[c], c))
    labels = area_labels(table.keys(), top_kind=AreaKind.COMPOUND)
    rows = [
        (
            labels.get(path, buildings[path].name),
            [counts.get(c, 0) for c in categories],
            sum(counts.values()),
        )
        for path, counts in table.items()
    ]
    rows.sort(key=lambda r: (-r[2], r[0]))
    return HeatTable(categories=categories, rows=rows[:HEAT_ROWS])


# --- care, volunteers, activities, party, fieldwork, surveys, warnings ----------------------


def _resident_in(place: Place, prefix: str = "resident__") -> Q:
    """The people who belong to ``place``: their area (the household's unit, or where they
    were registered without one) is one of the place's areas — for a grid, its buildings
    and their units. Keyed by the resident's area id (``area_id IN (…)``), so the database
    reads the care rows of those areas rather than joining every household's unit."""
    if isinstance(place, Grid):
        inside = Q()
        for path in _buildings_in(place).values_list("path", flat=True):
            inside |= Q(path__startswith=path)
        areas = Area.objects.filter(inside) if inside else Area.objects.none()
    else:
        areas = Area.objects.filter(path__startswith=place.path)
    return Q(**{f"{prefix}area_id__in": areas.values("pk")})


@dataclass(frozen=True)
class CareCoverage:
    plans: int  # elderly with an active care plan
    visits_this_week: int
    visits_due_this_week: int  # the plans' visits per week, summed
    open_alerts: int
    living_alone_without_plan: int


def _place_path(place: Place) -> str:
    """The smallest area subtree holding everything of ``place`` (a grid: its community)."""
    return place.community.path if isinstance(place, Grid) else place.path


def care_coverage(user: AnyUser, place: Place, *, now: dt.datetime) -> CareCoverage | None:
    """Counts only (no health value): None when the user may not see care."""
    if Capability.CARE_VIEW not in capabilities_of(user):
        return None
    today = timezone.localdate(now)
    week_start = local_day_start(today - dt.timedelta(days=today.weekday()))
    within = _place_path(place)  # every count below is narrowed to the place
    plans = visible_plans(user, within=within).filter(_resident_in(place), active=True)
    return CareCoverage(
        plans=plans.count(),
        visits_this_week=visible_visits(user, within=within)
        .filter(_resident_in(place), visited_at__gte=week_start, visited_at__lte=now)
        .count(),
        visits_due_this_week=int(plans.aggregate(n=Sum("visits_per_week"))["n"] or 0),
        open_alerts=visible_alerts(user, within=within)
        .filter(_resident_in(place))
        .exclude(status=AlertStatus.CLOSED)
        .count(),
        living_alone_without_plan=care_gaps(user, within=within)
        .filter(_resident_in(place, ""))
        .count(),
    )


@dataclass(frozen=True)
class CarePeriod:
    """Care over a period (work reports): counts only, no health value."""

    plans: int  # elderly with an active care plan now
    visits_done: int  # visits recorded in the period
    visits_due: int  # the active plans' visits per week over the period's weeks
    alerts_raised: int  # alerts raised in the period
    alerts_open: int  # alerts not closed now
    living_alone_without_plan: int


def care_period(user: AnyUser, place: Place, *, start: dt.date, end: dt.date) -> CarePeriod | None:
    """Care of ``place`` for ``start`` ≤ day < ``end``; None when the user may not see care."""
    if Capability.CARE_VIEW not in capabilities_of(user):
        return None
    since, until = local_day_start(start), local_day_start(end)
    within = _place_path(place)
    plans = visible_plans(user, within=within).filter(_resident_in(place), active=True)
    per_week = int(plans.aggregate(n=Sum("visits_per_week"))["n"] or 0)
    alerts = visible_alerts(user, within=within).filter(_resident_in(place))
    return CarePeriod(
        plans=plans.count(),
        visits_done=visible_visits(user, within=within)
        .filter(_resident_in(place), visited_at__gte=since, visited_at__lt=until)
        .count(),
        visits_due=round(per_week * (end - start).days / 7),
        alerts_raised=alerts.filter(created_at__gte=since, created_at__lt=until).count(),
        alerts_open=alerts.exclude(status=AlertStatus.CLOSED).count(),
        living_alone_without_plan=care_gaps(user, within=within)
        .filter(_resident_in(place, ""))
        .count(),
    )


@dataclass(frozen=True)
class VolunteerFigures:
    volunteers: int
    serving: int  # volunteers with service recorded in the period
    minutes: int

    @property
    def hours(self) -> object:
        return hours_for_minutes(self.minutes)


def volunteer_figures(
    user: AnyUser, place: Place, *, start: dt.date, end: dt.date
) -> VolunteerFigures | None:
    if Capability.VOLUNTEERS_MANAGE not in capabilities_of(user):
        return None
    volunteers = visible_volunteers(user).filter(active=True)
    if isinstance(place, Grid):
        volunteers = volunteers.filter(grid=place)
    elif place.kind == AreaKind.COMPOUND:
        volunteers = volunteers.filter(grid__in=_grids_of_compound(place))
    else:
        volunteers = volunteers.filter(community__path__startswith=place.path)
    records = (
        ServiceRecord.objects.counted()
        .filter(
            volunteer__in=volunteers,
            started_at__gte=local_day_start(start),
            started_at__lt=local_day_start(end),
        )
        .aggregate(minutes=Sum("minutes"), people=Count("volunteer", distinct=True))
    )
    return VolunteerFigures(
        volunteers=volunteers.count(),
        serving=int(records["people"] or 0),
        minutes=int(records["minutes"] or 0),
    )


def _area_for_app_figures(place: Place) -> Area:
    """Activities, party days and fieldwork are counted by area; a grid's are its
    community's (they say so on the page)."""
    return place.community if isinstance(place, Grid) else place


@dataclass(frozen=True)
class SurveyRow:
    title: str
    status: str
    invited: int
    answered: int
    rate: object  # Decimal | None, per cent
    dimensions: list[tuple[str, object]]  # 获得感 … → mean score (1–5) or None


def survey_rows(
    user: AnyUser,
    place: Place,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[SurveyRow] | None:
    """The last surveys of ``place`` (per grid on a grid); with a period, those open at
    some time in it (published before its end, not closed before its start)."""
    if Capability.SURVEYS_VIEW not in capabilities_of(user):
        return None
    if isinstance(place, Grid):
        inside = Q(community=place.community)
    elif place.kind == AreaKind.COMPOUND:
        # a compound's community is its parent: its path without the last step
        inside = Q(community__path=place.path[: -Area.steplen])
    else:
        inside = Q(community__path__startswith=place.path)
    chosen = visible_surveys(user).filter(inside).exclude(status=Survey.Status.DRAFT)
    if start is not None and end is not None:
        chosen = chosen.filter(opened_at__lt=local_day_start(end)).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=local_day_start(start))
        )
    surveys = chosen.order_by("-pk")[:SURVEYS_SHOWN]
    rows = []
    for survey in surveys:
        results = survey_results(survey)
        invited, answered, rate = results.invited, results.answered, results.rate
        dimensions = results.overall
        if isinstance(place, Grid):
            grid_result = next((g for g in results.grids if g.grid == place), None)
            if grid_result is None:
                invited, answered, rate, dimensions = 0, 0, None, {}
            else:
                invited, answered = grid_result.invited, grid_result.answered
                rate, dimensions = grid_result.rate, grid_result.dimensions
        rows.append(
            SurveyRow(
                title=survey.title,
                status=str(Survey.Status(survey.status).label),
                invited=invited,
                answered=answered,
                rate=rate,
                dimensions=[(d, dimensions.get(d)) for d in results.dimensions],
            )
        )
    return rows


@dataclass(frozen=True)
class WarningRow:
    kind: str
    title: str  # a place and a category, or the kind's label for warnings about a person
    count: int
    url: str


def warning_rows(user: AnyUser, place: Place) -> list[WarningRow]:
    """Open (and acknowledged) warnings in ``place``: hotspots, rising categories and
    unpatrolled grids by their titles; warnings about a person or a household as a count
    of their kind, linking to the warnings page where their details are scoped."""
    if isinstance(place, Grid):
        inside = Q(grid=place) | Q(area__grid=place)
    else:
        inside = Q(area__path__startswith=place.path) | Q(
            grid__community__path__startswith=place.path
        )
    warnings = warning_list(user=user, status="active").filter(inside)
    rows: list[WarningRow] = []
    others: dict[str, int] = defaultdict(int)
    for warning in warnings:
        if warning.kind in TITLED_KINDS:
            rows.append(
                WarningRow(
                    kind=str(WarningKind(warning.kind).label),
                    title=warning.title,
                    count=warning.count,
                    url=warning.link or reverse("earlywarning:list"),
                )
            )
        else:
            others[warning.kind] += 1
    for kind, n in sorted(others.items()):
        rows.append(
            WarningRow(
                kind=str(WarningKind(kind).label),
                title=str(WarningKind(kind).label),
                count=n,
                url=reverse("earlywarning:list") + f"?kind={kind}",
            )
        )
    return rows


# --- the same blocks from the daily pre-aggregate (what the page reads) ------------------


@dataclass(frozen=True)
class RequestBlocks:
    """The request blocks of a place, read from the daily cells (:mod:`.aggregates`):
    equal to :func:`request_figures`, :func:`child_rows`, :func:`request_trend` and
    :func:`building_heat` over every request of the place (tests/dashboard compare them)."""

    figures: RequestFigures
    escalated_now: int
    children: list[ChildRow]
    trend: Trend
    heat: HeatTable


def request_blocks(
    place: Place,
    allowed: set[str] | None,
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    with_rates: bool = True,
) -> RequestBlocks:
    daily = (end - start).days <= DAILY_TREND_MAX_DAYS
    grain = "day" if daily else "month"
    period, opened, heat = aggregates.period_and_open_cells(
        place, start=start, end=end, now=now, grain=grain, coarse=True
    )
    figures = aggregates.figures(
        place, start=start, end=end, now=now, period=period, open_cells=opened
    )
    children = []
    kids = children_of(place)
    for child, mine, open_mine in zip(
        kids, _cells_by_child(period, kids), _cells_by_child(opened, kids), strict=True
    ):
        children.append(
            ChildRow(
                label=child.name,
                kind_label=_("网格") if isinstance(child, Grid) else child.kind_label,
                url=place_url(child),
                key=place_key(child),
                total=sum(c.total for c in mine),
                open_now=sum(c.total for c in open_mine),
                overdue_now=sum(c.overdue for c in open_mine),
                escalated_now=sum(c.escalated for c in open_mine),
            )
        )
    return RequestBlocks(
        figures=figures,
        escalated_now=sum(c.escalated for c in opened),
        children=children if allowed is None else _links_for(children, allowed),
        trend=_trend_from_cells(period, start=start, end=end, with_rates=with_rates),
        heat=_heat_from_cells(heat, place),
    )


def _cells_by_child(
    cells: list[aggregates.Cell], children: list[Place]
) -> list[list[aggregates.Cell]]:
    """For each child, its cells (as :func:`aggregates.in_place` says), in one pass over the
    cells rather than one per child: an area's cells are those whose path starts with the
    child's path, a grid's those of its grid."""
    lengths = {len(child.path) for child in children if not isinstance(child, Grid)}
    by_key: dict[tuple[str, object], list[aggregates.Cell]] = defaultdict(list)
    for cell in cells:
        by_key[("grid", cell.grid_id)].append(cell)
        for length in lengths:
            by_key[("area", cell.area_path[:length])].append(cell)
    return [
        by_key.get(("grid", child.pk) if isinstance(child, Grid) else ("area", child.path), [])
        for child in children
    ]


def _trend_from_cells(
    period: list[aggregates.Cell], *, start: dt.date, end: dt.date, with_rates: bool
) -> Trend:
    daily = (end - start).days <= DAILY_TREND_MAX_DAYS
    if daily:
        steps = [start + dt.timedelta(days=n) for n in range((end - start).days)]
        labels = [f"{d.month}/{d.day}" for d in steps]
    else:
        steps = _month_starts(start, end)
        labels = [f"{d.year % 100:02d}年{d.month}月" for d in steps]
    index = {d: i for i, d in enumerate(steps)}
    names = aggregates.category_names()
    per_step: dict[int, list[aggregates.Cell]] = defaultdict(list)
    counts: dict[str, list[int]] = {}
    unnamed = (0, _("未分类"))  # translated once, not once per cell
    for cell in sorted(period, key=lambda c: names.get(c.category_id, (0, ""))):
        position = index.get(cell.day if daily else cell.day.replace(day=1))
        if position is None:
            continue
        # A cell of clock-dependent counts only (no request: aggregates.clock_cells)
        # counts for the rates, not for the categories.
        per_step[position].append(cell)
        if not cell.total:
            continue
        name = names.get(cell.category_id, unnamed)[1]
        counts.setdefault(name, [0] * len(steps))[position] += cell.total
    rates: dict[str, list[float]] = {}
    if with_rates and not daily:
        labels_of = {
            "response": _("响应率"),
            "resolution": _("解决率"),
            "satisfaction": _("满意率"),
            "on_time": _("按期办结率"),
        }
        rates = {label: [] for label in labels_of.values()}
        for i in range(len(steps)):
            month_rates = aggregates.rates_of(per_step.get(i, []))
            for key, label in labels_of.items():
                percent = month_rates[key].percent
                rates[label].append(float(percent) if percent is not None else 0.0)
    return Trend(
        step="day" if daily else "month",
        labels=labels,
        categories=list(counts),
        counts=counts,
        rates=rates,
    )


def _heat_from_cells(period: list[aggregates.HeatCell], place: Place) -> HeatTable:
    """:func:`building_heat` from the cells. Every cell lies in ``place`` (as
    :func:`aggregates.in_place` says), so a building's cell of an area is one of the
    area's buildings; a grid's are checked against the grid's buildings (a request's grid
    may differ from its building's). Only the rows shown get a label: a county has
    thousands of buildings."""
    if isinstance(place, Grid):
        of_grid = set(_buildings_in(place).values_list("path", flat=True))
        if not of_grid:
            return HeatTable(categories=[], rows=[])
    names = aggregates.category_names()
    unnamed = (0, _("未分类"))  # translated once, not once per cell
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    order: dict[str, int] = {}
    for cell in period:
        if cell.area_kind != AreaKind.BUILDING or not cell.total:
            continue
        if isinstance(place, Grid) and cell.area_path not in of_grid:
            continue
        sort_order, name = names.get(cell.category_id, unnamed)
        order[name] = sort_order
        table[cell.area_path][name] += cell.total
    categories = sorted(order, key=lambda c: (order[c], c))
    totals = {path: sum(counts.values()) for path, counts in table.items()}
    # The rows shown: the busiest, ties ordered by label (so every row as busy as the
    # last one shown is labelled).
    ranked = sorted(totals.values(), reverse=True)
    floor = ranked[HEAT_ROWS - 1] if len(ranked) >= HEAT_ROWS else 0
    shown = [path for path, total in totals.items() if total >= floor]
    labels = area_labels(shown, top_kind=AreaKind.COMPOUND)
    rows = [
        (labels.get(path, ""), [table[path].get(c, 0) for c in categories], totals[path])
        for path in shown
    ]
    rows.sort(key=lambda r: (-r[2], r[0]))
    return HeatTable(categories=categories, rows=rows[:HEAT_ROWS])


# --- the whole page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    choice: PlaceChoice
    counted_at: dt.datetime  # when the request blocks were counted (a snapshot's moment)
    start: dt.date
    end: dt.date  # exclusive
    crumbs: list[Crumb]
    figures: RequestFigures
    escalated_now: int
    children: list[ChildRow]
    trend: Trend
    heat: HeatTable
    care: CareCoverage | None
    volunteers: VolunteerFigures | None
    activities: ActivityFigures | None
    party: PartyFigures | None
    fieldwork: FieldworkFigures | None
    grid_patrols: int | None
    surveys: list[SurveyRow] | None
    warnings: list[WarningRow]

    @property
    def place(self) -> Place:
        return self.choice.place

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def is_grid(self) -> bool:
        return isinstance(self.choice.place, Grid)


def dashboard_for_user(
    user: AnyUser,
    choice: PlaceChoice,
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> Dashboard:
    """Everything the dashboard of ``choice`` shows for ``start`` ≤ day < ``end``."""
    now = now or timezone.now()
    place = choice.place
    allowed = set(dashboard_place_keys(user))
    caps = capabilities_of(user)
    area = _area_for_app_figures(place)
    last = end - dt.timedelta(days=1)
    fieldwork = None
    grid_patrols = None
    if Capability.FIELDWORK_OVERSEE in caps:
        fieldwork = fieldwork_figures(user, start=start, end=last, area=area)
        if isinstance(place, Grid):
            grid_patrols = next((n for g, n in fieldwork.patrols_per_grid if g == place), 0)
    from linli.dashboard import snapshots  # snapshots build on this module

    snapshot = snapshots.request_blocks(place, allowed, start=start, end=end, now=now)
    blocks = snapshot.blocks
    return Dashboard(
        choice=choice,
        counted_at=snapshot.taken_at,
        start=start,
        end=end,
        crumbs=breadcrumb(place, allowed),
        figures=blocks.figures,
        escalated_now=blocks.escalated_now,
        children=blocks.children,
        trend=blocks.trend,
        heat=blocks.heat,
        care=snapshots.care_coverage(user, place, now=now),
        volunteers=volunteer_figures(user, place, start=start, end=end),
        activities=activity_figures(user=user, area=area, start=start, end=last)
        if Capability.ACTIVITIES_VIEW in caps
        else None,
        party=party_figures(user=user, area=area, start=start, end=last)
        if Capability.PARTY_VIEW in caps
        else None,
        fieldwork=fieldwork,
        grid_patrols=grid_patrols,
        surveys=survey_rows(user, place),
        warnings=warning_rows(user, place),
    )
