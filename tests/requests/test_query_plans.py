"""The hot queries of issue 19 are served by indexes on PostgreSQL, not by scanning a big
table: EXPLAIN of each on a mid-size generated world (``linli.demo.scale``, 30,000
residents: about 10 s to build) after ANALYZE.

PostgreSQL only (``@pytest.mark.postgres``: deselected elsewhere, tests/conftest.py); one
test, one world, so the PostgreSQL lane pays for the build once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import forget_cached_scopes
from linli.areas.models import Area, Grid
from linli.care.models import CarePlan
from linli.care.selectors import _scoped, due_plans
from linli.core.roles import Capability, Role
from linli.demo.scale import generate, leaders_of
from linli.people.models import Resident
from linli.people.selectors import ResidentFilters, residents_search, visible_residents
from linli.requests.models import Request
from linli.requests.selectors import (
    RUNS,
    OverdueFirst,
    QueueFilters,
    my_reports,
    my_tasks,
    request_queue,
)
from linli.volunteers.models import Volunteer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# A mid-size world (one request each): 42 grids in 5 communities, ~53,000 visits. Below
# about 4,000 the tables fit in a few pages and a scan is rightly cheaper than an index.
RESIDENTS = 30_000
BIG_TABLES = {
    "requests_request",
    "people_resident",
    "requests_requestevent",
    "care_visit",
    "care_careplan",
    "volunteers_servicerecord",
}
PAGE = 20
# A bitmap heap scan reads the rows its Bitmap Index Scan child found.
INDEX_SCANS = {"Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _scans(queryset: QuerySet[Any]) -> list[tuple[str, str]]:
    """(node type, table) of every scan of a table in the query's plan."""
    plan = json.loads(queryset.explain(format="json"))[0]["Plan"]
    return [
        (node["Node Type"], node["Relation Name"])
        for node in _nodes(plan)
        if "Relation Name" in node
    ]


def _index_served(name: str, queryset: QuerySet[Any], table: str) -> None:
    scans = _scans(queryset)
    big_scans = [scan for scan in scans if scan[0] == "Seq Scan" and scan[1] in BIG_TABLES]
    assert not big_scans, (name, scans)
    assert any(kind in INDEX_SCANS for kind, t in scans if t == table), (name, scans)


