from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.programmes.models import Attendance, Enrolment, EnrolmentStatus, PickupRefusal
from linli.programmes.selectors import programme_figures, programme_summary
from linli.programmes.services import attendance_sign_in, raise_not_picked_up_alerts
from tests.cast import Cast, make_user
from tests.programmes.support import at, build_summer, enrol_child

pytestmark = pytest.mark.django_db


def _guardian_login(cast: Cast) -> User:
    user = make_user("lijianjun", "李建军")
    role_assign(actor=None, user=user, role=Role.RESIDENT, area=cast.community)
    cast.neighbour.user = user
    cast.neighbour.save(update_fields=["user"])
    return user


def test_a_guardian_enrols_their_child(cast: Cast, client_for: Any) -> None:
    summer = build_summer(cast)
    _guardian_login(cast)
    client = client_for("lijianjun")
    page = client.get("/programmes/")
    assert "候鸟课堂" in page.content.decode()
    response = client.post(
        f"/programmes/{summer.programme.pk}/enrol/",
        {
            "phase": summer.phase.pk,
            "child": summer.child.pk,
            "guardian_relation": "父亲",
            "consent": "on",
            "pickup1_name": "张桂兰",
            "pickup1_relation": "奶奶",
            "pickup1_phone": "13700002222",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "李小雨 报名成功" in body
    assert "张桂兰" in body
    assert "13700002222" not in body  # the phone is masked
    enrolment = Enrolment.objects.get(child=summer.child)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    # The guardian does not see the site's day register.
    assert client.get(f"/programmes/{summer.programme.pk}/day/").status_code == 404


def test_enrol_form_refuses_health_notes_without_consent(cast: Cast, client_for: Any) -> None:
    summer = build_summer(cast)
    _guardian_login(cast)
    response = client_for("lijianjun").post(
        f"/programmes/{summer.programme.pk}/enrol/",
        {
            "phase": summer.phase.pk,
            "child": summer.child.pk,
            "guardian_relation": "父亲",
            "consent": "on",
            "allergies": "花生",
            "pickup1_name": "张桂兰",
            "pickup1_relation": "奶奶",
            "pickup1_phone": "13700002222",
        },
    )
    assert "须监护人勾选健康信息授权同意" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_volunteer_signs_in_refuses_a_stranger_and_hands_over_to_grandmother(
    cast: Cast, client_for: Any
) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    client = client_for("volunteer")
    day_url = f"/programmes/{summer.programme.pk}/day/"
    assert "李小雨" in client.get(day_url).content.decode()
    client.post(f"/programmes/day/{enrolment.pk}/sign-in/")
    assert Attendance.objects.filter(enrolment=enrolment).exists()
    refused = client.post(
        f"/programmes/day/{enrolment.pk}/sign-out/", {"pickup_name": "王陌生"}, follow=True
    )
    assert "不在 李小雨 的授权接送名单中" in refused.content.decode()
    assert PickupRefusal.objects.filter(name_given="王陌生").exists()
    done = client.post(
        f"/programmes/day/{enrolment.pk}/sign-out/", {"pickup_name": "张桂兰"}, follow=True
    )
    assert "已由 张桂兰 接走" in done.content.decode()
    assert Attendance.objects.get(enrolment=enrolment).picked_up_by_name == "张桂兰"


def test_outsiders_get_404_and_the_alert_shows_on_the_day_page(cast: Cast, client_for: Any) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    assert client_for("worker1").get(f"/programmes/{summer.programme.pk}/").status_code == 404
    assert client_for("leader").get(f"/programmes/{summer.programme.pk}/day/").status_code == 404
    today = timezone.localdate()
    attendance_sign_in(actor=None, enrolment=enrolment, now=at(today, 8, 40))
    assert raise_not_picked_up_alerts(now=at(today, 17, 10)) == 1
    with time_machine.travel(at(today, 17, 15)):
        page = client_for("staff").get(f"/programmes/{summer.programme.pk}/day/")
    assert "已过结束时间未接走" in page.content.decode()
    messages = client_for("staff").get("/notifications/").content.decode()
    assert "仍未签退" in messages


def test_register_xlsx_summary_and_figures(cast: Cast, client_for: Any) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    today = timezone.localdate()
    attendance_sign_in(actor=None, enrolment=enrolment, now=at(today, 8, 40))
    response = client_for("staff").get(f"/programmes/{summer.programme.pk}/register.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "儿童"
    assert rows[1][0] == "李小雨"
    assert rows[1][-1] == 1
    summary = programme_summary(summer.programme)
    assert summary.children == 1
    assert summary.families == 1
    assert summary.days == 10
    assert summary.attendance_rate == 10.0
    figures = programme_figures(user=cast.leader, area_path=None, start=today, end=today)
    assert figures.programmes == 1
    assert figures.children == 1
    assert figures.attendance_rate == 100.0
    outside = programme_figures(
        user=cast.leader, area_path=cast.other_community.path, start=today, end=today
    )
    assert outside.programmes == 0
    assert (
        programme_figures(user=cast.worker1, area_path=None, start=today, end=today).children == 0
    )
