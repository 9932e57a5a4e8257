"""The people who may review a volunteer's claim hear of it when it is submitted and when
it is submitted again (a non-urgent ``hours_review`` message linking to its row in the
queue) — through the service, the page and the API; nobody outside the volunteer's
community, and never the volunteer themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.notifications.models import Kind, Notification
from linli.people.models import Resident
from linli.privacy.registry import ANONYMOUS_NAME
from linli.privacy.services import resident_anonymise
from linli.volunteers.models import HoursStatus
from linli.volunteers.selectors import hours_review_link, hours_reviewers_of
from linli.volunteers.services import (
    service_hours_approve,
    service_hours_correct,
    service_hours_reject,
    volunteer_create,
)
from tests.cast import Cast, make_user
from tests.requests.test_api import Api
from tests.volunteers.support import claim, neighbour_with_login, stranger, volunteer_for_login

pytestmark = pytest.mark.django_db


def _review_messages(**filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.HOURS_REVIEW, **filters).order_by("pk"))


def test_the_reviewers_are_those_who_manage_the_volunteer(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)  # 和平社区, grid 2
    committee = make_user("committee", "张书记")
    role_assign(actor=None, user=committee, role=Role.COMMITTEE, area=cast.town)
    grid_staff = make_user("gridstaff", "赵社工")
    role_assign(actor=None, user=grid_staff, role=Role.STAFF, grid=cast.grid2)
    elsewhere = make_user("elsewhere", "钱社工")
    role_assign(actor=None, user=elsewhere, role=Role.STAFF, area=cast.other_community)
    other_grid = make_user("othergrid", "孙社工")
    role_assign(actor=None, user=other_grid, role=Role.STAFF, grid=cast.grid1)
    gone = make_user("gone", "周社工")
    role_assign(actor=None, user=gone, role=Role.STAFF, area=cast.community)
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    reviewers = hours_reviewers_of(volunteer)

    # Grid workers, leaders and residents do not review hours; nor staff of another
    # community or grid; nor an account that is switched off.
    assert {u.username for u in reviewers} == {"staff", "committee", "gridstaff"}


def test_a_new_claim_tells_the_reviewers_and_not_the_volunteer(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)

    record = claim(volunteer, 90, "为独居老人理发", days_ago=2)

    (told,) = _review_messages()
    day = f"{timezone.localtime(record.started_at):%m-%d}"
    assert told.user == cast.staff
    assert told.text == f"白志愿补报了服务时长({day},1.5 小时:为独居老人理发),待审核。"
    assert told.link == f"/volunteers/hours/#hours-{record.pk}" == hours_review_link(record)
    assert (told.urgent, told.community) == (False, cast.community)
    assert not Notification.objects.filter(user=cast.volunteer_user).exists()
    # A volunteer of another community is reviewed by its own staff, not 和平社区's.
    claim(stranger(cast), 60, "陪聊")
    assert len(_review_messages(user=cast.staff)) == 1


def test_a_reviewer_who_volunteers_is_not_told_of_their_own_claim(cast: Cast) -> None:
    own = volunteer_create(actor=None, community=cast.community, user=cast.staff)
    committee = make_user("committee", "张书记")
    role_assign(actor=None, user=committee, role=Role.COMMITTEE, area=cast.community)

    claim(own, 60, "周末值守")

    assert [n.user for n in _review_messages()] == [committee]


def test_resubmitting_tells_them_again_but_correcting_a_waiting_claim_does_not(
    cast: Cast,
) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 60, "帮忙")
    service_hours_correct(
        actor=cast.volunteer_user,
        record=record,
        started_at=record.started_at,
        minutes=60,
        content="帮王大娘搬家具",
    )
    assert len(_review_messages()) == 1  # still the one claim they were told of

    (first,) = _review_messages(user=cast.staff)
    assert "补报了服务时长" in first.text

    service_hours_reject(actor=cast.staff, record_id=record.pk, reason="请写明时间")
    assert _review_messages() == []  # decided: the waiting message is taken back
    service_hours_correct(
        actor=cast.volunteer_user,
        record=record,
        started_at=record.started_at,
        minutes=90,
        content="帮王大娘搬家具",
    )

    (again,) = _review_messages(user=cast.staff)
    assert "白志愿重新提交了服务时长" in again.text
    assert "1.5 小时:帮王大娘搬家具" in again.text
    assert again.link == first.link


def test_a_claim_on_the_page_tells_the_reviewer_whose_message_opens_the_queue(
    cast: Cast, client_for: Any
) -> None:
    volunteer_for_login(cast)
    day = timezone.localdate() - dt.timedelta(days=1)
    client_for("volunteer").post(
        "/volunteers/me/hours/new/",
        {
            "served_on": day.isoformat(),
            "start": "14:00",
            "hours": "2",
            "content": "清理楼道杂物",
            "place": "",
        },
    )
    (told,) = _review_messages(user=cast.staff)
    assert "清理楼道杂物" in told.text

    staff = client_for("staff")
    listing = staff.get("/notifications/").content.decode()
    assert "清理楼道杂物" in listing
    opened = staff.get(f"/notifications/{told.pk}/")
    assert opened.status_code == 302
    assert opened["Location"] == told.link
    queue = staff.get("/volunteers/hours/").content.decode()
    assert f'<tr id="{told.link.split("#")[1]}">' in queue


def test_a_claim_through_the_api_tells_the_reviewers(cast: Cast, client: Client) -> None:
    volunteer_for_login(cast)
    status, created = Api(client, cast.volunteer_user).post(
        "/api/v1/volunteers/me/hours",
        {
            "started_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
            "hours": "1",
            "content": "陪聊",
        },
    )
    assert status == 201
    (told,) = _review_messages()
    assert (told.user, told.link) == (cast.staff, f"/volunteers/hours/#hours-{created['id']}")
    mine = Api(client, cast.staff).get("/api/v1/notifications")[1]["items"]
    assert [m["text"] for m in mine] == [told.text]


def test_anonymising_a_volunteer_takes_their_name_out_of_the_reviewers_messages(
    cast: Cast,
) -> None:
    volunteer = neighbour_with_login(cast)
    claim(volunteer, 60, "陪聊")
    assert "李建军补报了服务时长" in _review_messages()[0].text

    resident_anonymise(
        actor=cast.staff, resident=Resident.objects.get(pk=cast.neighbour.pk), confirmed=True
    )

    (told,) = _review_messages()
    assert "李建军" not in told.text
    assert told.text.startswith(f"{ANONYMOUS_NAME}补报了服务时长")
    assert volunteer.service_records.get().status == HoursStatus.SUBMITTED


def test_a_decision_takes_back_every_reviewers_waiting_message(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    committee = make_user("committee", "张书记")
    role_assign(actor=None, user=committee, role=Role.COMMITTEE, area=cast.community)
    approved, rejected, waiting = (
        claim(volunteer, 60, "陪聊", days_ago=3),
        claim(volunteer, 30, "送菜", days_ago=2),
        claim(volunteer, 45, "理发", days_ago=1),
    )
    assert len(_review_messages()) == 6  # three claims, two reviewers each

    service_hours_approve(actor=cast.staff, record_ids=[approved.pk])
    service_hours_reject(actor=committee, record_id=rejected.pk, reason="时长与签到不符")

    # The messages about decided claims are gone for both reviewers (and from the
    # morning digest with them); the one still waiting stays.
    assert {(m.user.username, m.link) for m in _review_messages()} == {
        ("staff", hours_review_link(waiting)),
        ("committee", hours_review_link(waiting)),
    }
