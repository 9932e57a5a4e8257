"""``GET /api/v1/requests`` by cursor (keyset pagination) and counts that do not scan:
walking with ``next`` returns every visible row once, in the order of the offset pages;
a count says whether it is exact; on SQLite (no planner estimate) it falls back to the
capped count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from linli.accounts.models import User
from linli.accounts.services import api_token_create
from linli.core import pagination
from linli.core.pagination import CappedPaginator, approximate, count_rows, estimated_count
from linli.requests.models import Request
from linli.requests.selectors import OverdueFirst, QueueFilters, request_queue, visible_requests
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, in_progress, move

PAGE = 2


def _world(cast: Cast) -> None:
    """Rows in all four runs of the queue (overdue or not × urgent or not), ties on the
    deadline (the id decides), a closed request past its deadline (not overdue)."""
    now = timezone.now()
    filed = [
        in_progress(cast),
        file_request(cast, cast.other_community, submitted_by=cast.staff),
        file_request(cast, cast.unit2, reporter=cast.neighbour),
        file_request(cast, cast.compound, submitted_by=cast.staff),
        *[file_request(cast, cast.building1, urgent=True) for _ in range(3)],
        *[file_request(cast, cast.unit2) for _ in range(4)],
    ]
    move(filed[3], Status.ACCEPTED, cast.staff)
    move(filed[3], Status.ASSIGNED, cast.staff, assignee=cast.worker2)
    tie = now + dt.timedelta(days=2)
    for request in filed[::2]:
        Request.objects.filter(pk=request.pk).update(due_at=now - dt.timedelta(hours=1))
    for request in filed[5:9]:
        Request.objects.filter(pk=request.pk).update(due_at=tie)
    Request.objects.filter(pk=filed[-1].pk).update(
        status=Status.CLOSED, due_at=now - dt.timedelta(days=1)
    )


def _get(client: Client, secret: str, **params: Any) -> dict[str, Any]:
    response = client.get(
        "/api/v1/requests", {"page_size": PAGE, **params}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def _walk(client: Client, user: User) -> tuple[list[int], list[int], list[dict[str, Any]]]:
    _token, secret = api_token_create(user=user)
    by_offset: list[int] = []
    page = 1
    while items := _get(client, secret, page=page)["items"]:
        by_offset += [item["id"] for item in items]
        page += 1
    answers = [_get(client, secret)]
    while answers[-1]["next"]:
        answers.append(_get(client, secret, cursor=answers[-1]["next"]))
    by_cursor = [item["id"] for answer in answers for item in answer["items"]]
    return by_offset, by_cursor, answers


def test_walking_by_cursor_gives_every_visible_row_once_in_the_offset_order(
    cast: Cast, client: Client
) -> None:
    _world(cast)
    for user in [cast.staff, cast.worker1, cast.resident_user]:
        by_offset, by_cursor, answers = _walk(client, user)
        visible = set(visible_requests(user).values_list("pk", flat=True))
        assert len(visible) > PAGE, user.username  # more than one page for everyone
        assert by_cursor == by_offset, user.username
        assert len(by_cursor) == len(set(by_cursor))
        assert set(by_cursor) == visible
        # Every page but the last is full and says what follows; the last says no more.
        assert all(len(answer["items"]) == PAGE for answer in answers[:-1])
        assert answers[-1]["next"] is None
        assert {(a["count"], a["count_exact"]) for a in answers} == {(len(visible), True)}


def test_the_cursor_walk_follows_the_queue_order_across_the_four_runs(cast: Cast) -> None:
    _world(cast)
    now = timezone.now()
    queue = OverdueFirst(request_queue(user=cast.staff, filters=QueueFilters(), now=now), now)
    expected = [r.pk for r in queue]
    walked: list[int] = []
    key = None
    while rows := queue.after(key, 3):
        walked += [r.pk for r in rows]
        key = queue.key_of(rows[-1])
    assert walked == expected
    runs = [(queue.key_of(r).overdue, r.urgent) for r in queue]
    assert set(runs) == {(True, True), (True, False), (False, True), (False, False)}
    assert runs == sorted(runs, reverse=True)


def test_a_forged_or_broken_cursor_is_refused_in_chinese(cast: Cast, client: Client) -> None:
    _world(cast)
    _token, secret = api_token_create(user=cast.staff)
    following = _get(client, secret)["next"]
    assert following
    for cursor in ["abc", following[:-2] + "xx", following.replace(":", "", 1)]:
        response = client.get(
            "/api/v1/requests", {"cursor": cursor}, HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        assert response.status_code == 422, cursor
        assert "翻页游标无效" in response.json()["errors"]["cursor"][0]


def test_the_offset_limit_points_to_the_cursor(cast: Cast, client: Client) -> None:
    _token, secret = api_token_create(user=cast.staff)
    response = client.get(
        "/api/v1/requests", {"page": 25000}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 422
    assert "next 作为 cursor" in response.json()["errors"]["page"][0]


def test_counts_fall_back_to_the_capped_count_without_a_planner_estimate(
    cast: Cast, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(cast)
    rows = Request.objects.order_by("pk")
    if connection.vendor == "sqlite":
        assert estimated_count(rows) is None
    else:  # PostgreSQL estimates; this small a table is then counted exactly.
        # Statistics left by an earlier test (test_query_plans analyses a generated world,
        # then rolls it back) would make the planner guess ~30,000 rows: read these rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE requests_request")
        assert estimated_count(rows) is not None
    assert count_rows(rows) == pagination.Counted(rows=rows.count(), exact=True)
    # Any list a page may hold: rows as values, a union (no estimate), a slice (none).
    values = Request.objects.values("pk", "number").order_by("pk")
    assert count_rows(values) == pagination.Counted(rows=rows.count(), exact=True)
    assert estimated_count(rows.union(rows)) is None
    assert estimated_count(rows[:2]) is None
    assert estimated_count(rows.none()) is None
    assert count_rows(rows.none()) == pagination.Counted(rows=0, exact=True)
    # Beyond the cap with no usable estimate (SQLite; on PostgreSQL an estimate under the
    # cap): the count stops at the cap and says it is not exact.
    monkeypatch.setattr(pagination, "estimated_count", lambda _rows: None)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    assert count_rows(rows) == pagination.Counted(rows=3, exact=False)
    _token, secret = api_token_create(user=cast.staff)
    answer = _get(client, secret)
    assert (answer["count"], answer["count_exact"]) == (3, False)


def test_an_estimate_beyond_the_cap_is_said_as_approximate(
    cast: Cast, client: Client, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(cast)
    # Near the cap an estimate is not trusted (it runs high): the list is counted.
    monkeypatch.setattr(pagination, "estimated_count", lambda _rows: 15_000)
    rows = Request.objects.order_by("pk")
    assert count_rows(rows) == pagination.Counted(rows=rows.count(), exact=True)
    monkeypatch.setattr(pagination, "estimated_count", lambda _rows: 32_456)
    paginator = CappedPaginator(Request.objects.order_by("pk"), 2)
    assert paginator.counted == pagination.Counted(rows=32_456, exact=False, estimated=True)
    assert (paginator.count, paginator.capped) == (pagination.COUNT_CAP, True)
    monkeypatch.setattr("django.conf.settings.LINLI_PAGE_SIZE", 2)
    page = client_for("staff").get("/requests/").content.decode()
    assert "第 1 页,约 3.2 万条" in page
    _token, secret = api_token_create(user=cast.staff)
    answer = _get(client, secret)
    assert (answer["count"], answer["count_exact"]) == (32_456, False)


def test_an_approximate_total_reads_naturally_in_both_languages() -> None:
    with translation.override("zh-hans"):
        assert [approximate(n) for n in (32_456, 10_001, 125_000, 3_400_000)] == [
            "3.2 万",
            "1 万",
            "12 万",
            "340 万",
        ]
    with translation.override("en"):
        assert [approximate(n) for n in (32_456, 125_000)] == ["32,000", "120,000"]
