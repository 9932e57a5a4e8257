"""Service-hours pages: a volunteer claims hours on their phone page and corrects a claim
sent back; staff review the queue (filters, pages, bulk approval, rejection with a reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.volunteers.models import HoursStatus, ServiceRecord
from linli.volunteers.services import service_hours_reject
from tests.cast import Cast
from tests.volunteers.support import (
    claim,
    neighbour_with_login,
    serve,
    stranger,
    volunteer_for_login,
)

pytestmark = pytest.mark.django_db


def _claim_form(days_ago: int = 2, **overrides: str) -> dict[str, str]:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return {
        "served_on": day.isoformat(),
        "start": "09:30",
        "hours": "1.5",
        "content": "为独居老人理发",
        "place": "和平小区2号楼",
        **overrides,
    }


def test_a_volunteer_claims_hours_and_sees_them_wait_for_review(
    cast: Cast, client_for: Any
) -> None:
    volunteer = volunteer_for_login(cast)
    serve(volunteer, 60, "上门走访:陪聊")
    client = client_for("volunteer")
    assert "补报服务时长" in client.get("/volunteers/me/").content.decode()
    assert client.get("/volunteers/me/hours/new/").status_code == 200

    response = client.post("/volunteers/me/hours/new/", _claim_form(), follow=True)

    page = response.content.decode()
    assert "已提交,等待社区审核" in page
    record = ServiceRecord.objects.get(volunteer=volunteer, status=HoursStatus.SUBMITTED)
    assert (record.minutes, record.content, record.place) == (90, "为独居老人理发", "和平小区2号楼")
    assert timezone.localtime(record.started_at).strftime("%H:%M") == "09:30"
    assert '<b id="my-hours">1.0</b>' in page  # only the approved visit counts
    assert "1.5 小时(1 条)" in page
    assert "待审核" in page
    assert f"/volunteers/me/hours/{record.pk}/edit/" in page


def test_a_bad_claim_re_renders_with_the_input_and_the_reason(cast: Cast, client_for: Any) -> None:
    volunteer_for_login(cast)
    client = client_for("volunteer")

    too_long = client.post("/volunteers/me/hours/new/", _claim_form(hours="30"))
    future = client.post("/volunteers/me/hours/new/", _claim_form(days_ago=-3))

    assert too_long.status_code == 200
    assert "为独居老人理发" in too_long.content.decode()
    assert "24" in too_long.content.decode()
    assert "不能提交还没有发生的服务" in future.content.decode()
    assert not ServiceRecord.objects.exists()


def test_a_claim_sent_back_is_corrected_and_submitted_again(cast: Cast, client_for: Any) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 60, "帮忙", days_ago=2)
    service_hours_reject(actor=cast.staff, record_id=record.pk, reason="请写明做了什么")
    client = client_for("volunteer")

    mine = client.get("/volunteers/me/").content.decode()
    assert "已退回" in mine
    assert "请写明做了什么" in mine
    form = client.get(f"/volunteers/me/hours/{record.pk}/edit/").content.decode()
    assert "请写明做了什么" in form
    assert "\n帮忙</textarea>" in form

    response = client.post(
        f"/volunteers/me/hours/{record.pk}/edit/",
        _claim_form(content="帮 2 号楼王大娘搬家具", hours="2"),
        follow=True,
    )

    assert "已重新提交" in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.minutes, record.reject_reason) == (
        HoursStatus.SUBMITTED,
        120,
        "",
    )


def test_someone_elses_claim_cannot_be_opened_for_correction(cast: Cast, client_for: Any) -> None:
    volunteer_for_login(cast)
    theirs = claim(neighbour_with_login(cast), 60, "陪聊")
    assert client_for("volunteer").get(f"/volunteers/me/hours/{theirs.pk}/edit/").status_code == 404
    assert client_for("staff").get("/volunteers/me/hours/new/").status_code == 404


def test_staff_review_the_queue_approve_in_bulk_and_reject_with_a_reason(
    cast: Cast, client_for: Any
) -> None:
    volunteer = volunteer_for_login(cast)
    first = claim(volunteer, 60, "陪老人散步", days_ago=3)
    second = claim(volunteer, 30, "送报纸", days_ago=2)
    third = claim(neighbour_with_login(cast), 45, "清理小广告", days_ago=1)
    staff = client_for("staff")

    listing = staff.get("/volunteers/").content.decode()
    assert 'id="pending-hours">3<' in listing
    queue = staff.get("/volunteers/hours/").content.decode()
    assert all(text in queue for text in ("陪老人散步", "送报纸", "清理小广告", "确认所选"))

    approved = staff.post(
        "/volunteers/hours/approve/", {"ids": [first.pk, second.pk], "back": "q=%E7%99%BD"}
    )
    assert approved.status_code == 302
    assert approved["Location"] == "/volunteers/hours/?q=%E7%99%BD"
    empty_reason = staff.post(f"/volunteers/hours/{third.pk}/reject/", {"reason": ""}, follow=True)
    assert "请写明退回原因" in empty_reason.content.decode()
    rejected = staff.post(
        f"/volunteers/hours/{third.pk}/reject/", {"reason": "请补充服务时间"}, follow=True
    )
    assert "已退回李建军的服务时长" in rejected.content.decode()

    statuses = dict(ServiceRecord.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: HoursStatus.APPROVED,
        second.pk: HoursStatus.APPROVED,
        third.pk: HoursStatus.REJECTED,
    }
    assert "没有待审核的服务时长" in staff.get("/volunteers/hours/").content.decode()
    reviewed = staff.get("/volunteers/hours/?status=all").content.decode()
    assert "请补充服务时间" in reviewed
    mine = client_for("volunteer").get("/volunteers/me/").content.decode()
    assert '<b id="my-hours">1.5</b>' in mine


def test_the_queue_filters_and_pages(cast: Cast, client_for: Any) -> None:
    volunteer = volunteer_for_login(cast)
    for n in range(22):
        claim(volunteer, 30, f"楼道值守{n:02d}", days_ago=1 + n % 5)
    claim(neighbour_with_login(cast), 30, "陪聊", days_ago=1)
    staff = client_for("staff")

    first_page = staff.get("/volunteers/hours/").content.decode()
    second_page = staff.get("/volunteers/hours/?page=2").content.decode()
    assert first_page.count('name="ids"') == 20 + 20  # a box to tick and a one-row form
    assert second_page.count("楼道值守") + second_page.count("陪聊") == 3
    by_name = staff.get("/volunteers/hours/?q=李建军").content.decode()
    assert "陪聊" in by_name
    assert "楼道值守" not in by_name
    grid1 = staff.get(f"/volunteers/hours/?grid={cast.grid1.pk}").content.decode()
    assert "楼道值守" not in grid1
    assert "没有待审核的服务时长" in grid1
    grid2 = staff.get(f"/volunteers/hours/?grid={cast.grid2.pk}&page=2").content.decode()
    assert "陪聊" in grid2 or "楼道值守" in grid2


def test_the_queue_runs_a_fixed_number_of_queries(cast: Cast, client_for: Any) -> None:
    volunteer = volunteer_for_login(cast)
    other = neighbour_with_login(cast)
    for n in range(6):
        claim(volunteer if n % 2 else other, 30, f"服务{n}", days_ago=1 + n)
    client = client_for("staff")
    client.get("/volunteers/hours/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/volunteers/hours/")
    assert response.status_code == 200
    assert len(queries) <= 16


def test_outsiders_cannot_review(cast: Cast, client_for: Any) -> None:
    theirs = claim(stranger(cast), 60, "陪聊")
    mine = claim(volunteer_for_login(cast), 60, "陪聊")
    staff = client_for("staff")
    assert "周友谊" not in staff.get("/volunteers/hours/").content.decode()
    assert (
        staff.post(f"/volunteers/hours/{theirs.pk}/reject/", {"reason": "不实"}).status_code == 404
    )
    assert staff.post("/volunteers/hours/approve/", {"ids": [theirs.pk]}).status_code == 404
    worker = client_for("worker1")
    assert worker.get("/volunteers/hours/").status_code == 403
    assert worker.post("/volunteers/hours/approve/", {"ids": [mine.pk]}).status_code == 403
    # A record the user may not review is not confirmed to exist.
    assert worker.post(f"/volunteers/hours/{mine.pk}/reject/", {"reason": "x"}).status_code == 404
    volunteer = client_for("volunteer")
    assert volunteer.post("/volunteers/hours/approve/", {"ids": [mine.pk]}).status_code == 403
    assert set(ServiceRecord.objects.values_list("status", flat=True)) == {HoursStatus.SUBMITTED}
