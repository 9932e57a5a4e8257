"""Time the request hot paths of issue 19 on a generated world (``linli scale generate``).

A script, not a test: ``DATABASE_URL=… uv run python bench/hot_paths.py [--repeats 15]``.
For each list it times, in the same database:

- the whole page or API call as a client sees it (Django test client, after warm-up);
- the query the code ran before (scope ORed across joined tables, ``ORDER BY CASE`` on now,
  exact ``COUNT``) and the query it runs now (scope on the request's own columns, overdue
  first as two index-served queries, count capped at 10,000), each page 1 plus its count;
- one hand-written SQL statement giving the same page 1: the physical limit.

Prints a table of median / p95 milliseconds (``--only queue``).

``--only paths`` (issue 19, item 2) times each hot path of the issue beside ONE
hand-written SQL statement giving the same answer on the same database, with the ratio of
the medians: a grid worker's task list, a resident's requests (``my_reports``), a
community's dispatch queue, a resident search by exact phone (keyed hash) and by name
within a grid, a volunteer's due visits, a request submission with its routing (in a
transaction rolled back afterwards; only the submission is timed), a town's figures for a
month (``request_figures`` and the figures page) and the dashboard pages of a town and of
the county (counted on every view, as with ``LINLI_DASHBOARD_SNAPSHOT_SECONDS=0``, and from
their 60-s snapshots). It adds to the database, once, the people these paths need and the
generator does not make: a resident with an account (the one with most requests in the
staff's community), an account for the volunteer with most plans there, a town leader and
a county leader; and runs the dashboard's nightly rebuild if it never ran. Its ``stmts``
column is the number of SQL statements one more call of each path sends
(CaptureQueriesContext; a page's include the session and the user's roles).

The load average is printed with each table: the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from linli.accounts.models import RoleAssignment, User  # noqa: E402
from linli.accounts.selectors import forget_cached_scopes  # noqa: E402
from linli.accounts.services import api_token_create  # noqa: E402
from linli.core.keyset import Cursor  # noqa: E402
from linli.core.pagination import COUNT_CAP, count_rows  # noqa: E402
from linli.core.roles import Role  # noqa: E402
from linli.requests import selectors  # noqa: E402
from linli.requests.api import RequestFilters, cursor_encode  # noqa: E402
from linli.requests.models import Request  # noqa: E402
from linli.requests.selectors import (  # noqa: E402
    LIST_RELATED,
    QUEUE_PAGE_RELATED,
    OverdueFirst,
    QueueFilters,
    _legacy_visible_requests,
    request_queue,
    request_queue_parts,
    visible_requests,
    with_overdue,
)
from linli.requests.views import QUEUE_CURSOR_SALT  # noqa: E402
from linli.requests.workflow import OPEN_STATUSES, Status  # noqa: E402

PAGE = 20


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median and p95 ms of ``fn`` after two warm-up calls; a ``fn`` that returns a float
    reports its own duration in ms (the part of its work that is timed)."""
    for _ in range(2):
        fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        own = fn()
        elapsed = (time.perf_counter() - started) * 1000
        samples.append(own if isinstance(own, float) else elapsed)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def before(user: User, *, worker_tasks: bool = False, offset: int = 0) -> None:
    forget_cached_scopes(user)
    queryset = _legacy_visible_requests(user)
    if worker_tasks:
        queryset = queryset.filter(
            assignee_id=user.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
        )
    ordered = (
        with_overdue(queryset, timezone.now())
        .select_related(*LIST_RELATED)
        .order_by(F("is_overdue").desc(), "-urgent", "due_at", "pk")
    )
    list(ordered[offset : offset + PAGE])
    ordered.count()


