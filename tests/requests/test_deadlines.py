"""Overdue is a query at a given moment: open and past the handling deadline."""

from __future__ import annotations

import datetime as dt

from linli.requests.models import Request
from linli.requests.selectors import QueueFilters, my_tasks, overdue, request_queue, with_overdue
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, move, resolved, waiting

T0 = local(2026, 11, 28, 9)


def _overdue_texts(now: dt.datetime) -> set[str]:
    return set(overdue(Request.objects.all(), now).values_list("text", flat=True))


def _flags(now: dt.datetime) -> dict[str, bool]:
    return {r.text: _is_overdue(r) for r in with_overdue(Request.objects.all(), now)}


def _is_overdue(request: Request) -> bool:
    """The ``is_overdue`` annotation (invisible to the type checker on plain querysets)."""
    flag = vars(request)["is_overdue"]
    assert isinstance(flag, bool)
    return flag


def test_open_requests_past_their_deadline_are_overdue_at_a_given_moment(cast: Cast) -> None:
    file_request(cast, text="垃圾桶满了", category_code="sanitation", at=T0)  # due +24 h
    file_request(cast, text="扶手松动", category_code="repair", at=T0)  # due +72 h
    waiting(cast, category_code="sanitation", at=T0)  # "楼道灯…", still undispatched

    day_later = T0 + dt.timedelta(hours=25)

    assert _overdue_texts(day_later) == {"垃圾桶满了", "楼道灯坏了,晚上看不见"}
    assert _flags(day_later) == {
        "垃圾桶满了": True,
        "扶手松动": False,
        "楼道灯坏了,晚上看不见": True,
    }
    assert _overdue_texts(T0 + dt.timedelta(hours=73)) == {
        "垃圾桶满了",
        "扶手松动",
        "楼道灯坏了,晚上看不见",
    }
    assert _overdue_texts(T0 + dt.timedelta(hours=23)) == set()


def test_a_request_is_overdue_only_after_its_deadline_has_passed(cast: Cast) -> None:
    request = file_request(cast, category_code="sanitation", at=T0)

    assert not overdue(Request.objects.all(), request.due_at).exists()
    assert overdue(Request.objects.all(), request.due_at + dt.timedelta(seconds=1)).exists()


def test_in_progress_requests_can_be_overdue(cast: Cast) -> None:
    request = file_request(cast, category_code="sanitation", at=T0)
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0)

    assert _flags(T0 + dt.timedelta(days=2)) == {request.text: True}


def test_resolved_closed_and_rejected_requests_are_never_overdue(cast: Cast) -> None:
    late = T0 + dt.timedelta(days=30)
    done = resolved(cast, category_code="sanitation", at=T0)
    closed = move(
        resolved(cast, category_code="sanitation", at=T0), Status.CLOSED, cast.staff, at=T0
    )
    rejected = move(waiting(cast, at=T0), Status.REJECTED, cast.staff, note="重复", at=T0)

    assert {done.status, closed.status, rejected.status} == {
        Status.RESOLVED,
        Status.CLOSED,
        Status.REJECTED,
    }
    assert not overdue(Request.objects.all(), late).exists()
    assert set(_flags(late).values()) == {False}


def test_urgent_requests_are_overdue_after_two_hours(cast: Cast) -> None:
    file_request(cast, text="燃气味很重", category_code="safety", urgent=True, at=T0)

    assert _overdue_texts(T0 + dt.timedelta(hours=2, minutes=1)) == {"燃气味很重"}


def test_my_tasks_list_overdue_first_then_soonest_deadline(cast: Cast) -> None:
    slow = file_request(cast, text="扶手松动", category_code="repair", at=T0)
    late = file_request(cast, text="垃圾桶满了", category_code="sanitation", at=T0)
    soon = file_request(
        cast, text="老人需要买菜", category_code="assistance", at=T0 + dt.timedelta(hours=20)
    )
    resolved(cast, category_code="sanitation", at=T0)  # finished: not a task
    now = T0 + dt.timedelta(hours=30)

    tasks = [(t.pk, _is_overdue(t)) for t in my_tasks(cast.worker1, now)]

    assert tasks == [(late.pk, True), (soon.pk, False), (slow.pk, False)]
    assert list(my_tasks(cast.worker2, now)) == []


def test_the_queue_can_show_only_overdue_requests(cast: Cast) -> None:
    late = file_request(cast, text="垃圾桶满了", category_code="sanitation", at=T0)
    file_request(cast, text="扶手松动", category_code="repair", at=T0)
    now = T0 + dt.timedelta(hours=30)

    queue = request_queue(user=cast.staff, filters=QueueFilters(overdue_only=True), now=now)

    assert [(r.pk, _is_overdue(r)) for r in queue] == [(late.pk, True)]
