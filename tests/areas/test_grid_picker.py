"""A grid filter among thousands: past MAX_GRID_CHOICES grids the user first chooses a
place of the finest level that fits (a county's towns, a town's communities), then the
place's grids, and the lists are narrowed to the place chosen on the way. The limit is
lowered here so that a small county shows what a prefecture's 4,167 grids would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.models import RoleAssignment, User
from linli.areas import selectors
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import grid_picker
from linli.areas.services import area_create, grid_create
from linli.core.roles import Role
from linli.people.models import Resident
from linli.requests.models import Channel, Request
from linli.requests.services import request_submit
from tests.cast import Cast, make_user
from tests.conftest import login
from tests.people.factories import add_building, add_household

pytestmark = pytest.mark.django_db


@dataclass
class County:
    """Two towns: 和平镇 (the cast's 和平社区 with grids 1–2, 友谊社区 with grids 3–4) and
    阳光街道 (阳光社区, grids 5–6); a resident and a request in every grid; a county leader."""

    cast: Cast
    county: Area
    town1: Area
    town2: Area
    friendship: Area
    sunshine: Area
    grids: list[Grid]
    leader: User


def _grid_with_people(community: Area, grid: Grid, number: int) -> None:
    compound = Area.objects.filter(path__startswith=community.path, kind=AreaKind.COMPOUND).first()
    if compound is None:
        compound = area_create(
            actor=None,
            parent=community,
            kind=AreaKind.COMPOUND,
            name=f"{community.name[:2]}小区",
            code=f"{community.code}001",
        )
    building = add_building(compound, grid, number)
    unit = Area.objects.get(path__startswith=building.path, kind=AreaKind.UNIT)
    add_household(unit)
    request_submit(
        submitted_by=None,
        text=f"{grid.name}楼道灯不亮",
        channel=Channel.PHONE,
        location=unit,
        triage=False,
    )


@pytest.fixture
def world(cast: Cast) -> County:
    return build_county(cast)


def build_county(cast: Cast) -> County:
    town1 = Area.objects.get(path=cast.community.path[:8])
    county = Area.objects.get(path=cast.community.path[:4])
    town2 = area_create(
        actor=None, parent=county, kind=AreaKind.TOWN, name="阳光街道", code="141181201"
    )
    sunshine = area_create(
        actor=None, parent=town2, kind=AreaKind.COMMUNITY, name="阳光社区", code="141181201001"
    )
    friendship = cast.other_community
    grids = [cast.grid1, cast.grid2]
    for community, numbers in ((friendship, (3, 4)), (sunshine, (5, 6))):
        for n in numbers:
            grids.append(
                grid_create(
                    actor=None,
                    community=community,
                    code=f"{community.code}{n:03d}",
                    name=f"第{n}网格",
                )
            )
    for number, grid in enumerate(grids, start=11):
        _grid_with_people(grid.community, grid, number)
    leader = make_user("county-leader", "县领导")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, area=county)
    return County(cast, county, town1, town2, friendship, sunshine, grids, leader)


def _picker(world: County, **params: object) -> selectors.GridPicker:
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    return grid_picker(world.leader, query)


def test_few_grids_are_listed_at_once(world: County, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 6)
    picker = _picker(world, grid=world.grids[4].pk)
    assert (picker.steps, picker.grids, picker.grid, picker.place) == (
        [],
        world.grids,
        world.grids[4],
        None,
    )
    assert picker.params == ["grid"]


def test_communities_first_when_they_fit(world: County, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 3)
    picker = _picker(world)
    [step] = picker.steps
    assert step.kind == AreaKind.COMMUNITY
    assert [a.name for a in step.options] == ["和平社区", "友谊社区", "阳光社区"]
    assert (picker.grids, picker.grid, picker.place, picker.ask_first) == ([], None, None, "社区")

    picker = _picker(world, community=world.friendship.pk, grid=world.grids[3].pk)
    assert picker.steps[0].chosen == world.friendship
    assert picker.grids == world.grids[2:4]
    assert (picker.grid, picker.place, picker.ask_first) == (world.grids[3], world.friendship, None)


def test_towns_then_communities_when_communities_are_too_many(
    world: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    picker = _picker(world)
    assert [(s.kind, [a.name for a in s.options]) for s in picker.steps] == [
        (AreaKind.TOWN, ["和平镇", "阳光街道"])
    ]
    # 和平镇 has four grids: its two communities come next.
    picker = _picker(world, town=world.town1.pk)
    assert [s.kind for s in picker.steps] == [AreaKind.TOWN, AreaKind.COMMUNITY]
    assert [a.name for a in picker.steps[1].options] == ["和平社区", "友谊社区"]
    assert (picker.place, picker.ask_first, picker.grids) == (world.town1, "社区", [])
    # 阳光街道 has two: they are offered at once.
    picker = _picker(world, town=world.town2.pk, grid=world.grids[5].pk)
    assert [s.kind for s in picker.steps] == [AreaKind.TOWN]
    assert (picker.grids, picker.grid, picker.place) == (
        world.grids[4:],
        world.grids[5],
        world.town2,
    )
    assert picker.params == ["town", "grid"]


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999", "1 OR 1=1", "２"])
def test_anything_but_an_offered_place_is_no_choice(
    world: County, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    picker = _picker(world, town=value, grid=world.grids[0].pk)
    assert (picker.place, picker.grid, picker.grids) == (None, None, [])


def test_a_place_or_grid_left_from_another_choice_is_dropped(
    world: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The town was changed: the community and grid still sent belong to the old one."""
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    picker = _picker(
        world, town=world.town2.pk, community=world.friendship.pk, grid=world.grids[2].pk
    )
    assert (picker.place, picker.grid) == (world.town2, None)


def test_a_grid_outside_the_scope_is_never_offered(
    world: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cast's town leader sees 和平镇 only: its two communities, never 阳光社区."""
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 3)
    query = QueryDict(mutable=True)
    query.update({"community": str(world.sunshine.pk), "grid": str(world.grids[4].pk)})
    picker = grid_picker(world.cast.leader, query)
    [step] = picker.steps
    assert step.options == [world.cast.community, world.friendship]
    assert (step.chosen, picker.grids, picker.grid, picker.place) == (None, [], None, None)
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 4)
    picker = grid_picker(world.cast.leader, query)
    assert (picker.steps, picker.grids, picker.grid) == ([], world.grids[:4], None)


