from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from linli.notifications.channels import configured_channels
from linli.notifications.models import Notification


@db_task(retries=3, retry_delay=60)  # type: ignore[untyped-decorator]
def deliver(notification_id: int) -> None:
    """Send one notification through the external channels, once."""
    notification = Notification.objects.filter(pk=notification_id, delivered_at=None).first()
    if notification is None:
        return
    for channel in configured_channels():
        channel(notification)
    # Conditional, so a duplicate run (a retry, a second worker) keeps the first time.
    Notification.objects.filter(pk=notification_id, delivered_at=None).update(
        delivered_at=timezone.now()
    )
