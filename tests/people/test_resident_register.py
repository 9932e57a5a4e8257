"""Registering residents through the service: validation, encryption at rest, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from linli.areas.models import Area, AreaKind
from linli.core import crypto
from linli.core.models import AuditEvent
from linli.core.validators import id_number_gender, validate_id_number
from linli.people.models import EmergencyContact, Resident, Tag, TagCode
from linli.people.services import (
    ResidentData,
    emergency_contact_add,
    emergency_contact_remove,
    resident_create,
    resident_reveal,
    resident_update,
)
from tests.cast import Cast

BIRTH = dt.date(1990, 1, 1)
VALID_ID = "141181199001010013"  # male, born 1990-01-01, valid check char


def _data(**overrides: object) -> ResidentData:
    fields: dict[str, object] = {
        "name": "赵新民",
        "gender": "male",
        "birth_date": BIRTH,
        "id_number": VALID_ID,
        "phone": "13700001234",
        # Without a household a person is placed in an area (ignored with a household).
        "area": Area.objects.get(kind=AreaKind.COMPOUND, name="和平小区"),
    }
    fields.update(overrides)
    return ResidentData(**fields)  # type: ignore[arg-type]


def _errors(data: ResidentData) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        resident_create(actor=None, data=data)
    return caught.value.message_dict


def test_identity_number_used_by_these_tests_is_valid() -> None:
    # Guards the data above: a typo here would make the rejection tests meaningless.
    assert validate_id_number(VALID_ID) == VALID_ID
    assert id_number_gender(VALID_ID) == "male"


def test_resident_with_valid_id_and_phone_is_registered(cast: Cast) -> None:
    resident = resident_create(actor=cast.worker1, data=_data(household=cast.household1))
    resident.refresh_from_db()
    assert resident.id_number == VALID_ID
    assert resident.phone == "13700001234"
    assert resident.household == cast.household1


def test_bad_checksum_is_rejected_on_the_id_field(cast: Cast) -> None:
    errors = _errors(_data(id_number="141181199001010014"))
    assert errors == {"id_number": ["身份证号校验位不正确,请核对是否输错。"]}
    assert not Resident.objects.filter(name="赵新民").exists()


def test_birth_date_inconsistent_with_id_is_rejected_on_the_birth_date_field(
    cast: Cast,
) -> None:
    errors = _errors(_data(birth_date=dt.date(1990, 1, 2)))
    assert errors == {"birth_date": ["出生日期与身份证号不一致(身份证号中为1990-01-01)。"]}


def test_gender_inconsistent_with_id_is_rejected_on_the_gender_field(cast: Cast) -> None:
    errors = _errors(_data(gender="female"))
    assert errors == {"gender": ["性别与身份证号不一致(身份证号第17位表示男)。"]}


def test_bad_phone_is_rejected_on_the_phone_field(cast: Cast) -> None:
    errors = _errors(_data(phone="12345"))
    assert errors == {
        "phone": ["请输入11位手机号(如13812345678)或带区号的固定电话(如0358-1234567)。"]
    }


def test_blank_name_is_rejected(cast: Cast) -> None:
    assert _errors(_data(name="  ")) == {"name": ["请填写姓名。"]}


def test_several_problems_are_reported_together(cast: Cast) -> None:
    errors = _errors(_data(id_number="141181199001010014", phone="abc"))
    assert set(errors) == {"id_number", "phone"}


def test_duplicate_id_number_is_rejected(cast: Cast) -> None:
    resident_create(actor=None, data=_data())
    errors = _errors(_data(name="赵新民二", id_number=VALID_ID.lower()))
    assert errors == {"id_number": ["该身份证号已登记,请勿重复录入。"]}
    assert Resident.objects.filter(name__startswith="赵新民").count() == 1


def test_updating_to_anothers_id_number_is_rejected(cast: Cast) -> None:
    resident_create(actor=None, data=_data())
    elder_id = cast.elder.id_number
    with pytest.raises(ValidationError) as caught:
        resident_update(
            resident=cast.elder,
            actor=cast.worker1,
            data=_data(name="王秀兰", gender="male", household=cast.household1),
        )
    assert caught.value.message_dict == {"id_number": ["该身份证号已登记,请勿重复录入。"]}
    assert Resident.objects.get(pk=cast.elder.pk).id_number == elder_id


def test_resident_without_id_or_phone_is_allowed(cast: Cast) -> None:
    resident = resident_create(actor=None, data=_data(id_number="", phone=""))
    assert resident.id_number == ""
    assert resident.id_number_hash == ""
    assert resident.phone_hash == ""


def _raw_row(resident: Resident) -> tuple[str, str, str, str]:
    table = Resident._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone, id_number_hash, phone_hash FROM {table} WHERE id = %s",
            [resident.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3]


def test_id_number_and_phone_are_encrypted_at_rest(cast: Cast) -> None:
    resident = resident_create(actor=None, data=_data())
    id_column, phone_column, id_hash, phone_hash = _raw_row(resident)
    assert VALID_ID not in id_column
    assert "13700001234" not in phone_column
    assert "0001234" not in phone_column
    assert VALID_ID not in id_hash
    assert "13700001234" not in phone_hash
    assert crypto.decrypt(id_column) == VALID_ID
    assert crypto.decrypt(phone_column) == "13700001234"


def test_emergency_contact_phone_is_encrypted_at_rest(cast: Cast) -> None:
    contact = emergency_contact_add(
        resident=cast.elder, actor=cast.worker1, name="李建军", relation="儿子", phone="13500009999"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phone FROM {EmergencyContact._meta.db_table} WHERE id = %s", [contact.pk]
        )
        row = cursor.fetchone()
    assert row is not None
    assert "13500009999" not in row[0]
    assert EmergencyContact.objects.get(pk=contact.pk).phone == "13500009999"


def test_resident_is_found_by_exact_phone_and_id_through_the_keyed_hash(cast: Cast) -> None:
    resident = resident_create(actor=None, data=_data(phone="138 0000 1234"))
    by_phone = Resident.objects.filter(phone_hash=crypto.blind_index("phone", "13800001234"))
    by_id = Resident.objects.filter(id_number_hash=crypto.blind_index("id", VALID_ID))
    assert list(by_phone) == [resident]
    assert list(by_id) == [resident]


def test_changing_the_phone_updates_its_lookup_hash(cast: Cast) -> None:
    resident_update(
        resident=cast.elder,
        actor=cast.worker1,
        data=ResidentData(
            name="王秀兰",
            alias="王大娘",
            gender="female",
            birth_date=cast.elder.birth_date,
            id_number=cast.elder.id_number,
            phone="13911112222",
            household=cast.household1,
        ),
    )
    assert Resident.objects.get(phone_hash=crypto.blind_index("phone", "13911112222")) == cast.elder
    assert not Resident.objects.filter(
        phone_hash=crypto.blind_index("phone", "13812345678")
    ).exists()


def test_reveal_returns_the_value_and_records_who_looked_at_which_field(cast: Cast) -> None:
    value = resident_reveal(resident=cast.elder, actor=cast.worker1, field="phone")
    assert value == "13812345678"
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == cast.worker1
    assert event.actor_name == "worker1"
    assert event.fields == ["phone"]
    assert event.object_type == "people.resident"
    assert event.object_id == str(cast.elder.pk)


def test_reveal_of_a_field_that_is_not_sensitive_is_refused_and_not_recorded(
    cast: Cast,
) -> None:
    with pytest.raises(ValidationError):
        resident_reveal(resident=cast.elder, actor=cast.worker1, field="notes")
    assert not AuditEvent.objects.filter(action="reveal").exists()


def _events_for(obj_type: str, pk: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj_type, object_id=str(pk)))


def test_creating_a_resident_writes_one_audit_event_naming_the_fields(cast: Cast) -> None:
    tag = Tag.objects.get(code=TagCode.VETERAN)
    resident = resident_create(actor=cast.worker1, data=_data(), tags={tag: ""})
    [event] = _events_for("people.resident", resident.pk)
    assert event.action == "create"
    assert event.actor == cast.worker1
    assert {"name", "id_number", "phone", "tags"} <= set(event.fields)


def test_updating_a_resident_records_only_the_changed_fields(cast: Cast) -> None:
    before = AuditEvent.objects.count()
    resident_update(
        resident=cast.elder,
        actor=cast.worker1,
        data=ResidentData(
            name="王秀兰",
            alias="王大娘",
            gender="female",
            birth_date=cast.elder.birth_date,
            id_number=cast.elder.id_number,
            phone=cast.elder.phone,
            household=cast.household1,
            notes="腿脚不便",
        ),
        tags={Tag.objects.get(code=TagCode.LIVING_ALONE): ""},
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert event is not None
    assert event.action == "update"
    assert event.fields == ["notes"]


def test_emergency_contact_add_and_remove_are_audited(cast: Cast) -> None:
    contact = emergency_contact_add(
        resident=cast.elder, actor=cast.worker1, name="李建军", relation="儿子", phone="13500009999"
    )
    pk = contact.pk
    emergency_contact_remove(contact=contact, actor=cast.worker1)
    actions = [e.action for e in _events_for("people.emergencycontact", pk)]
    assert sorted(actions) == ["create", "delete"]
    assert not EmergencyContact.objects.filter(pk=pk).exists()


def test_emergency_contact_with_a_bad_phone_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        emergency_contact_add(
            resident=cast.elder, actor=cast.worker1, name="李建军", relation="", phone="123"
        )
    assert set(caught.value.message_dict) == {"relation", "phone"}
    assert not EmergencyContact.objects.exists()


@pytest.mark.parametrize("birth", [dt.date(9999, 12, 31), dt.date(1800, 1, 1)])
def test_an_impossible_birth_date_is_refused_on_its_field(cast: Cast, birth: dt.date) -> None:
    errors = _errors(_data(id_number="", birth_date=birth))
    assert list(errors) == ["birth_date"]
    assert errors["birth_date"][0].startswith(("出生日期不能晚于今天", "出生日期不能早于"))
    assert not Resident.objects.filter(name="赵新民").exists()


def test_editing_to_an_impossible_birth_date_keeps_the_old_one(cast: Cast) -> None:
    old = cast.elder.birth_date
    data = ResidentData(
        name=cast.elder.name,
        gender=cast.elder.gender,
        birth_date=dt.date(9999, 12, 31),
        household=cast.household1,
    )
    with pytest.raises(ValidationError):
        resident_update(resident=cast.elder, actor=cast.worker1, data=data)
    cast.elder.refresh_from_db()
    assert cast.elder.birth_date == old
