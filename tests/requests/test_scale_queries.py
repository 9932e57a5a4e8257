"""The hot-path query shapes of issue 19: the scope on the request's own columns answers
exactly what the joined formulation did, the overdue-first list read as two queries gives
the same rows in the same order, counting stops at the cap and deep pages are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from linli.accounts.models import User
from linli.accounts.selectors import forget_cached_scopes
from linli.accounts.services import api_token_create, role_assign
from linli.core import pagination
from linli.core.pagination import CappedPaginator
from linli.core.roles import Role
from linli.people.models import Resident
from linli.requests import selectors
from linli.requests.models import Request
from linli.requests.selectors import (
    OverdueFirst,
    QueueFilters,
    _legacy_visible_requests,
    request_queue,
    visible_requests,
)
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, in_progress, move, person


def _world(cast: Cast) -> list[Request]:
    """Requests in both grids, both communities' kinds of place, filed by different people,
    one assigned to a worker of the other grid, one reported by the neighbour."""
    filed = [
        in_progress(cast),
        file_request(cast, cast.other_community, submitted_by=cast.staff),
        file_request(cast, cast.unit2, reporter=cast.neighbour),
        file_request(cast, cast.building1, urgent=True),
        file_request(cast, cast.compound, submitted_by=cast.staff),
        file_request(cast, cast.community, submitted_by=cast.staff, reporter=cast.neighbour),
    ]
    # A worker of grid 2 handles a request of the compound: seen through ``assignee``.
    move(filed[4], Status.ACCEPTED, cast.staff)
    move(filed[4], Status.ASSIGNED, cast.staff, assignee=cast.worker2)
    return filed


def _two_roles(cast: Cast) -> User:
    """Staff of the other community who also leads a building of this one: a scope of a
    whole community and one below a community, read in one query."""
    user = person("two-roles", Role.STAFF, area=cast.other_community)
    role_assign(actor=None, user=user, role=Role.CADRE, area=cast.building1)
    return user


def _everyone(cast: Cast) -> list[User]:
    extra = [
        person("cadre-town", Role.CADRE, area=cast.town),
        person("cadre-grid", Role.CADRE, grid=cast.grid2),
        person("committee", Role.COMMITTEE, area=cast.community),
        person("partner", Role.PARTNER, area=cast.community),
        person("other-staff", Role.STAFF, area=cast.other_community),
        person("compound-staff", Role.STAFF, area=cast.compound),
        _two_roles(cast),
    ]
    return [
        cast.worker1,
        cast.worker2,
        cast.resident_user,
        cast.volunteer_user,
        cast.staff,
        cast.leader,
        cast.admin,
        *extra,
    ]


def test_the_scope_on_the_request_columns_answers_as_the_joined_one_for_every_role(
    cast: Cast,
) -> None:
    _world(cast)
    # The neighbour gets an account too, so "reported by me" is exercised for two people.
    neighbour_user = person("neighbour", Role.RESIDENT, area=cast.unit2)
    Resident.objects.filter(pk=cast.neighbour.pk).update(user=neighbour_user)
    seen_any = 0
    for user in [*_everyone(cast), neighbour_user]:
        forget_cached_scopes(user)
        new = set(visible_requests(user).values_list("pk", flat=True))
        forget_cached_scopes(user)
        old = set(_legacy_visible_requests(user).values_list("pk", flat=True))
        assert new == old, user.username
        seen_any += bool(new)
    assert seen_any >= 8  # the comparison is not between empty sets


def test_a_task_list_without_the_scope_is_the_scoped_one_for_every_role(cast: Cast) -> None:
    """``my_tasks`` adds no scope: a request's assignee always sees it, so the assigned
    open requests within the user's scope are all of them."""
    _world(cast)
    busy = 0
    for user in _everyone(cast):
        forget_cached_scopes(user)
        scoped = visible_requests(user).filter(
            assignee_id=user.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
        )
        tasks = list(selectors.my_tasks(user).values_list("pk", flat=True))
        assert sorted(tasks) == sorted(scoped.values_list("pk", flat=True)), user.username
        busy += bool(tasks)
    assert busy >= 2  # worker1 and worker2 both have one


@pytest.mark.parametrize(
    ("selector", "joined"),
    [
        (selectors.my_tasks, {"requests_category", "areas_area"}),
        (
            selectors.my_reports,
            {"areas_area", "accounts_user", "organisations_organisation"},
        ),
    ],
)
def test_a_personal_list_joins_only_what_its_page_shows(
    cast: Cast, selector: Any, joined: set[str]
) -> None:
    """Every joined table is planned with each statement, and a joined resident's
    encrypted fields would be decrypted for nothing: the lists join what they show."""
    sql = str(selector(cast.worker1).query)
    tables = {part.split('"')[1] for part in sql.split(" JOIN ")[1:]}
    assert tables == joined