def test_the_hot_queries_use_indexes_on_a_generated_world() -> None:
    generate(residents=RESIDENTS, seed=1, log=lambda _line: None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert Request.objects.count() == RESIDENTS
    now = timezone.now()
    worker = User.objects.filter(username__startswith="scale-gw-").order_by("pk").first()
    staff = User.objects.filter(username__startswith="scale-staff-").order_by("pk").first()
    assert worker is not None
    assert staff is not None
    assert Request.objects.filter(assignee=worker).exists()

    _index_served("grid worker's tasks", my_tasks(worker, now)[:PAGE], "requests_request")

    forget_cached_scopes(staff)
    queue = OverdueFirst(request_queue(user=staff, filters=QueueFilters(), now=now), now)
    _index_served("queue: overdue, page 1", queue.overdue[:PAGE], "requests_request")
    _index_served("queue: the rest, page 1", queue.rest[:PAGE], "requests_request")
    open_only = OverdueFirst(
        request_queue(user=staff, filters=QueueFilters(status="open"), now=now), now
    )
    _index_served("open queue: the rest, page 1", open_only.rest[:PAGE], "requests_request")

    # A deep page by keyset (下一页 / 上一页 links, the API's cursor): each of the four runs
    # read from a row's place in the middle of the list, forwards and backwards, through
    # the queue index: never a scan, never a skip.
    forget_cached_scopes(staff)
    not_urgent = queue.run(late=False, urgent=False)
    middle = not_urgent[not_urgent.count() // 2]
    key = queue.key_of(middle)
    for backwards in (False, True):
        for late, urgent in RUNS:
            run = queue.run(late, urgent, key, backwards=backwards)[:PAGE]
            name = f"queue by keyset: run {late=} {urgent=}, {backwards=}"
            _index_served(name, run, "requests_request")
            assert "OFFSET" not in str(run.query), name
    assert len(queue.after(key, PAGE)) == len(queue.before(key, PAGE)) == PAGE

    # A resident of the staff member's community, with a request and now an account.
    resident = (
        visible_residents(staff)
        .filter(pk__in=Request.objects.values("reporter_id"))
        .order_by("pk")
        .first()
    )
    assert resident is not None
    account = User.objects.create(username="scale-resident", full_name=resident.name)
    Resident.objects.filter(pk=resident.pk).update(user=account)
    assert list(my_reports(account)[:PAGE])
    _index_served("a resident's requests", my_reports(account)[:PAGE], "requests_request")

    # The register searched by phone: the keyed hash, through its index.
    forget_cached_scopes(staff)
    by_phone = ResidentFilters(query=resident.phone)
    assert resident in list(residents_search(user=staff, filters=by_phone))
    searched = residents_search(user=staff, filters=by_phone)[:PAGE]
    _index_served("resident search by phone", searched, "people_resident")

    # The register searched by name within one grid: the grid's buildings, not the register.
    grid = Grid.objects.get(pk=Request.objects.filter(reporter=resident).values("grid_id")[:1])
    by_name = ResidentFilters(query=resident.name, grid=grid)
    assert resident in list(residents_search(user=staff, filters=by_name))
    searched = residents_search(user=staff, filters=by_name)[:PAGE]
    _index_served("resident search by name in a grid", searched, "people_resident")

    # A volunteer's due visits: the plans of the volunteer with most plans, and each plan's
    # last visit through the visits index, not a scan of a year of visits.
    volunteer = (
        Volunteer.objects.annotate(n=Count("primary_care_plans"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    assert volunteer is not None
    helper = User.objects.create(username="scale-volunteer", full_name=volunteer.name)
    RoleAssignment.objects.create(user=helper, role=Role.VOLUNTEER, area=volunteer.community)
    Volunteer.objects.filter(pk=volunteer.pk).update(user=helper)
    helper = User.objects.get(pk=helper.pk)
    plans = due_plans(helper, now=now, only_due=False)
    assert plans.count() >= volunteer.n
    _index_served("a volunteer's due visits", due_plans(helper, now=now)[:PAGE], "care_careplan")

    # A county leader's due list: every plan in the county, read in due order through the
    # (active, due_at) index and stopped at the page; the due moment was a subquery on the
    # visits for each of the county's plans (1.9 s at 3 M residents).
    _town_leader, county_leader = leaders_of(Area.objects.get(pk=volunteer.community_id))
    county_due = due_plans(county_leader, now=now)[:PAGE]
    _index_served("a county leader's due visits", county_due, "care_careplan")
    plan = json.loads(county_due.explain(format="json"))[0]["Plan"]
    used = {node.get("Index Name") for node in _nodes(plan)}
    assert "care_plan_active_due" in used, used
    assert "care_visit" not in {table for _kind, table in _scans(county_due)}

    # A community's due list: a range of the plans' own (community, active, due_at)
    # index, not a walk of every active plan joined to its person's place (a town's count
    # read 5,000 plans and every resident at 300 k).
    forget_cached_scopes(staff)
    due = due_plans(staff, now=now)
    # The same plans as the scope alone gives, without the narrowing.
    in_scope = _scoped(CarePlan.objects.filter(active=True), staff, Capability.CARE_VIEW)
    assert due_plans(staff, now=now, only_due=False).count() == in_scope.count() > 0
    _index_served("a community's due visits, page", due[:PAGE], "care_careplan")
    plan = json.loads(due[:PAGE].explain(format="json"))[0]["Plan"]
    used = {node.get("Index Name") for node in _nodes(plan)}
    assert "care_plan_community_due" in used, used
    # (Its count reads the index alone once the table is vacuumed, as at 300 k and 3 M;
    # this world's 843 plans, in a test's transaction, are rightly scanned.)
