"""Time a county's and a town's request blocks as the dashboard's minute task counts them.

A script, not a test: ``DATABASE_URL=… uv run python bench/county_count.py [--repeats 9]``
on a generated world (``linli scale generate``) whose daily figures were rebuilt
(``--rebuild`` runs the nightly rebuild first and prints its time). For the first county
and the first town, "this month" and "this year" (up to today), it runs
``selectors.request_blocks`` — the work of ``snapshots.refresh_viewed`` for one place —
once to warm up, then ``--repeats`` times, and prints the median, min and max ms, the
statements one call sends and their database time (``connection.queries``), and the load
average (the machine may be shared). ``--show N`` also prints the N slowest statements.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from linli.areas.models import Area, AreaKind  # noqa: E402
from linli.dashboard import aggregates, selectors  # noqa: E402


def load() -> str:
    return "load average " + " ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    if args.rebuild:
        started = time.perf_counter()
        rows = aggregates.rebuild()
        print(f"rebuild: {rows:,} daily rows in {time.perf_counter() - started:.1f} s ({load()})")
    today = timezone.localdate()
    periods = {
        "this month": (today.replace(day=1), today + dt.timedelta(days=1)),
        "this year": (today.replace(month=1, day=1), today + dt.timedelta(days=1)),
    }
    places = [
        Area.objects.filter(kind=kind).order_by("path").first()
        for kind in (AreaKind.COUNTY, AreaKind.TOWN)
    ]
    with override_settings(DEBUG=True):
        for place in places:
            if place is None:
                continue
            for label, (start, end) in periods.items():
                times = []
                for _ in range(args.repeats + 1):
                    reset_queries()
                    now = timezone.now()
                    started = time.perf_counter()
                    selectors.request_blocks(place, None, start=start, end=end, now=now)
                    times.append((time.perf_counter() - started) * 1000)
                timed = times[1:]
                queries = list(connection.queries)
                sql = sum(float(q["time"]) for q in queries) * 1000
                median = statistics.median(timed)
                print(
                    f"{place.kind_label} {place.name}, {label}: median {median:.0f}"
                    f" ms (min {min(timed):.0f}, max {max(timed):.0f}), {len(queries)} statements,"
                    f" {sql:.0f} ms SQL ({load()})"
                )
                for query in sorted(queries, key=lambda q: -float(q["time"]))[: args.show]:
                    print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")


if __name__ == "__main__":
    main()
