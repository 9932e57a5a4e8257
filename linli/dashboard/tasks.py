"""Keeping the daily request figures fresh (:mod:`linli.dashboard.aggregates`)."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from linli.dashboard import aggregates


@db_periodic_task(crontab(hour="1", minute="30"))  # type: ignore[untyped-decorator]
def rebuild_daily_figures() -> int:
    """Every night: count every past day again; the day just ended joins the table."""
    return aggregates.rebuild()


@db_task()  # type: ignore[untyped-decorator]
def refresh_daily_figures(day: str) -> int:
    """A request of ``day`` (ISO date) changed: count that day again."""
    return aggregates.refresh_day(dt.date.fromisoformat(day))


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def refresh_dashboard_snapshots() -> int:
    """Every minute: count again the dashboards looked at within the last half hour."""
    from linli.dashboard import snapshots

    return snapshots.refresh_viewed()