def test_the_new_scope_joins_no_other_table(cast: Cast) -> None:
    sql = str(visible_requests(cast.worker1).query)
    assert "JOIN" not in sql.upper()
    assert '"location_id" IN (' in sql


def test_a_scope_of_many_areas_stays_a_subquery_with_the_same_rows(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(cast)
    compound_staff = person("compound-staff", Role.STAFF, area=cast.compound)
    inlined = set(visible_requests(compound_staff).values_list("pk", flat=True))
    assert inlined  # the comparison is not between empty sets
    monkeypatch.setattr(selectors, "INLINE_AREAS", 1)
    forget_cached_scopes(compound_staff)
    queryset = visible_requests(compound_staff)
    assert '"location_id" IN (SELECT' in str(queryset.query)
    assert set(queryset.values_list("pk", flat=True)) == inlined
    forget_cached_scopes(compound_staff)
    assert inlined == set(_legacy_visible_requests(compound_staff).values_list("pk", flat=True))


def test_a_community_or_more_is_scoped_by_the_request_s_community_column(cast: Cast) -> None:
    """A community's (or town's) thousands of buildings and units are not written into the
    query: its communities are (a few ids), on the request's own column."""
    _world(cast)
    for user in (cast.staff, person("cadre-town", Role.CADRE, area=cast.town)):
        sql = str(visible_requests(user).query)
        assert '"community_id" IN (' in sql, user.username
        assert '"location_id" IN' not in sql, user.username
    mixed = str(visible_requests(_two_roles(cast)).query)
    assert '"community_id" IN (' in mixed
    assert '"location_id" IN (' in mixed  # the building of the other community


@pytest.mark.parametrize("page_size", [1, 2, 3, 20])
def test_overdue_first_in_two_queries_keeps_the_order_of_the_single_query(
    cast: Cast, page_size: int
) -> None:
    filed = _world(cast)
    filed += [file_request(cast, cast.unit2, urgent=True) for _ in range(3)]
    now = timezone.now()
    # Half of them are past their deadline; one of those is closed, so not overdue.
    for request in filed[::2]:
        Request.objects.filter(pk=request.pk).update(due_at=now - dt.timedelta(hours=1))
    Request.objects.filter(pk=filed[-1].pk).update(status=Status.CLOSED)
    queue = request_queue(user=cast.staff, filters=QueueFilters(), now=now)
    expected = list(queue.values_list("pk", flat=True))
    split = OverdueFirst(queue, now)
    paged = []
    for start in range(0, len(expected) + page_size, page_size):
        paged += [r.pk for r in split[start : start + page_size]]
    assert paged == expected
    assert [r.pk for r in split] == expected
    assert split.count() == len(expected)
    overdue = [r.pk for r in split[0:100] if r.is_overdue]  # type: ignore[attr-defined]
    assert overdue == expected[: len(overdue)]
    assert len(overdue) == 4


def test_overdue_first_is_counted_in_one_statement_at_any_cap(cast: Cast) -> None:
    """Issue 19: both parts (overdue, the rest) in one COUNT, and one EXPLAIN for the
    estimate on PostgreSQL, instead of one of each a part."""
    filed = _world(cast)
    now = timezone.now()
    for request in filed[::2]:
        Request.objects.filter(pk=request.pk).update(due_at=now - dt.timedelta(hours=1))
    for filters in (QueueFilters(), QueueFilters(status="open"), QueueFilters(grid=cast.grid1)):
        queue = request_queue(user=cast.staff, filters=filters, now=now)
        rows = queue.count()
        split = OverdueFirst(queue, now)
        assert 0 < len([r for r in split[0:100] if r.is_overdue]) <= rows  # type: ignore[attr-defined]
        for limit in range(1, rows + 2):
            with CaptureQueriesContext(connection) as counted:
                assert split.capped_count(limit) == min(rows, limit)
            assert len(counted) == 1
        with CaptureQueriesContext(connection) as estimated:
            estimate = split.estimated_count()
        assert len(estimated) == (1 if connection.vendor == "postgresql" else 0)
        assert (estimate is None) == (connection.vendor != "postgresql")


def test_the_scope_s_parts_are_disjoint_and_together_the_scope_for_every_role(
    cast: Cast,
) -> None:
    """Counted in parts (a community's requests through its index, then the rest outside
    it), a list must count each visible request once: the parts split the scope exactly."""
    _world(cast)
    split_any = outside = 0
    for user in _everyone(cast):
        forget_cached_scopes(user)
        parts = selectors.visible_request_parts(user)
        visible = set(visible_requests(user).values_list("pk", flat=True))
        if parts is None:
            continue
        split_any += 1
        seen = [set(Request.objects.filter(part).values_list("pk", flat=True)) for part in parts]
        assert not seen[0] & seen[1], user.username
        assert seen[0] | seen[1] == visible, user.username
        outside += bool(seen[1])
    # staff, leader, committee, partner, the other community's staff, two roles (admin
    # sees everything: nothing to split)
    assert split_any >= 6
    assert outside >= 2  # the staff's filing elsewhere; the two-role user's building


def test_the_queue_counted_in_parts_counts_as_the_whole_under_every_filter(cast: Cast) -> None:
    filed = _world(cast)
    now = timezone.now()
    Request.objects.filter(pk=filed[0].pk).update(due_at=now - dt.timedelta(hours=1))
    # The staff member filed one in the other community (a row of the second part); the
    # two-role user sees a community by its column and a building by location.
    users = [cast.staff, cast.leader, _two_roles(cast)]
    for filters in (
        QueueFilters(),
        QueueFilters(status="open"),
        QueueFilters(overdue_only=True),
        QueueFilters(grid=cast.grid1),
        QueueFilters(query="楼"),
    ):
        for user in users:
            forget_cached_scopes(user)
            whole = request_queue(user=user, filters=filters, now=now)
            parts = selectors.request_queue_parts(user=user, filters=filters, now=now)
            assert parts is not None
            rows = whole.count()
            queue = OverdueFirst(whole, now, counted_in=parts)
            for limit in range(1, rows + 2):
                assert queue.capped_count(limit) == min(rows, limit), (filters, limit)
    assert request_queue(user=cast.staff, filters=QueueFilters(), now=now).count() >= 5
    assert selectors.request_queue_parts(user=cast.worker1, filters=QueueFilters()) is None


def test_the_queue_page_one_and_its_count_take_one_statement_for_the_count(
    cast: Cast, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """The staff's scope read afresh (roles, own resident rows, the community's areas),
    page 1 (here, a short list, all four runs of the order: overdue urgent, overdue, the
    rest urgent, the rest), and the count: one statement, plus one EXPLAIN on PostgreSQL.
    Before (issue 19) a count and an EXPLAIN a part: 11 on PostgreSQL, 9 on SQLite."""
    _world(cast)
    now = timezone.now()
    forget_cached_scopes(cast.staff)
    postgres = connection.vendor == "postgresql"
    with django_assert_max_num_queries(9 if postgres else 8):
        split = OverdueFirst(request_queue(user=cast.staff, filters=QueueFilters(), now=now), now)
        rows = split.after(None, 20)  # page 1, as the queue page reads it
        counted = pagination.count_rows(split)
    assert len(rows) == counted.rows > 0
    assert counted.exact


def test_counting_stops_at_the_cap_and_says_so(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    _world(cast)
    # Counted, as where there is no planner estimate (SQLite; tests/requests/test_keyset.py).
    monkeypatch.setattr(pagination, "estimated_count", lambda _rows: None)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    paginator = CappedPaginator(Request.objects.order_by("pk"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    # A page far beyond the cap is the last counted page, not a scan to the end.
    assert paginator.get_page(25000).number == 2
    exact = CappedPaginator(Request.objects.order_by("pk")[:3], 2)
    assert (exact.count, exact.capped) == (3, False)


def test_the_queue_page_says_ten_thousand_plus_when_capped(
    cast: Cast, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(cast)
    monkeypatch.setattr(pagination, "estimated_count", lambda _rows: None)
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    monkeypatch.setattr("django.conf.settings.LINLI_PAGE_SIZE", 1)
    page = client_for("staff").get("/requests/").content.decode()
    assert "第 1 页,共 1万+ 条" in page


def test_the_api_refuses_pages_past_the_cap_in_chinese(cast: Cast, client: Client) -> None:
    _token, secret = api_token_create(user=cast.staff)
    response = client.get(
        "/api/v1/requests", {"page": 25000}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 422
    assert "只能翻到前 10,000 条" in response.json()["errors"]["page"][0]
    _world(cast)
    first = client.get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert first["count"] == visible_requests(cast.staff).count() > 0


def test_a_list_already_read_is_counted_without_another_query(cast: Cast) -> None:
    _world(cast)
    read = Request.objects.order_by("pk")
    rows = list(read)
    assert pagination.capped_count(read) == len(rows) == CappedPaginator(read, 2).count
