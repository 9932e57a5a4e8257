"""Each grid's buildings with their household and resident counts (grid_summaries): the
same counts whether they are read under the buildings (few) or under the grids'
communities (many), and each household and resident counted in its own building only."""

from __future__ import annotations

import pytest

from linli.areas.models import Grid, area_children
from linli.people import selectors
from linli.people.selectors import grid_summaries
from tests.cast import Cast
from tests.people.factories import add_building, add_household

pytestmark = pytest.mark.django_db


def _counts(cast: Cast) -> dict[str, list[tuple[str, int, int]]]:
    return {
        s.grid.name: [(row.label, row.households, row.residents) for row in s.buildings]
        for s in grid_summaries(user=cast.staff, grids=Grid.objects.all())
    }


@pytest.fixture
def world(cast: Cast) -> Cast:
    """Grid 1 gains building 10 (households of 3 and 2 people in its two units), building
    1, already in the cast, gains a household of 4, and grid 2 gains building 20 straight
    under the community (no compound: a shorter path) with a household of 2."""
    tenth = add_building(cast.compound, cast.grid1, 10, units=2)
    first_unit, second_unit = area_children(tenth)
    add_household(first_unit, members=3)
    add_household(second_unit, members=2)
    add_household(cast.unit1, members=4)
    (unit,) = area_children(add_building(cast.community, cast.grid2, 20))
    add_household(unit, members=2)
    return cast


@pytest.mark.parametrize("limit", [64, 0], ids=["under-buildings", "under-communities"])
def test_each_building_counts_its_own_households_and_residents(
    world: Cast, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAX_COUNTED_PREFIXES", limit)
    counts = _counts(world)
    assert counts["第1网格"] == [("和平小区1号楼", 2, 5), ("和平小区10号楼", 2, 5)]
    assert counts["第2网格"] == [("和平小区2号楼", 1, 1), ("20号楼", 1, 2)]
    summary = next(
        s
        for s in grid_summaries(user=world.staff, grids=Grid.objects.all())
        if s.grid == world.grid1
    )
    assert (summary.households, summary.residents) == (4, 10)