# --- the pages ---------------------------------------------------------------------------


def _leader(world: County, client: Client) -> Client:
    return login(client, world.leader.username)


def _queue_texts(client: Client, **params: int) -> list[str]:
    page = client.get(reverse("requests:queue"), params).content.decode()
    return sorted(set(re.findall(r"第\d网格楼道灯不亮", page)))


def test_the_queue_narrows_to_the_place_then_the_grid(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    client = _leader(world, client)
    assert len(_queue_texts(client)) == 6
    page = client.get(reverse("requests:queue")).content.decode()
    assert 'name="town"' in page
    assert "请先选镇(街道)" in page
    assert _queue_texts(client, town=world.town2.pk) == ["第5网格楼道灯不亮", "第6网格楼道灯不亮"]
    assert _queue_texts(client, town=world.town1.pk, community=world.friendship.pk) == [
        "第3网格楼道灯不亮",
        "第4网格楼道灯不亮",
    ]
    assert _queue_texts(
        client, town=world.town1.pk, community=world.friendship.pk, grid=world.grids[3].pk
    ) == ["第4网格楼道灯不亮"]
    # A grid of another town, left over from before the town was changed: the town's list.
    assert _queue_texts(client, town=world.town2.pk, grid=world.grids[0].pk) == [
        "第5网格楼道灯不亮",
        "第6网格楼道灯不亮",
    ]
    assert Request.objects.count() == 6


def test_choosing_a_place_in_place_brings_the_next_select(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """htmx swaps the results; the picker comes along out of band with the next step."""
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    client = _leader(world, client)
    content = client.get(
        reverse("requests:queue"), {"town": world.town1.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert '<div id="place-filter" class="place-filter" hx-swap-oob="true">' in content
    assert 'name="community"' in content
    assert "请先选社区" in content
    # Few grids: no picker in the fragment (nothing to follow).
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 200)
    content = client.get(reverse("requests:queue"), HTTP_HX_REQUEST="true").content.decode()
    assert "place-filter" not in content


def test_the_residents_list_and_its_buildings_follow_the_place(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    client = _leader(world, client)
    page = client.get(reverse("people:resident_list"), {"town": world.town2.pk}).content.decode()
    sunshine = set(
        Resident.objects.filter(area__path__startswith=world.town2.path).values_list(
            "name", flat=True
        )
    )
    listed = set(
        re.findall(r'resident_detail[^>]*>([^<]+)</a>|/people/residents/\d+/">([^<]+)<', page)
    )
    assert sunshine
    assert {n for pair in listed for n in pair if n} == sunshine
    building = re.search(r'<select name="building".*?</select>', page, re.S)
    assert building is not None
    assert building.group(0).count("<option") == 1 + 2  # 全部 and 阳光's two buildings


def _exported(client: Client, params: dict[str, int]) -> set[object]:
    """Every cell of the residents export for ``params``."""
    response = client.get(reverse("imports:export_residents"), params)
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    return {cell for row in sheet.iter_rows(values_only=True) for cell in row}


def test_the_residents_export_follows_the_place(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    client = _leader(world, client)
    names = _exported(client, {"town": world.town2.pk})
    expected = set(
        Resident.objects.filter(area__path__startswith=world.town2.path).values_list(
            "name", flat=True
        )
    )
    assert expected <= names
    others = set(
        Resident.objects.exclude(area__path__startswith=world.town2.path).values_list(
            "name", flat=True
        )
    )
    assert not (others & names)


def test_the_export_drops_and_never_names_what_the_page_would_not_apply(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid and a building of the other town, left over from an earlier choice: the
    page drops them and lists the town; the export does the same, and its audit note
    names only what it applied."""
    from linli.core.models import AuditEvent

    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    client = _leader(world, client)
    left_over = {
        "town": world.town2.pk,
        "grid": world.grids[0].pk,
        "building": world.cast.building1.pk,
    }
    page = client.get(reverse("people:resident_list"), left_over).content.decode()
    listed = set(re.findall(r'<td class="primary"><a href="[^"]+">([^<]+)</a>', page))
    exported = _exported(client, left_over)
    assert listed
    assert listed <= exported
    assert "王秀兰" not in exported
    note = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("sequence").note
    assert note.endswith(f";town={world.town2.pk}"), note


def test_the_export_link_follows_the_filters_chosen_in_place(
    world: County, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    client = _leader(world, client)
    fragment = client.get(
        reverse("people:resident_list"), {"town": world.town2.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    link = re.search(r'href="(/[^"]*residents\.xlsx[^"]*)"', fragment)
    assert link is not None
    assert f"town={world.town2.pk}" in link.group(1).replace("&amp;", "&")
