"""``/api/v1/volunteers``: managers' list and detail with hours, a volunteer's own hours."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast
from tests.requests.test_api import Api
from tests.volunteers.support import serve, volunteer_for_login

pytestmark = pytest.mark.django_db


def test_volunteers_hours_and_scope(cast: Cast, client: Client) -> None:
    volunteer = volunteer_for_login(cast)
    serve(volunteer, 90, "陪老人聊天", days_ago=2)
    serve(volunteer, 30, "送药上门", days_ago=1)

    staff = Api(client, cast.staff)
    listing = staff.get("/api/v1/volunteers", kind="party_member")[1]
    assert [(v["name"], v["hours"]) for v in listing["items"]] == [("白志愿", "2.0")]
    detail = staff.get(f"/api/v1/volunteers/{volunteer.pk}")[1]
    assert (detail["service_count"], detail["grid"]) == (2, cast.grid2.name)
    hours = staff.get(f"/api/v1/volunteers/{volunteer.pk}/hours")[1]
    assert [r["content"] for r in hours["items"]] == ["送药上门", "陪老人聊天"]

    own = Api(client, cast.volunteer_user)
    assert own.get("/api/v1/volunteers/me")[1]["id"] == volunteer.pk
    assert own.get("/api/v1/volunteers/me/hours")[1]["count"] == 2
    # Not a manager: the list is refused, another's record is not found.
    assert own.get("/api/v1/volunteers")[0] == 403
    assert Api(client, cast.resident_user).get("/api/v1/volunteers/me")[0] == 404
    assert Api(client, cast.worker1).get(f"/api/v1/volunteers/{volunteer.pk}")[0] == 404
