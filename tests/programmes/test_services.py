from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.core.models import AuditEvent
from linli.notifications.models import Notification
from linli.people.models import Consent, ConsentPurpose
from linli.people.services import consent_withdraw
from linli.programmes.models import Attendance, EnrolmentStatus, PickupRefusal, SlotKind
from linli.programmes.services import (
    PickupData,
    PickupRefused,
    attendance_sign_in,
    attendance_sign_out,
    enrol,
    enrolment_withdraw,
    guardians_message,
    incident_record,
    raise_not_picked_up_alerts,
    slot_add,
)
from tests.cast import Cast
from tests.programmes.support import GRANDMOTHER, at, build_summer, enrol_child, make_child

pytestmark = pytest.mark.django_db


def test_enrolment_keeps_pickups_encrypted_and_fills_then_waits(cast: Cast) -> None:
    summer = build_summer(cast, capacity=1)
    first = enrol_child(summer)
    assert first.status == EnrolmentStatus.ENROLLED
    pickup = first.pickups.get(name="张桂兰")
    assert pickup.phone == "13700002222"
    assert pickup.phone_masked != "13700002222"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM programmes_pickupperson WHERE id = %s", [pickup.pk])
        assert "13700002222" not in cursor.fetchone()[0]
    second = enrol_child(summer, make_child(cast, name="李小山", age=8))
    assert second.status == EnrolmentStatus.WAITING
    promoted = enrolment_withdraw(actor=None, enrolment=first)
    assert promoted is not None
    assert promoted.pk == second.pk
    second.refresh_from_db()
    assert second.status == EnrolmentStatus.ENROLLED


def test_enrolment_needs_pickups_relation_and_age(cast: Cast) -> None:
    summer = build_summer(cast)
    with pytest.raises(ValidationError) as error:
        enrol(
            actor=None,
            phase=summer.phase,
            child=summer.child,
            guardian=summer.guardian,
            guardian_relation="",
            pickups=[],
        )
    assert "guardian_relation" in error.value.message_dict
    teen = make_child(cast, name="李大年", age=16)
    with pytest.raises(ValidationError) as error:
        enrol_child(summer, teen)
    assert "面向 6 至 14 周岁" in error.value.message_dict["child"][0]
    with pytest.raises(ValidationError) as error:
        enrol(
            actor=None,
            phase=summer.phase,
            child=summer.child,
            guardian=summer.guardian,
            guardian_relation="父亲",
            pickups=[PickupData(name="张桂兰", relation="奶奶", phone="123")],
        )
    assert "电话格式不正确" in error.value.message_dict["pickups"][0]


def test_child_consent_is_recorded_again_by_the_guardian_on_enrolment(cast: Cast) -> None:
    summer = build_summer(cast)
    consent = Consent.objects.get(resident=summer.child, purpose=ConsentPurpose.MINOR)
    consent_withdraw(actor=None, consent=consent, note="监护人书面要求撤回")
    enrolment = enrol_child(summer)
    renewed = Consent.objects.get(
        resident=summer.child, purpose=ConsentPurpose.MINOR, withdrawn_at__isnull=True
    )
    assert renewed.guardian == summer.guardian
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_health_notes_only_under_health_consent(cast: Cast) -> None:
    summer = build_summer(cast)
    kwargs = {
        "actor": None,
        "phase": summer.phase,
        "child": summer.child,
        "guardian": summer.guardian,
        "guardian_relation": "父亲",
        "pickups": [GRANDMOTHER],
        "allergies": "花生过敏",
    }
    with pytest.raises(ValidationError) as error:
        enrol(**kwargs)  # type: ignore[arg-type]
    assert "健康信息授权" in error.value.message_dict["allergies"][0]
    enrolment = enrol(**kwargs, health_consent=True)  # type: ignore[arg-type]
    assert enrolment.allergies == "花生过敏"
    assert Consent.objects.filter(
        resident=summer.child, purpose=ConsentPurpose.HEALTH, withdrawn_at__isnull=True
    ).exists()


