"""The dashboard's request figures from the daily pre-aggregate (:class:`DailyFigure`).

A *cell* is the counts of the requests submitted on one local day in one place (building,
or the location when above buildings), grid, category and status. Cells come from the
table for days before :attr:`FigureBuild.through` and are counted live (one grouped query)
for later days. What depends on the clock — is an open request overdue *now*, is an
unanswered request due a response *now* — is read from each stored row's earliest and
latest deadline; a row whose deadlines straddle *now* has its day counted live instead. So
every figure here equals what :func:`linli.requests.figures.request_figures` and the live
dashboard selectors compute over every request of the place (tests/dashboard compare them),
and a page reads a few hundred rows instead of every request.

The dashboard shows only places the user's scope covers whole
(:func:`linli.requests.figures.figure_places_for_user`), so every request of the place is
one the user may see: the cells need no per-user filter. Kept fresh by
:mod:`linli.dashboard.tasks` (a nightly rebuild, and a refresh of a request's day whenever
the request, its follow-up or its location changes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.areas.models import Area, AreaKind, Grid
from linli.dashboard.models import DailyFigure, FigureBuild, MonthFigure, MonthHeat
from linli.requests.figures import (
    DISPUTE_CATEGORY,
    STATUS_ORDER,
    CountRow,
    Place,
    Rate,
    RequestFigures,
    local_day_start,
)
from linli.requests.models import Category, Feedback, Mediation, Request, Satisfaction
from linli.requests.workflow import FINISHED_STATUSES, OPEN_STATUSES, Status

OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class Cell:
    day: dt.date
    area_id: int
    area_path: str
    area_kind: str
    grid_id: int | None
    category_id: int | None
    status: str
    total: int = 0
    responded: int = 0
    responded_on_time: int = 0
    unresponded: int = 0
    unresponded_due_min: dt.datetime | None = None
    unresponded_due_max: dt.datetime | None = None
    resolved: int = 0
    resolved_on_time: int = 0
    due_min: dt.datetime | None = None
    due_max: dt.datetime | None = None
    escalated: int = 0
    reopened: int = 0
    rated: int = 0
    feedback_resolved: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    # Clock-dependent, exact as of ``now`` (live cells, or stored ones decided by deadline).
    overdue: int = 0
    response_due_unanswered: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


STORED = [
    f.name
    for f in fields(Cell)
    if f.name not in {"area_path", "area_kind", "overdue", "response_due_unanswered"}
]


# --- live cells ----------------------------------------------------------------------------


def _placed_areas(location_ids: Iterable[int]) -> dict[int, tuple[int, str, str]]:
    """location id → (id, path, kind) of the place a cell is kept under: a unit's building,
    else the location itself."""
    locations = {
        a["id"]: a
        for a in Area.objects.filter(pk__in=set(location_ids)).values("id", "path", "kind")
    }
    parents = {
        loc["path"][: -Area.steplen] for loc in locations.values() if loc["kind"] == AreaKind.UNIT
    }
    buildings = {
        a["path"]: a for a in Area.objects.filter(path__in=parents).values("id", "path", "kind")
    }
    placed = {}
    for pk, loc in locations.items():
        target = loc
        if loc["kind"] == AreaKind.UNIT:
            target = buildings.get(loc["path"][: -Area.steplen], loc)
        placed[pk] = (target["id"], target["path"], target["kind"])
    return placed


def _prefixed_areas(prefixes: Iterable[str]) -> dict[str, tuple[int, str, str]]:
    """Area path → (id, path, kind), for the places cells summed to a depth are kept
    under."""
    found = Area.objects.filter(path__in=set(prefixes)).values("id", "path", "kind")
    return {a["path"]: (a["id"], a["path"], a["kind"]) for a in found}


def _cell_key(depth: int | None, with_grid: bool) -> tuple[str, ...]:
    place = "location_id" if depth is None else "area_prefix"
    grid = ("grid_id",) if with_grid else ()
    return ("day", place, *grid, "category_id", "status")


def _request_counts() -> dict[str, Any]:
    """The counts every cell keeps, as aggregates over a grouped request query (the live
    count and the rebuild's ``INSERT … SELECT`` share them, in this column order)."""
    unanswered = Q(responded_at__isnull=True)
    return {
        "total": Count("pk"),
        "responded": Count("pk", filter=~unanswered),
        "responded_on_time": Count(
            "pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due_at"))
        ),
        "unresponded": Count("pk", filter=unanswered),
        "unresponded_due_min": Min("response_due_at", filter=unanswered),
        "unresponded_due_max": Max("response_due_at", filter=unanswered),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "resolved_on_time": Count(
            "pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("due_at"))
        ),
        "due_min": Min("due_at"),
        "due_max": Max("due_at"),
        "escalated": Count("pk", filter=Q(escalated_at__isnull=False)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
    }


