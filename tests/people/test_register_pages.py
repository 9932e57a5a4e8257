"""Registering and editing households and residents through the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from linli.core.models import AuditEvent
from linli.people.models import EmergencyContact, Household, Resident, Tag, TagCode
from tests.cast import Cast

ClientFor = Callable[[str], Client]

VALID_ID = "141181199001010013"  # male, born 1990-01-01


def _resident_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "赵新民",
        "alias": "",
        "gender": "male",
        "birth_date": "1990-01-01",
        "id_number": VALID_ID,
        "phone": "137 0000 1234",
        "household": "",
        "relation_to_head": "head",
        "notes": "",
    }
    form.update(overrides)
    return form


def test_worker_registers_a_household_and_is_taken_to_it(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("worker1").post(
        reverse("people:household_create"), {"unit": cast.unit1.pk, "room": "302", "notes": ""}
    )
    household = Household.objects.get(unit=cast.unit1, room="302")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:household_detail", args=[household.pk])
    page = client_for("worker1").get(response["Location"]).content.decode()
    assert "和平小区1号楼1单元302室" in page


def test_household_form_offers_only_the_workers_units(cast: Cast, client_for: ClientFor) -> None:
    content = client_for("worker1").get(reverse("people:household_create")).content.decode()
    assert "和平小区1号楼1单元" in content
    assert "和平小区2号楼1单元" not in content


def test_household_in_a_room_that_does_not_exist_re_renders_with_the_reason(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").post(
        reverse("people:household_create"),
        {"unit": cast.unit1.pk, "room": "701", "notes": "新搬来"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "1单元没有701室:该单元共6层,每层2户" in content
    assert 'value="701"' in content
    assert "新搬来" in content
    assert not Household.objects.filter(room="701").exists()


def test_worker_registers_a_resident_in_their_household(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("worker1")
    chronic = Tag.objects.get(code=TagCode.CHRONIC_ILLNESS)
    response = client.post(
        reverse("people:resident_create"),
        _resident_form(
            household=cast.household1.pk,
            relation_to_head="child",
            tags=[str(chronic.pk)],
            **{f"tag_detail_{chronic.pk}": "高血压"},
        ),
    )
    resident = Resident.objects.get(name="赵新民")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:resident_detail", args=[resident.pk])
    assert resident.household == cast.household1
    assert resident.phone == "13700001234"
    assert resident.tag_links.get().detail == "高血压"
    page = client.get(response["Location"]).content.decode()
    assert "已登记居民 赵新民。" in page
    assert "137****1234" in page
    assert "13700001234" not in page
    assert "1411**********0013" in page
    assert "慢性病(高血压)" in page


def test_adding_a_member_from_the_household_page_preselects_the_household(
    cast: Cast, client_for: ClientFor
) -> None:
    url = reverse("people:resident_create") + f"?household={cast.household1.pk}"
    response = client_for("worker1").get(url)
    assert response.status_code == 200
    assert response.context["form"]["household"].value() == cast.household1.pk


def test_form_with_a_bad_id_re_renders_with_the_input_and_the_chinese_error(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").post(
        reverse("people:resident_create"),
        _resident_form(id_number="141181199001010014", alias="小赵", notes="刚搬来"),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "身份证号校验位不正确,请核对是否输错。" in content
    assert 'value="141181199001010014"' in content
    assert 'value="赵新民"' in content
    assert 'value="小赵"' in content
    assert "刚搬来" in content
    assert 'value="137 0000 1234"' in content
    assert not Resident.objects.filter(name="赵新民").exists()


def test_gender_that_contradicts_the_id_is_shown_beside_the_gender_field(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").post(
        reverse("people:resident_create"), _resident_form(gender="female")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["gender"] == [
        "性别与身份证号不一致(身份证号第17位表示男)。"
    ]


def test_worker_edits_a_resident(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("worker1")
    url = reverse("people:resident_edit", args=[cast.elder.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["alias"].value() == "王大娘"
    response = client.post(
        url,
        {
            "name": "王秀兰",
            "alias": "王奶奶",
            "gender": "female",
            "birth_date": "1957-03-08",
            "id_number": cast.elder.id_number,
            "phone": "13812345678",
            "household": cast.household1.pk,
            "relation_to_head": "head",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:resident_detail", args=[cast.elder.pk])
    cast.elder.refresh_from_db()
    assert cast.elder.alias == "王奶奶"
    assert not cast.elder.tag_links.exists()
    event = AuditEvent.objects.get(action="update", object_type="people.resident")
    assert event.actor == cast.worker1
    assert event.fields == ["alias", "tags"]


def test_worker_edits_a_household(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("worker1").post(
        reverse("people:household_edit", args=[cast.household1.pk]),
        {"unit": cast.unit1.pk, "room": "101", "notes": "一楼,有坡道"},
    )
    assert response.status_code == 302
    cast.household1.refresh_from_db()
    assert cast.household1.notes == "一楼,有坡道"


def test_worker_reveals_a_phone_number_and_it_is_audited(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("worker1").post(
        reverse("people:resident_reveal", args=[cast.elder.pk, "phone"]),
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == cast.worker1
    assert event.fields == ["phone"]
    assert event.source_ip == "10.1.2.3"


def test_revealing_a_field_that_is_not_sensitive_is_forbidden(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").post(
        reverse("people:resident_reveal", args=[cast.elder.pk, "notes"])
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_worker_adds_and_deletes_an_emergency_contact(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("worker1")
    response = client.post(
        reverse("people:emergency_contact_add", args=[cast.elder.pk]),
        {"name": "李建军", "relation": "儿子", "phone": "13500009999", "note": "在太原打工"},
    )
    assert response.status_code == 302
    contact = EmergencyContact.objects.get(resident=cast.elder)
    page = client.get(reverse("people:resident_detail", args=[cast.elder.pk])).content.decode()
    assert "李建军" in page
    assert "135****9999" in page
    response = client.post(reverse("people:emergency_contact_delete", args=[contact.pk]))
    assert response.status_code == 302
    assert not EmergencyContact.objects.exists()


def test_emergency_contact_with_a_bad_phone_re_renders_with_the_error(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").post(
        reverse("people:emergency_contact_add", args=[cast.elder.pk]),
        {"name": "李建军", "relation": "儿子", "phone": "12345", "note": ""},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "请输入11位手机号" in content
    assert 'value="12345"' in content
    assert not EmergencyContact.objects.exists()


def test_edit_form_never_shows_the_stored_id_or_phone_number(
    cast: Cast, client_for: Callable[[str], Client]
) -> None:
    client = client_for("worker1")
    page = client.get(reverse("people:resident_edit", args=[cast.elder.pk])).content.decode()
    assert "13812345678" not in page
    assert cast.elder.id_number not in page
    assert "138****5678" in page


def test_saving_the_edit_form_with_empty_numbers_keeps_them(
    cast: Cast, client_for: Callable[[str], Client]
) -> None:
    client = client_for("worker1")
    response = client.post(
        reverse("people:resident_edit", args=[cast.elder.pk]),
        {
            "name": "王秀兰",
            "alias": "王大娘",
            "gender": "female",
            "birth_date": cast.elder.birth_date.isoformat(),
            "id_number": "",
            "phone": "",
            "household": cast.household1.pk,
            "relation_to_head": "head",
            "notes": "改了备注",
        },
    )
    assert response.status_code == 302
    cast.elder.refresh_from_db()
    assert cast.elder.phone == "13812345678"
    assert cast.elder.notes == "改了备注"
    assert cast.elder.id_number.startswith("14118119570308")


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [("9999-12-31", "出生日期不能晚于今天,请核对。"), ("1800-01-01", "出生日期不能早于")],
)
def test_an_impossible_birth_date_re_renders_with_the_reason(
    cast: Cast, client_for: ClientFor, birth_date: str, message: str
) -> None:
    response = client_for("worker1").post(
        reverse("people:resident_create"),
        _resident_form(id_number="", birth_date=birth_date, household=str(cast.household1.pk)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"][0].startswith(message)
    assert f'value="{birth_date}"' in response.content.decode()
    assert not Resident.objects.filter(name="赵新民").exists()
