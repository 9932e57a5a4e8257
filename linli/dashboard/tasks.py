"""Keeping the daily request figures fresh (:mod:`linli.dashboard.aggregates`)."""

from __future__ import annotations

import datetime as dt

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
    """A request of ``day`` (ISO date) changed: count that day again."""
    cache.delete(_pending_key(day))
    return aggregates.refresh_day(dt.date.fromisoformat(day))


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def refresh_dashboard_snapshots() -> int:
    """Every minute: count again the dashboards looked at within the last half hour."""
    from linli.dashboard import snapshots

    return snapshots.refresh_viewed()
