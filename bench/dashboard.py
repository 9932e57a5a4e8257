"""Benchmark of the leaders' dashboard (驾驶舱): build a larger world, then time the town's
dashboard (selectors alone, the whole page, one chart, the Excel export).

Not a test: timings depend on the machine. Run it against a scratch database:

    LINLI_DATA_DIR=/tmp/linli-bench uv run python bench/dashboard.py --requests 30000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench uv run python bench/dashboard.py

``--live`` times the blocks counted live (no daily figures); without it the nightly
rebuild runs first (and is timed). It migrates the database it is given and adds the test
cast (tests/cast.py) plus ``--requests`` copies of one filed request, spread over the past
year, the categories and both buildings, a fifth of them still open (so overdue counts have
work to do).

``--generated`` measures instead the world that ``linli scale generate`` built in that
database (the newest generated county): its first town (as a town leader, whom the script
adds once), that town's first community and the community's first grid, each page for this
month and this year, plus the query count of each page; the daily figures are rebuilt
first unless ``--keep-figures`` and they exist (with the month rows):

    DATABASE_URL=… uv run linli scale generate --residents 100000 --requests-per-resident 3
    DATABASE_URL=… uv run python bench/dashboard.py --generated --warmup 2 --runs 15
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from linli.dashboard import aggregates, selectors  # noqa: E402
from linli.dashboard.models import FigureBuild  # noqa: E402
from linli.requests.models import Category, Request  # noqa: E402
from linli.requests.workflow import Status  # noqa: E402


def build(count: int) -> tuple[Any, Any]:
    from tests.cast import build_cast
    from tests.requests.support import file_request

    call_command("migrate", verbosity=0)
    if Request.objects.count() >= count:
        from django.contrib.auth import get_user_model

        from linli.areas.models import Area

        return get_user_model().objects.get(username="leader"), Area.objects.get(code="141181200")
    cast = build_cast()
    template = file_request(cast)
    categories = list(Category.objects.filter(is_active=True))
    places = [cast.unit1, cast.unit2, cast.building1, cast.building2]
    grids = {cast.unit1.pk: cast.grid1, cast.building1.pk: cast.grid1}
    now = timezone.now()
    rng = random.Random(16)
    batch: list[Request] = []
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Request._meta.concrete_fields
        if not f.primary_key
    }
    for n in range(count):
        at = now - dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        place = rng.choice(places)
        open_ = rng.random() < 0.2
        values = {
            **fields,
            "number": f"B{n:09d}",
            "submitted_at": at,
            "accepted_at": at,
            "response_due_at": at + dt.timedelta(hours=2),
            "due_at": at + dt.timedelta(days=3),
            "responded_at": at + dt.timedelta(minutes=rng.randrange(5, 300)),
            "resolved_at": None if open_ else at + dt.timedelta(hours=rng.randrange(2, 120)),
            "status": Status.IN_PROGRESS if open_ else Status.CLOSED,
            "category_id": rng.choice(categories).pk,
            "location_id": place.pk,
            "grid_id": (grids.get(place.pk) or cast.grid2).pk,
        }
        batch.append(Request(**values))
        if len(batch) == 2000:
            Request.objects.bulk_create(batch)
            batch = []
    Request.objects.bulk_create(batch)
    return cast.leader, cast.town


def generated() -> tuple[Any, Any, Any, Any]:
    """The leader, town, community and grid of the newest generated county."""
    from linli.accounts.models import RoleAssignment, User
    from linli.areas.models import Area, AreaKind, Grid
    from linli.core.roles import Role

    county = Area.objects.filter(depth=1, code__startswith="99").order_by("-code").first()
    if county is None:
        raise SystemExit("no generated county: run `linli scale generate` first")
    town = Area.objects.filter(path__startswith=county.path, kind=AreaKind.TOWN).order_by("path")[0]
    community = Area.objects.filter(path__startswith=town.path, kind=AreaKind.COMMUNITY).order_by(
        "path"
    )[0]
    grid = Grid.objects.filter(community=community).order_by("code")[0]
    leader, made = User.objects.get_or_create(
        username=f"scale-leader-{town.code}", defaults={"full_name": "镇街领导"}
    )
    if made:
        leader.set_unusable_password()
        leader.save()
        RoleAssignment.objects.create(user=leader, role=Role.LEADER, area=town)
    return leader, town, community, grid


SAMPLES: list[tuple[str, float, float]] = []


def timed(label: str, runs: int, work: object, warmup: int = 0) -> None:
    for _ in range(warmup):
        work()  # type: ignore[operator]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    median = statistics.median(samples)
    SAMPLES.append((label, median, p95))
    print(
        f"{label:<40} median {median:8.1f} ms   p95 {p95:8.1f} ms   max {samples[-1]:8.1f} ms"
        f"   load {os.getloadavg()[0]:.2f}",
        flush=True,
    )


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def main_generated(args: argparse.Namespace) -> None:
    leader, town, community, grid = generated()
    print(f"requests in the database: {Request.objects.count()}")
    print(f"town {town.name} ({town.code}), community {community.name}, grid {grid.name}")
    kept = FigureBuild.objects.filter(months_through__isnull=False).exists()
    if not (args.keep_figures and kept):
        started = time.perf_counter()
        rows = aggregates.rebuild()
        print(f"nightly rebuild: {rows} rows in {time.perf_counter() - started:.1f} s")
    print(f"load average: {os.getloadavg()}")
    setup_test_environment()
    client = Client()
    client.force_login(leader)
    for name, kind, pk in (
        ("town", "area", town.pk),
        ("community", "area", community.pk),
        ("grid", "grid", grid.pk),
    ):
        for period in ("month", "year"):
            url = f"/dashboard/{kind}/{pk}/?period={period}"
            count = queries(client, url)
            timed(
                f"page, {name}, {period} ({count} queries)",
                args.runs,
                lambda url=url: client.get(url),
                warmup=args.warmup,
            )
    print(f"load average: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--live", action="store_true", help="without the daily figures")
    parser.add_argument("--generated", action="store_true", help="the `scale generate` world")
    parser.add_argument("--keep-figures", action="store_true", help="no rebuild if built")
    args = parser.parse_args()
    if args.generated:
        main_generated(args)
        return
    leader, town = build(args.requests)
    print(f"requests in the database: {Request.objects.count()}")
    if args.live:
        FigureBuild.objects.all().delete()
        print("no daily figures: every block counted live")
    else:
        started = time.perf_counter()
        rows = aggregates.rebuild()
        print(f"nightly rebuild: {rows} rows in {time.perf_counter() - started:.1f} s")
    setup_test_environment()
    client = Client()
    client.force_login(leader)
    choice = selectors.dashboard_place_get(user=leader, kind="area", pk=town.pk)
    today = timezone.localdate()
    for period, start in (
        ("month", today.replace(day=1)),
        ("year", dt.date(today.year, 1, 1)),
    ):
        end = today + dt.timedelta(days=1)
        timed(
            f"selectors, town, {period}",
            args.runs,
            lambda start=start, end=end: selectors.dashboard_for_user(
                leader, choice, start=start, end=end
            ),
        )
        url = f"/dashboard/area/{town.pk}/?period={period}"
        timed(f"page, town, {period}", args.runs, lambda url=url: client.get(url))
    chart = f"/dashboard/area/{town.pk}/chart/trend.png?period=year"
    timed("chart trend.png, town, year", args.runs, lambda: client.get(chart))
    export = f"/dashboard/area/{town.pk}/export.xlsx?period=year"
    timed("export.xlsx, town, year", args.runs, lambda: client.get(export))


if __name__ == "__main__":
    main()
