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
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from linli.dashboard import aggregates, selectors  # noqa: E402
from linli.dashboard.models import FigureBuild  # noqa: E402
from linli.requests.models import Category, Request  # noqa: E402
from linli.requests.workflow import Status  # noqa: E402


def build(count: int) -> tuple[object, object]:
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


def timed(label: str, runs: int, work: object) -> None:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    print(f"{label:<40} median {statistics.median(samples):8.1f} ms   max {max(samples):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--live", action="store_true", help="without the daily figures")
    args = parser.parse_args()
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
    client.force_login(leader)  # type: ignore[arg-type]
    choice = selectors.dashboard_place_get(user=leader, kind="area", pk=town.pk)  # type: ignore[attr-defined]
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
        url = f"/dashboard/area/{town.pk}/?period={period}"  # type: ignore[attr-defined]
        timed(f"page, town, {period}", args.runs, lambda url=url: client.get(url))
    chart = f"/dashboard/area/{town.pk}/chart/trend.png?period=year"  # type: ignore[attr-defined]
    timed("chart trend.png, town, year", args.runs, lambda: client.get(chart))
    export = f"/dashboard/area/{town.pk}/export.xlsx?period=year"  # type: ignore[attr-defined]
    timed("export.xlsx, town, year", args.runs, lambda: client.get(export))


if __name__ == "__main__":
    main()