def after(user: User, *, worker_tasks: bool = False, capped: bool = False) -> None:
    """Page 1 and its count as now (``count_rows``: the planner's estimate well past the
    cap); ``capped=True`` counts up to the cap instead, as the first session did."""
    forget_cached_scopes(user)
    now = timezone.now()
    if worker_tasks:
        queryset = visible_requests(user).filter(
            assignee_id=user.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
        )
        split = OverdueFirst(with_overdue(queryset, now).select_related(*LIST_RELATED), now)
    else:  # as the queue page reads it: its joins, and counted in parts
        filters = QueueFilters()
        split = OverdueFirst(
            request_queue(user=user, filters=filters, now=now, related=QUEUE_PAGE_RELATED),
            now,
            counted_in=request_queue_parts(user=user, filters=filters, now=now),
        )
    split[0:PAGE]
    if capped:
        split.capped_count(COUNT_CAP + 1)
    else:
        count_rows(split)


def subquery_scope(fn: Callable[[], None]) -> Callable[[], None]:
    """``fn`` with the area scope as a subquery (the first session's formulation)."""

    def run() -> None:
        kept = selectors.INLINE_AREAS
        selectors.INLINE_AREAS = 0
        try:
            fn()
        finally:
            selectors.INLINE_AREAS = kept

    return run


def reads_only(statements: list[str]) -> bool:
    return all(sql.lstrip().upper().startswith(("SELECT", "EXPLAIN", "(")) for sql in statements)


def replayed(statements: list[str]) -> Callable[[], None]:
    """The statements a path sent, sent again as they were: what they cost in the database
    and on the wire, without Django building them or making objects of their rows (the
    "its SQL" column: the query shapes' own price, beside the hand-written statement's)."""

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def raw(sql: str, params: list[Any] | dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


OPEN = sorted(str(s) for s in OPEN_STATUSES)

RAW_QUEUE = """
(SELECT r.id, r.number, r.text, r.due_at, a.name FROM requests_request r
   JOIN areas_area a ON a.id = r.location_id
  WHERE r.location_id IN (SELECT id FROM areas_area WHERE path LIKE %s)
    AND r.status = ANY(%s) AND r.due_at < now()
  ORDER BY r.urgent DESC, r.due_at, r.id LIMIT 20)
UNION ALL
(SELECT r.id, r.number, r.text, r.due_at, a.name FROM requests_request r
   JOIN areas_area a ON a.id = r.location_id
  WHERE r.location_id IN (SELECT id FROM areas_area WHERE path LIKE %s)
    AND NOT (r.status = ANY(%s) AND r.due_at < now())
  ORDER BY r.urgent DESC, r.due_at, r.id LIMIT 20)
LIMIT 20
"""

RAW_WORKER = """
(SELECT r.id, r.number, r.text, r.due_at FROM requests_request r
  WHERE (r.grid_id = %s OR r.assignee_id = %s)
    AND r.status = ANY(%s) AND r.due_at < now()
  ORDER BY r.urgent DESC, r.due_at, r.id LIMIT 20)
UNION ALL
(SELECT r.id, r.number, r.text, r.due_at FROM requests_request r
  WHERE (r.grid_id = %s OR r.assignee_id = %s)
    AND NOT (r.status = ANY(%s) AND r.due_at < now())
  ORDER BY r.urgent DESC, r.due_at, r.id LIMIT 20)
LIMIT 20
"""

RAW_TASKS = """
SELECT r.id, r.number, r.due_at FROM requests_request r
 WHERE r.assignee_id = %s AND r.status IN ('assigned', 'in_progress')
 ORDER BY (r.due_at < now()) DESC, r.due_at, r.id LIMIT 20
"""


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--only",
        choices=["queue", "paths"],
        help="queue: the queue's table (sessions 1–3); paths: issue 19 item 2's hot paths",
    )
    args = parser.parse_args()
    print(f"{Request.objects.count():,} requests; {load()}")
    if args.only != "paths":
        queue_table(args.repeats)
    if args.only != "queue":
        paths_table(args.repeats)


