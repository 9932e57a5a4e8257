"""A volunteer withdraws (撤回) a claim still waiting for review: it leaves the queue, never
counts, is audited like the other moves, the reviewers' messages about it are taken back,
and it can be corrected and submitted again — through the service, the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import timezone

from linli.core.errors import Conflict
from linli.core.models import AuditEvent
from linli.notifications.models import Kind, Notification
from linli.volunteers.models import HoursActor, HoursStatus, ServiceRecord, hours_transition_allowed
from linli.volunteers.selectors import (
    hours_review_link,
    hours_review_queue,
    own_record_get,
    service_summary,
)
from linli.volunteers.services import (
    service_hours_approve,
    service_hours_correct,
    service_hours_reject,
    service_hours_withdraw,
)
from tests.cast import Cast
from tests.requests.test_api import Api
from tests.volunteers.support import claim, neighbour_with_login, volunteer_for_login

pytestmark = pytest.mark.django_db

S, A, R, W = (
    HoursStatus.SUBMITTED,
    HoursStatus.APPROVED,
    HoursStatus.REJECTED,
    HoursStatus.WITHDRAWN,
)


def test_only_the_volunteer_withdraws_and_only_a_claim_still_waiting() -> None:
    assert hours_transition_allowed(S, W, HoursActor.VOLUNTEER)
    assert hours_transition_allowed(W, S, HoursActor.VOLUNTEER)
    assert not hours_transition_allowed(S, W, HoursActor.REVIEWER)
    # Nothing reviewed is taken back, and a reviewer cannot decide a withdrawn claim.
    for reviewed in (A, R):
        assert not hours_transition_allowed(reviewed, W, HoursActor.VOLUNTEER)
    assert not hours_transition_allowed(W, A, HoursActor.REVIEWER)
    assert not hours_transition_allowed(W, R, HoursActor.REVIEWER)


def test_a_withdrawn_claim_leaves_the_queue_never_counts_and_is_audited(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 90, "为独居老人理发")
    assert Notification.objects.filter(user=cast.staff, kind=Kind.HOURS_REVIEW).count() == 1

    withdrawn = service_hours_withdraw(actor=cast.volunteer_user, record=record)

    assert withdrawn.status == W
    record.refresh_from_db()
    assert (record.status, record.reviewed_by, record.reviewed_at) == (W, None, None)
    summary = service_summary(volunteer)
    assert (summary.minutes, summary.pending_minutes, summary.pending_count) == (0, 0, 0)
    assert not hours_review_queue(user=cast.staff).exists()
    assert list(hours_review_queue(user=cast.staff, status=W)) == [record]
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(record.pk))
    assert (event.actor, event.note, event.fields) == (
        cast.volunteer_user,
        "撤回待审核的服务时长",
        ["status"],
    )
    # The reviewer's prompt is taken back: there is nothing left for them to do.
    assert not Notification.objects.filter(user=cast.staff).exists()


def test_a_claim_reviewed_or_already_withdrawn_cannot_be_withdrawn(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    approved = claim(volunteer, 60, "清理楼道", days_ago=3)
    rejected = claim(volunteer, 60, "帮忙", days_ago=2)
    waiting = claim(volunteer, 60, "陪聊", days_ago=1)
    service_hours_approve(actor=cast.staff, record_ids=[approved.pk])
    service_hours_reject(actor=cast.staff, record_id=rejected.pk, reason="请写明做了什么")
    service_hours_withdraw(actor=cast.volunteer_user, record=waiting)

    for record in (approved, rejected):
        with pytest.raises(Conflict, match="已经审核过了,不能撤回"):
            service_hours_withdraw(actor=cast.volunteer_user, record=record)
    with pytest.raises(Conflict, match="已经撤回了"):
        service_hours_withdraw(actor=cast.volunteer_user, record=waiting)
    # A reviewer who still had the page open cannot decide it either.
    with pytest.raises(Conflict):
        service_hours_approve(actor=cast.staff, record_ids=[waiting.pk])
    with pytest.raises(Conflict):
        service_hours_reject(actor=cast.staff, record_id=waiting.pk, reason="晚了")
    statuses = dict(ServiceRecord.objects.values_list("pk", "status"))
    assert statuses == {approved.pk: A, rejected.pk: R, waiting.pk: W}


def test_only_the_volunteer_withdraws_their_own_claim(cast: Cast) -> None:
    theirs = claim(neighbour_with_login(cast), 60, "陪聊")
    volunteer_for_login(cast)

    with pytest.raises(PermissionDenied):
        service_hours_withdraw(actor=cast.volunteer_user, record=theirs)
    with pytest.raises(PermissionDenied):
        service_hours_withdraw(actor=cast.staff, record=theirs)
    with pytest.raises(Http404):
        own_record_get(user=cast.volunteer_user, pk=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.status == S


def test_a_withdrawn_claim_frees_its_day_and_can_be_corrected_and_submitted_again(
    cast: Cast,
) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 20 * 60, "通宵值守", days_ago=1)
    service_hours_withdraw(actor=cast.volunteer_user, record=record)
    # Its 20 hours no longer fill the day: another claim of 8 hours fits.
    other = claim(volunteer, 8 * 60, "防汛值守", days_ago=1)

    again = service_hours_correct(
        actor=cast.volunteer_user,
        record=record,
        started_at=record.started_at,
        minutes=4 * 60,
        content="夜间值守",
    )

    assert (again.status, again.minutes) == (S, 240)
    assert set(hours_review_queue(user=cast.staff)) == {other, record}
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_id=str(record.pk), note="撤回后重新提交"
    ).exists()
    # The reviewers hear of it again, as a resubmission.
    (told,) = Notification.objects.filter(user=cast.staff, link=hours_review_link(record))
    assert "白志愿重新提交了服务时长" in told.text


def _days_ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def test_the_page_asks_before_withdrawing_and_then_shows_it_withdrawn(
    cast: Cast, client_for: Any
) -> None:
    volunteer = volunteer_for_login(cast)
    waiting = claim(volunteer, 90, "为独居老人理发", days_ago=2)
    approved = claim(volunteer, 60, "清理楼道", days_ago=3)
    service_hours_approve(actor=cast.staff, record_ids=[approved.pk])
    client = client_for("volunteer")
    url = f"/volunteers/me/hours/{waiting.pk}/withdraw/"

    page = client.get("/volunteers/me/").content.decode()
    # One 撤回 button, for the waiting claim only, opening a confirmation with its form.
    assert page.count('<details class="hours-withdraw">') == 1
    assert f'action="{url}"' in page
    assert f"/volunteers/me/hours/{approved.pk}/withdraw/" not in page
    assert "确定撤回" in page
    assert "确认撤回" in page
    assert client.get(url).status_code == 405  # a write is a POST

    response = client.post(url, follow=True)

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/volunteers/me/"
    assert "已撤回这条服务时长" in body
    assert '<span class="badge grey">已撤回</span>' in body
    assert "hours-withdraw" not in body
    assert f"/volunteers/me/hours/{waiting.pk}/edit/" in body  # it can be resubmitted
    waiting.refresh_from_db()
    assert waiting.status == W
    form = client.get(f"/volunteers/me/hours/{waiting.pk}/edit/").content.decode()
    assert "这条补报已撤回" in form

    twice = client.post(url, follow=True).content.decode()
    assert "已经撤回了" in twice
    resubmitted = client.post(
        f"/volunteers/me/hours/{waiting.pk}/edit/",
        {
            "served_on": _days_ago(2),
            "start": "09:30",
            "hours": "1",
            "content": "为独居老人理发",
            "place": "",
        },
        follow=True,
    )
    assert "已重新提交" in resubmitted.content.decode()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.minutes) == (S, 60)


def test_nobody_else_withdraws_a_claim_through_the_page(cast: Cast, client_for: Any) -> None:
    volunteer_for_login(cast)
    theirs = claim(neighbour_with_login(cast), 60, "陪聊")

    assert (
        client_for("volunteer").post(f"/volunteers/me/hours/{theirs.pk}/withdraw/").status_code
        == 404
    )
    assert client_for("staff").post(f"/volunteers/me/hours/{theirs.pk}/withdraw/").status_code == (
        404
    )
    theirs.refresh_from_db()
    assert theirs.status == S


def test_a_claim_is_withdrawn_through_the_api(cast: Cast, client: Client) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 60, "陪王大娘去医院")
    approved = claim(volunteer, 30, "送报纸", days_ago=2)
    own = Api(client, cast.volunteer_user)
    staff = Api(client, cast.staff)
    staff.post("/api/v1/volunteers/hours/approve", {"ids": [approved.pk]})

    status, body = own.post(f"/api/v1/volunteers/me/hours/{record.pk}/withdraw", {})

    assert (status, body["id"], body["status"]) == (200, record.pk, "withdrawn")
    assert staff.get("/api/v1/volunteers/hours/review")[1]["count"] == 0
    listed = staff.get("/api/v1/volunteers/hours/review", status="withdrawn")[1]["items"]
    assert [i["id"] for i in listed] == [record.pk]
    again = own.post(f"/api/v1/volunteers/me/hours/{record.pk}/withdraw", {})
    assert (again[0], again[1]["code"]) == (409, "invalid_transition")
    late = own.post(f"/api/v1/volunteers/me/hours/{approved.pk}/withdraw", {})
    assert late[0] == 409
    # Someone else's claim, or a manager's try, is not found.
    assert staff.post(f"/api/v1/volunteers/me/hours/{record.pk}/withdraw", {})[0] == 404
    assert Api(client, None).post(f"/api/v1/volunteers/me/hours/{record.pk}/withdraw", {})[0] == 401
    status, resubmitted = own.post(
        f"/api/v1/volunteers/me/hours/{record.pk}",
        {"started_at": timezone.now().isoformat(), "hours": "1", "content": "陪王大娘去医院"},
    )
    assert (status, resubmitted["status"]) == (200, "submitted")
