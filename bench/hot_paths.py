"""Time the request hot paths of issue 19 on a generated world (``linli scale generate``).

A script, not a test: ``DATABASE_URL=… uv run python bench/hot_paths.py [--repeats 15]``.
For each list it times, in the same database:

- the whole page or API call as a client sees it (Django test client, after warm-up);
- the query the code ran before (scope ORed across joined tables, ``ORDER BY CASE`` on now,
  exact ``COUNT``) and the query it runs now (scope on the request's own columns, overdue
  first as two index-served queries, count capped at 10,000), each page 1 plus its count;
- one hand-written SQL statement giving the same page 1: the physical limit.

Prints a table of median / p95 milliseconds.
"""

from __future__ import annotations

import argparse
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

from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
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
    OverdueFirst,
    QueueFilters,
    _legacy_visible_requests,
    request_queue,
    visible_requests,
    with_overdue,
)
from linli.requests.views import QUEUE_CURSOR_SALT  # noqa: E402
from linli.requests.workflow import OPEN_STATUSES, Status  # noqa: E402

PAGE = 20


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, float]:
    for _ in range(2):
        fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
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
    queryset = visible_requests(user)
    if worker_tasks:
        queryset = queryset.filter(
            assignee_id=user.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
        )
    split = OverdueFirst(with_overdue(queryset, now).select_related(*LIST_RELATED), now)
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


def raw(sql: str, params: list[Any]) -> Callable[[], None]:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    repeats = args.repeats

    staff_role = RoleAssignment.objects.filter(
        role=Role.STAFF, user__username__startswith="scale-staff-"
    ).select_related("user", "area")[0]
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
    print(f"{'path'.ljust(width)}  median ms   p95 ms")
    for name, (median, p95) in rows:
        print(f"{name.ljust(width)}  {median:9.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
