"""``/api/v1/rosters``: the week's roster and generating it, as on the roster page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from linli.care.services import care_plan_save
from linli.volunteers.services import volunteer_create
from tests.cast import Cast
from tests.requests.test_api import Api
from tests.volunteers.support import with_slots

pytestmark = pytest.mark.django_db


def test_generate_and_read_a_week(cast: Cast, client: Client) -> None:
    volunteer = with_slots(
        volunteer_create(actor=None, community=cast.community, user=cast.volunteer_user, name="白"),
        (0, "morning"),
        (2, "morning"),
    )
    care_plan_save(actor=None, resident=cast.elder, primary_volunteer=volunteer)
    week = dt.date(2030, 3, 6)  # a Wednesday: the week of Monday 4 March
    assert Api(client, cast.worker1).post("/api/v1/rosters/generate", {"week": str(week)})[0] == 403
    api = Api(client, cast.staff)
    status, body = api.post("/api/v1/rosters/generate", {"week": str(week)})
    assert status == 201, body
    assert body["week_start"] == "2030-03-04"
    roster = api.get("/api/v1/rosters", week=str(week))[1]
    assert len(roster["assignments"]) == body["assignments"] >= 1
    assert {a["person_id"] for a in roster["assignments"]} == {cast.elder.pk}
    assert Api(client, cast.worker2).get("/api/v1/rosters", week=str(week))[1]["assignments"] == []