def test_sign_out_only_to_an_authorised_person(cast: Cast) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    today = timezone.localdate()
    attendance = attendance_sign_in(
        actor=cast.volunteer_user, enrolment=enrolment, now=at(today, 8, 40)
    )
    with pytest.raises(ValidationError, match="已经签到"):
        attendance_sign_in(actor=cast.volunteer_user, enrolment=enrolment, now=at(today, 9))
    with pytest.raises(PickupRefused) as refused:
        attendance_sign_out(
            actor=cast.volunteer_user,
            attendance=attendance,
            pickup_name="王陌生",
            now=at(today, 16, 50),
        )
    assert "不在 李小雨 的授权接送名单中" in refused.value.messages[0]
    assert PickupRefusal.objects.filter(attendance=attendance, name_given="王陌生").exists()
    assert AuditEvent.objects.filter(object_type="programmes.pickuprefusal", success=False).exists()
    attendance.refresh_from_db()
    assert attendance.signed_out_at is None
    done = attendance_sign_out(
        actor=cast.volunteer_user, attendance=attendance, pickup_name="张桂兰", now=at(today, 17)
    )
    assert done.picked_up_by_name == "张桂兰"
    assert done.signed_out_at == at(today, 17)
    assert done.signed_out_by == cast.volunteer_user


def test_sign_in_only_on_open_days_for_enrolled_children(cast: Cast) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    after = summer.phase.end_date + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="开放日"):
        attendance_sign_in(actor=None, enrolment=enrolment, now=at(after, 9))


def test_child_not_signed_out_by_closing_time_alerts_the_site_lead(cast: Cast) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    other = enrol_child(summer, make_child(cast, name="李小山", age=8))
    today = timezone.localdate()
    attendance_sign_in(actor=None, enrolment=enrolment, now=at(today, 8, 40))
    collected = attendance_sign_in(actor=None, enrolment=other, now=at(today, 8, 45))
    attendance_sign_out(
        actor=None, attendance=collected, pickup_name="李建军", now=at(today, 16, 30)
    )
    assert raise_not_picked_up_alerts(now=at(today, 16, 59)) == 0
    assert raise_not_picked_up_alerts(now=at(today, 17, 5)) == 1
    alert = Notification.objects.get(user=cast.staff)
    assert "李小雨" in alert.text
    assert "仍未签退" in alert.text
    assert alert.urgent
    assert Notification.objects.filter(user=cast.volunteer_user, urgent=True).count() == 1
    # Once per child and day.
    assert raise_not_picked_up_alerts(now=at(today, 17, 30)) == 0
    assert Attendance.objects.get(enrolment=enrolment).alert_raised_at == at(today, 17, 5)


def test_timetable_incident_and_messages(cast: Cast) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    slot = slot_add(
        actor=None,
        phase=summer.phase,
        starts_at=dt.time(9),
        ends_at=dt.time(10, 30),
        kind=SlotKind.HOMEWORK,
        teacher_name="山西大学志愿者",
    )
    assert slot.leader_name == "山西大学志愿者"
    with pytest.raises(ValidationError, match="开放时间"):
        slot_add(
            actor=None,
            phase=summer.phase,
            starts_at=dt.time(7),
            ends_at=dt.time(8),
            kind=SlotKind.SPORTS,
            teacher_name="体育老师",
        )
    from linli.accounts.models import User

    guardian_user = User.objects.create_user(username="lijianjun", password="x")
    cast.neighbour.user = guardian_user
    cast.neighbour.save(update_fields=["user"])
    incident = incident_record(
        actor=cast.staff,
        programme=summer.programme,
        happened_at=timezone.now(),
        description="跳绳时擦伤膝盖",
        action_taken="已消毒包扎并电话告知家长",
        enrolment=enrolment,
    )
    assert incident.enrolment == enrolment
    assert Notification.objects.filter(user=guardian_user, text__contains="李小雨").exists()
    assert guardians_message(actor=cast.staff, programme=summer.programme, text="明天带水杯") == 1
    assert Notification.objects.filter(user=guardian_user, text="候鸟课堂:明天带水杯").exists()
