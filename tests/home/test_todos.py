"""Each role's home starts with its to-dos as counts that open the lists (issue 17)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.accounts.services import role_assign
from linli.care.services import Readings, visit_log
from linli.core.roles import Role
from linli.home.views import todos
from linli.requests.models import Request
from linli.requests.selectors import request_todos
from linli.requests.workflow import Status
from linli.volunteers.services import service_hours_approve, service_hours_withdraw
from tests.care.conftest import build_care
from tests.cast import Cast, make_user
from tests.requests.support import file_request, move
from tests.requests.test_api import Api
from tests.volunteers.support import claim, stranger, volunteer_for_login

pytestmark = pytest.mark.django_db


def _todo(body: str, label: str) -> tuple[int, str]:
    """The count and link of the home's to-do called ``label``."""
    found = re.search(
        r'<a class="todo[^"]*" href="([^"]+)"><b>(\d+)</b><span>' + re.escape(label) + "</span>",
        body,
    )
    assert found, f"no to-do {label}"
    return int(found.group(2)), found.group(1).replace("&amp;", "&")


def _world(cast: Cast) -> None:
    """worker1 holds three tasks, one of them overdue; one more request waits for dispatch,
    one is resolved awaiting check."""
    now = timezone.now()
    file_request(cast, text="楼道灯坏了", at=now - dt.timedelta(days=20))
    file_request(cast, text="垃圾没人收")
    file_request(cast, text="井盖松了")
    resolved = file_request(cast, text="路灯不亮")
    move(resolved, Status.IN_PROGRESS, cast.worker1)
    move(resolved, Status.RESOLVED, cast.worker1, note="已修好")
    waiting = file_request(cast, text="邻居装修太吵")
    Request.objects.filter(pk=waiting.pk).update(status=Status.SUBMITTED, assignee=None)


def test_request_todos_count_tasks_overdue_dispatch_and_verify(cast: Cast) -> None:
    _world(cast)
    mine = request_todos(cast.worker1)
    assert (mine.tasks, mine.tasks_overdue) == (3, 1)
    staff = request_todos(cast.staff)
    assert (staff.tasks, staff.to_dispatch, staff.to_verify) == (0, 1, 1)
    # Another grid's worker sees none of grid 1's work.
    other = request_todos(cast.worker2)
    assert (other.tasks, other.tasks_overdue, other.to_verify) == (0, 0, 0)


def test_grid_worker_home_starts_with_tasks_overdue_and_visits_due(
    cast: Cast, client_for: Any
) -> None:
    _world(cast)
    build_care(cast)
    client: Client = client_for("worker1")
    body = client.get(reverse("home")).content.decode()
    assert _todo(body, "我的任务") == (3, reverse("requests:tasks"))
    assert _todo(body, "超期") == (1, reverse("requests:tasks"))
    count, url = _todo(body, "今天该走访")
    assert url == reverse("care:due_list")
    assert count == 1  # 王大娘's plan has never been visited: she is due today
    assert body.index('class="todos"') < body.index("我的网格")


def test_staff_home_starts_with_dispatch_verify_and_alerts_and_a_short_overdue_list(
    cast: Cast, client_for: Any
) -> None:
    now = timezone.now()
    for day in range(6):
        file_request(cast, text=f"超期诉求{day}", at=now - dt.timedelta(days=20 + day))
    _world(cast)
    care = build_care(cast)
    visit_log(
        actor=cast.volunteer_user,
        resident=care.cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=186, bp_diastolic=112),
    )
    client: Client = client_for("staff")
    body = client.get(reverse("home")).content.decode()
    queue = reverse("requests:queue")
    assert _todo(body, "待派单") == (1, f"{queue}?status=waiting")
    assert _todo(body, "待核实") == (1, f"{queue}?status=resolved")
    assert _todo(body, "预警") == (1, reverse("care:alert_list"))
    # Seven overdue requests: three shown, the rest one tap away.
    assert body.count('class="request-card is-overdue"') == 3
    assert "全部超期诉求" in body
    assert body.index('class="todos"') < body.index("超期诉求")
    # The links open the lists they count.
    assert client.get(f"{queue}?status=waiting").status_code == 200
    assert client.get(f"{queue}?status=resolved").status_code == 200


def test_resident_home_starts_with_the_report_button(cast: Cast, client_for: Any) -> None:
    client: Client = client_for("resident")
    body = client.get(reverse("home")).content.decode()
    content = body.split("<main>")[1]
    first_link = re.search(r'<a class="([^"]+)" href="([^"]+)"', content)
    assert first_link is not None
    assert "report-first" in first_link.group(1)
    assert first_link.group(2) == reverse("requests:report")
    assert 'class="todos"' not in content


def test_reviewers_see_the_claims_waiting_in_their_area_and_open_the_queue(
    cast: Cast, client_for: Any, client: Client
) -> None:
    volunteer = volunteer_for_login(cast)
    waiting = [claim(volunteer, 60, f"服务{n}", days_ago=n + 1) for n in range(4)]
    service_hours_approve(actor=cast.staff, record_ids=[waiting[0].pk])
    service_hours_withdraw(actor=cast.volunteer_user, record=waiting[1])
    claim(stranger(cast), 60, "友谊社区的服务")  # another community's claim
    other_staff = make_user("youyistaff", "吴社工")
    role_assign(actor=None, user=other_staff, role=Role.STAFF, area=cast.other_community)
    queue = reverse("volunteers:hours_review")

    # Two of 和平社区's claims still wait: approved and withdrawn ones are not counted.
    staff_todos = {t.label: (t.count, t.url) for t in todos(cast.staff, {Role.STAFF})}
    assert staff_todos["待审核时长"] == (2, queue)
    assert {t.label: t.count for t in todos(other_staff, {Role.STAFF})}["待审核时长"] == 1
    # Those who do not review hours have no such to-do.
    for user, role in ((cast.worker1, Role.GRID_WORKER), (cast.leader, Role.LEADER)):
        assert "待审核时长" not in {t.label for t in todos(user, {role})}

    body = client_for("staff").get(reverse("home")).content.decode()
    assert _todo(body, "待审核时长") == (2, queue)
    # The count is the queue's: the same the review API reports.
    assert Api(client, cast.staff).get("/api/v1/volunteers/hours/review")[1]["count"] == 2
    assert client_for("staff").get(queue).status_code == 200
    for username in ("worker1", "leader", "volunteer", "resident"):
        assert "待审核时长" not in client_for(username).get(reverse("home")).content.decode()


def test_a_reviewer_with_nothing_waiting_sees_zero(cast: Cast, client_for: Any) -> None:
    body = client_for("staff").get(reverse("home")).content.decode()
    assert _todo(body, "待审核时长") == (0, reverse("volunteers:hours_review"))


def test_a_home_counts_only_the_request_todos_it_shows(cast: Cast, client_for: Any) -> None:
    """A leader's home shows no queue and no tasks: neither is counted (the queue of a
    county is a count over every request in it)."""

    def counted(username: str) -> tuple[bool, bool]:
        client = client_for(username)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        statements = [q["sql"] for q in queries.captured_queries]
        return (
            any('AS "dispatch"' in sql for sql in statements),
            any('AS "late"' in sql for sql in statements),
        )

    assert counted("leader") == (False, False)
    assert counted("staff") == (True, False)
    assert counted(cast.worker1.username) == (False, True)