def live_cells(
    requests: QuerySet[Request],
    now: dt.datetime,
    *,
    depth: int | None = None,
    with_grid: bool = True,
) -> list[Cell]:
    """The cells of ``requests``, counted now (two grouped queries). With ``depth`` (no
    deeper than a compound) and ``with_grid``, as :func:`clock_cells` says."""
    tz = timezone.get_default_timezone()
    key = _cell_key(depth, with_grid)
    if depth is not None:
        requests = requests.annotate(area_prefix=Substr("location__path", 1, depth * Area.steplen))
    open_now = Q(status__in=list(OPEN))
    unanswered = Q(responded_at__isnull=True)
    rows = list(
        requests.annotate(day=TruncDate("submitted_at", tzinfo=tz))
        .order_by()
        .values(*key)
        .annotate(
            **_request_counts(),
            overdue=Count("pk", filter=open_now & Q(due_at__lt=now)),
            response_due_unanswered=Count("pk", filter=unanswered & Q(response_due_at__lte=now)),
        )
    )
    later = Feedback.objects.filter(request=OuterRef("request")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    feedback = (
        Feedback.objects.filter(request__in=requests.values("pk"))
        .filter(~Exists(later))
        .annotate(
            day=TruncDate("request__submitted_at", tzinfo=tz),
            **(
                {"location_id": F("request__location_id")}
                if depth is None
                else {"area_prefix": Substr("request__location__path", 1, depth * Area.steplen)}
            ),
            grid_id=F("request__grid_id"),
            category_id=F("request__category_id"),
            status=F("request__status"),
        )
        .order_by()
        .values(*key)
        .annotate(
            rated=Count("pk"),
            feedback_resolved=Count("pk", filter=Q(resolved=True)),
            satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            basically_satisfied=Count(
                "pk", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)
            ),
            dissatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
        )
    )
    rated = {tuple(r[k] for k in key): r for r in feedback}

    def counts(row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = dict(row)
        values.update(rated.get(tuple(row[k] for k in key), {}))
        return {
            f: values.get(f) or (None if f.endswith(("_min", "_max")) else 0)
            for f in [*STORED, "overdue", "response_due_unanswered"]
            if f not in {"day", "area_id", "grid_id", "category_id", "status"}
        }

    return _placed_cells(rows, depth, counts)


def _placed_cells(
    rows: list[dict[str, Any]],
    depth: int | None,
    counts: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[Cell]:
    """Grouped request rows as cells: each row's place is its location's area (``depth``
    None) or the area at its ``area_prefix``; rows that land on the same cell are merged.
    ``counts`` gives a row's counts (the cell's fields other than its key)."""
    places: dict[Any, tuple[int, str, str]]
    if depth is None:
        column, places = "location_id", dict(_placed_areas(r["location_id"] for r in rows))
    else:
        column, places = "area_prefix", dict(_prefixed_areas(r["area_prefix"] for r in rows))
    merged: dict[tuple[object, ...], Cell] = {}
    for row in rows:
        day = row["day"]
        if isinstance(day, dt.datetime):  # pragma: no cover - backends returning datetimes
            day = day.date()
        area_id, path, kind = places[row[column]]
        cell = Cell(
            day=day,
            area_id=area_id,
            area_path=path,
            area_kind=kind,
            grid_id=row.get("grid_id"),
            category_id=row["category_id"],
            status=row["status"],
            **counts(row),
        )
        k = (day, area_id, cell.grid_id, cell.category_id, cell.status)
        merged[k] = _merge(merged[k], cell) if k in merged else cell
    return list(merged.values())


def clock_cells(
    requests: QuerySet[Request],
    now: dt.datetime,
    *,
    depth: int | None = None,
    with_grid: bool = True,
) -> list[Cell]:
    """Only the clock-dependent counts of ``requests`` (open and overdue now; unanswered
    and due a response now), per cell, every other count zero: what a stored row whose
    deadlines straddle *now* cannot decide. One grouped query over the requests that
    count, not every request of their days.

    With ``depth`` (no deeper than a compound: above every building, so a unit's prefix
    is its building's), the place is the location's ancestor at that depth, as
    :func:`_stored_cells` sums them; ``with_grid=False`` also sums over grids."""
    tz = timezone.get_default_timezone()
    keys = ["day", "category_id", "status"]
    if with_grid:
        keys.insert(1, "grid_id")
    overdue = Q(status__in=list(OPEN), due_at__lt=now)
    due = Q(responded_at__isnull=True, response_due_at__lte=now)
    counted = (
        requests.filter(overdue | due).annotate(day=TruncDate("submitted_at", tzinfo=tz)).order_by()
    )
    if depth is None:
        keys.insert(1, "location_id")
    else:
        counted = counted.annotate(area_prefix=Substr("location__path", 1, depth * Area.steplen))
        keys.insert(1, "area_prefix")
    rows = list(
        counted.values(*keys).annotate(
            overdue=Count("pk", filter=overdue),
            response_due_unanswered=Count("pk", filter=due),
        )
    )
    return _placed_cells(
        rows,
        depth,
        lambda row: {
            "overdue": row["overdue"],
            "response_due_unanswered": row["response_due_unanswered"],
        },
    )


MERGE_SUMS = [
    f.name
    for f in fields(Cell)
    if f.type in ("int", int) and f.name not in {"area_id", "grid_id", "category_id"}
]
MERGE_BOUNDS = [f.name for f in fields(Cell) if f.name.endswith(("_min", "_max"))]


def _merge(a: Cell, b: Cell) -> Cell:
    changes: dict[str, Any] = {name: getattr(a, name) + getattr(b, name) for name in MERGE_SUMS}
    for name in MERGE_BOUNDS:
        values = [v for v in (getattr(a, name), getattr(b, name)) if v is not None]
        pick = min if name.endswith("_min") else max
        changes[name] = pick(values) if values else None
    return replace(a, **changes)


# --- stored cells ----------------------------------------------------------------------------


def build_through() -> dt.date | None:
    build = FigureBuild.objects.order_by("-pk").first()
    return build.through if build else None


NO_DAY = dt.date(2000, 1, 1)  # the bucket of cells counted over all days (grain "all")


def _straddling(now: dt.datetime) -> Q:
    """Stored rows whose clock-dependent counts are not known from their deadlines: some
    of their open requests are overdue now and some not, or some of their unanswered
    requests are due a response now and some not. Their days are counted live."""
    return Q(status__in=list(OPEN), due_min__lt=now, due_max__gte=now) | Q(
        unresponded__gt=0, unresponded_due_min__lte=now, unresponded_due_max__gt=now
    )


def _bucket(day: dt.date, grain: str) -> dt.date:
    if grain == "month":
        return day.replace(day=1)
    return NO_DAY if grain == "all" else day


def _rebucket(cells_: Iterable[Cell], grain: str) -> list[Cell]:
    """The cells summed per bucket (month, or all days), place, grid, category and status;
    one new cell per group (a few live days hold thousands of cells)."""
    if grain == "day":
        return list(cells_)
    groups: dict[tuple[object, ...], list[Cell]] = defaultdict(list)
    for cell in cells_:
        bucket = _bucket(cell.day, grain)
        groups[(bucket, cell.area_id, cell.grid_id, cell.category_id, cell.status)].append(cell)
    result = []
    for key, group in groups.items():
        changes: dict[str, Any] = {"day": key[0]}
        if len(group) > 1:
            changes.update({name: sum(getattr(c, name) for c in group) for name in MERGE_SUMS})
            for name in MERGE_BOUNDS:
                values = [v for c in group if (v := getattr(c, name)) is not None]
                pick = min if name.endswith("_min") else max
                changes[name] = pick(values) if values else None
        result.append(replace(group[0], **changes))
    return result


SUMMED = [
    "total",
    "responded",
    "responded_on_time",
    "unresponded",
    "resolved",
    "resolved_on_time",
    "escalated",
    "reopened",
    "rated",
    "feedback_resolved",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
]


def _stored_cells(
    rows: QuerySet[DailyFigure] | QuerySet[MonthFigure],
    now: dt.datetime,
    grain: str,
    *,
    depth: int | None = None,
    with_grid: bool = True,
    clock_live: Q | None = None,
) -> list[Cell]:
    """Stored rows summed in the database per bucket (day, month or all), place, grid,
    category and status, with the clock-dependent counts decided by the deadlines —
    except on the rows ``clock_live`` matches, whose clock-dependent counts are left at
    zero (the caller counts them live: :func:`clock_cells`).

    With ``depth``, the place is the row's area cut to that depth (its ancestor there, or
    the area itself when shallower) rather than its building: what a page needs for the
    children of a place one level up, at a fraction of the rows (a town's year: ~3,000
    instead of ~77,000 on the generated 100,000-resident town). ``with_grid=False`` also
    sums over grids (the cells then say grid None)."""
    keys = ["category_id", "status"]
    rows = rows.order_by()
    if with_grid:
        keys.insert(0, "grid_id")
    if depth is None:
        keys.insert(0, "area_id")
    else:
        rows = rows.annotate(area_prefix=Substr("area__path", 1, depth * Area.steplen))
        keys.insert(0, "area_prefix")
    if grain in ("day", "month"):
        keys.insert(0, grain)
    sums: dict[str, Any] = {f"sum_{name}": Sum(name) for name in SUMMED}
    overdue = Q(status__in=list(OPEN), due_max__lt=now)
    due = Q(unresponded_due_max__lte=now)
    if clock_live is not None:
        overdue &= ~clock_live
        due &= ~clock_live
    sums["sum_overdue"] = Sum("total", filter=overdue)
    sums["sum_due"] = Sum("unresponded", filter=due)
    result = []
    grouped = list(rows.values(*keys).annotate(**sums))
    if depth is None:
        found = Area.objects.filter(pk__in={r["area_id"] for r in grouped})
    else:
        found = Area.objects.filter(path__in={r["area_prefix"] for r in grouped})
    areas = {a["id"]: a for a in found.values("id", "path", "kind")}
    if depth is not None:
        by_path = {a["path"]: a for a in areas.values()}
        for row in grouped:
            row["area_id"] = by_path[row["area_prefix"]]["id"]
    for row in grouped:
        day = row.get("day") or row.get("month") or NO_DAY
        if isinstance(day, dt.datetime):  # pragma: no cover - backends returning datetimes
            day = day.date()
        result.append(
            Cell(
                day=day,
                area_id=row["area_id"],
                area_path=areas[row["area_id"]]["path"],
                area_kind=areas[row["area_id"]]["kind"],
                grid_id=row.get("grid_id"),
                category_id=row["category_id"],
                status=row["status"],
                overdue=int(row["sum_overdue"] or 0),
                response_due_unanswered=int(row["sum_due"] or 0),
                **{name: int(row[f"sum_{name}"] or 0) for name in SUMMED},  # type: ignore[arg-type]
            )
        )
    return result


class HeatCell(NamedTuple):
    """What the building heat table needs of a cell (cheaper to make than a :class:`Cell`:
    a town's year has thousands)."""

    area_path: str
    area_kind: str
    category_id: int | None
    total: int

    @classmethod
    def of(cls, cell: Cell) -> HeatCell:
        return cls(cell.area_path, cell.area_kind, cell.category_id, cell.total)


def heat_cells(rows: QuerySet[DailyFigure] | QuerySet[MonthHeat]) -> list[HeatCell]:
    """Stored rows of buildings summed per building and category over all their days
    (only ``total``): what the building heat table needs, and nothing more."""
    if rows.model is DailyFigure:
        rows = rows.filter(area__kind=AreaKind.BUILDING)
    grouped = (
        rows.order_by().values("area_id", "area__path", "category_id").annotate(n=Sum("total"))
    )
    return [
        HeatCell(row["area__path"], AreaKind.BUILDING, row["category_id"], int(row["n"] or 0))
        for row in grouped
    ]


def live_heat(requests: QuerySet[Request]) -> list[HeatCell]:
    """The heat cells of ``requests`` counted now: per building (a unit's is its parent,
    always a building) and category, the requests located at it or its units."""
    rows = (
        requests.filter(location__kind__in=[AreaKind.BUILDING, AreaKind.UNIT])
        .order_by()
        .values("location__path", "location__kind", "category_id")
        .annotate(n=Count("pk"))
    )
    return [
        HeatCell(
            r["location__path"]
            if r["location__kind"] == AreaKind.BUILDING
            else r["location__path"][: -Area.steplen],
            AreaKind.BUILDING,
            r["category_id"],
            r["n"],
        )
        for r in rows
    ]


def in_place(cell: Cell, place: Place) -> bool:
    """Whether ``cell`` counts for ``place`` (as :func:`place_condition` says)."""
    if isinstance(place, Grid):
        return cell.grid_id == place.pk
    return cell.area_path.startswith(place.path)


def _live_condition(place: Place) -> Q:
    """:func:`place_condition` as an ``IN (areas under the path)`` subquery, so the
    database walks the submission-time index rather than joining every request."""
    if isinstance(place, Grid):
        return Q(grid=place)
    return Q(location_id__in=Area.objects.filter(path__startswith=place.path).values("pk"))


def _stored_condition(place: Place) -> Q:
    if isinstance(place, Grid):
        return Q(grid=place)
    return Q(area__path__startswith=place.path)


def cells(
    place: Place,
    *,
    start: dt.date | None,
    end: dt.date | None,
    now: dt.datetime,
    open_only: bool = False,
    grain: str = "day",
) -> list[Cell]:
    """The cells of ``place`` for submission days ``start`` ≤ day < ``end`` (None: no
    bound), exact as of ``now``, per day, per month (``day`` is the month's first) or over
    all days (``grain="all"``)."""
    through = build_through()
    result: list[Cell] = []
    live_days: set[dt.date] = set()
    if through is not None and (start is None or start < through):
        stored_end = through if end is None else min(end, through)
        rows = DailyFigure.objects.filter(_stored_condition(place), day__lt=stored_end)
        if start is not None:
            rows = rows.filter(day__gte=start)
        if open_only:
            rows = rows.filter(status__in=list(OPEN))
        live_days = set(rows.filter(_straddling(now)).values_list("day", flat=True).distinct())
        if live_days:
            rows = rows.exclude(day__in=live_days)
        result = _stored_cells(rows, now, grain)
    live = Request.objects.filter(_live_condition(place))
    if open_only:
        live = live.filter(status__in=list(OPEN))
    spans: list[Q] = []
    live_from = start if through is None else max(start or through, through)
    if end is None or live_from is None or live_from < end:
        span = Q(submitted_at__gte=local_day_start(live_from)) if live_from else Q()
        if end is not None:
            span &= Q(submitted_at__lt=local_day_start(end))
        spans.append(span)
    spans += [
        Q(
            submitted_at__gte=local_day_start(day),
            submitted_at__lt=local_day_start(day + dt.timedelta(days=1)),
        )
        for day in sorted(live_days)
    ]
    if spans:
        if not spans[0]:  # no bound at all: every request of the place
            result += _rebucket(live_cells(live, now), grain)
        else:
            # A bounded window holds few requests (today's, a straddling day's): count
            # them all and keep the place's cells, rather than let the database walk
            # every request of the place.
            window = spans[0]
            for span in spans[1:]:
                window = window | span
            # (No status filter either: the database would walk the open-status index.)
            recent = live_cells(Request.objects.filter(window), now)
            mine = [c for c in recent if in_place(c, place) and (c.is_open or not open_only)]
            result += _rebucket(mine, grain)
    return result


# Places whose children lie above every building (a compound's children are buildings).
ABOVE_COMPOUNDS = frozenset({AreaKind.COUNTY, AreaKind.TOWN, AreaKind.COMMUNITY})

MONTH_PLACE_KINDS = frozenset(
    {AreaKind.COUNTY, AreaKind.TOWN, AreaKind.COMMUNITY, AreaKind.COMPOUND}
)


def _whole_months(start: dt.date, end: dt.date, months_through: dt.date) -> tuple[dt.date, dt.date]:
    """The months wholly inside ``start`` ≤ day < ``end`` and before ``months_through``, as
    ``first`` ≤ month < ``last`` (empty when ``first`` ≥ ``last``)."""
    first = start if start.day == 1 else _next_month(start)
    return first, min(end.replace(day=1), months_through)


def period_and_open_cells(
    place: Place,
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    grain: str,
    coarse: bool = False,
) -> tuple[list[Cell], list[Cell], list[HeatCell]]:
    """``cells(place, start, end, grain)``, the open cells of every day (grain "all") and
    the period's building cells for the heat table, sharing one live count of the days
    the table does not decide.

    Each request is read from exactly one source. A *finished* request (resolved, closed,
    rejected) of a whole month before ``months_through`` comes from the month rows
    (:class:`MonthFigure`, :class:`MonthHeat`) when its month lies wholly inside the
    period at grain "month" — unless one of the place's month rows straddles *now* (an
    unanswered request due a response later), when that month is read day by day. Every
    other request of a day before ``through`` comes from the daily rows, unless one of the
    place's daily rows of that day straddles *now*; the rest (today, the straddling days)
    is counted live. Open requests are never in the month rows: their clock-dependent
    counts move every day. A finished request's daily row is part of a month row, so it
    cannot straddle when the month row does not: the straddling days are looked for among
    the open rows and the rows of months not read whole.

    ``coarse``: the stored part of the first two is summed to the place's children (one
    level below an area; a grid's own cells are few) instead of per building — every
    figure, trend and child row comes out the same; only the heat table needs buildings,
    and it gets the third list."""
    build = FigureBuild.objects.order_by("-pk").first()
    if build is None:
        counted = cells(place, start=start, end=end, now=now, grain=grain)
        return (
            counted,
            cells(place, start=None, end=None, now=now, open_only=True, grain="all"),
            [HeatCell.of(c) for c in counted],
        )
    through = build.through
    months_through = build.months_through
    if isinstance(place, Area) and place.kind not in MONTH_PLACE_KINDS:
        months_through = None  # month rows are kept per compound: not for a building
    depth: int | None = None
    with_grid = True
    if coarse and isinstance(place, Area):
        depth = place.depth + 1
        # A town's or county's children are areas only; below, grids are children too.
        with_grid = place.kind not in (AreaKind.COUNTY, AreaKind.TOWN)
    condition = _stored_condition(place)
    stored = DailyFigure.objects.filter(condition, day__lt=through)
    period: list[Cell] = []
    heat: list[HeatCell] = []
    open_now = Q(status__in=list(OPEN))
    # The daily rows still read for the period besides the open ones (None: all of them:
    # no month is read whole), and the months read whole.
    not_whole: Q | None = None
    whole_months_read: set[dt.date] = set()
    straddle_candidates = stored
    if months_through is not None:
        monthly = MonthFigure.objects.filter(condition, month__lt=months_through)
        mixed = set(monthly.filter(_straddling(now)).values_list("month", flat=True).distinct())
        unsettled = Q(month__gte=months_through)
        if mixed:
            unsettled |= Q(month__in=mixed)
        # Finished rows of settled months cannot straddle (their month rows do not). (Each
        # condition written positively, so the database can use the indexes.)
        straddle_candidates = stored.filter(open_now | unsettled)
        first, last = _whole_months(start, end, months_through)
        if grain != "day" and first < last:
            not_whole = Q(day__lt=first) | Q(day__gte=last)
            if mixed:
                not_whole |= Q(month__in=mixed)
            month_period = monthly.filter(month__gte=first, month__lt=last)
            month_heat = MonthHeat.objects.filter(condition, month__gte=first, month__lt=last)
            if mixed:
                month_period = month_period.exclude(month__in=mixed)
                month_heat = month_heat.exclude(month__in=mixed)
            period = _stored_cells(month_period, now, grain, depth=depth, with_grid=with_grid)
            heat = heat_cells(month_heat)
            month = first
            while month < last:
                if month not in mixed:
                    whole_months_read.add(month)
                month = _next_month(month)
    # A straddling row's day has the clock-dependent counts of its open requests, or of
    # its finished ones, counted live — only those requests that are overdue or due a
    # response now; every other count of the day stays the stored rows' (on a real town
    # the open rows of the last week or two straddle, and their days hold thousands of
    # requests).
    straddling = straddle_candidates.filter(_straddling(now)).values_list("day", "status")
    live_days: dict[bool, set[dt.date]] = {True: set(), False: set()}
    for day, status in straddling.distinct():
        live_days[status in OPEN].add(day)
    finished = Q(status__in=[s.value for s in FINISHED_STATUSES])
    live_rows = [
        Q(day__in=sorted(days)) & (open_now if is_open else finished)
        for is_open, days in live_days.items()
        if days
    ]
    clock_live: Q | None = None
    for rows in live_rows:
        clock_live = rows if clock_live is None else clock_live | rows
    if start < through:
        in_period = stored.filter(day__gte=start, day__lt=end)
        daily_period = _stored_cells(
            in_period.filter(open_now | not_whole) if not_whole is not None else in_period,
            now,
            grain,
            depth=depth,
            with_grid=with_grid,
            clock_live=clock_live,
        )
        period += daily_period
        if depth is not None:
            heat += heat_cells(in_period.filter(not_whole) if not_whole is not None else in_period)
        else:
            heat += [HeatCell.of(c) for c in daily_period if c.day not in whole_months_read]
    opened = _stored_cells(
        stored.filter(open_now),
        now,
        "all",
        depth=depth,
        with_grid=with_grid,
        clock_live=clock_live,
    )
    # Today (and any day after the build) counted whole, narrowed to the place in the
    # database: the planner walks the submission-time index and checks each row against
    # the place's areas, so a grid or a community does not count the whole county.
    live_condition = _live_condition(place)
    # Above compounds the live requests are summed to the place's children in the
    # database, as the stored rows are, and today's heat counted per building apart.
    above = depth is not None and isinstance(place, Area) and place.kind in ABOVE_COMPOUNDS
    today = Request.objects.filter(submitted_at__gte=local_day_start(through)).filter(
        live_condition
    )
    recent = [
        c
        for c in live_cells(
            today,
            now,
            depth=depth if above else None,
            with_grid=with_grid or not above,
        )
        if in_place(c, place)
    ]
    recent_period = _rebucket([c for c in recent if start <= c.day < end], grain)
    period += recent_period
    if not above:
        heat += [HeatCell.of(c) for c in recent_period]
    elif through < end:
        heat += live_heat(
            today.filter(
                submitted_at__gte=local_day_start(max(start, through)),
                submitted_at__lt=local_day_start(end),
            )
        )
    opened += _rebucket([c for c in recent if c.is_open], "all")
    straddled = sorted(live_days[True] | live_days[False])
    if straddled:
        window = Q()
        for day in straddled:
            window |= Q(
                submitted_at__gte=local_day_start(day),
                submitted_at__lt=local_day_start(day + dt.timedelta(days=1)),
            )
        # Whole days in the database (a status condition alone there makes the planner
        # walk every open request), the other part of a straddling day dropped here.
        clocked = [
            c
            for c in clock_cells(
                Request.objects.filter(window).filter(live_condition),
                now,
                depth=depth if above else None,
                with_grid=with_grid or not above,
            )
            if in_place(c, place) and c.day in live_days[c.is_open]
        ]
        clocked_period = _rebucket([c for c in clocked if start <= c.day < end], grain)
        # (A finished request of a month read whole is in a month row that does not
        # straddle: its day's finished rows cannot either, so none is dropped here.)
        period += [c for c in clocked_period if c.is_open or c.day not in whole_months_read]
        opened += _rebucket([c for c in clocked if c.is_open], "all")
    return period, opened, heat


# --- keeping the table fresh -----------------------------------------------------------------


def _rows(cells_: Iterable[Cell]) -> list[DailyFigure]:
    return [
        DailyFigure(month=c.day.replace(day=1), **{f: getattr(c, f) for f in STORED})
        for c in cells_
    ]


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


MONTH_KEY = ("month", "area_id", "grid_id", "category_id", "status")


def _build_months(months: list[dt.date]) -> int:
    """(Re)write the month rows and the month heat of ``months`` from their daily rows,
    in the database (two ``INSERT … SELECT``): the month rows sum the daily rows of
    finished requests per compound — the area's shallowest ancestor (or itself) that is a
    compound, else the area itself — grid, category and status; the heat sums every daily
    row of a building. Inside a transaction."""
    if not months:
        return 0
    MonthFigure.objects.filter(month__in=months).delete()
    MonthHeat.objects.filter(month__in=months).delete()
    quote = connection.ops.quote_name
    daily, areas = quote(DailyFigure._meta.db_table), quote(Area._meta.db_table)
    deepest = Area.objects.aggregate(n=Max("depth"))["n"] or 1
    # The area's ancestors' paths (and its own): a prefix longer than the path is the path.
    prefixes = ", ".join(f"SUBSTR(a.path, 1, {n * Area.steplen})" for n in range(1, deepest + 1))
    compound = (
        f"(SELECT c.id FROM {areas} c WHERE c.kind = %s AND c.path IN ({prefixes})"
        f" ORDER BY LENGTH(c.path) LIMIT 1)"
    )
    sums = ", ".join(f"SUM(x.{quote(n)})" for n in SUMMED)
    bounds = ", ".join(
        f"{'MIN' if n.endswith('_min') else 'MAX'}(x.{quote(n)})" for n in MERGE_BOUNDS
    )
    columns = ", ".join(quote(n) for n in [*MONTH_KEY, *SUMMED, *MERGE_BOUNDS])
    in_months = ", ".join(["%s"] * len(months))
    not_open = ", ".join(["%s"] * len(OPEN))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(MonthFigure._meta.db_table)} ({columns})"
            f" SELECT x.month, x.place, x.grid_id, x.category_id, x.status, {sums}, {bounds}"
            f" FROM (SELECT d.*, COALESCE({compound}, d.area_id) AS place"
            f" FROM {daily} d JOIN {areas} a ON a.id = d.area_id"
            f" WHERE d.month IN ({in_months}) AND d.status NOT IN ({not_open})) x"
            f" GROUP BY x.month, x.place, x.grid_id, x.category_id, x.status",
            [AreaKind.COMPOUND.value, *months, *sorted(OPEN)],
        )
        written = cursor.rowcount
        # The heat counts every request, open or not: its only figure (a total) does
        # not depend on the clock.
        heat_columns = ", ".join(quote(n) for n in ["month", "area_id", "grid_id", "category_id"])
        cursor.execute(
            f"INSERT INTO {quote(MonthHeat._meta.db_table)} ({heat_columns}, total)"
            f" SELECT d.month, d.area_id, d.grid_id, d.category_id, SUM(d.total)"
            f" FROM {daily} d JOIN {areas} a ON a.id = d.area_id"
            f" WHERE d.month IN ({in_months}) AND a.kind = %s"
            f" GROUP BY d.month, d.area_id, d.grid_id, d.category_id",
            [*months, AreaKind.BUILDING.value],
        )
    return int(written)


