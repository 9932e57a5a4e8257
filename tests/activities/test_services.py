from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.activities.models import Audience, SignupChannel, SignupStatus, Status
from linli.activities.services import (
    activity_create,
    activity_transition,
    checkin,
    helper_add,
    served_record,
    signup_add,
    signup_cancel,
)
from linli.core.models import AuditEvent
from linli.volunteers.models import ServiceRecord, ServiceSource
from tests.activities.support import clinic, kind
from tests.cast import Cast
from tests.volunteers.support import neighbour_volunteer

pytestmark = pytest.mark.django_db


def test_create_validates_in_chinese(cast: Cast) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        activity_create(
            actor=cast.staff,
            community=cast.compound,
            kind=kind(),
            title=" ",
            starts_at=now,
            ends_at=now - dt.timedelta(hours=1),
            capacity=0,
            audience=Audience.GRID,
        )
    fields = error.value.message_dict
    assert set(fields) == {"community", "title", "ends_at", "capacity", "audience_grid"}
    assert fields["ends_at"] == ["结束时间不能早于开始时间。"]


def test_place_must_lie_in_the_community(cast: Cast) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        activity_create(
            actor=cast.staff,
            community=cast.community,
            kind=kind(),
            title="义诊",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=1),
            place=cast.other_community,
        )
    assert "place" in error.value.message_dict


def test_transitions_follow_the_table(cast: Cast) -> None:
    activity = clinic(cast, open_=False)
    assert activity.status == Status.PLANNED
    with pytest.raises(ValidationError, match="不能改为"):
        activity_transition(actor=cast.staff, activity=activity, to=Status.SUMMARISED)
    with pytest.raises(ValidationError) as error:
        activity_transition(actor=cast.staff, activity=activity, to=Status.CANCELLED)
    assert error.value.message_dict == {"reason": ["取消活动请填写原因。"]}
    with pytest.raises(ValidationError, match="还没有开始"):
        activity_transition(actor=cast.staff, activity=activity, to=Status.HELD)
    activity = activity_transition(
        actor=cast.staff, activity=activity, to=Status.CANCELLED, reason="医生临时有手术"
    )
    assert (activity.status, activity.cancel_reason) == (Status.CANCELLED, "医生临时有手术")
    with pytest.raises(ValidationError):
        activity_transition(actor=cast.staff, activity=activity, to=Status.OPEN)
    assert (
        AuditEvent.objects.filter(
            object_type="activities.activity", object_id=str(activity.pk), action="update"
        ).count()
        == 1
    )


def test_waiting_list_and_promotion(cast: Cast) -> None:
    activity = clinic(cast, capacity=1)
    first = signup_add(actor=cast.resident_user, activity=activity, resident=cast.elder)
    second = signup_add(
        actor=cast.staff, activity=activity, resident=cast.neighbour, channel=SignupChannel.STAFF
    )
    assert (first.status, second.status) == (SignupStatus.CONFIRMED, SignupStatus.WAITING)
    with pytest.raises(ValidationError, match="已经报过名"):
        signup_add(actor=cast.staff, activity=activity, resident=cast.elder)
    promoted = signup_cancel(actor=cast.resident_user, signup=first)
    assert promoted is not None
    assert promoted.pk == second.pk
    second.refresh_from_db()
    assert second.status == SignupStatus.CONFIRMED
    # Cancelled people may sign up again, now on the waiting list.
    again = signup_add(actor=cast.resident_user, activity=activity, resident=cast.elder)
    assert again.status == SignupStatus.WAITING


def test_signup_only_when_open_and_in_audience(cast: Cast) -> None:
    planned = clinic(cast, open_=False)
    with pytest.raises(ValidationError, match="不接受报名"):
        signup_add(actor=cast.staff, activity=planned, resident=cast.elder)
    children = clinic(cast, audience=Audience.CHILDREN, title="少儿活动")
    with pytest.raises(ValidationError, match="儿童"):
        signup_add(actor=cast.staff, activity=children, resident=cast.elder)


def test_qr_checkin_needs_the_token_and_the_time(cast: Cast) -> None:
    activity = clinic(cast, starts_in=dt.timedelta(minutes=30))
    with pytest.raises(ValidationError, match="签到码无效"):
        checkin(actor=cast.resident_user, activity=activity, resident=cast.elder, token="x")
    early = timezone.now() - dt.timedelta(hours=2)
    with pytest.raises(ValidationError, match="开始前一小时"):
        checkin(
            actor=cast.resident_user,
            activity=activity,
            resident=cast.elder,
            token=activity.checkin_token,
            at=early,
        )
    # A walk-in who scans the code is signed up and checked in at once.
    signup = checkin(
        actor=cast.resident_user,
        activity=activity,
        resident=cast.elder,
        token=activity.checkin_token,
    )
    assert signup.checked_in_at is not None
    assert signup.status == SignupStatus.CONFIRMED
    with pytest.raises(ValidationError, match="已签到"):
        signup_cancel(actor=cast.resident_user, signup=signup)


def test_helpers_get_hours_once_when_held(cast: Cast) -> None:
    activity = clinic(cast, starts_in=dt.timedelta(minutes=30), hours=2)
    volunteer = neighbour_volunteer(cast)
    helper_add(actor=cast.staff, activity=activity, volunteer=volunteer, role="测血压")
    with pytest.raises(ValidationError, match="已经报名服务"):
        helper_add(actor=cast.staff, activity=activity, volunteer=volunteer)
    activity.starts_at = timezone.now() - dt.timedelta(hours=1)
    activity.ends_at = activity.starts_at + dt.timedelta(hours=2)
    activity.save()
    activity_transition(actor=cast.staff, activity=activity, to=Status.HELD)
    record = ServiceRecord.objects.get(volunteer=volunteer)
    assert record.source == ServiceSource.ACTIVITY
    assert record.source_id == str(activity.pk)
    assert record.minutes == 120
    assert record.content == "义诊:义诊进社区(测血压)"


def test_served_counts_only_after_held(cast: Cast) -> None:
    activity = clinic(cast)
    with pytest.raises(ValidationError, match="举办后"):
        served_record(actor=cast.staff, activity=activity, counts={"量血压": 120})
    activity.starts_at = timezone.now() - dt.timedelta(hours=3)
    activity.ends_at = timezone.now() - dt.timedelta(hours=1)
    activity.save()
    activity_transition(actor=cast.staff, activity=activity, to=Status.HELD)
    with pytest.raises(ValidationError):
        served_record(actor=cast.staff, activity=activity, counts={"量血压": 0})
    rows = served_record(
        actor=cast.staff,
        activity=activity,
        counts={"量血压": 120, "测血糖": 80, "健康咨询": 40},
    )
    assert sorted((r.service, r.count) for r in rows) == [
        ("健康咨询", 40),
        ("测血糖", 80),
        ("量血压", 120),
    ]
    served_record(actor=cast.staff, activity=activity, counts={"量血压": 100})
    assert [(r.service, r.count) for r in activity.served.all()] == [("量血压", 100)]
