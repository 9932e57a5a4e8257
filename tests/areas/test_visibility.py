"""Which parts of the area tree each user sees: subtrees by materialised-path prefix."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from linli.accounts.selectors import scope_for
from linli.areas.models import AreaKind, area_children
from linli.areas.selectors import (
    area_get_for_user,
    area_label,
    building_of,
    communities_in_scope,
    visible_areas,
    visible_communities,
    visible_grids,
)
from linli.core.roles import Capability
from linli.core.scoping import EVERYTHING, NOTHING, Scope
from tests.cast import Cast


def test_subtree_of_an_area_is_every_path_with_its_prefix(cast: Cast) -> None:
    inside = {a.name for a in visible_areas(cast.staff)}
    assert {"和平社区", "和平小区", "1号楼", "2号楼"} <= inside
    assert "友谊社区" not in inside
    assert "和平镇" not in inside
    for area in visible_areas(cast.staff):
        assert area.path.startswith(cast.community.path)


def test_grid_worker_sees_the_buildings_of_their_grid_and_the_units_below(cast: Cast) -> None:
    seen = set(visible_areas(cast.worker1).values_list("pk", flat=True))
    assert seen == {cast.building1.pk, cast.unit1.pk}


def test_grid_worker_gets_404_for_a_building_of_another_grid(cast: Cast) -> None:
    with pytest.raises(Http404):
        area_get_for_user(user=cast.worker1, pk=cast.building2.pk)
    assert area_get_for_user(user=cast.worker1, pk=cast.building1.pk) == cast.building1


def test_kind_filter_hides_an_area_of_another_kind(cast: Cast) -> None:
    with pytest.raises(Http404):
        area_get_for_user(user=cast.staff, pk=cast.unit1.pk, kind=AreaKind.BUILDING)


def test_leader_of_the_town_sees_both_communities(cast: Cast) -> None:
    names = set(visible_communities(cast.leader).values_list("name", flat=True))
    assert names == {"和平社区", "友谊社区"}


def test_grid_worker_sees_their_community_through_their_grid(cast: Cast) -> None:
    assert list(visible_communities(cast.worker1)) == [cast.community]
    assert list(visible_grids(cast.worker1)) == [cast.grid1]


def test_communities_in_scope_whole_or_in_part(cast: Cast) -> None:
    worker = scope_for(cast.worker1, Capability.AREAS_VIEW)  # one grid's buildings
    leader = scope_for(cast.leader, Capability.AREAS_VIEW)  # the town
    assert list(communities_in_scope(worker)) == [cast.community]
    assert list(communities_in_scope(worker, whole_only=True)) == []
    both = sorted([cast.community, cast.other_community], key=lambda c: c.path)
    assert list(communities_in_scope(leader, whole_only=True)) == both
    assert list(communities_in_scope(EVERYTHING)) == both
    assert list(communities_in_scope(NOTHING)) == []


def test_a_grid_alone_reaches_its_community_but_never_covers_it_whole(cast: Cast) -> None:
    grid_only = Scope(grid_ids=frozenset({cast.grid2.pk}))
    assert list(communities_in_scope(grid_only)) == [cast.community]
    assert list(communities_in_scope(grid_only, whole_only=True)) == []


def test_resident_and_anonymous_see_no_area(cast: Cast) -> None:
    assert not visible_areas(cast.resident_user).exists()
    assert not visible_grids(cast.resident_user).exists()
    assert not visible_areas(AnonymousUser()).exists()
    assert not visible_grids(AnonymousUser()).exists()


def test_area_label_joins_names_from_the_compound_down(cast: Cast) -> None:
    assert area_label(cast.unit1) == "和平小区1号楼1单元"
    assert area_label(cast.unit1, top_kind=AreaKind.COMMUNITY) == "和平社区和平小区1号楼1单元"


def test_building_of_a_unit_is_its_parent_building(cast: Cast) -> None:
    assert building_of(cast.unit1) == cast.building1
    assert building_of(cast.building2) == cast.building2
    assert building_of(cast.compound) is None


def test_unit_children_of_a_building(cast: Cast) -> None:
    assert list(area_children(cast.building1)) == [cast.unit1]
