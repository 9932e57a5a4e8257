"""The register of a leader's area on their home (people.selectors.area_overview): a row
per grid while they fit the grid picker's limit, past it a row per place of the finest
level that fits, each counting its grids, buildings, households and residents and opening
the residents list at that place; read from a snapshot by those who do not edit the
register. The limit is lowered so that a small county shows what 4,167 grids would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from linli.areas import selectors as area_selectors
from linli.areas.models import Area, AreaKind
from linli.dashboard import snapshots
from linli.people.selectors import area_overview
from tests.areas.test_grid_picker import County, build_county
from tests.cast import Cast
from tests.conftest import login
from tests.people.factories import add_household
from tests.requests.support import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(cast: Cast) -> County:
    return build_county(cast)


def _rows(world: County) -> list[tuple[str, int, int, int, int]]:
    overview = area_overview(world.leader)
    return [
        (r.place.name, r.grids, r.buildings, r.households, r.residents) for r in overview.places
    ]


def test_grids_that_fit_are_listed_one_by_one(world: County) -> None:
    overview = area_overview(world.leader)
    assert (overview.grid_count, overview.residents, overview.places) == (6, 8, [])
    assert [s.grid.name for s in overview.grids] == [f"第{n}网格" for n in range(1, 7)]


def test_past_the_limit_a_row_per_community_then_per_town(
    world: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(area_selectors, "MAX_GRID_CHOICES", 3)
    overview = area_overview(world.leader)
    assert (overview.grid_count, overview.residents, overview.grids) == (6, 8, [])
    assert overview.place_kind == AreaKind.COMMUNITY
    # The cast's community holds buildings 1 and 2 (one household of one each) besides
    # the two the county adds; every other grid has one building with one household.
    assert _rows(world) == [
        ("和平社区", 2, 4, 4, 4),
        ("友谊社区", 2, 2, 2, 2),
        ("阳光社区", 2, 2, 2, 2),
    ]
    monkeypatch.setattr(area_selectors, "MAX_GRID_CHOICES", 2)
    assert area_overview(world.leader).place_kind == AreaKind.TOWN
    assert _rows(world) == [("和平镇", 4, 6, 6, 6), ("阳光街道", 2, 2, 2, 2)]


def test_the_rows_add_up_to_the_total(world: County, monkeypatch: pytest.MonkeyPatch) -> None:
    unit = Area.objects.filter(path__startswith=world.sunshine.path, kind=AreaKind.UNIT)[0]
    add_household(unit, members=3)
    monkeypatch.setattr(area_selectors, "MAX_GRID_CHOICES", 2)
    overview = area_overview(world.leader)
    assert sum(r.residents for r in overview.places) == overview.residents == 11
    assert _rows(world)[1] == ("阳光街道", 2, 2, 3, 5)


def test_a_place_opens_the_residents_list_at_that_place(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(area_selectors, "MAX_GRID_CHOICES", 2)
    login(client, world.leader.username)
    home = client.get("/").content.decode()
    link = f"{reverse('people:resident_list')}?town={world.town2.pk}"
    assert f'href="{link}"' in home
    assert "网格太多(6 个),按地方分列" in home
    residents = client.get(link)
    assert residents.status_code == 200
    assert residents.context["page"].paginator.count == 2


def test_those_who_only_read_the_register_read_a_snapshot(world: County, client: Client) -> None:
    cast = world.cast
    counted, taken_at = snapshots.area_overview(world.leader, now=NOW)
    assert (counted.residents, taken_at) == (8, NOW)
    add_household(cast.unit1, members=2)
    soon = NOW + dt.timedelta(seconds=59)
    assert snapshots.area_overview(world.leader, now=soon) == (counted, NOW)
    live, live_at = snapshots.area_overview(cast.staff, now=soon)
    assert (live.residents, live_at) == (area_overview(cast.staff).residents, None)
    later = NOW + dt.timedelta(minutes=2)
    assert snapshots.refresh_viewed(later) == 1
    assert snapshots.area_overview(world.leader, now=later)[0].residents == 10
    login(client, world.leader.username)
    with time_machine.travel(later + dt.timedelta(seconds=30), tick=False):
        home = client.get("/").content.decode()
    assert "以上数字统计于 10:02,每分钟更新。" in home
