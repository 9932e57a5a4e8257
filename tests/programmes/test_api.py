"""``/api/v1/programmes``: the day on a phone and the figures, scoped like the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.services import role_assign
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.programmes.models import Enrolment
from tests.cast import Cast, make_user
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


def test_a_guardian_enrols_their_child_through_the_api(cast: Cast, client: Client) -> None:
    summer = build_summer(cast)
    user = make_user("lijianjun", "李建军")
    role_assign(actor=None, user=user, role=Role.RESIDENT, area=cast.community)
    cast.neighbour.user = user
    cast.neighbour.save(update_fields=["user"])
    guardian = Api(client, user)
    offered = guardian.get("/api/v1/programmes/open")[1]["items"]
    assert [p["id"] for p in offered] == [summer.programme.pk]
    body = {
        "phase": summer.phase.pk,
        "child": summer.child.pk,
        "guardian_relation": "父亲",
        "consent": True,
        "pickups": [{"name": "张桂兰", "relation": "奶奶", "phone": "13700002222"}],
    }
    path = f"/api/v1/programmes/{summer.programme.pk}/enrolments"
    status, enrolment = guardian.post(path, body)
    assert (status, enrolment["status"]) == (201, "enrolled"), enrolment
    assert Enrolment.objects.get().guardian == cast.neighbour
    mine = guardian.get("/api/v1/programmes/mine")[1]["items"]
    assert [(e["child"], e["pickups"]) for e in mine] == [(summer.child.name, ["张桂兰(奶奶)"])]
    # The elder's household has no such child: not found.
    assert Api(client, cast.resident_user).post(path, body)[0] == 404
