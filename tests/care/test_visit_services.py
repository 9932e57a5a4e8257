"""A visit records what the volunteer tapped: nothing is pre-ticked, a reading needs its
service, and the saved screen says what was recorded and who was told."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from linli.care.models import Alert, CareService, Visit
from linli.care.services import Readings, services_for_readings, visit_log
from linli.core.models import AuditEvent
from tests.care.conftest import CareCast

pytestmark = pytest.mark.django_db


def test_services_a_reading_proves() -> None:
    assert services_for_readings(Readings()) == []
    assert services_for_readings(Readings(pulse=70)) == [CareService.BLOOD_PRESSURE]
    assert services_for_readings(
        Readings(bp_systolic=120, bp_diastolic=80, glucose=Decimal("6.1"))
    ) == [CareService.BLOOD_PRESSURE, CareService.BLOOD_SUGAR]


@pytest.mark.parametrize(
    ("services", "readings", "label"),
    [
        (["groceries"], Readings(bp_systolic=150, bp_diastolic=95), "「量血压」"),
        ([], Readings(pulse=80), "「量血压」"),
        (
            ["blood_pressure"],
            Readings(glucose=Decimal("6.0"), glucose_context="fasting"),
            "「测血糖」",
        ),
    ],
)
def test_a_reading_without_its_service_is_refused_in_chinese(
    care: CareCast, services: list[str], readings: Readings, label: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        visit_log(
            actor=care.cast.volunteer_user,
            resident=care.cast.elder,
            services=services,
            readings=readings,
        )
    message = " ".join(caught.value.message_dict["services"])
    assert label in message
    assert "没有勾选" in message
    assert not Visit.objects.exists()
    assert not AuditEvent.objects.filter(action="create", object_type="care.visit").exists()


def test_a_reading_with_its_service_is_kept(care: CareCast) -> None:
    visit = visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=["groceries", "blood_pressure"],
        readings=Readings(bp_systolic=132, bp_diastolic=84),
    )
    assert visit.services == ["groceries", "blood_pressure"]
    assert visit.readings["bp_systolic"] == 132


def test_the_form_starts_with_nothing_ticked_and_shows_the_plan(
    care: CareCast, client_for: Any
) -> None:
    client: Client = client_for("volunteer")
    body = client.get(reverse("care:visit_new", args=[care.cast.elder.pk])).content.decode()
    assert 'name="services"' in body
    boxes = [line for line in body.split("<input") if 'name="services"' in line]
    assert len(boxes) == len(CareService.values)
    assert not any("checked" in box.split(">")[0] for box in boxes)
    assert "计划中的服务:买菜、量血压" in body
    assert 'data-service="blood_pressure"' in body
    assert "care-visit.js" in body


def test_tapping_groceries_and_a_pressure_saves_exactly_those(
    care: CareCast, client_for: Any
) -> None:
    client: Client = client_for("volunteer")
    response = client.post(
        reverse("care:visit_new", args=[care.cast.elder.pk]),
        {
            "kind": "home",
            "services": ["groceries", "blood_pressure"],
            "bp_systolic": "150",
            "bp_diastolic": "95",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("care:visit_detail", args=[visit.pk])
    assert visit.services == ["groceries", "blood_pressure"]
    assert visit.readings["bp_systolic"] == 150


def test_the_form_refuses_a_pressure_without_its_service_without_javascript(
    care: CareCast, client_for: Any
) -> None:
    client: Client = client_for("volunteer")
    response = client.post(
        reverse("care:visit_new", args=[care.cast.elder.pk]),
        {"kind": "home", "services": ["groceries"], "bp_systolic": "150", "bp_diastolic": "95"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "填了读数,但没有勾选「量血压」" in body
    # What was typed is kept, so one tap fixes it.
    assert 'value="150"' in body
    assert not Visit.objects.exists()


def test_the_saved_screen_says_what_was_recorded_and_who_was_told(
    care: CareCast, client_for: Any
) -> None:
    client: Client = client_for("volunteer")
    response = client.post(
        reverse("care:visit_new", args=[care.cast.elder.pk]),
        {
            "kind": "home",
            "services": ["groceries", "blood_pressure"],
            "bp_systolic": "168",
            "bp_diastolic": "98",
            "note": "说早上头晕",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "已记录对 王秀兰 的上门走访" in body
    services = body.split('class="visit-services">')[1].split("</dd>")[0]
    assert services == "买菜、量血压"
    assert "168/98" in body
    assert "说早上头晕" in body
    alert = Alert.objects.get()
    told = body.split('class="care-list visit-told"')[1].split("</ul>")[0]
    assert alert.get_kind_display() in told
    assert str(care.cast.worker1) in told
    assert str(care.cast.volunteer_user) in told
    # Showing the readings is itself recorded, as on the person's page.
    assert AuditEvent.objects.filter(action="view", note__contains=f"#{alert.visit_id}").exists()


def test_a_quiet_visit_says_nobody_needed_telling(care: CareCast, client_for: Any) -> None:
    visit = visit_log(actor=care.cast.volunteer_user, resident=care.cast.elder, services=["chat"])
    client: Client = client_for("volunteer")
    body = client.get(reverse("care:visit_detail", args=[visit.pk])).content.decode()
    assert "陪聊" in body
    assert "无需通知他人" in body


def test_the_saved_visit_is_scoped(care: CareCast, client_for: Any) -> None:
    visit = visit_log(actor=care.cast.volunteer_user, resident=care.cast.elder, services=["chat"])
    client: Client = client_for("worker2")
    assert client.get(reverse("care:visit_detail", args=[visit.pk])).status_code == 404


def test_who_was_told_about_a_reading_is_only_for_those_who_see_readings(
    care: CareCast, client_for: Any
) -> None:
    visit = visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=186, bp_diastolic=112),
    )
    client: Client = client_for("leader")
    body = client.get(reverse("care:visit_detail", args=[visit.pk])).content.decode()
    assert "量血压" in body
    assert "186/112" not in body
    assert "血压异常" not in body
    assert "通知了谁" not in body
