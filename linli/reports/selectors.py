"""Reads for reports: which areas a user may report on, and their filed reports."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.core.roles import Capability
from linli.core.scoping import apply_scope, scope_condition
from linli.reports.models import FiledReport

# The levels the dashboard and the figures page offer (FIGURE_AREA_KINDS), county first.
REPORT_AREA_KINDS = (AreaKind.COUNTY, AreaKind.TOWN, AreaKind.COMMUNITY, AreaKind.COMPOUND)


def report_areas(user: AnyUser) -> QuerySet[Area]:
    """Counties, towns, communities and compounds within the user's reporting scope."""
    scope = scope_for(user, Capability.REPORTS_FILE)
    return apply_scope(
        Area.objects.filter(kind__in=REPORT_AREA_KINDS), scope, area_path="path"
    ).order_by("path")


def report_area_get(*, user: AnyUser, code: str) -> Area:
    area = report_areas(user).filter(code=code).first()
    if area is None:
        raise Http404(_("没有这个区域"))
    return area


def visible_reports(user: AnyUser) -> QuerySet[FiledReport]:
    scope = scope_for(user, Capability.REPORTS_FILE)
    return apply_scope(
        FiledReport.objects.select_related("area", "filed_by"), scope, area_path="area__path"
    )


def report_get_for_user(*, user: AnyUser, pk: int) -> FiledReport:
    report = visible_reports(user).filter(pk=pk).first()
    if report is None:
        raise Http404(_("没有这份报告"))
    return report


def report_grids(user: AnyUser) -> QuerySet[Grid]:
    """The grids within the user's reporting scope."""
    scope = scope_for(user, Capability.REPORTS_FILE)
    condition = scope_condition(scope, area_path="community__path", grid="pk")
    if condition is None:
        return Grid.objects.none()
    return Grid.objects.filter(condition).select_related("community").order_by("code")


GRID_KEY_PREFIX = "grid:"
"""A grid is named ``grid:<its code>`` among the places a report is for: a grid's code may
equal an area's (a compound's 15-digit code and its grid's are often the same number)."""


def place_key(place: Area | Grid) -> str:
    """How a report's place is named in forms, links, the API and the command line."""
    return GRID_KEY_PREFIX + place.code if isinstance(place, Grid) else place.code


def report_places(user: AnyUser) -> list[tuple[str, str]]:
    """(key, label) of every county, town, community, compound and grid the user may report
    on (:func:`place_key`)."""
    places = [(a.code, a.name) for a in report_areas(user)]
    places += [(place_key(g), f"{g.community.name}{g.name}") for g in report_grids(user)]
    return places


def place_by_key(key: str, areas: QuerySet[Area], grids: QuerySet[Grid]) -> Area | Grid | None:
    """The place :func:`place_key` named, among ``areas`` and ``grids``. A bare code names
    the area with that code, else the grid (links made before grids had their prefix)."""
    if key.startswith(GRID_KEY_PREFIX):
        return grids.filter(code=key.removeprefix(GRID_KEY_PREFIX)).first()
    return areas.filter(code=key).first() or grids.filter(code=key).first()


def report_place_get(*, user: AnyUser, code: str) -> Area | Grid:
    """The area or grid named ``code`` (:func:`place_key`) in the user's reporting scope,
    else a 404."""
    place = place_by_key(code, report_areas(user), report_grids(user))
    if place is None:
        raise Http404(_("没有这个区域"))
    return place
