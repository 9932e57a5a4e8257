"""``/api/v1/programmes``: the day on a phone and the figures, scoped like the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from linli.core.models import AuditEvent
from tests.cast import Cast
from tests.programmes.support import build_summer, enrol_child
from tests.requests.test_api import Api

pytestmark = pytest.mark.django_db


def test_volunteer_signs_in_and_out_over_the_api(cast: Cast, client: Client) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    api = Api(client, cast.volunteer_user)
    status, body = api.get("/api/v1/programmes")
    assert status == 200
    assert [p["name"] for p in body["items"]] == ["候鸟课堂"]
    status, body = api.get(f"/api/v1/programmes/{summer.programme.pk}/today")
    assert status == 200
    assert body[0]["child"] == "李小雨"
    assert body[0]["signed_in_at"] is None
    status, body = api.post(f"/api/v1/programmes/enrolments/{enrolment.pk}/sign-in", {})
    assert status == 201
    status, body = api.post(
        f"/api/v1/programmes/enrolments/{enrolment.pk}/sign-out", {"pickup_name": "王陌生"}
    )
    assert status == 422
    assert "不在 李小雨 的授权接送名单中" in body["detail"]
    status, body = api.post(
        f"/api/v1/programmes/enrolments/{enrolment.pk}/sign-out", {"pickup_name": "张桂兰"}
    )
    assert status == 200
    assert body["picked_up_by"] == "张桂兰"
    assert AuditEvent.objects.filter(object_type="programmes.attendance").count() == 2


def test_outsiders_get_404_and_leaders_only_figures(cast: Cast, client: Client) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    worker = Api(client, cast.worker1)
    status, _body = worker.get(f"/api/v1/programmes/{summer.programme.pk}/today")
    assert status == 404
    status, _body = worker.post(f"/api/v1/programmes/enrolments/{enrolment.pk}/sign-in", {})
    assert status == 404
    status, _body = worker.get("/api/v1/programmes/figures", start="2026-01-01", end="2026-12-31")
    assert status == 403
    leader = Api(client, cast.leader)
    status, _body = leader.get(f"/api/v1/programmes/{summer.programme.pk}/today")
    assert status == 404
    today = timezone.localdate().isoformat()
    status, body = leader.get("/api/v1/programmes/figures", start=today, end=today)
    assert status == 200
    assert body["programmes"] == 1
    assert body["children"] == 1
    assert "李小雨" not in str(body)
