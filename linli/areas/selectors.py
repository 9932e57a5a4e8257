"""Reads of the area tree and grids, always starting from what the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.core.roles import Capability
from linli.core.scoping import Scope, apply_scope, scope_condition, subtree_condition

STEP = Area.steplen
P = TypeVar("P", Area, Grid)


def ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(STEP, len(path) + 1, STEP)]


def visible_areas(user: AnyUser) -> QuerySet[Area]:
    scope = scope_for(user, Capability.AREAS_VIEW)
    return apply_scope(Area.objects.all(), scope, area_path="path")


def area_get_for_user(*, user: AnyUser, pk: int, kind: str | None = None) -> Area:
    queryset = visible_areas(user)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    area = queryset.filter(pk=pk).first()
    if area is None:
        raise Http404
    return area


# --- choosing a grid among thousands ---------------------------------------------------------

# A grid filter lists at most this many grids. A county leader at 3 M residents sees 4,167:
# a select of that many options was ~240 KB and ~400 ms of every queue and residents page.
# Beyond it the user narrows first, by the finest level of the tree that fits (a town's
# communities, a county's towns), and the grids of the place chosen are offered.
MAX_GRID_CHOICES = 200
# The levels above a grid that may narrow it, finest first, with their depth in the tree
# (strictly levelled above a community: ALLOWED_CHILD_KINDS).
NARROWING_LEVELS = ((AreaKind.COMMUNITY, 3), (AreaKind.TOWN, 2), (AreaKind.COUNTY, 1))


@dataclass(frozen=True)
class PlaceStep:
    """One narrowing select: ``kind`` is also its query parameter."""

    kind: str
    options: list[Area]
    chosen: Area | None

    @property
    def label(self) -> str:
        return str(AreaKind(self.kind).label)


@dataclass(frozen=True)
class GridPicker:
    """What a grid filter offers the user: the narrowing selects, then the grids."""

    steps: list[PlaceStep]
    grids: list[Grid]
    grid: Grid | None
    # The finest place chosen on the way: the list is narrowed to it even before a grid
    # is chosen (choosing a town shows the town's requests).
    place: Area | None

    @property
    def ask_first(self) -> str | None:
        """「请先选社区」: why no grid is offered yet."""
        if self.steps and self.steps[-1].chosen is None:
            return self.steps[-1].label
        return None

    @property
    def params(self) -> list[str]:
        return [step.kind for step in self.steps] + ["grid"]


def _chosen(options: Iterable[P], value: str | None) -> P | None:
    """The option whose id was sent; anything else (not a number, out of scope, of another
    place) is no choice."""
    return next((o for o in options if str(o.pk) == (value or "").strip()), None)


def narrowing_level(community_paths: list[str]) -> tuple[str, int, list[str]]:
    """The finest level at which these communities make at most MAX_GRID_CHOICES places
    (the county's, at worst): its kind, its path length and the places' paths."""
    for kind, depth in NARROWING_LEVELS:
        length = depth * STEP
        paths = sorted({path[:length] for path in community_paths})
        if len(paths) <= MAX_GRID_CHOICES or kind == AreaKind.COUNTY:
            return kind, length, paths
    raise AssertionError("NARROWING_LEVELS ends with the county")


def grid_picker(user: AnyUser, params: Mapping[str, str]) -> GridPicker:
    """The grids a filter offers ``user``, given the ``params`` sent (``town``,
    ``community``, ``grid``…): all of their grids when at most MAX_GRID_CHOICES;
    otherwise first the places of the finest level that has at most that many, and the
    grids once the place chosen holds few enough. Only places and grids of the user's own
    grids are offered or accepted."""
    grids = visible_grids(user).order_by("code")
    # Counted per community first: past the limit (a town's or county's leader) the grids
    # are not read at all, only how many each community has (they used to be read, 201
    # with their communities, to learn that there were more than 200).
    per_community: dict[str, int] = dict(
        grids.order_by()
        .values_list("community__path")
        .annotate(n=Count("pk"))
        .values_list("community__path", "n")
    )
    if sum(per_community.values()) <= MAX_GRID_CHOICES:
        every = list(grids)
        return GridPicker(
            steps=[], grids=every, grid=_chosen(every, params.get("grid")), place=None
        )
    steps: list[PlaceStep] = []
    place: Area | None = None
    while (
        sum(n for path, n in per_community.items() if path.startswith(_path(place)))
        > MAX_GRID_CHOICES
    ):
        kind, length, paths = narrowing_level(
            [path for path in per_community if path.startswith(_path(place))]
        )
        if len(_path(place)) >= length:
            break  # one place with more grids than the limit: they are all offered
        options = list(Area.objects.filter(path__in=paths, kind=kind).order_by("path"))
        chosen = _chosen(options, params.get(kind))
        steps.append(PlaceStep(kind=kind, options=options, chosen=chosen))
        if chosen is None:
            return GridPicker(steps=steps, grids=[], grid=None, place=place)
        place = chosen
    offered = list(grids.filter(community__path__startswith=_path(place)))
    return GridPicker(
        steps=steps, grids=offered, grid=_chosen(offered, params.get("grid")), place=place
    )


def _path(place: Area | None) -> str:
    return place.path if place is not None else ""


def visible_grids(user: AnyUser) -> QuerySet[Grid]:
    """Grids of communities in scope, grids assigned directly, and grids covering a
    building in scope (a 包片 cadre over a compound sees the grids of its buildings)."""
    scope = scope_for(user, Capability.AREAS_VIEW)
    condition = scope_condition(scope, area_path="community__path", grid="pk")
    buildings = scope_condition(scope, area_path="path")
    if buildings is not None and not scope.everything:
        covering = Area.objects.filter(buildings, kind=AreaKind.BUILDING).values("grid_id")
        covered = Q(pk__in=covering)
        condition = covered if condition is None else condition | covered
    if condition is None:
        return Grid.objects.none()
    return Grid.objects.select_related("community").filter(condition)


def grid_get_for_user(*, user: AnyUser, pk: int) -> Grid:
    grid = visible_grids(user).filter(pk=pk).first()
    if grid is None:
        raise Http404
    return grid


def communities_in_scope(scope: Scope, *, whole_only: bool = False) -> QuerySet[Area]:
    """The communities ``scope`` covers, in path order: those it covers whole (the
    community or an area above it is in the scope) and, unless ``whole_only``, those it
    reaches in part (an area inside the community, or one of its grids).

    The one answer to "which communities are in this user's scope": pass
    ``scope_for(user, capability)`` (or another computed scope, such as filing's)."""
    communities = Area.objects.filter(kind=AreaKind.COMMUNITY).order_by("path")
    if scope.everything:
        return communities
    whole = subtree_condition(scope.area_paths)
    if whole_only:
        return communities.filter(whole)
    containing = Q(path__in={p for path in scope.area_paths for p in ancestor_paths(path)})
    if scope.grid_ids:
        through_grids = Q(grids__in=sorted(scope.grid_ids))
        return communities.filter(whole | containing | through_grids).distinct()
    return communities.filter(whole | containing)


def visible_communities(user: AnyUser) -> QuerySet[Area]:
    """Communities the user can see whole or in part (through a grid or a building)."""
    return communities_in_scope(scope_for(user, Capability.AREAS_VIEW))


def area_labels(paths: Iterable[str], *, top_kind: str = AreaKind.COMPOUND) -> dict[str, str]:
    """Readable names like ``向阳花园3号楼2单元`` for many areas in one query.

    Names are joined from ``top_kind`` downwards; higher levels are left out because a
    page about one community need not repeat it on every row.
    """
    wanted = {p for path in paths for p in ancestor_paths(path)}
    if not wanted:
        return {}
    names = {
        row["path"]: (row["kind"], row["name"])
        for row in Area.objects.filter(path__in=wanted).values("path", "kind", "name")
    }
    order = list(AreaKind.values)
    top_index = order.index(top_kind)
    labels: dict[str, str] = {}
    for path in paths:
        parts = [
            names[p][1]
            for p in ancestor_paths(path)
            if p in names and order.index(names[p][0]) >= top_index
        ]
        labels[path] = "".join(parts)
    return labels


def area_label(area: Area, *, top_kind: str = AreaKind.COMPOUND) -> str:
    return area_labels([area.path], top_kind=top_kind)[area.path]


def building_of(area: Area) -> Area | None:
    """The building at or above ``area``, if any."""
    if area.kind == AreaKind.BUILDING:
        return area
    return (
        Area.objects.filter(kind=AreaKind.BUILDING, path__in=ancestor_paths(area.path))
        .select_related("grid")
        .first()
    )


def ancestor_of_kind(area: Area, kind: str) -> Area | None:
    """The area of ``kind`` at or above ``area``."""
    if area.kind == kind:
        return area
    found: Area | None = Area.objects.filter(kind=kind, path__in=ancestor_paths(area.path)).first()
    return found


def compound_or_community_of(area: Area) -> Area:
    """The compound at or above ``area``, else its community (else ``area`` itself):
    a place coarse enough not to point at a building or a flat."""
    found: Area | None = (
        Area.objects.filter(
            kind__in=[AreaKind.COMPOUND, AreaKind.COMMUNITY], path__in=ancestor_paths(area.path)
        )
        .order_by("-depth")
        .first()
    )
    return found or area


def register_places(user: AnyUser) -> QuerySet[Area]:
    """Communities, compounds and buildings in which the user may register a person
    who has no household yet (their register-editing scope)."""
    scope = scope_for(user, Capability.REGISTER_EDIT)
    places = Area.objects.filter(
        kind__in=[AreaKind.COMMUNITY, AreaKind.COMPOUND, AreaKind.BUILDING]
    )
    return apply_scope(places, scope, area_path="path").order_by("path")


def _leading_number(name: str) -> int | None:
    digits = ""
    for char in name:
        if char.isdigit():
            digits += char
        elif digits:
            break
    return int(digits) if digits else None


def child_by_number(parent: Area, kind: str, number: int) -> Area | None:
    """The child of ``parent`` of ``kind`` numbered ``number`` (3 → 3号楼, 2 → 2单元)."""
    children = Area.objects.filter(
        kind=kind, path__startswith=parent.path, depth=parent.depth + 1
    ).only("pk", "name", "path", "kind", "grid", "code", "depth")
    for child in children:
        if _leading_number(child.name) == number:
            return child
    return None


def buildings_by_number(community: Area, number: int) -> list[Area]:
    """Every building numbered ``number`` in the community's compounds."""
    buildings = Area.objects.filter(kind=AreaKind.BUILDING, path__startswith=community.path)
    return [b for b in buildings if _leading_number(b.name) == number]


def grid_of(area: Area) -> Grid | None:
    """The grid of the building at or above ``area``; None above building level."""
    building = building_of(area)
    return building.grid if building is not None else None
