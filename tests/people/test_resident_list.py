"""The residents list: search by name, alias, phone and ID; filters; pages; empty state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from linli.areas.models import area_children
from linli.people import selectors as people_selectors
from linli.people.models import Resident, Tag, TagCode
from linli.people.services import ResidentData, resident_create
from tests.cast import Cast
from tests.people.factories import add_building, add_household

ClientFor = Callable[[str], Client]


def _listed(client: Client, **params: str | int) -> list[str]:
    response = client.get(reverse("people:resident_list"), params)
    assert response.status_code == 200
    return [r.name for r, _address in response.context["rows"]]


def test_search_by_part_of_the_name(cast: Cast, client_for: ClientFor) -> None:
    assert _listed(client_for("staff"), q="秀兰") == ["王秀兰"]


def test_search_by_what_neighbours_call_them(cast: Cast, client_for: ClientFor) -> None:
    assert _listed(client_for("staff"), q="王大娘") == ["王秀兰"]


def test_search_by_exact_phone_number_in_any_spelling(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("staff")
    assert _listed(client, q="13812345678") == ["王秀兰"]
    assert _listed(client, q="138-1234-5678") == ["王秀兰"]
    assert _listed(client, q="13900001111") == ["李建军"]


def test_part_of_a_phone_number_finds_nobody(cast: Cast, client_for: ClientFor) -> None:
    # The column is encrypted: only a whole number can be matched, through its hash.
    assert _listed(client_for("staff"), q="1381234") == []


def test_search_by_id_number(cast: Cast, client_for: ClientFor) -> None:
    assert _listed(client_for("staff"), q=cast.elder.id_number) == ["王秀兰"]
    assert _listed(client_for("staff"), q=cast.neighbour.id_number) == ["李建军"]


def test_search_by_id_number_ending_in_x_typed_in_lower_case(
    cast: Cast, client_for: ClientFor
) -> None:
    # 11010519491231002X: a woman born 1949-12-31, whose check character is X.
    resident_create(
        actor=None,
        data=ResidentData(
            name="张晓",
            gender="female",
            birth_date=dt.date(1949, 12, 31),
            id_number="11010519491231002X",
            household=cast.household1,
        ),
    )
    assert _listed(client_for("staff"), q="11010519491231002x") == ["张晓"]


def test_search_stays_inside_the_users_scope(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("worker2")
    assert _listed(client, q="13812345678") == []
    assert _listed(client, q="王大娘") == []
    assert _listed(client, q=cast.elder.id_number) == []


def test_filter_by_grid(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("staff")
    assert _listed(client, grid=cast.grid1.pk) == ["王秀兰"]
    assert _listed(client, grid=cast.grid2.pk) == ["李建军"]


def test_filter_by_building(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("staff")
    assert _listed(client, building=cast.building2.pk) == ["李建军"]
    assert _listed(client, building=cast.building1.pk) == ["王秀兰"]


def test_filter_by_tag(cast: Cast, client_for: ClientFor) -> None:
    living_alone = Tag.objects.get(code=TagCode.LIVING_ALONE)
    veteran = Tag.objects.get(code=TagCode.VETERAN)
    client = client_for("staff")
    assert _listed(client, tag=living_alone.pk) == ["王秀兰"]
    assert _listed(client, tag=veteran.pk) == []


def test_filters_combine(cast: Cast, client_for: ClientFor) -> None:
    living_alone = Tag.objects.get(code=TagCode.LIVING_ALONE)
    add_household(cast.unit2, tags={living_alone: ""})
    client = client_for("staff")
    assert len(_listed(client, tag=living_alone.pk)) == 2
    assert _listed(client, tag=living_alone.pk, grid=cast.grid1.pk) == ["王秀兰"]


def test_building_of_another_grid_is_not_offered_as_a_filter(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").get(reverse("people:resident_list"))
    form = response.context["form"]
    buildings = dict(form.fields["building"].choices)
    grids = dict(form.fields["grid"].choices)
    assert cast.building1.pk in buildings
    assert cast.building2.pk not in buildings
    assert cast.grid2.pk not in grids


def test_list_shows_address_and_masked_phone(cast: Cast, client_for: ClientFor) -> None:
    content = client_for("worker1").get(reverse("people:resident_list")).content.decode()
    assert "和平小区1号楼1单元101室" in content
    assert "138****5678" in content
    assert "13812345678" not in content
    assert "独居老人" in content


def test_more_than_twenty_residents_continue_on_page_two(cast: Cast, client_for: ClientFor) -> None:
    for _ in range(8):
        add_household(cast.unit1, members=3)
    client = client_for("worker1")
    first = client.get(reverse("people:resident_list"))
    assert len(first.context["rows"]) == 20
    assert "第 1 / 2 页,共 25 条" in first.content.decode()
    second = client.get(reverse("people:resident_list"), {"page": 2})
    assert second.status_code == 200
    assert len(second.context["rows"]) == 5
    names = [r.name for r, _a in first.context["rows"]] + [
        r.name for r, _a in second.context["rows"]
    ]
    assert len(set(names)) == 25


def test_page_links_keep_the_filters(cast: Cast, client_for: ClientFor) -> None:
    for _ in range(11):
        add_household(cast.unit1, members=2)
    response = client_for("worker1").get(reverse("people:resident_list"), {"grid": cast.grid1.pk})
    assert f"?grid={cast.grid1.pk}&page=2" in response.content.decode()


def test_no_match_shows_a_message(cast: Cast, client_for: ClientFor) -> None:
    content = client_for("staff").get(reverse("people:resident_list"), {"q": "不存在的人"})
    assert "没有符合条件的居民。换个关键词或筛选条件试试。" in content.content.decode()


def test_empty_register_shows_a_message(cast: Cast, client_for: ClientFor) -> None:
    add_building(cast.compound, cast.grid1, 9)
    Resident.objects.all().delete()
    content = client_for("worker1").get(reverse("people:resident_list")).content.decode()
    assert "您的范围内还没有登记居民。" in content


def test_htmx_search_returns_only_the_results(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("staff").get(
        reverse("people:resident_list"), {"q": "王大娘"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "王秀兰" in content
    assert "<html" not in content
    assert "李建军" not in content


def test_units_of_a_new_building_hold_households(cast: Cast) -> None:
    building = add_building(cast.compound, cast.grid1, 9, units=2)
    assert [u.name for u in area_children(building).order_by("code")] == ["1单元", "2单元"]


def _building_options(content: str) -> list[str]:
    select = content.split('name="building"')[1].split("</select>")[0]
    return [part.split(">")[1].split("<")[0] for part in select.split("<option")[1:]]


def test_too_many_buildings_are_offered_once_a_grid_is_chosen(
    cast: Cast, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A town's or county's thousands of buildings are not one select: past the limit
    the buildings are those of the chosen grid."""
    client = client_for("staff")
    url = reverse("people:resident_list")
    listed = _building_options(client.get(url).content.decode())
    assert listed[0] == "全部"
    assert len(listed) == 3  # 全部 and the community's two buildings
    monkeypatch.setattr(people_selectors, "MAX_BUILDING_CHOICES", 1)
    assert _building_options(client.get(url).content.decode()) == ["请先选网格"]
    in_grid1 = _building_options(client.get(url, {"grid": cast.grid1.pk}).content.decode())
    assert in_grid1[0] == "全部"
    assert len(in_grid1) == 2
    assert cast.building1.name in in_grid1[1]
    # The grid changed while a building of the other grid was chosen: the grid still filters.
    assert _listed(client, grid=cast.grid1.pk, building=cast.building2.pk) == ["王秀兰"]
    assert _listed(client, grid=cast.grid2.pk, building=cast.building2.pk) == ["李建军"]


def test_a_grid_chosen_in_place_brings_its_buildings_into_the_form(
    cast: Cast, client_for: ClientFor
) -> None:
    """The results are swapped in by htmx; the place filter (grid and buildings) comes
    along out of band, so the building choices follow the grid just chosen."""
    response = client_for("staff").get(
        reverse("people:resident_list"), {"grid": cast.grid2.pk}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert '<div id="place-filter" class="place-filter" hx-swap-oob="true">' in content
    assert content.count("hx-swap-oob") == 1  # one swap, the buildings inside it
    options = _building_options(content)
    assert len(options) == 2
    assert cast.building2.name in options[1]
    page = client_for("staff").get(reverse("people:resident_list")).content.decode()
    assert page.count('id="building-filter"') == 1
    assert "hx-swap-oob" not in page
