from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from linli.care.models import Alert, AlertKind, AlertLevel, CareService, Visit, VisitKind
from linli.care.services import Readings, visit_log
from linli.core.models import AuditEvent
from linli.notifications.models import Notification
from linli.people.models import Consent
from linli.requests.models import Request
from linli.volunteers.models import ServiceRecord
from tests.care.conftest import CareCast

pytestmark = pytest.mark.django_db


def test_readings_are_encrypted_at_rest_and_read_back(care: CareCast) -> None:
    visit = visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=[CareService.BLOOD_PRESSURE],
        readings=Readings(bp_systolic=128, bp_diastolic=82, pulse=72),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT readings_encrypted FROM care_visit WHERE id = %s", [visit.pk])
        stored = cursor.fetchone()[0]
    assert "128" not in stored
    assert "bp_systolic" not in stored
    fresh = Visit.objects.get(pk=visit.pk)
    assert fresh.readings["bp_systolic"] == 128
    assert fresh.readings["pulse"] == 72


def test_readings_without_health_consent_are_refused_in_chinese(care: CareCast) -> None:
    Consent.objects.all().delete()
    with pytest.raises(ValidationError) as caught:
        visit_log(
            actor=care.cast.volunteer_user,
            resident=care.cast.elder,
            services=["blood_pressure"],
            readings=Readings(bp_systolic=150, bp_diastolic=95),
        )
    assert "健康信息授权" in str(caught.value)
    assert not Visit.objects.exists()
    # Without readings the visit is still recorded.
    visit_log(actor=care.cast.volunteer_user, resident=care.cast.elder, services=["chat"])
    assert Visit.objects.count() == 1


def test_visit_credits_the_volunteer_with_service_time(care: CareCast) -> None:
    home = visit_log(
        actor=care.cast.volunteer_user, resident=care.cast.elder, services=["groceries"]
    )
    visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        kind=VisitKind.PHONE,
        duration_minutes=12,
    )
    records = {r.source_id: r for r in ServiceRecord.objects.filter(volunteer=care.volunteer)}
    assert records[str(home.pk)].minutes == 30
    assert sorted(r.minutes for r in records.values()) == [12, 30]
    assert "买菜" in records[str(home.pk)].content


def test_high_blood_pressure_raises_an_in_app_alert_for_the_care_team(
    care: CareCast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        visit_log(
            actor=care.cast.volunteer_user,
            resident=care.cast.elder,
            services=["blood_pressure"],
            readings=Readings(bp_systolic=150, bp_diastolic=88),
        )
    alert = Alert.objects.get()
    assert (alert.kind, alert.level) == (AlertKind.BLOOD_PRESSURE, AlertLevel.HIGH)
    told = set(Notification.objects.values_list("user__username", flat=True))
    # The volunteer, grid 1's worker and the community's staff; not grid 2's worker.
    assert told == {"volunteer", "worker1", "staff"}
    assert not Notification.objects.filter(urgent=True).exists()
    # Only urgent alerts go out through external channels.
    assert Notification.objects.filter(delivered_at__isnull=False).count() == 0


def test_urgent_blood_pressure_is_sent_out_at_once(
    care: CareCast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        visit_log(
            actor=care.cast.volunteer_user,
            resident=care.cast.elder,
            services=["blood_pressure"],
            readings=Readings(bp_systolic=185, bp_diastolic=100),
        )
    assert Alert.objects.get().level == AlertLevel.URGENT
    urgent = Notification.objects.filter(urgent=True)
    assert urgent.count() == 3
    assert all(n.delivered_at is not None for n in urgent)


@pytest.mark.parametrize(
    ("value", "taken", "level"),
    [
        ("6.5", "fasting", None),
        ("7.2", "fasting", AlertLevel.HIGH),
        ("9.0", "after_meal", None),
        ("17.0", "after_meal", AlertLevel.URGENT),
        ("3.5", "fasting", AlertLevel.URGENT),
    ],
)
def test_glucose_thresholds(care: CareCast, value: str, taken: str, level: str | None) -> None:
    visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=["blood_sugar"],
        readings=Readings(glucose=Decimal(value), glucose_context=taken),
    )
    alert = Alert.objects.filter(kind=AlertKind.GLUCOSE).first()
    assert (alert.level if alert else None) == level


def test_thresholds_are_configurable(care: CareCast, settings: object) -> None:
    settings.LINLI_CARE_THRESHOLDS = {  # type: ignore[attr-defined]
        **settings.LINLI_CARE_THRESHOLDS,  # type: ignore[attr-defined]
        "bp_high": (130, 85),
    }
    visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=132, bp_diastolic=80),
    )
    assert Alert.objects.get().level == AlertLevel.HIGH


def test_same_concern_three_visits_running_raises_one_alert(care: CareCast) -> None:
    start = timezone.now() - dt.timedelta(days=10)
    for day in range(4):
        visit_log(
            actor=care.cast.volunteer_user,
            resident=care.cast.elder,
            concern="楼道灯坏了。",
            visited_at=start + dt.timedelta(days=day),
        )
    alerts = Alert.objects.filter(kind=AlertKind.REPEATED_CONCERN)
    assert alerts.count() == 1
    assert alerts.get().summary == "楼道灯坏了。"


def test_concern_becomes_a_request_in_one_step(care: CareCast) -> None:
    visit = visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        concern="楼梯扶手松动",
        concern_to_request=True,
    )
    request = Request.objects.get()
    assert visit.concern_request == request
    assert "楼梯扶手松动" in request.text
    assert request.reporter == care.cast.elder
    assert request.grid == care.cast.grid1


def test_bad_readings_are_explained(care: CareCast) -> None:
    with pytest.raises(ValidationError) as caught:
        visit_log(
            actor=care.cast.volunteer_user,
            resident=care.cast.elder,
            services=["blood_pressure", "blood_sugar"],
            readings=Readings(bp_systolic=80, bp_diastolic=120, glucose=Decimal("6.0")),
        )
    errors = caught.value.message_dict
    assert "低压应小于高压" in errors["bp_diastolic"][0]
    assert "空腹还是餐后" in errors["glucose_context"][0]


def test_visit_is_audited_with_field_names_only(care: CareCast) -> None:
    visit = visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=120, bp_diastolic=80),
    )
    event = AuditEvent.objects.get(object_type="care.visit", object_id=str(visit.pk))
    assert "readings" in event.fields
    assert "120" not in event.object_repr


@pytest.mark.parametrize("days_ago", [89.9, 30])
def test_a_visit_typed_in_late_within_ninety_days_is_kept(care: CareCast, days_ago: float) -> None:
    visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        visited_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("days_ago", [90.1, 365 * 126])
def test_a_visit_older_than_ninety_days_is_refused(care: CareCast, days_ago: float) -> None:
    with pytest.raises(ValidationError) as caught:
        visit_log(
            actor=care.cast.volunteer_user,
            resident=care.cast.elder,
            visited_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    assert caught.value.message_dict == {"visited_at": ["只能补记 90 天内的走访,请核对走访日期。"]}
    assert not Visit.objects.exists()
    assert not ServiceRecord.objects.exists()