def _insert_select(model: type[models.Model], rows: QuerySet[Any]) -> int:
    """``INSERT INTO`` ``model``'s table ``SELECT`` … ``rows`` (a ``values().annotate()``
    query whose names are the model's columns): the rows are made by the database, not
    in Python. How many were written."""
    compiler = rows.query.get_compiler(using=rows.db)
    sql, params = compiler.as_sql()
    columns = []
    for _expr, _sql, alias in compiler.select:
        field = model._meta.get_field(alias)
        assert isinstance(field, models.Field)
        assert field.column
        columns.append(connection.ops.quote_name(field.column))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
        return int(cursor.rowcount)


def _insert_days(month: dt.date, requests: QuerySet[Request]) -> int:
    """Write the daily rows of ``requests`` (all submitted in ``month``) in the database:
    what :func:`live_cells` counts, grouped per location (one ``INSERT … SELECT``), then
    a unit's rows moved to its building (one ``UPDATE``). A unit's rows and its
    building's stay separate rows of the same key: every reader sums them, and a row's
    deadlines decide as well as a merged row's (finer, never wrong)."""
    tz = timezone.get_default_timezone()
    latest = Feedback.objects.filter(request=OuterRef("pk")).order_by("-created_at", "-pk")
    rated = Q(rated_=True)
    grouped = (
        requests.annotate(
            day=TruncDate("submitted_at", tzinfo=tz),
            month=Value(month, output_field=models.DateField()),
            area_id=F("location_id"),
            rated_=Exists(latest),
            feedback_resolved_=Subquery(latest.values("resolved")[:1]),
            satisfaction_=Subquery(latest.values("satisfaction")[:1]),
        )
        .order_by()
        .values("day", "month", "area_id", "grid_id", "category_id", "status")
        .annotate(
            **_request_counts(),
            rated=Count("pk", filter=rated),
            feedback_resolved=Count("pk", filter=rated & Q(feedback_resolved_=True)),
            satisfied=Count("pk", filter=rated & Q(satisfaction_=Satisfaction.SATISFIED)),
            basically_satisfied=Count(
                "pk", filter=rated & Q(satisfaction_=Satisfaction.BASICALLY_SATISFIED)
            ),
            dissatisfied=Count("pk", filter=rated & Q(satisfaction_=Satisfaction.DISSATISFIED)),
        )
    )
    written = _insert_select(DailyFigure, grouped)
    # A unit counts for its building (the area one step up its path; itself if none), as
    # :func:`_placed_areas` places it.
    table = connection.ops.quote_name(DailyFigure._meta.db_table)
    areas = connection.ops.quote_name(Area._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET area_id = COALESCE(("
            f" SELECT b.id FROM {areas} u JOIN {areas} b"
            f" ON b.path = SUBSTR(u.path, 1, LENGTH(u.path) - %s)"
            f" WHERE u.id = {table}.area_id), area_id)"
            f" WHERE month = %s AND area_id IN (SELECT id FROM {areas} WHERE kind = %s)",
            [Area.steplen, month, AreaKind.UNIT.value],
        )
    return written


# The writers of the stored figures (a day's recount, a month's sum, the nightly rebuild)
# take advisory locks first, inside their transaction: each deletes rows and inserts their
# replacement, and under READ COMMITTED two of them at once on the same rows delete nothing
# of each other's new rows and both insert (the figures doubled until the next rebuild).
# The rebuild, which rewrites everything, takes the whole table's lock; a day's recount and
# a month's sum share it and take their own day's or month's, so a month's sum (~20 s at
# 3 M) never holds up the recount of a day. SQLite's transactions are serialised already.
FIGURES_LOCK = 7_319_042  # the lock space (pg_advisory_xact_lock(int, int))
_ALL, _DAY, _MONTH = 0, 1, 2


def _lock_figures(
    *, day: dt.date | None = None, month: dt.date | None = None
) -> FigureBuild | None:
    """Take the figures' locks (PostgreSQL advisory locks, released at commit): the whole
    table's, exclusive without ``day`` or ``month``, shared with them plus that day's or
    month's. Then read the current build, as the writer before left it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if day is None and month is None:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FIGURES_LOCK, _ALL])
            else:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", [FIGURES_LOCK, _ALL])
                kind, date = (_DAY, day) if day is not None else (_MONTH, month)
                assert date is not None
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [FIGURES_LOCK + kind, date.toordinal()],
                )
    return FigureBuild.objects.order_by("-pk").first()


def refresh_day(day: dt.date, *, months: bool = True) -> int:
    """Count ``day`` again (when one of its requests changed), and its month's rows if the
    month is kept whole (``months``; the task queue leaves that to :func:`refresh_month`,
    at most once per month in a while). Days not yet in the table are counted live
    anyway: nothing to do."""
    if not FigureBuild.objects.filter(through__gt=day).exists():
        return 0  # not in the table (cheap check before waiting for the lock)
    requests = Request.objects.filter(
        submitted_at__gte=local_day_start(day),
        submitted_at__lt=local_day_start(day + dt.timedelta(days=1)),
    )
    with transaction.atomic():
        build = _lock_figures(day=day)
        if build is None or day >= build.through:
            return 0
        now = timezone.now()
        DailyFigure.objects.filter(day=day).delete()
        rows = DailyFigure.objects.bulk_create(_rows(live_cells(requests, now)))
        if months:
            refresh_month(day.replace(day=1))
    return len(rows)


def month_is_kept(month: dt.date, build: FigureBuild | None = None) -> bool:
    """Whether ``month`` is summed into the month rows (a whole month before the build)."""
    if build is None:
        build = FigureBuild.objects.order_by("-pk").first()
    return bool(build and build.months_through is not None and month < build.months_through)


def refresh_month(month: dt.date) -> int:
    """Sum ``month``'s daily rows into its month rows again, if the month is kept whole.

    At 3 M residents this reads a month of the whole prefecture (~20 s): a change to one
    request must not pay it. The day's refresh task leaves it to a task of its own, queued
    at most once per month and run a few minutes later
    (:func:`linli.dashboard.tasks.queue_month_refresh`), so the changes of those minutes
    are summed once; until then the month rows lag the daily rows by those minutes."""
    with transaction.atomic():
        if not month_is_kept(month, _lock_figures(month=month)):
            return 0
        return _build_months([month])


def rebuild(today: dt.date | None = None) -> int:
    """Count every day before ``today`` again, a month at a time, sum the whole months
    before ``today``'s into the month rows, and move ``through``."""
    today = today or timezone.localdate()
    now = timezone.now()
    first = Request.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    written = 0
    this_month = today.replace(day=1)
    with transaction.atomic():
        _lock_figures()
        DailyFigure.objects.all().delete()
        MonthFigure.objects.all().delete()
        MonthHeat.objects.all().delete()
        if first is not None:
            month = timezone.localtime(first).date().replace(day=1)
            while month < today:
                following = _next_month(month)
                until = min(following, today)
                requests = Request.objects.filter(
                    submitted_at__gte=local_day_start(month),
                    submitted_at__lt=local_day_start(until),
                )
                written += _insert_days(month, requests)
                if following <= this_month:
                    _build_months([month])
                month = following
        FigureBuild.objects.all().delete()
        FigureBuild.objects.create(through=today, months_through=this_month, built_at=now)
    if connection.vendor == "postgresql":
        # The whole table was just replaced: without fresh statistics the planner expects
        # a few hundred rows, sorts on disk and a town's year page takes seconds
        # (docs/scaling.md). Autovacuum would get there, but only later. Outside a
        # transaction (the nightly task) VACUUM too: the old rows are all dead, and until
        # they are swept every index scan of the table reads them (the county's count at
        # 300 k residents took 400 ms after a rebuild, 180 ms after the VACUUM).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (DailyFigure, MonthFigure, MonthHeat):
                cursor.execute(f"{command} {model._meta.db_table}")
    return written


# --- figures from cells ----------------------------------------------------------------------


def _sum(cells_: Iterable[Cell], name: str) -> int:
    return sum(getattr(c, name) for c in cells_)


def rates_of(cells_: list[Cell]) -> dict[str, Rate]:
    rated = _sum(cells_, "rated")
    return {
        "response": Rate(
            _sum(cells_, "responded_on_time"),
            _sum(cells_, "responded") + _sum(cells_, "response_due_unanswered"),
        ),
        "on_time": Rate(
            _sum(cells_, "resolved_on_time"), _sum(cells_, "resolved") + _sum(cells_, "overdue")
        ),
        "resolution": Rate(_sum(cells_, "feedback_resolved"), rated),
        "satisfaction": Rate(
            _sum(cells_, "satisfied") + _sum(cells_, "basically_satisfied"), rated
        ),
    }


def figures(
    place: Place,
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    period: list[Cell] | None = None,
    open_cells: list[Cell] | None = None,
) -> RequestFigures:
    """:func:`request_figures` over every request of ``place``, from the cells (channels
    are not kept: ``by_channel`` is empty)."""
    cohort = period if period is not None else cells(place, start=start, end=end, now=now)
    opened = (
        open_cells
        if open_cells is not None
        else cells(place, start=None, end=None, now=now, open_only=True)
    )
    per_category: dict[int | None, int] = defaultdict(int)
    per_status: dict[str, int] = defaultdict(int)
    for c in cohort:
        per_category[c.category_id] += c.total
        per_status[c.status] += c.total
    present = [pk for pk, n in per_category.items() if pk is not None and n]
    categories = Category.objects.filter(Q(is_active=True) | Q(pk__in=present))
    since, until = local_day_start(start), local_day_start(end)
    # From the mediations (few) to their requests, not from every request of the place.
    inside = (
        Q(request__grid=place)
        if isinstance(place, Grid)
        else Q(request__location__path__startswith=place.path)
    )
    disputes = Mediation.objects.filter(
        inside,
        request__category__code=DISPUTE_CATEGORY,
        concluded_at__gte=since,
        concluded_at__lt=until,
    ).aggregate(
        concluded=Count("pk"),
        resolved=Count(
            "pk", filter=Q(outcome=Mediation.Outcome.AGREEMENT, request__status=Status.CLOSED)
        ),
    )
    rates = rates_of(cohort)
    return RequestFigures(
        start=start,
        end=end,
        total=_sum(cohort, "total"),
        response=rates["response"],
        on_time=rates["on_time"],
        resolution=rates["resolution"],
        satisfaction=rates["satisfaction"],
        satisfied=_sum(cohort, "satisfied"),
        basically_satisfied=_sum(cohort, "basically_satisfied"),
        dissatisfied=_sum(cohort, "dissatisfied"),
        overdue_open=_sum(opened, "overdue"),
        reopened=_sum(cohort, "reopened"),
        disputes_concluded=disputes["concluded"],
        disputes_resolved=disputes["resolved"],
        by_category=tuple(
            CountRow(key=c.code, label=c.name, count=per_category.get(c.pk, 0))
            for c in categories.order_by("sort_order", "code")
        ),
        by_status=tuple(
            CountRow(key=s.value, label=str(s.label), count=per_status.get(s.value, 0))
            for s in STATUS_ORDER
        ),
        by_channel=(),
    )


def category_names() -> dict[int | None, tuple[int, str]]:
    names: dict[int | None, tuple[int, str]] = {
        c.pk: (c.sort_order or 0, c.name) for c in Category.objects.all()
    }
    names[None] = (0, _("未分类"))
    return names
