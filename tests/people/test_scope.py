"""What each member of the cast sees in the register and the grids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from linli.accounts.models import User
from linli.areas.models import AreaKind
from linli.areas.selectors import visible_grids
from linli.areas.services import area_create, grid_create
from linli.core.roles import Capability
from linli.people.models import Household, Resident
from linli.people.selectors import visible_households, visible_residents
from linli.people.services import ResidentData, household_create, resident_create
from tests.cast import Cast

ClientFor = Callable[[str], Client]


def _names(user: User | AnonymousUser) -> set[str]:
    return set(visible_residents(user).values_list("name", flat=True))


def _rooms(user: User | AnonymousUser) -> set[str]:
    return {str(h) for h in visible_households(user).select_related("unit")}


def _grids(user: User | AnonymousUser) -> set[str]:
    return set(visible_grids(user).values_list("name", flat=True))


@pytest.fixture
def outsider(cast: Cast) -> Resident:
    """Someone registered in another community of the same town."""
    grid = grid_create(
        actor=None, community=cast.other_community, code="141181200002001", name="友谊第1网格"
    )
    building = area_create(
        actor=None,
        parent=cast.other_community,
        kind=AreaKind.BUILDING,
        name="友谊楼",
        code="141181200002001",
        grid=grid,
    )
    unit = area_create(
        actor=None,
        parent=building,
        kind=AreaKind.UNIT,
        name="1单元",
        code="14118120000200101",
        floors=5,
        flats_per_floor=2,
    )
    household = household_create(actor=None, unit=unit, room="301")
    return resident_create(
        actor=None,
        data=ResidentData(
            name="外社区居民", gender="male", birth_date=dt.date(1970, 1, 1), household=household
        ),
    )


def test_worker1_sees_grid1_only(cast: Cast, outsider: Resident) -> None:
    assert _names(cast.worker1) == {"王秀兰"}
    assert _rooms(cast.worker1) == {"1单元101室"}
    assert _grids(cast.worker1) == {"第1网格"}


def test_worker2_sees_grid2_only(cast: Cast, outsider: Resident) -> None:
    assert _names(cast.worker2) == {"李建军"}
    assert set(visible_households(cast.worker2)) == {cast.household2}
    assert _grids(cast.worker2) == {"第2网格"}


def test_resident_sees_only_their_own_household(cast: Cast, outsider: Resident) -> None:
    housemate = resident_create(
        actor=None,
        data=ResidentData(
            name="王小明",
            gender="male",
            birth_date=cast.elder.birth_date.replace(year=2012),
            household=cast.household1,
        ),
    )
    assert _names(cast.resident_user) == {"王秀兰", housemate.name}
    assert set(visible_households(cast.resident_user)) == {cast.household1}
    assert _grids(cast.resident_user) == set()


def test_resident_without_a_household_sees_nobody(cast: Cast) -> None:
    Resident.objects.filter(pk=cast.elder.pk).update(household=None)
    assert _names(cast.resident_user) == set()


def test_volunteer_sees_no_residents_until_people_are_assigned(
    cast: Cast, outsider: Resident
) -> None:
    assert _names(cast.volunteer_user) == set()
    assert not visible_households(cast.volunteer_user).exists()
    assert _grids(cast.volunteer_user) == set()


def test_staff_sees_the_whole_community_but_not_the_next_one(
    cast: Cast, outsider: Resident
) -> None:
    assert _names(cast.staff) == {"王秀兰", "李建军"}
    assert set(visible_households(cast.staff)) == {cast.household1, cast.household2}
    assert _grids(cast.staff) == {"第1网格", "第2网格"}


def test_leader_sees_every_community_of_the_town(cast: Cast, outsider: Resident) -> None:
    assert _names(cast.leader) == {"王秀兰", "李建军", "外社区居民"}
    assert visible_households(cast.leader).count() == 3
    assert _grids(cast.leader) == {"第1网格", "第2网格", "友谊第1网格"}


def test_leader_can_neither_edit_nor_reveal(cast: Cast) -> None:
    assert not visible_residents(cast.leader, Capability.REGISTER_EDIT).exists()
    assert not visible_residents(cast.leader, Capability.SENSITIVE_REVEAL).exists()
    assert not visible_households(cast.leader, Capability.REGISTER_EDIT).exists()


def test_admin_sees_everything(cast: Cast, outsider: Resident) -> None:
    assert _names(cast.admin) == {"王秀兰", "李建军", "外社区居民"}
    assert Household.objects.count() == visible_households(cast.admin).count()
    assert _grids(cast.admin) == {"第1网格", "第2网格", "友谊第1网格"}


def test_anonymous_sees_nothing(cast: Cast) -> None:
    assert _names(AnonymousUser()) == set()
    assert not visible_households(AnonymousUser()).exists()


def test_resident_registered_without_a_household_is_seen_by_whoever_holds_their_area(
    cast: Cast,
) -> None:
    resident_create(
        actor=None,
        data=ResidentData(
            name="无住户居民",
            gender="male",
            birth_date=cast.elder.birth_date,
            area=cast.compound,
        ),
    )
    # The compound is wider than any one grid: staff of the community see them, grid
    # workers (whose scope is their buildings) do not.
    assert "无住户居民" in _names(cast.staff)
    assert "无住户居民" in _names(cast.leader)
    assert "无住户居民" in _names(cast.admin)
    assert "无住户居民" not in _names(cast.worker1)
    assert "无住户居民" not in _names(cast.worker2)


def test_grid_worker_sees_only_residents_of_their_grid(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("worker1").get(reverse("people:resident_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "王秀兰" in content
    assert "李建军" not in content


def test_leader_is_shown_the_register_without_edit_buttons(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("leader")
    content = client.get(reverse("people:resident_detail", args=[cast.elder.pk])).content.decode()
    assert "王秀兰" in content
    assert reverse("people:resident_edit", args=[cast.elder.pk]) not in content
    assert "138****5678" in content
    assert "13812345678" not in content
    assert reverse("people:resident_reveal", args=[cast.elder.pk, "phone"]) not in content


def test_leader_gets_404_for_the_edit_page_and_reveal(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("leader")
    assert client.get(reverse("people:resident_edit", args=[cast.elder.pk])).status_code == 404
    reveal = reverse("people:resident_reveal", args=[cast.elder.pk, "phone"])
    assert client.post(reveal).status_code == 404
    assert (
        client.get(reverse("people:household_edit", args=[cast.household1.pk])).status_code == 404
    )


def test_leader_cannot_open_the_register_forms(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("leader")
    assert client.get(reverse("people:resident_create")).status_code == 403
    assert client.get(reverse("people:household_create")).status_code == 403


def test_resident_sees_their_household_page_but_not_the_neighbours(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("resident")
    own = client.get(reverse("people:household_detail", args=[cast.household1.pk]))
    assert own.status_code == 200
    assert "王秀兰" in own.content.decode()
    other = client.get(reverse("people:household_detail", args=[cast.household2.pk]))
    assert other.status_code == 404
    assert (
        client.get(reverse("people:resident_detail", args=[cast.neighbour.pk])).status_code == 404
    )


def test_resident_cannot_edit_their_own_record(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("resident")
    assert client.get(reverse("people:resident_edit", args=[cast.elder.pk])).status_code == 404
    reveal = reverse("people:resident_reveal", args=[cast.elder.pk, "id_number"])
    assert client.post(reveal).status_code == 404


def test_volunteers_list_is_empty_with_a_message(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("volunteer").get(reverse("people:resident_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "您的范围内还没有登记居民。" in content
    assert "王秀兰" not in content