def queue_table(repeats: int) -> None:

    staff_role = (
        RoleAssignment.objects.filter(role=Role.STAFF, user__username__startswith="scale-staff-")
        .select_related("user", "area")
        .order_by("pk")[0]
    )
    staff, community = staff_role.user, staff_role.area
    assert community is not None
    worker_role = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid__community=community)
        .select_related("user", "grid")
        .order_by("pk")[0]
    )
    worker, grid = worker_role.user, worker_role.grid
    assert grid is not None
    print(
        f"{Request.objects.count():,} requests; community {community.name}: "
        f"{Request.objects.filter(community=community).count():,}; "
        f"grid {grid.code}: {Request.objects.filter(grid=grid).count():,}"
    )

    client = Client()
    _t, staff_secret = api_token_create(user=staff)
    _t, worker_secret = api_token_create(user=worker)

    def page(user: User, url: str, **headers: str) -> Callable[[], None]:
        def run() -> None:
            if not headers:
                client.force_login(user)
            response = client.get(url, **headers)  # type: ignore[arg-type]
            assert response.status_code == 200, (url, response.status_code)

        return run

    # Someone who sees everything (120,000 requests): the estimate's and the cursor's case.
    everyone, _new = User.objects.get_or_create(
        username="scale-bench-all", defaults={"full_name": "全区", "is_superuser": True}
    )
    _t, everyone_secret = api_token_create(user=everyone)

    def cursor_at(user: User, position: int, *, page_link: bool = False) -> str:
        forget_cached_scopes(user)
        now = timezone.now()
        queue = OverdueFirst(request_queue(user=user, filters=QueueFilters(), now=now), now)
        key = queue.key_of(queue[position - 1 : position][0])
        if page_link:  # the queue page's 下一页 link
            dumped, fingerprint = OverdueFirst.dump_key(key), QueueFilters().fingerprint()
            number = position // PAGE + 1
            return Cursor(now, dumped, fingerprint, number).dumps(salt=QUEUE_CURSOR_SALT)
        return cursor_encode(now, key, RequestFilters.model_validate({}))

    # Deep places: row 8,000 of the community, row 100,000 of everything (or as deep as a
    # smaller world goes: 90 % of the way).
    staff_row = min(8_000, visible_requests(staff).count() * 9 // 10)
    all_row = min(100_000, Request.objects.count() * 9 // 10)
    print(f"deep rows: staff {staff_row:,}, all {all_row:,}")
    staff_deep = cursor_at(staff, staff_row)
    all_deep = cursor_at(everyone, all_row)
    staff_page_link = cursor_at(staff, staff_row, page_link=True)
    all_page_link = cursor_at(everyone, all_row, page_link=True)

    def api(user: User, secret: str, query: str) -> tuple[float, float]:
        bearer = f"Bearer {secret}"
        return timed(page(user, f"/api/v1/requests?{query}", HTTP_AUTHORIZATION=bearer), repeats)

    rows: list[tuple[str, tuple[float, float]]] = []
    with override_settings(LINLI_REQUIRE_2FA=False, ALLOWED_HOSTS=["*"]):
        rows += [
            ("API staff page 1", api(staff, staff_secret, "")),
            ("API staff row 8,000 by offset (page 400)", api(staff, staff_secret, "page=400")),
            (
                "API staff row 8,000 by cursor",
                api(staff, staff_secret, urlencode({"cursor": staff_deep})),
            ),
            ("API all page 1 (estimated count)", api(everyone, everyone_secret, "")),
            ("API all row 9,980 by offset (page 500)", api(everyone, everyone_secret, "page=500")),
            (
                "API all row 100,000 by cursor",
                api(everyone, everyone_secret, urlencode({"cursor": all_deep})),
            ),
        ]
        rows += [
            ("staff dispatch queue page /requests/", timed(page(staff, "/requests/"), repeats)),
            (
                "GET /api/v1/requests as staff",
                timed(
                    page(staff, "/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {staff_secret}"),
                    repeats,
                ),
            ),
            (
                "GET /api/v1/requests as grid worker",
                timed(
                    page(worker, "/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {worker_secret}"),
                    repeats,
                ),
            ),
            (
                "grid worker task page /requests/tasks/",
                timed(page(worker, "/requests/tasks/"), repeats),
            ),
            (
                "staff queue page at row 8,000 by 下一页 link",
                timed(page(staff, "/requests/?" + urlencode({"cursor": staff_page_link})), repeats),
            ),
            ("all: queue page /requests/", timed(page(everyone, "/requests/"), repeats)),
            (
                "all: queue page at row 100,000 by 下一页 link",
                timed(
                    page(everyone, "/requests/?" + urlencode({"cursor": all_page_link})), repeats
                ),
            ),
        ]
    prefix = community.path + "%"
    rows += [
        (
            "queue query BEFORE (joined OR, CASE order, exact count)",
            timed(lambda: before(staff), repeats),
        ),
        (
            "queue query AFTER-1 (subquery scope, two queries, capped count)",
            timed(subquery_scope(lambda: after(staff, capped=True)), repeats),
        ),
        (
            "queue query AFTER-2 (constant scope, two queries, count_rows)",
            timed(lambda: after(staff), repeats),
        ),
        (
            "all: page 1 + capped count",
            timed(lambda: after(everyone, capped=True), repeats),
        ),
        ("all: page 1 + count_rows (estimate)", timed(lambda: after(everyone), repeats)),
        (
            "queue raw SQL page 1 (limit)",
            timed(raw(RAW_QUEUE, [prefix, OPEN, prefix, OPEN]), repeats),
        ),
        ("worker list BEFORE", timed(lambda: before(worker), repeats)),
        (
            "worker list AFTER-1 (subquery scope, capped count)",
            timed(subquery_scope(lambda: after(worker, capped=True)), repeats),
        ),
        ("worker list AFTER-2 (count_rows)", timed(lambda: after(worker), repeats)),
        (
            "worker list raw SQL page 1",
            timed(raw(RAW_WORKER, [grid.pk, worker.pk, OPEN, grid.pk, worker.pk, OPEN]), repeats),
        ),
        ("worker tasks BEFORE", timed(lambda: before(worker, worker_tasks=True), repeats)),
        ("worker tasks AFTER", timed(lambda: after(worker, worker_tasks=True), repeats)),
        ("worker tasks raw SQL", timed(raw(RAW_TASKS, [worker.pk]), repeats)),
        (
            "deep page BEFORE (offset 50,000 + count)",
            timed(lambda: before(staff, offset=50_000), repeats),
        ),
    ]
    width = max(len(name) for name, _ in rows)
    print(load())
    print(f"{'path'.ljust(width)}  median ms   p95 ms")
    for name, (median, p95) in rows:
        print(f"{name.ljust(width)}  {median:9.1f} {p95:8.1f}")


# --- issue 19, item 2: the hot paths beside one SQL statement each -------------------------

RAW_MINE = """
SELECT r.id, r.number, r.text, r.status, r.submitted_at, a.name FROM requests_request r
  JOIN areas_area a ON a.id = r.location_id
 WHERE r.reporter_id = ANY(%s) OR r.submitted_by_id = %s
 ORDER BY r.submitted_at DESC LIMIT 20
"""

RAW_PHONE = """
SELECT p.id, p.name, p.household_id FROM people_resident p
  JOIN areas_area a ON a.id = p.area_id
 WHERE p.phone_hash = %s AND a.path LIKE %s AND p.anonymised_at IS NULL
 ORDER BY a.path, p.id LIMIT 20
"""


def raw_name(buildings: int) -> str:
    """Name search within a grid's buildings: an OR of path prefixes, which PostgreSQL
    reads as a BitmapOr on the path index (``path LIKE ANY(…)`` scans every area)."""
    prefixes = " OR ".join(["a.path LIKE %s"] * buildings)
    return f"""
SELECT p.id, p.name, p.household_id FROM people_resident p
  JOIN areas_area a ON a.id = p.area_id
 WHERE ({prefixes}) AND (p.name LIKE %s OR p.alias LIKE %s)
   AND p.anonymised_at IS NULL
 ORDER BY a.path, p.id LIMIT 20
"""


RAW_DUE = """
SELECT p.id, res.name, p.due_at FROM care_careplan p
  JOIN people_resident res ON res.id = p.resident_id
 WHERE p.active AND (p.primary_volunteer_id = %s OR p.backup_volunteer_id = %s)
   AND p.due_at <= %s
 ORDER BY p.due_at, p.id LIMIT 20
"""

# The request routed to its grid's worker and its three timeline events (no audit row, no
# notification: those are the service's, not the statement's).
RAW_SUBMIT = """
WITH unit AS (
  SELECT u.id, u.path, b.grid_id FROM areas_area u
    JOIN areas_area b ON b.path = substr(u.path, 1, 20)
   WHERE u.id = %(unit)s),
worker AS (
  SELECT ra.user_id FROM accounts_roleassignment ra, unit
   WHERE ra.grid_id = unit.grid_id AND ra.role = 'grid_worker' ORDER BY ra.id LIMIT 1),
made AS (
  INSERT INTO requests_request (created_at, updated_at, number, text, room, reporter_name,
      channel, urgent, status, submitted_at, response_due_at, due_at, accepted_at,
      resolution_note, reopen_count, assignee_id, category_id, community_id, grid_id,
      location_id, reporter_id, submitted_by_id, public)
  SELECT now(), now(), %(number)s, %(text)s, '101', %(name)s, 'resident_page', false,
         'assigned', now(), now() + c.response_hours * interval '1 hour',
         now() + c.handling_hours * interval '1 hour', now(), '', 0, worker.user_id, c.id,
         community.id, unit.grid_id, unit.id, %(reporter)s, %(user)s, false
    FROM unit, worker, requests_category c, areas_area community
   WHERE c.id = %(category)s AND community.path = substr(unit.path, 1, 12)
  RETURNING id)
INSERT INTO requests_requestevent (kind, transition, from_status, to_status, note,
    created_at, actor_id, request_id)
SELECT e.kind, e.transition, e.from_status, e.to_status, '', now(), NULL, made.id
  FROM made, (VALUES ('submitted', '', '', 'submitted'),
                     ('auto', 'accept', 'submitted', 'accepted'),
                     ('auto', 'assign', 'accepted', 'assigned'))
       AS e(kind, transition, from_status, to_status)
"""


def raw_figures() -> str:
    """A place's request counts (``request_figures``' first block, its per-category counts
    and its open overdue count) for a period, in one statement."""
    from linli.requests.figures import STATUS_ORDER
    from linli.requests.models import Channel

    cohort = "r.submitted_at >= %(since)s AND r.submitted_at < %(until)s"
    per_status = ", ".join(
        f"count(*) FILTER (WHERE {cohort} AND r.status = '{s.value}')" for s in STATUS_ORDER
    )
    per_channel = ", ".join(
        f"count(*) FILTER (WHERE {cohort} AND r.channel = '{c.value}')" for c in Channel
    )
    return f"""
SELECT r.category_id,
       count(*) FILTER (WHERE {cohort}),
       count(*) FILTER (WHERE {cohort} AND r.responded_at <= r.response_due_at),
       count(*) FILTER (WHERE {cohort}
                        AND (r.responded_at IS NOT NULL OR r.response_due_at <= now())),
       count(*) FILTER (WHERE {cohort} AND r.resolved_at <= r.due_at),
       count(*) FILTER (WHERE {cohort} AND (r.resolved_at IS NOT NULL
                        OR (r.status = ANY(%(open)s) AND r.due_at < now()))),
       count(*) FILTER (WHERE {cohort} AND r.reopen_count > 0),
       {per_status}, {per_channel},
       count(*) FILTER (WHERE r.status = ANY(%(open)s) AND r.due_at < now())
  FROM requests_request r
 WHERE r.community_id IN (SELECT id FROM areas_area WHERE path LIKE %(place)s
                          AND kind = 'community')
   AND ({cohort} OR (r.status = ANY(%(open)s) AND r.due_at < now()))
 GROUP BY r.category_id
"""


Timing = tuple[float, float]


def paths_table(repeats: int) -> None:
    from django.conf import settings

    from linli.areas.models import Area
    from linli.care.selectors import due_plans
    from linli.core import crypto
    from linli.core.pagination import CappedPaginator
    from linli.demo.scale import bench_people, figures_built
    from linli.people.models import Resident
    from linli.people.selectors import ResidentFilters, residents_search
    from linli.requests.figures import figures_for_user
    from linli.requests.figures_views import quick_ranges
    from linli.requests.models import Category, Channel
    from linli.requests.selectors import my_reports, my_tasks
    from linli.requests.services import request_submit

    staff_role = (
        RoleAssignment.objects.filter(role=Role.STAFF, user__username__startswith="scale-staff-")
        .select_related("user", "area")
        .order_by("pk")[0]
    )
    staff, community = staff_role.user, staff_role.area
    assert community is not None
    worker_role = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid__community=community)
        .select_related("user", "grid")
        .order_by("pk")[0]
    )
    worker, grid = worker_role.user, worker_role.grid
    assert grid is not None
    town = Area.objects.get(path=community.path[:8])
    county = Area.objects.get(path=community.path[:4])

    # The people the generator does not make (added once; linli/demo/scale.py).
    people = bench_people(community)
    resident, volunteer = people.resident, people.volunteer
    town_leader, county_leader = people.town_leader, people.county_leader
    assert resident.user is not None
    assert resident.area is not None
    resident_user, home = resident.user, resident.area
    assert volunteer.user is not None
    volunteer_user = volunteer.user

    figures_built()

    with_phone = (
        Resident.objects.filter(area__path__startswith=community.path, anonymised_at__isnull=True)
        .exclude(phone_hash="")
        .order_by("pk")
        .first()
    )
    assert with_phone is not None
    phone = with_phone.phone
    building_paths = sorted(grid.buildings.values_list("path", flat=True))
    in_grid = (
        Resident.objects.filter(area__path__startswith=building_paths[len(building_paths) // 2])
        .order_by("pk")
        .first()
    )
    assert in_grid is not None
    name = in_grid.name
    category = Category.objects.filter(is_active=True).order_by("pk")[0]
    today = timezone.localdate()
    month_end = today.replace(day=1)
    month_start = (month_end - dt.timedelta(days=1)).replace(day=1)
    since = timezone.make_aware(dt.datetime.combine(month_start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(month_end, dt.time.min))
    print(
        f"community {community.name} ({Request.objects.filter(community=community).count():,}"
        f" requests), grid {grid.code} ({len(building_paths)} buildings), town {town.name}"
        f" ({Request.objects.filter(location__path__startswith=town.path).count():,}"
        f" requests), county {county.name}; resident {resident.pk} "
        f"({Request.objects.filter(reporter=resident).count()} requests); volunteer "
        f"{volunteer.pk} ({due_plans(volunteer_user, only_due=False).count()} plans); "
        f"month {month_start}–{month_end}"
    )

    def paged(make: Callable[[], Any]) -> Callable[[], None]:
        """Page 1 of a list and its count, as ``paginate`` gives a view."""

        def run() -> None:
            page = CappedPaginator(make(), settings.LINLI_PAGE_SIZE).get_page(1)
            list(page.object_list)
            page.paginator.count  # noqa: B018

        return run

    client = Client()
    logged_in: list[User] = []

    def page(user: User, url: str) -> Callable[[], None]:
        def run() -> None:
            if logged_in != [user]:
                client.force_login(user)
                logged_in[:] = [user]
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    def submit() -> float:
        with transaction.atomic():
            started = time.perf_counter()
            made = request_submit(
                submitted_by=resident_user,
                text="楼道灯坏了,晚上看不见路",
                channel=Channel.RESIDENT_PAGE,
                location=home,
                room="101",
                category=category,
                reporter=resident,
            )
            elapsed = (time.perf_counter() - started) * 1000
            assert made.assignee_id is not None  # routed to the grid's worker
            transaction.set_rollback(True)
        return elapsed

    def submit_raw() -> float:
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    RAW_SUBMIT,
                    {
                        "unit": resident.area_id,
                        "number": "BENCH-0000001",
                        "text": "楼道灯坏了,晚上看不见路",
                        "name": resident.name,
                        "reporter": resident.pk,
                        "user": resident_user.pk,
                        "category": category.pk,
                    },
                )
                assert cursor.rowcount == 3
            elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return elapsed

    figures_sql = raw_figures()

    def figures_params(place: Area, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {"since": start, "until": end, "open": OPEN, "place": place.path + "%"}

    figures_url = "/requests/figures/?" + urlencode(
        {
            "place": f"area-{town.pk}",
            "date_from": month_start.isoformat(),
            "date_to": (month_end - dt.timedelta(days=1)).isoformat(),
        }
    )
    # The dashboard's pages of a town (as its leader) and of the county (as the county's
    # leader: its children are the towns).
    dashboard_url = f"/dashboard/area/{town.pk}/?period=month"
    county_dashboard_url = f"/dashboard/area/{county.pk}/?period=month"
    _label, first, last = quick_ranges(today)[0]
    this_month = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    next_month = timezone.make_aware(dt.datetime.combine(last, dt.time.min)) + dt.timedelta(days=1)

    rows: list[tuple[str, Timing, Timing | None, int, Timing | None]] = []

    def row(name: str, fn: Callable[[], Any], raw_fn: Callable[[], Any] | None = None) -> None:
        timing = timed(fn, repeats)
        # Once more, counting the statements it sends (its round trips to the database).
        with CaptureQueriesContext(connection) as captured:
            fn()
        sent = [q["sql"] for q in captured.captured_queries]
        rows.append(
            (
                name,
                timing,
                timed(raw_fn, repeats) if raw_fn else None,
                len(sent),
                timed(replayed(sent), repeats) if reads_only(sent) else None,
            )
        )
        print(f"  {name}: done ({load()})", flush=True)

    prefix = community.path + "%"
    with override_settings(LINLI_REQUIRE_2FA=False, ALLOWED_HOSTS=["*"]):
        row(
            "grid worker tasks: my_tasks page 1 + count",
            paged(lambda: my_tasks(worker)),
            raw(RAW_TASKS, [worker.pk]),
        )
        row("grid worker tasks: page /requests/tasks/", page(worker, "/requests/tasks/"))
        row(
            "resident's requests: my_reports page 1 + count",
            paged(lambda: my_reports(resident_user)),
            raw(RAW_MINE, [[resident.pk], resident_user.pk]),
        )
        row("resident's requests: page /requests/mine/", page(resident_user, "/requests/mine/"))
        row(
            "dispatch queue: page 1 + count_rows",
            lambda: after(staff),
            raw(RAW_QUEUE, [prefix, OPEN, prefix, OPEN]),
        )
        row("dispatch queue: page /requests/", page(staff, "/requests/"))
        row(
            "resident search, exact phone: page 1 + count",
            paged(lambda: residents_search(user=staff, filters=ResidentFilters(query=phone))),
            raw(RAW_PHONE, [crypto.blind_index("phone", phone), prefix]),
        )
        row(
            "resident search, exact phone: page /people/residents/",
            page(staff, "/people/residents/?" + urlencode({"q": phone})),
        )
        row(
            "resident search, name in a grid: page 1 + count",
            paged(
                lambda: residents_search(user=staff, filters=ResidentFilters(query=name, grid=grid))
            ),
            raw(
                raw_name(len(building_paths)),
                [*(p + "%" for p in building_paths), f"%{name}%", f"%{name}%"],
            ),
        )
        row(
            "resident search, name in a grid: page /people/residents/",
            page(staff, "/people/residents/?" + urlencode({"q": name, "grid": grid.pk})),
        )
        row(
            "volunteer's due visits: due_plans page 1 + count",
            paged(lambda: due_plans(volunteer_user)),
            raw(
                RAW_DUE,
                [
                    volunteer.pk,
                    volunteer.pk,
                    timezone.localtime().replace(hour=23, minute=59, second=59),
                ],
            ),
        )
        row("volunteer's due visits: page /care/", page(volunteer_user, "/care/"))
        with override_settings(
            LINLI_DASHBOARD_SNAPSHOT_SECONDS=0, LINLI_REGISTER_SNAPSHOT_SECONDS=0
        ):
            row(
                "county leader's due visits: page /care/, counted on every view",
                page(county_leader, "/care/"),
            )
            row("county leader's home: page /, counted on every view", page(county_leader, "/"))
            row("town leader's home: page /, counted on every view", page(town_leader, "/"))
        row(
            "county leader's due visits: page /care/ (counts from the snapshot)",
            page(county_leader, "/care/"),
        )
        row(
            "town leader's due visits: page /care/ (counts from the snapshot)",
            page(town_leader, "/care/"),
        )
        row("county leader's home: page / (register from the snapshot)", page(county_leader, "/"))
        row("town leader's home: page / (register from the snapshot)", page(town_leader, "/"))
        row("county leader's queue: page /requests/", page(county_leader, "/requests/"))
        row(
            "county leader's residents: page /people/residents/",
            page(county_leader, "/people/residents/"),
        )
        row("request submission with routing (request_submit)", submit, submit_raw)
        row(
            "town figures, last month: figures_for_user",
            lambda: figures_for_user(town_leader, town, month_start, month_end),
            raw(figures_sql, figures_params(town, since, until)),
        )
        row("town figures, last month: page /requests/figures/", page(town_leader, figures_url))
        with override_settings(LINLI_DASHBOARD_SNAPSHOT_SECONDS=0):
            row(
                "town dashboard, this month: page, counted on every view",
                page(town_leader, dashboard_url),
                raw(figures_sql, figures_params(town, this_month, next_month)),
            )
            row(
                "county dashboard, this month: page, counted on every view",
                page(county_leader, county_dashboard_url),
                raw(figures_sql, figures_params(county, this_month, next_month)),
            )
        row(
            "town dashboard, this month: page from the 60-s snapshot",
            page(town_leader, dashboard_url),
        )
        row(
            "county dashboard, this month: page from the 60-s snapshot",
            page(county_leader, county_dashboard_url),
        )

    width = max(len(name) for name, *_rest in rows)
    print(load())
    print(
        f"{'path'.ljust(width)}  stmts  median ms   p95 ms   raw median   raw p95   ratio"
        "   its SQL   SQL ratio"
    )
    for name, (median, p95), raw_timing, statements, sql_timing in rows:
        line = f"{name.ljust(width)}  {statements:5d}  {median:9.1f} {p95:8.1f}"
        raw_median = raw_timing[0] if raw_timing is not None else None
        if raw_timing is not None:
            line += f"  {raw_timing[0]:11.1f} {raw_timing[1]:9.1f} {median / raw_timing[0]:7.1f}×"
        else:
            line += " " * 31
        if sql_timing is not None:
            line += f"  {sql_timing[0]:8.1f}"
            if raw_median is not None:
                line += f"  {sql_timing[0] / raw_median:9.1f}×"
        print(line)


if __name__ == "__main__":
    main()
