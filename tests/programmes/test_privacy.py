"""A child's programme data in the person's export, and gone after anonymisation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from linli.privacy.services import personal_data_export, resident_anonymise
from linli.programmes.models import Attendance, Enrolment, PickupPerson
from linli.programmes.selectors import enrolments_visible
from linli.programmes.services import attendance_sign_in, attendance_sign_out, enrol
from tests.cast import Cast
from tests.programmes.support import GRANDMOTHER, at, build_summer

pytestmark = pytest.mark.django_db


def test_export_and_anonymise_a_child(cast: Cast) -> None:
    summer = build_summer(cast)
    enrolment = enrol(
        actor=None,
        phase=summer.phase,
        child=summer.child,
        guardian=summer.guardian,
        guardian_relation="父亲",
        pickups=[GRANDMOTHER],
        health_consent=True,
        allergies="花生过敏",
    )
    today = timezone.localdate()
    attendance = attendance_sign_in(actor=None, enrolment=enrolment, now=at(today, 8, 40))
    attendance_sign_out(actor=None, attendance=attendance, pickup_name="张桂兰", now=at(today, 17))
    export = personal_data_export(actor=cast.staff, resident=summer.child, file_format="json")
    exported = str(export.sections)
    assert "候鸟课堂" in exported
    assert "花生过敏" in exported
    assert "张桂兰" in exported
    resident_anonymise(actor=cast.staff, resident=summer.child, confirmed=True)
    enrolment.refresh_from_db()
    assert enrolment.allergies == ""
    assert not PickupPerson.objects.filter(enrolment=enrolment).exists()
    assert Attendance.objects.get(enrolment=enrolment).picked_up_by_name != "张桂兰"
    assert not enrolments_visible(cast.staff).filter(pk=enrolment.pk).exists()
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
