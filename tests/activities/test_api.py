from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import api_token_create
from linli.activities.models import Signup
from tests.activities.support import clinic
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    _token, secret = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_list_detail_checkin_and_figures(cast: Cast) -> None:
    activity = clinic(cast, starts_in=dt.timedelta(minutes=10), capacity=30)
    client = _client(cast.staff)
    listing = client.get("/api/v1/activities").json()
    assert listing["count"] == 1
    assert listing["items"][0]["title"] == "义诊进社区"
    assert listing["items"][0]["status"] == "open"

    response = client.post(
        f"/api/v1/activities/{activity.pk}/checkins",
        {"person": cast.elder.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Signup.objects.get(activity=activity).checked_in_at is not None

    detail = client.get(f"/api/v1/activities/{activity.pk}").json()
    assert (detail["confirmed"], detail["checked_in"], detail["capacity"]) == (1, 1, 30)

    today = timezone.localdate()
    figures = client.get(
        "/api/v1/activities/figures",
        {
            "area": cast.community.pk,
            "start": str(today - dt.timedelta(days=1)),
            "end": str(today + dt.timedelta(days=1)),
        },
    ).json()
    assert figures["activities"] == 1
    assert figures["by_kind"] == {"义诊": 1}


def test_outsiders_get_404(cast: Cast) -> None:
    activity = clinic(cast)
    client = _client(cast.resident_user)
    assert client.get(f"/api/v1/activities/{activity.pk}").status_code == 404
    assert client.get("/api/v1/activities").json()["count"] == 0
    response = client.post(
        f"/api/v1/activities/{activity.pk}/checkins",
        {"person": cast.elder.pk},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_create_open_sign_up_cancel_and_record_served(cast: Cast) -> None:
    from linli.activities.models import Status
    from linli.activities.services import activity_transition

    staff = _client(cast.staff)
    starts_at = timezone.now() + dt.timedelta(days=3)
    response = staff.post(
        "/api/v1/activities",
        {
            "community": cast.community.pk,
            "kind": "clinic",
            "title": "秋季义诊",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + dt.timedelta(hours=2)).isoformat(),
            "capacity": 1,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    activity_id = response.json()["id"]
    assert response.json()["status"] == "planned"
    opened = staff.post(
        f"/api/v1/activities/{activity_id}/transitions",
        {"to": "open"},
        content_type="application/json",
    )
    assert opened.json()["status"] == "open"

    # The elder signs herself up; staff sign up the neighbour, who waits for the one place.
    elder = _client(cast.resident_user)
    assert [a["id"] for a in elder.get("/api/v1/activities/mine").json()["items"]] == [activity_id]
    mine = elder.post(
        f"/api/v1/activities/{activity_id}/signups", {}, content_type="application/json"
    )
    assert (mine.status_code, mine.json()["status"]) == (201, "confirmed")
    waiting = staff.post(
        f"/api/v1/activities/{activity_id}/signups",
        {"person": cast.neighbour.pk},
        content_type="application/json",
    )
    assert waiting.json()["status"] == "waiting"
    cancelled = elder.post(
        f"/api/v1/activities/{activity_id}/signups/cancel", {}, content_type="application/json"
    )
    assert cancelled.json()["promoted_person_id"] == cast.neighbour.pk
    assert Signup.objects.get(resident=cast.neighbour).status == "confirmed"

    # People served only once it is held; a grid-2 worker cannot touch grid 1's activity.
    served = {"counts": {"测血压": 12, "测血糖": 8}}
    too_early = staff.post(
        f"/api/v1/activities/{activity_id}/served", served, content_type="application/json"
    )
    assert (too_early.status_code, too_early.json()["code"]) == (409, "invalid_transition")
    held = clinic(cast, starts_in=-dt.timedelta(hours=1), title="昨日义诊")
    activity_transition(actor=None, activity=held, to=Status.HELD)
    recorded = staff.post(
        f"/api/v1/activities/{held.pk}/served", served, content_type="application/json"
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["people_served"] == 12
    bad = staff.post(
        f"/api/v1/activities/{activity_id}/transitions",
        {"to": "summarised"},
        content_type="application/json",
    )
    assert bad.status_code == 409
