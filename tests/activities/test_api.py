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
