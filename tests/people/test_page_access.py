"""Every scoped page answers 404 to the other grid's worker and sends strangers to log in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from linli.core.models import AuditEvent
from linli.people.models import EmergencyContact, Household, Resident
from linli.people.services import emergency_contact_add
from tests.cast import Cast

ClientFor = Callable[[str], Client]


@pytest.fixture
def contact(cast: Cast) -> EmergencyContact:
    return emergency_contact_add(
        resident=cast.elder, actor=None, name="李建军", relation="儿子", phone="13500009999"
    )


def _grid1_pages(cast: Cast) -> dict[str, str]:
    return {
        "resident detail": reverse("people:resident_detail", args=[cast.elder.pk]),
        "resident edit": reverse("people:resident_edit", args=[cast.elder.pk]),
        "household detail": reverse("people:household_detail", args=[cast.household1.pk]),
        "household edit": reverse("people:household_edit", args=[cast.household1.pk]),
        "grid detail": reverse("people:grid_detail", args=[cast.grid1.pk]),
        "building detail": reverse("people:building_detail", args=[cast.building1.pk]),
        "new resident in the household": reverse("people:resident_create")
        + f"?household={cast.household1.pk}",
        "household list of the building": reverse("people:household_list")
        + f"?building={cast.building1.pk}",
    }


def test_other_grids_worker_gets_404_for_every_page_of_grid1(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("worker2")
    statuses = {name: client.get(url).status_code for name, url in _grid1_pages(cast).items()}
    assert statuses == dict.fromkeys(statuses, 404)


def test_the_same_pages_open_for_grid1s_worker(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("worker1")
    statuses = {name: client.get(url).status_code for name, url in _grid1_pages(cast).items()}
    assert statuses == dict.fromkeys(statuses, 200)


def test_other_grids_worker_gets_404_for_a_household(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("worker2").get(
        reverse("people:household_detail", args=[cast.household1.pk])
    )
    assert response.status_code == 404
    assert "101" not in response.content.decode()


def test_other_grids_worker_gets_404_on_reveal_and_nothing_is_recorded(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("worker2")
    for field in ("phone", "id_number"):
        url = reverse("people:resident_reveal", args=[cast.elder.pk, field])
        assert client.post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_other_grids_worker_gets_404_adding_an_emergency_contact(
    cast: Cast, client_for: ClientFor
) -> None:
    url = reverse("people:emergency_contact_add", args=[cast.elder.pk])
    response = client_for("worker2").post(
        url, {"name": "陌生人", "relation": "朋友", "phone": "13600000000"}
    )
    assert response.status_code == 404
    assert not EmergencyContact.objects.exists()


def test_other_grids_worker_gets_404_deleting_an_emergency_contact(
    cast: Cast, client_for: ClientFor, contact: EmergencyContact
) -> None:
    url = reverse("people:emergency_contact_delete", args=[contact.pk])
    assert client_for("worker2").post(url).status_code == 404
    assert EmergencyContact.objects.filter(pk=contact.pk).exists()


def test_other_grids_worker_gets_404_posting_an_edit(cast: Cast, client_for: ClientFor) -> None:
    url = reverse("people:resident_edit", args=[cast.elder.pk])
    response = client_for("worker2").post(
        url, {"name": "改名", "gender": "female", "birth_date": "1957-03-08"}
    )
    assert response.status_code == 404
    assert Resident.objects.get(pk=cast.elder.pk).name == "王秀兰"
    household_url = reverse("people:household_edit", args=[cast.household1.pk])
    response = client_for("worker2").post(household_url, {"unit": cast.unit2.pk, "room": "601"})
    assert response.status_code == 404
    assert Household.objects.get(pk=cast.household1.pk).room == "101"


def test_worker_cannot_register_a_household_in_another_grids_unit(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker2").post(
        reverse("people:household_create"), {"unit": cast.unit1.pk, "room": "201"}
    )
    assert response.status_code == 200
    assert not Household.objects.filter(unit=cast.unit1, room="201").exists()


def test_worker_cannot_put_a_new_resident_into_another_grids_household(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker2").post(
        reverse("people:resident_create"),
        {
            "name": "插队者",
            "gender": "male",
            "birth_date": "1980-01-01",
            "household": cast.household1.pk,
            "relation_to_head": "other",
        },
    )
    assert response.status_code == 200
    assert not Resident.objects.filter(name="插队者").exists()


def test_other_communitys_grid_is_invisible_to_staff(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("staff")
    other = reverse("people:community_grids", args=[cast.other_community.pk])
    assert client.get(other).status_code == 404
    own = client.get(reverse("people:community_grids", args=[cast.community.pk]))
    assert own.status_code == 200
    assert "第1网格" in own.content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "people:resident_list",
        "people:resident_create",
        "people:household_list",
        "people:household_create",
        "people:community_list",
        "home",
    ],
)
def test_anonymous_is_sent_to_log_in(db: None, client: Client, url_name: str) -> None:
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_anonymous_is_sent_to_log_in_for_a_residents_pages(cast: Cast, client: Client) -> None:
    login = reverse("accounts:login")
    for url in _grid1_pages(cast).values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next=")
    reveal = reverse("people:resident_reveal", args=[cast.elder.pk, "phone"])
    assert client.post(reveal)["Location"].startswith(f"{login}?next=")
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_reveal_needs_a_post(cast: Cast, client_for: ClientFor) -> None:
    url = reverse("people:resident_reveal", args=[cast.elder.pk, "phone"])
    assert client_for("worker1").get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="reveal").exists()
