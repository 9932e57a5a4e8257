from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from linli.earlywarning.services import warnings_scan


@db_periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]
def scan_for_warnings() -> dict[str, int]:
    """Every quarter of an hour: raise, refresh and clear the early warnings."""
    return warnings_scan()
