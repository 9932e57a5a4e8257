from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from linli.programmes.services import raise_not_picked_up_alerts


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def alert_children_not_picked_up() -> int:
    """Every ten minutes: alert the site lead about a child not signed out by closing time."""
    return raise_not_picked_up_alerts()
