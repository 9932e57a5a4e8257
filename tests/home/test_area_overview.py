"""The register of a leader's area on their home (people.selectors.area_overview): a row
per grid while they fit the grid picker's limit, past it a row per place of the finest
level that fits, each counting its grids, buildings, households and residents and opening
the residents list at that place; read from a snapshot by those who do not edit the
register, for ten minutes. The limit is lowered so that a small county shows what 4,167
grids would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from linli.accounts.models import RoleAssignment, User
from linli.areas import selectors as area_selectors
from linli.areas.models import Area, AreaKind
from linli.core.roles import Role
from linli.dashboard import snapshots
from linli.people.selectors import area_overview
from linli.privacy.services import resident_anonymise
from tests.areas.test_grid_picker import County, build_county
from tests.cast import Cast, make_user
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
    return [(r.name, r.grids, r.buildings, r.households, r.residents) for r in overview.rows]


def test_grids_that_fit_are_listed_one_by_one(world: County) -> None:
    overview = area_overview(world.leader)
    assert (overview.grid_count, overview.residents, overview.place_kind) == (6, 8, "")
    assert [row.name for row in overview.rows] == [f"第{n}网格" for n in range(1, 7)]
    assert overview.rows[0].community == "和平社区"
    assert sum(row.residents for row in overview.rows) == overview.residents


def test_past_the_limit_a_row_per_community_then_per_town(
    world: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(area_selectors, "MAX_GRID_CHOICES", 3)
    overview = area_overview(world.leader)
    assert (overview.grid_count, overview.residents) == (6, 8)
    assert (overview.place_kind, overview.place_label) == (AreaKind.COMMUNITY, "社区")
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
    assert sum(r.residents for r in overview.rows) == overview.residents == 11
    assert _rows(world)[1] == ("阳光街道", 2, 2, 3, 5)


def test_a_place_opens_the_residents_list_at_that_place(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(area_selectors, "MAX_GRID_CHOICES", 2)
    login(client, world.leader.username)
    home = client.get("/").content.decode()
    link = f"{reverse('people:resident_list')}?town={world.town2.pk}"
    assert f'href="{link}"' in home
    assert "共 6 个网格,按镇(街道)汇总" in home
    residents = client.get(link)
    assert residents.status_code == 200
    assert residents.context["page"].paginator.count == 2


def test_an_anonymised_person_counts_in_no_row_and_not_in_the_total(
    world: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident_anonymise(actor=None, resident=world.cast.neighbour, confirmed=True)
    by_grid = area_overview(world.leader)
    assert sum(row.residents for row in by_grid.rows) == by_grid.residents == 7
    monkeypatch.setattr(area_selectors, "MAX_GRID_CHOICES", 2)
    by_town = area_overview(world.leader)
    assert sum(row.residents for row in by_town.rows) == by_town.residents == 7


def test_those_who_only_read_the_register_read_a_snapshot(world: County, client: Client) -> None:
    cast = world.cast
    counted, taken_at = snapshots.area_overview(world.leader, now=NOW)
    assert (counted.residents, taken_at) == (8, NOW)
    add_household(cast.unit1, members=2)
    soon = NOW + dt.timedelta(minutes=9, seconds=59)
    assert snapshots.area_overview(world.leader, now=soon) == (counted, NOW)
    live, live_at = snapshots.area_overview(cast.staff, now=soon)
    assert (live.residents, live_at) == (area_overview(cast.staff).residents, None)
    later = NOW + dt.timedelta(minutes=10)
    login(client, world.leader.username)
    with time_machine.travel(later, tick=False):  # the cache's own clock moves too
        # Past its ten minutes the old count is shown once more, while a task (run at
        # once in tests) counts it again for the next view.
        assert snapshots.area_overview(world.leader, now=later) == (counted, NOW)
    with time_machine.travel(later + dt.timedelta(minutes=1), tick=False):
        home = client.get("/").content.decode()
    assert "以上数字统计于 10:10,每 10 分钟更新。" in home
    assert "正在重新统计" not in home
    with time_machine.travel(later + dt.timedelta(minutes=10), tick=False):
        old = client.get("/").content.decode()
    assert "以上数字统计于 10:10,每 10 分钟更新。 正在重新统计,稍后刷新即可看到最新数字。" in old


def test_a_snapshot_is_shared_only_by_readers_of_the_same_scopes(world: County) -> None:
    cast = world.cast
    second = make_user("second-leader", "另一位镇领导")
    RoleAssignment.objects.create(user=second, role=Role.LEADER, area=world.town1)
    first, _ = snapshots.area_overview(cast.leader, now=NOW)
    add_household(cast.unit1, members=2)
    soon = NOW + dt.timedelta(minutes=1)
    assert snapshots.area_overview(second, now=soon) == (first, NOW)  # the town's snapshot
    county, county_at = snapshots.area_overview(world.leader, now=soon)
    assert (first.residents, county.residents, county_at) == (6, 10, soon)


@override_settings(LINLI_REGISTER_SNAPSHOT_SECONDS=0)
def test_with_no_lifetime_the_register_is_counted_on_every_view(world: County) -> None:
    assert snapshots.area_overview(world.leader, now=NOW) == (area_overview(world.leader), None)


def test_an_old_snapshot_is_not_counted_again_as_a_reader_who_left_its_scope(
    world: County,
) -> None:
    """The queued recount counts as the reader who found the snapshot old; moved to
    another town since, they would give the county's other readers their town's rows."""
    snapshots.area_overview(world.leader, now=NOW)
    entry = ("register", snapshots._register_key(world.leader))
    assert snapshots.recount(entry, world.leader.pk, NOW + dt.timedelta(minutes=11))
    RoleAssignment.objects.filter(user=world.leader).update(area=world.town1)
    assert not snapshots.recount(entry, world.leader.pk, NOW + dt.timedelta(minutes=12))
    moved = User.objects.get(pk=world.leader.pk)
    later = NOW + dt.timedelta(minutes=12)
    assert snapshots.area_overview(moved, now=later) == (area_overview(moved), later)
