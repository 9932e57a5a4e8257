"""Keeping the daily request figures fresh (:mod:`linli.dashboard.aggregates`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from linli.dashboard import aggregates


@db_periodic_task(crontab(hour="1", minute="30"))  # type: ignore[untyped-decorator]
def rebuild_daily_figures() -> int:
    """Every night: count every past day again; the day just ended joins the table."""
    return aggregates.rebuild()


# A day's refresh is queued at most once while it waits: a sweep that escalates thousands
# of requests, or an import, would otherwise queue one recount per saved request (44,000
# in the 300 k load test, docs/scaling.md), and the notifications wait behind them. The
# mark is taken off when the task starts, so a change made while it counts queues the next
# one; it expires on its own if a task is lost (the nightly rebuild counts every day anyway).
PENDING_SECONDS = 600


def _pending_key(day: str) -> str:
    return f"linli:dashboard:refresh-pending:{day}"


def queue_refresh(day: str) -> bool:
    """Queue a recount of ``day`` (ISO date) unless one is already waiting; True if queued."""
    if not cache.add(_pending_key(day), 1, timeout=PENDING_SECONDS):
        return False
    refresh_daily_figures(day)
    return True


@db_task()  # type: ignore[untyped-decorator]
def refresh_daily_figures(day: str) -> int:
    """A request of ``day`` (ISO date) changed: count that day again now, and its month's
    rows a little later (:func:`queue_month_refresh`)."""
    cache.delete(_pending_key(day))
    date = dt.date.fromisoformat(day)
    written = aggregates.refresh_day(date, months=False)
    month = date.replace(day=1)
    if aggregates.month_is_kept(month):
        queue_month_refresh(month.isoformat())
    return written


# A past month's rows are summed again at most once per ``LINLI_MONTH_FIGURES_DELAY``
# seconds (300 by default): at 3 M residents summing a month takes ~20 s, and the 300-second
# load test queued over a hundred day refreshes, each of which summed its month again
# (docs/scaling.md). The first change of a month queues the sum to run after the delay; the
# changes made meanwhile are counted by that one run. Until it runs, a whole past month's
# figures lag its days' by at most the delay (the nightly rebuild sums every month anyway).


def _month_pending_key(month: str) -> str:
    return f"linli:dashboard:month-pending:{month}"


def queue_month_refresh(month: str) -> bool:
    """Queue the sum of ``month`` (ISO date of its first day) unless one is already
    waiting; True if queued."""
    delay = settings.LINLI_MONTH_FIGURES_DELAY
    if not cache.add(_month_pending_key(month), 1, timeout=delay + PENDING_SECONDS):
        return False
    if delay > 0:
        refresh_month_figures.schedule(args=(month,), delay=delay)
    else:
        refresh_month_figures(month)
    return True


@db_task()  # type: ignore[untyped-decorator]
def refresh_month_figures(month: str) -> int:
    """Sum a past month's daily rows into its month rows again."""
    cache.delete(_month_pending_key(month))
    return aggregates.refresh_month(dt.date.fromisoformat(month))


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def refresh_dashboard_snapshots() -> int:
    """Every minute: count again the dashboards looked at within the last half hour."""
    from linli.dashboard import snapshots

    return snapshots.refresh_viewed()


@db_task()  # type: ignore[untyped-decorator]
def recount_snapshot(entry: list[str], reader: int | None, now: str) -> bool:
    """A snapshot was shown past its lifetime at ``now`` (ISO): count it again for the
    next view (:func:`linli.dashboard.snapshots.recount_queued`)."""
    from linli.dashboard import snapshots

    return snapshots.recount_queued(tuple(entry), reader, dt.datetime.fromisoformat(now))
