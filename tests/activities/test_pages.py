"""Activity pages: staff create and run activities; residents sign up and check in."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from linli.activities.models import Activity, ServedCount, Signup, SignupStatus, Status
from linli.activities.services import activity_transition, checkin, signup_add
from linli.requests.models import Channel, Request
from tests.activities.support import clinic, kind
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_staff_create_an_activity(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    assert "新建活动" in client.get("/activities/new/").content.decode()
    starts = timezone.now() + dt.timedelta(days=3)
    response = client.post(
        "/activities/new/",
        {
            "title": "孝义农商行防诈骗宣讲",
            "kind": kind("talk").pk,
            "community": cast.community.pk,
            "place": cast.compound.pk,
            "starts_at": _local(starts),
            "ends_at": _local(starts - dt.timedelta(hours=1)),
            "audience": "everyone",
        },
    )
    assert "结束时间不能早于开始时间。" in response.content.decode()
    response = client.post(
        "/activities/new/",
        {
            "title": "孝义农商行防诈骗宣讲",
            "kind": kind("talk").pk,
            "community": cast.community.pk,
            "place": cast.compound.pk,
            "starts_at": _local(starts),
            "ends_at": _local(starts + dt.timedelta(hours=2)),
            "capacity": "40",
            "audience": "elderly",
        },
    )
    activity = Activity.objects.get(title="孝义农商行防诈骗宣讲")
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    assert (activity.capacity, activity.audience, activity.created_by) == (
        40,
        "elderly",
        cast.staff,
    )
    page = client.get("/activities/").content.decode()
    assert "孝义农商行防诈骗宣讲" in page


def test_resident_signs_up_and_checks_in_by_qr(cast: Cast, client_for: Any) -> None:
    activity = clinic(cast, starts_in=dt.timedelta(minutes=30))
    staff = client_for("staff")
    svg = staff.get(f"/activities/{activity.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<svg")

    resident = client_for("resident")
    assert "义诊进社区" in resident.get("/activities/").content.decode()
    resident.post(f"/activities/{activity.pk}/signup/")
    signup = Signup.objects.get(activity=activity, resident=cast.elder)
    assert signup.status == SignupStatus.CONFIRMED
    assert "已报名" in resident.get(f"/activities/{activity.pk}/").content.decode()

    # A wrong token is no check-in page at all.
    assert resident.get(f"/activities/{activity.pk}/checkin/wrong/").status_code == 404
    url = f"/activities/{activity.pk}/checkin/{activity.checkin_token}/"
    assert "确认签到" in resident.get(url).content.decode()
    response = resident.post(url, follow=True)
    assert "签到成功" in response.content.decode()
    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    # The staff page cannot be opened by a resident.
    assert resident.get(f"/activities/{activity.pk}/attendance/").status_code == 404


def test_staff_check_in_list_and_export(cast: Cast, client_for: Any) -> None:
    activity = clinic(cast, starts_in=dt.timedelta(minutes=30))
    signup = signup_add(actor=cast.staff, activity=activity, resident=cast.elder)
    signup_add(actor=cast.staff, activity=activity, resident=cast.neighbour)
    staff = client_for("staff")
    page = staff.get(f"/activities/{activity.pk}/attendance/").content.decode()
    assert "已签到 0 / 2" in page
    staff.post(f"/activities/{activity.pk}/attendance/", {"signup": signup.pk})
    signup.refresh_from_db()
    assert signup.checked_in_at is not None

    response = staff.get(f"/activities/{activity.pk}/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    signed, attended = workbook.worksheets
    names = [str(row[1]) for row in signed.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted([cast.elder.name, cast.neighbour.name])
    assert [row[1] for row in attended.iter_rows(min_row=2, values_only=True)] == [cast.elder.name]


def test_staff_record_people_served_after_held(cast: Cast, client_for: Any) -> None:
    activity = clinic(cast, starts_in=dt.timedelta(minutes=30))
    checkin(actor=cast.staff, activity=activity, resident=cast.elder)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=timezone.now()
    )
    staff = client_for("staff")
    staff.post(f"/activities/{activity.pk}/transition/", {"to": Status.HELD})
    activity.refresh_from_db()
    assert activity.status == Status.HELD
    form = staff.get(f"/activities/{activity.pk}/served/").content.decode()
    assert "量血压" in form
    staff.post(
        f"/activities/{activity.pk}/served/",
        {
            "service_0": "量血压",
            "count_0": "120",
            "service_1": "测血糖",
            "count_1": "80",
            "service_2": "健康咨询",
            "count_2": "40",
        },
    )
    assert sorted(ServedCount.objects.values_list("service", "count")) == [
        ("健康咨询", 40),
        ("测血糖", 80),
        ("量血压", 120),
    ]
    page = staff.get(f"/activities/{activity.pk}/").content.decode()
    assert 'id="people-served">120<' in page
    today = timezone.localdate()
    figures = staff.get(
        "/activities/figures/",
        {"start": str(today - dt.timedelta(days=7)), "end": str(today + dt.timedelta(days=1))},
    ).content.decode()
    assert "量血压" in figures


def test_cancel_needs_a_reason(cast: Cast, client_for: Any) -> None:
    activity = clinic(cast)
    staff = client_for("staff")
    response = staff.post(
        f"/activities/{activity.pk}/transition/", {"to": Status.CANCELLED}, follow=True
    )
    assert "取消活动请填写原因。" in response.content.decode()
    activity_transition(actor=cast.staff, activity=activity, to=Status.CANCELLED, reason="雨天")
    activity.refresh_from_db()
    assert activity.cancel_reason == "雨天"


def test_follow_up_request_in_one_step(cast: Cast, client_for: Any) -> None:
    activity = clinic(cast)
    signup_add(actor=cast.staff, activity=activity, resident=cast.elder)
    staff = client_for("staff")
    response = staff.post(
        f"/activities/{activity.pk}/followup/",
        {"text": "血压偏高,需上门复测", "resident": cast.elder.pk},
        follow=True,
    )
    filed = Request.objects.get(channel=Channel.ACTIVITY)
    assert f"已登记诉求 {filed.number}" in response.content.decode()
    assert filed.text == "【义诊进社区】血压偏高,需上门复测"
    assert filed.reporter == cast.elder
    assert cast.elder.household is not None
    assert filed.location == cast.elder.household.unit
