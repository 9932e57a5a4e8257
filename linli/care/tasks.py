from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from linli.care.services import care_raise_overdue_alerts


@db_periodic_task(crontab(minute="15", hour="*/6"))  # type: ignore[untyped-decorator]
def raise_overdue_care_alerts() -> int:
    """Four times a day: an alert for each person whose visit has become overdue."""
    return care_raise_overdue_alerts()
