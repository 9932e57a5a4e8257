from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from linli.requests.services import requests_escalate_overdue


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def escalate_overdue_requests() -> int:
    """Every five minutes: timeline entries and notifications for newly overdue requests."""
    return requests_escalate_overdue()
