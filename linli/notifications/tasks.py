from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from linli.notifications import delivery
from linli.notifications.models import Delivery, DeliveryStatus, Notification


@db_task(retries=3, retry_delay=60)  # type: ignore[untyped-decorator]
def deliver(notification_id: int) -> None:
    """Plan a notification's external deliveries and send those due now. Safe to run
    any number of times: planning is idempotent and every send is claimed first."""
    notification = (
        Notification.objects.select_related("user", "grid").filter(pk=notification_id).first()
    )
    if notification is None or not notification.external:
        return
    delivery.plan(notification)
    due = Delivery.objects.filter(
        notification=notification,
        digest=False,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=timezone.now(),
    )
    for pk in due.values_list("pk", flat=True):
        delivery.attempt(pk)


@db_task()  # type: ignore[untyped-decorator]
def send_delivery(delivery_id: int) -> None:
    """A scheduled retry (the sweep would find it too)."""
    delivery.attempt(delivery_id)


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def deliveries_sweep() -> None:
    """Every five minutes: retries, messages held by quiet hours, the daily digests
    (due at 08:00), lost tasks and interrupted sends."""
    delivery.sweep()
