"""``/api/v1/volunteers`` hours review: a volunteer submits and corrects their own claims;
managers list the queue, approve (one or many) and reject with a reason — the same services
and scope as the pages, errors in the shared shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from linli.volunteers.models import HoursStatus, ServiceRecord
from linli.volunteers.services import volunteer_create
from tests.cast import Cast
from tests.requests.test_api import Api
from tests.volunteers.support import claim, serve, stranger, volunteer_for_login

pytestmark = pytest.mark.django_db


def test_a_volunteer_submits_and_a_manager_approves_through_the_api(
    cast: Cast, client: Client
) -> None:
    volunteer = volunteer_for_login(cast)
    serve(volunteer, 60, "上门走访")
    own = Api(client, cast.volunteer_user)
    staff = Api(client, cast.staff)

    status, body = own.post(
        "/api/v1/volunteers/me/hours",
        {"started_at": _days_ago(120), "hours": "1.5", "content": "理发"},
    )
    assert status == 422
    assert "90 天内" in str(body)
    status, body = own.post(
        "/api/v1/volunteers/me/hours",
        {"started_at": _yesterday(), "hours": "30", "content": "值守"},
    )
    assert status == 422
    status, created = own.post(
        "/api/v1/volunteers/me/hours",
        {"started_at": _yesterday(), "hours": "1.5", "content": "理发", "place": "2号楼"},
    )
    assert status == 201
    assert (created["status"], created["minutes"], created["place"]) == ("submitted", 90, "2号楼")
    assert own.get("/api/v1/volunteers/me")[1]["hours"] == "1.0"

    queue = staff.get("/api/v1/volunteers/hours/review")[1]
    assert [(i["id"], i["volunteer"]) for i in queue["items"]] == [(created["id"], "白志愿")]
    status, done = staff.post("/api/v1/volunteers/hours/approve", {"ids": [created["id"]]})
    assert (status, done["approved"], done["hours"]) == (200, [created["id"]], "1.5")
    again = staff.post("/api/v1/volunteers/hours/approve", {"ids": [created["id"]]})
    assert again[0] == 409
    assert again[1]["code"] == "invalid_transition"

    assert own.get("/api/v1/volunteers/me")[1]["hours"] == "2.5"
    mine = own.get("/api/v1/volunteers/me/hours")[1]["items"]
    assert {r["status"] for r in mine} == {"approved"}
    assert staff.get("/api/v1/volunteers/hours/review")[1]["count"] == 0
    assert staff.get("/api/v1/volunteers/hours/review", status="approved")[1]["count"] == 1


def test_a_rejected_claim_is_corrected_through_the_api(cast: Cast, client: Client) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 60, "帮忙")
    staff = Api(client, cast.staff)
    own = Api(client, cast.volunteer_user)

    assert staff.post(f"/api/v1/volunteers/hours/{record.pk}/reject", {"reason": ""})[0] == 422
    status, rejected = staff.post(
        f"/api/v1/volunteers/hours/{record.pk}/reject", {"reason": "请写明做了什么"}
    )
    assert (status, rejected["status"], rejected["reject_reason"]) == (
        200,
        "rejected",
        "请写明做了什么",
    )
    status, corrected = own.post(
        f"/api/v1/volunteers/me/hours/{record.pk}",
        {"started_at": _yesterday(), "hours": "1", "content": "陪王大娘去医院"},
    )
    assert (status, corrected["status"], corrected["reject_reason"]) == (200, "submitted", "")
    staff.post("/api/v1/volunteers/hours/approve", {"ids": [record.pk]})
    late = own.post(
        f"/api/v1/volunteers/me/hours/{record.pk}",
        {"started_at": _yesterday(), "hours": "8", "content": "陪王大娘去医院"},
    )
    assert late[0] == 409


def test_scope_and_permissions_of_the_review_api(cast: Cast, client: Client) -> None:
    theirs = claim(stranger(cast), 60, "陪聊")
    mine = claim(volunteer_for_login(cast), 60, "陪聊")
    staff = Api(client, cast.staff)

    assert staff.post("/api/v1/volunteers/hours/approve", {"ids": [mine.pk, theirs.pk]})[0] == 404
    assert staff.post(f"/api/v1/volunteers/hours/{theirs.pk}/reject", {"reason": "x"})[0] == 404
    assert Api(client, cast.worker1).get("/api/v1/volunteers/hours/review")[0] == 403
    own = Api(client, cast.volunteer_user)
    assert own.post("/api/v1/volunteers/hours/approve", {"ids": [mine.pk]})[0] == 403
    # Another's record is not the volunteer's to correct.
    other = Api(client, theirs.volunteer.user)
    assert (
        other.post(
            f"/api/v1/volunteers/me/hours/{mine.pk}",
            {"started_at": _yesterday(), "hours": "1", "content": "改"},
        )[0]
        == 404
    )
    assert set(ServiceRecord.objects.values_list("status", flat=True)) == {HoursStatus.SUBMITTED}


def test_a_manager_records_others_hours_approved_but_not_their_own(
    cast: Cast, client: Client
) -> None:
    volunteer = volunteer_for_login(cast)
    own = volunteer_create(actor=None, community=cast.community, user=cast.staff, name="刘社工")
    staff = Api(client, cast.staff)
    body = {"started_at": _yesterday(), "minutes": 60, "content": "防汛值守"}

    status, recorded = staff.post(f"/api/v1/volunteers/{volunteer.pk}/hours", body)
    assert (status, recorded["status"]) == (201, "approved")
    assert staff.post(f"/api/v1/volunteers/{own.pk}/hours", body)[0] == 403


def _days_ago(days: int) -> str:
    return (timezone.now() - dt.timedelta(days=days)).isoformat()


def _yesterday() -> str:
    return _days_ago(1)


@pytest.mark.parametrize(
    "started_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1800-01-01T08:00"]
)
def test_hours_recorded_by_a_manager_at_an_impossible_time_get_a_422(
    cast: Cast, client: Client, started_at: str
) -> None:
    """Year 1 at +14:00 is before year 1 in UTC: saving it overflowed (a 500) — the hostile
    probe found it. The start is held to 1900–2100 like every other time the API takes."""
    volunteer = volunteer_for_login(cast)
    status, body = Api(client, cast.staff).post(
        f"/api/v1/volunteers/{volunteer.pk}/hours",
        {"started_at": started_at, "minutes": 60, "content": "陪老人聊天"},
    )
    assert status == 422, body
    assert body["errors"]["started_at"] == ["日期应在 1900 年到 2100 年之间。"]
    assert not ServiceRecord.objects.filter(volunteer=volunteer).exists()
