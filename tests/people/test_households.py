"""Registering households: the room must exist in the unit and be free."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from linli.areas.models import AreaKind
from linli.areas.services import area_create
from linli.core.models import AuditEvent
from linli.people.models import Household
from linli.people.services import household_create, household_update
from tests.cast import Cast


def _room_error(**kwargs: object) -> str:
    with pytest.raises(ValidationError) as caught:
        household_create(actor=None, **kwargs)  # type: ignore[arg-type]
    return " ".join(caught.value.message_dict["room"])


def test_household_in_an_existing_flat_is_registered_and_audited(cast: Cast) -> None:
    household = household_create(actor=cast.worker1, unit=cast.unit1, room="602室")
    assert household.room == "602"
    event = AuditEvent.objects.get(object_type="people.household", object_id=str(household.pk))
    assert event.action == "create"
    assert event.actor == cast.worker1


def test_room_above_the_top_floor_is_rejected(cast: Cast) -> None:
    message = _room_error(unit=cast.unit1, room="701")
    assert message == "1单元没有701室:该单元共6层,每层2户,房号如 101、602。"
    assert not Household.objects.filter(unit=cast.unit1, room="701").exists()


def test_third_flat_on_a_floor_with_two_flats_is_rejected(cast: Cast) -> None:
    assert "没有503室" in _room_error(unit=cast.unit1, room="503")


@pytest.mark.parametrize("room", ["001", "100", "5", "五零二", ""])
def test_room_numbers_that_are_not_floor_and_flat_are_rejected(cast: Cast, room: str) -> None:
    assert "该单元共6层" in _room_error(unit=cast.unit1, room=room)


def test_room_already_registered_is_rejected(cast: Cast) -> None:
    message = _room_error(unit=cast.unit1, room="101")
    assert message == "该房号已登记为一户,请直接在该户下添加成员。"
    assert Household.objects.filter(unit=cast.unit1, room="101").count() == 1


def test_household_must_be_in_a_unit(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        household_create(actor=None, unit=cast.building1, room="101")
    assert caught.value.message_dict == {"unit": ["请选择一个单元。"]}


def test_larger_unit_accepts_its_own_rooms(cast: Cast) -> None:
    tall = area_create(
        actor=None,
        parent=cast.building1,
        kind=AreaKind.UNIT,
        name="2单元",
        code="14118120000100100102",
        floors=18,
        flats_per_floor=4,
    )
    assert household_create(actor=None, unit=tall, room="1804").room == "1804"
    with pytest.raises(ValidationError):
        household_create(actor=None, unit=tall, room="1901")


def test_moving_a_household_onto_a_registered_room_is_rejected(cast: Cast) -> None:
    other = household_create(actor=None, unit=cast.unit1, room="202")
    with pytest.raises(ValidationError) as caught:
        household_update(household=other, actor=cast.worker1, unit=cast.unit1, room="101", notes="")
    assert caught.value.message_dict == {"room": ["该房号已登记为另一户。"]}
    other.refresh_from_db()
    assert other.room == "202"


def test_household_update_records_the_changed_fields(cast: Cast) -> None:
    household_update(
        household=cast.household1, actor=cast.worker1, unit=cast.unit1, room="102", notes="一楼"
    )
    cast.household1.refresh_from_db()
    assert cast.household1.room == "102"
    event = AuditEvent.objects.get(action="update", object_type="people.household")
    assert event.fields == ["notes", "room"]


def test_household_update_without_changes_writes_no_audit_event(cast: Cast) -> None:
    household_update(
        household=cast.household1, actor=cast.worker1, unit=cast.unit1, room="101", notes=""
    )
    assert not AuditEvent.objects.filter(action="update").exists()
