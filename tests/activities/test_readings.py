"""Readings at a free clinic: into the care record with health consent, refused without,
flagged by care's thresholds, and counted among the people served (never typed twice)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from linli.activities.models import Activity, ClinicReading, ServedCount, Status
from linli.activities.personal_data import anonymise_activities
from linli.activities.selectors import activity_served, people_served
from linli.activities.services import activity_transition, checkin, reading_record, served_record
from linli.care.models import Alert, AlertKind, AlertLevel, Visit, VisitKind
from linli.care.services import Readings
from linli.people.models import ConsentPurpose
from linli.people.services import consent_record
from tests.activities.support import clinic
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _held_clinic(cast: Cast) -> Activity:
    """A clinic under way (started an hour ago) that 王大娘 and 李 neighbour attended."""
    activity = clinic(cast, starts_in=-dt.timedelta(hours=1), hours=3)
    for resident in (cast.elder, cast.neighbour):
        checkin(actor=cast.staff, activity=activity, resident=resident)
    return activity_transition(actor=cast.staff, activity=activity, to=Status.HELD)


def _consent(cast: Cast) -> None:
    consent_record(
        actor=None, resident=cast.elder, purpose=ConsentPurpose.HEALTH, given_by_name="王秀兰"
    )


def test_reading_with_consent_goes_into_the_care_record_and_counts(cast: Cast) -> None:
    _consent(cast)
    activity = _held_clinic(cast)
    reading = reading_record(
        actor=cast.staff,
        activity=activity,
        resident=cast.elder,
        readings=Readings(
            bp_systolic=128,
            bp_diastolic=80,
            glucose=Decimal("6.1"),
            glucose_context="fasting",
        ),
    )
    visit = Visit.objects.get(resident=cast.elder)
    assert reading.visit == visit
    assert visit.kind == VisitKind.CLINIC
    assert visit.readings["bp_systolic"] == 128
    assert visit.readings["glucose"] == Decimal("6.1")
    assert reading.services == ["量血压", "测血糖"]
    assert not reading.alerted
    assert not Alert.objects.exists()
    # Not a visit by a volunteer: no service hours for the one who typed it in.
    assert visit.volunteer is None

    # The typed counts are those measured without a named reading; the figures add both.
    served_record(actor=cast.staff, activity=activity, counts={"量血压": 40, "健康咨询": 5})
    assert activity_served(activity) == [("量血压", 41), ("健康咨询", 5), ("测血糖", 1)]
    assert people_served(activity) == 41

    # Anonymising the person keeps the count and drops the name.
    anonymise_activities(cast.elder, None)
    assert not ClinicReading.objects.exists()
    assert activity_served(activity) == [("量血压", 41), ("健康咨询", 5), ("测血糖", 1)]


def test_reading_without_consent_is_refused_and_nothing_kept(cast: Cast) -> None:
    activity = _held_clinic(cast)
    with pytest.raises(ValidationError, match="没有有效的健康信息授权同意,读数不予保存"):
        reading_record(
            actor=cast.staff,
            activity=activity,
            resident=cast.neighbour,
            readings=Readings(bp_systolic=130, bp_diastolic=85),
        )
    assert not Visit.objects.exists()
    assert not ClinicReading.objects.exists()
    assert not ServedCount.objects.exists()


def test_dangerous_reading_raises_the_care_alert(cast: Cast) -> None:
    _consent(cast)
    activity = _held_clinic(cast)
    reading = reading_record(
        actor=cast.staff,
        activity=activity,
        resident=cast.elder,
        readings=Readings(bp_systolic=186, bp_diastolic=112),
    )
    assert reading.alerted
    alert = Alert.objects.get(resident=cast.elder)
    assert (alert.kind, alert.level, alert.visit_id) == (
        AlertKind.BLOOD_PRESSURE,
        AlertLevel.URGENT,
        reading.visit_id,
    )


def test_only_attendees_and_plausible_values(cast: Cast) -> None:
    _consent(cast)
    activity = clinic(cast, starts_in=-dt.timedelta(hours=1), hours=3)
    with pytest.raises(ValidationError, match="没有签到"):
        reading_record(
            actor=cast.staff,
            activity=activity,
            resident=cast.elder,
            readings=Readings(bp_systolic=120, bp_diastolic=80),
        )
    checkin(actor=cast.staff, activity=activity, resident=cast.elder)
    with pytest.raises(ValidationError) as error:
        reading_record(
            actor=cast.staff,
            activity=activity,
            resident=cast.elder,
            readings=Readings(bp_systolic=80, bp_diastolic=120),
        )
    assert "低压应小于高压" in str(error.value)


def test_readings_page_on_a_phone(cast: Cast, client_for: Any) -> None:
    _consent(cast)
    activity = _held_clinic(cast)
    client = client_for("staff")
    url = f"/activities/{activity.pk}/readings/"
    page = client.get(url).content.decode()
    assert "义诊读数" in page
    assert 'inputmode="numeric"' in page
    response = client.post(
        url,
        {"resident": cast.neighbour.pk, "bp_systolic": "150", "bp_diastolic": "95"},
    )
    assert "读数不予保存" in response.content.decode()
    response = client.post(
        url,
        {
            "resident": cast.elder.pk,
            "glucose": "17.2",
            "glucose_context": "after_meal",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已向关爱团队发出预警" in page
    assert "测血糖 1" in page
    assert Alert.objects.get(resident=cast.elder).kind == AlertKind.GLUCOSE
    # The detail page counts it and offers the summary.
    detail = client.get(f"/activities/{activity.pk}/").content.decode()
    assert f"/activities/{activity.pk}/summary.pdf" in detail
    # A leader (no activities.manage) may not record readings.
    assert client_for("leader").get(url).status_code == 404
