"""Reads of the area tree and grids, always starting from what the user may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.core.roles import Capability
from linli.core.scoping import Scope, apply_scope, scope_condition, subtree_condition

STEP = Area.steplen


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
