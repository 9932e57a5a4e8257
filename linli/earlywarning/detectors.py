"""The situations early warnings look for. Each detector reads the records as of ``now``
under its rule and returns findings; ``services.warnings_scan`` turns them into warnings.

Apps above this one (patrols) add their own with :func:`register_detector`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import area_labels
from linli.care.models import Alert, AlertLevel, AlertStatus, CarePlan, VisitKind
from linli.earlywarning.models import WarningKind, WarningRule
from linli.people.models import Household, Resident, TagCode
from linli.privacy.gate import processable
from linli.requests.models import Category, Feedback, Request, Satisfaction
from linli.requests.workflow import OPEN_STATUSES


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    community_id: int
    area_id: int
    title: str
    reason: str
    link: str = ""
    count: int = 0
    grid_id: int | None = None
    category_id: int | None = None
    assignee_id: int | None = None
    resident_id: int | None = None


Detector = Callable[[WarningRule, dt.datetime], Iterable[Finding]]
_detectors: dict[str, Detector] = {}


def register_detector(kind: str, detector: Detector) -> None:
    _detectors[kind] = detector


def registered_detectors() -> dict[str, Detector]:
    return dict(_detectors)


# --- places ------------------------------------------------------------------------------

STEP = Area.steplen


def _prefixes(path: str) -> list[str]:
    return [path[:n] for n in range(STEP, len(path) + 1, STEP)]


class Buildings:
    """The building at or above each of many places, in one query."""

    def __init__(self, paths: Iterable[str]) -> None:
        wanted = {p for path in paths for p in _prefixes(path)}
        self.by_path = {
            a.path: a for a in Area.objects.filter(kind=AreaKind.BUILDING, path__in=wanted)
        }
        self.labels = area_labels(self.by_path)

    def of(self, path: str) -> Area | None:
        for prefix in _prefixes(path):
            if prefix in self.by_path:
                return self.by_path[prefix]
        return None

    def label(self, building: Area) -> str:
        return self.labels.get(building.path, building.name)


def _community_of(area: Area) -> Area | None:
    return Area.objects.filter(kind=AreaKind.COMMUNITY, path__in=_prefixes(area.path)).first()


# --- requests ----------------------------------------------------------------------------


def hotspots(rule: WarningRule, now: dt.datetime) -> list[Finding]:
    """The same building reporting the same category ``threshold`` times in the window:
    probably one root cause that one more visit will not fix."""
    since = now - dt.timedelta(days=rule.window_days)
    rows = list(
        Request.objects.filter(submitted_at__gte=since, submitted_at__lte=now).values_list(
            "location__path", "category_id", "community_id"
        )
    )
    buildings = Buildings(path for path, _c, _m in rows)
    counts: Counter[tuple[int, int]] = Counter()
    community_of: dict[int, int] = {}
    for path, category_id, community_id in rows:
        building = buildings.of(path)
        if building is not None:
            counts[(building.pk, category_id)] += 1
            community_of[building.pk] = community_id
    hot = [(key, n) for key, n in counts.items() if n >= rule.threshold]
    by_pk = {b.pk: b for b in buildings.by_path.values()}
    categories = Category.objects.in_bulk({c for (_b, c), _n in hot})
    findings = []
    for (building_id, category_id), n in hot:
        building = by_pk[building_id]
        category = categories[category_id]
        place = buildings.label(building)
        query = f"?category={category_id}" + (
            f"&grid={building.grid_id}" if building.grid_id else ""
        )
        findings.append(
            Finding(
                kind=WarningKind.HOTSPOT,
                key=f"hotspot:{building_id}:{category_id}",
                community_id=community_of[building_id],
                area_id=building_id,
                grid_id=building.grid_id,
                category_id=category_id,
                title=_("%(place)s反复反映“%(category)s”")
                % {"place": place, "category": category.name},
                reason=_(
                    "近 %(days)d 天%(place)s反映“%(category)s” %(n)d 次,可能是同一个根源,"
                    "建议查明原因一次解决。"
                )
                % {"days": rule.window_days, "place": place, "category": category.name, "n": n},
                link=reverse("requests:queue") + query,
                count=n,
            )
        )
    return findings


BASELINE_WINDOWS = 8


def category_rises(rule: WarningRule, now: dt.datetime) -> list[Finding]:
    """A category in a grid at ``threshold`` or more in the window and at least twice its
    usual level (the mean of the eight windows before)."""
    window = dt.timedelta(days=rule.window_days)
    start = now - window
    baseline_start = start - window * BASELINE_WINDOWS
    rows = (
        Request.objects.filter(
            submitted_at__gte=baseline_start, submitted_at__lte=now, grid__isnull=False
        )
        .values("grid_id", "category_id", "community_id")
        .annotate(
            recent=Count("pk", filter=Q(submitted_at__gte=start)),
            before=Count("pk", filter=Q(submitted_at__lt=start)),
        )
        .filter(recent__gte=rule.threshold)
    )
    findings = []
    rising = [r for r in rows if r["recent"] >= 2 * max(1.0, r["before"] / BASELINE_WINDOWS)]
    categories = Category.objects.in_bulk({r["category_id"] for r in rising})
    grids = Grid.objects.in_bulk({r["grid_id"] for r in rising})
    for r in rising:
        grid, category = grids[r["grid_id"]], categories[r["category_id"]]
        usual = r["before"] / BASELINE_WINDOWS
        findings.append(
            Finding(
                kind=WarningKind.CATEGORY_RISE,
                key=f"rise:{grid.pk}:{category.pk}",
                community_id=r["community_id"],
                area_id=r["community_id"],
                grid_id=grid.pk,
                category_id=category.pk,
                title=_("%(grid)s“%(category)s”明显增多")
                % {"grid": grid.name, "category": category.name},
                reason=_(
                    "近 %(days)d 天%(grid)s有 %(n)d 件“%(category)s”,"
                    "平时同样天数约 %(usual).1f 件。"
                )
                % {
                    "days": rule.window_days,
                    "grid": grid.name,
                    "n": r["recent"],
                    "category": category.name,
                    "usual": usual,
                },
                link=reverse("requests:queue") + f"?category={category.pk}&grid={grid.pk}",
                count=r["recent"],
            )
        )
    return findings


def overdue_piles(rule: WarningRule, now: dt.datetime) -> list[Finding]:
    """``threshold`` or more overdue open requests on one assignee."""
    rows = (
        Request.objects.filter(
            status__in=list(OPEN_STATUSES), due_at__lt=now, assignee__isnull=False
        )
        .values("assignee_id", "assignee__full_name", "assignee__username", "community_id")
        .annotate(n=Count("pk"), grid=Max("grid_id"))
        .filter(n__gte=rule.threshold)
    )
    return [
        Finding(
            kind=WarningKind.ASSIGNEE_OVERDUE,
            key=f"overdue:{r['assignee_id']}:{r['community_id']}",
            community_id=r["community_id"],
            area_id=r["community_id"],
            assignee_id=r["assignee_id"],
            title=_("%(name)s有 %(n)d 件诉求超期")
            % {"name": r["assignee__full_name"] or r["assignee__username"], "n": r["n"]},
            reason=_("超期未办结的诉求积压在一个人身上,可能需要调派人手或协调。"),
            link=reverse("requests:queue") + "?overdue=on",
            count=r["n"],
        )
        for r in rows
    ]


def repeated_dissatisfaction(rule: WarningRule, now: dt.datetime) -> list[Finding]:
    """One household dissatisfied ``threshold`` times in the window."""
    since = now - dt.timedelta(days=rule.window_days)
    rows = (
        Feedback.objects.filter(
            satisfaction=Satisfaction.DISSATISFIED,
            created_at__gte=since,
            created_at__lte=now,
            request__reporter__household__isnull=False,
            request__reporter__anonymised_at__isnull=True,
        )
        .values("request__reporter__household_id", "request__community_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=rule.threshold)
    )
    households = Household.objects.select_related("unit").in_bulk(
        {r["request__reporter__household_id"] for r in rows}
    )
    buildings = Buildings(h.unit.path for h in households.values())
    findings = []
    for r in rows:
        household = households[r["request__reporter__household_id"]]
        building = buildings.of(household.unit.path)
        place = (
            buildings.label(building) if building else ""
        ) + f"{household.unit.name}{household.room}室"
        findings.append(
            Finding(
                kind=WarningKind.REPEATED_DISSATISFACTION,
                key=f"dissatisfied:{household.pk}",
                community_id=r["request__community_id"],
                area_id=building.pk if building else r["request__community_id"],
                grid_id=building.grid_id if building else None,
                title=_("%(place)s多次不满意") % {"place": place},
                reason=_("近 %(days)d 天回访 %(n)d 次不满意,建议上门当面听听。")
                % {"days": rule.window_days, "n": r["n"]},
                link=reverse("people:household_detail", args=[household.pk]),
                count=r["n"],
            )
        )
    return findings


# --- care --------------------------------------------------------------------------------


def _resident_buildings(residents: list[Resident]) -> dict[int, Area | None]:
    paths = {r.pk: r.area.path for r in residents if r.area is not None}
    buildings = Buildings(paths.values())
    return {pk: buildings.of(path) for pk, path in paths.items()}


def elders_unvisited(rule: WarningRule, now: dt.datetime) -> list[Finding]:
    """Someone living alone, in care, with no home visit for ``threshold`` days."""
    since = now - dt.timedelta(days=rule.threshold)
    plans = (
        processable(CarePlan.objects.filter(active=True, resident__tags__code=TagCode.LIVING_ALONE))
        .select_related("resident__area")
        .annotate(
            last_home=Max(
                "resident__care_visits__visited_at",
                filter=Q(resident__care_visits__kind=VisitKind.HOME),
            )
        )
        .distinct()
    )
    stale = [
        p
        for p in plans
        if (p.last_home is None and p.created_at < since)
        or (p.last_home is not None and p.last_home < since)
    ]
    residents = [p.resident for p in stale]
    building_of = _resident_buildings(residents)
    findings = []
    for plan in stale:
        resident = plan.resident
        building = building_of.get(resident.pk)
        if resident.area is None:
            continue
        community = _community_of(resident.area)
        if community is None:
            continue
        last = plan.last_home
        days = (now - last).days if last else None
        findings.append(
            Finding(
                kind=WarningKind.ELDER_UNVISITED,
                key=f"unvisited:{resident.pk}",
                community_id=community.pk,
                area_id=building.pk if building else community.pk,
                grid_id=building.grid_id if building else None,
                resident_id=resident.pk,
                title=_("独居老人%(name)s久未走访") % {"name": resident.name},
                reason=(
                    _("%(name)s独自居住,已 %(days)d 天没有上门走访。")
                    % {"name": resident.name, "days": days}
                    if days is not None
                    else _("%(name)s独自居住,建档后还没有上门走访。") % {"name": resident.name}
                ),
                link=reverse("care:person", args=[resident.pk]),
                count=days or 0,
            )
        )
    return findings


def alerts_unacknowledged(rule: WarningRule, now: dt.datetime) -> list[Finding]:
    """An urgent care alert nobody has acknowledged for ``threshold`` hours (looking back
    ``window_days``). The warning names no reading: leaders see it without health data."""
    alerts = list(
        processable(
            Alert.objects.filter(
                level=AlertLevel.URGENT,
                status=AlertStatus.OPEN,
                created_at__lt=now - dt.timedelta(hours=rule.threshold),
                created_at__gte=now - dt.timedelta(days=rule.window_days),
            )
        ).select_related("resident__area")
    )
    alerts = [a for a in alerts if a.resident.area is not None]
    building_of = _resident_buildings([a.resident for a in alerts])
    findings = []
    for alert in alerts:
        resident = alert.resident
        assert resident.area is not None
        community = _community_of(resident.area)
        if community is None:
            continue
        building = building_of.get(resident.pk)
        hours = int((now - alert.created_at).total_seconds() // 3600)
        findings.append(
            Finding(
                kind=WarningKind.ALERT_UNACKNOWLEDGED,
                key=f"alert:{alert.pk}",
                community_id=community.pk,
                area_id=building.pk if building else community.pk,
                grid_id=building.grid_id if building else None,
                resident_id=resident.pk,
                title=_("%(name)s的紧急预警无人确认") % {"name": resident.name},
                reason=_("%(name)s的紧急关爱预警已 %(hours)d 小时无人确认,请立即联系。")
                % {"name": resident.name, "hours": hours},
                link=reverse("care:person", args=[resident.pk]),
                count=hours,
            )
        )
    return findings


CARE_KINDS = frozenset({WarningKind.ELDER_UNVISITED, WarningKind.ALERT_UNACKNOWLEDGED})

register_detector(WarningKind.HOTSPOT, hotspots)
register_detector(WarningKind.CATEGORY_RISE, category_rises)
register_detector(WarningKind.ASSIGNEE_OVERDUE, overdue_piles)
register_detector(WarningKind.REPEATED_DISSATISFACTION, repeated_dissatisfaction)
register_detector(WarningKind.ELDER_UNVISITED, elders_unvisited)
register_detector(WarningKind.ALERT_UNACKNOWLEDGED, alerts_unacknowledged)

# The defaults each rule starts from (a data migration writes them; admins edit them).
DEFAULT_RULES: dict[str, tuple[int, int]] = {
    WarningKind.HOTSPOT: (3, 14),
    WarningKind.CATEGORY_RISE: (4, 7),
    WarningKind.ASSIGNEE_OVERDUE: (3, 0),
    WarningKind.ELDER_UNVISITED: (7, 0),
    WarningKind.ALERT_UNACKNOWLEDGED: (2, 7),
    WarningKind.REPEATED_DISSATISFACTION: (2, 90),
    WarningKind.GRID_UNPATROLLED: (2, 0),
}


def rule_for(kind: str) -> WarningRule:
    rule = WarningRule.objects.filter(kind=kind).first()
    if rule is None:
        threshold, window = DEFAULT_RULES[kind]
        rule = WarningRule(kind=kind, threshold=threshold, window_days=window)
    return rule
