"""Delivery of notifications to the external channels, exactly once per recipient.

The database is the record, Huey only the trigger:

1. :func:`plan` turns a notification into :class:`Delivery` rows, one per channel and
   recipient, inserted with ``ignore_conflicts`` against a unique constraint (a second
   run plans nothing new). Each row says when it is due: now, the end of the user's
   quiet hours (non-urgent SMS), or the next daily digest.
2. :func:`attempt` sends one due row. It first *claims* it with a conditional update
   (pending or retrying → sending); a second worker, or the same task run again after
   a restart, finds nothing to claim and sends nothing.
3. A failure is recorded (attempts, last error) and retried with backoff; after
   :data:`MAX_ATTEMPTS`, or at once for a permanent error, the row is failed and stays
   visible to administrators.
4. :func:`sweep` (every five minutes) sends what is due — retries, messages held by
   quiet hours, the digests — plans notifications whose task was lost, and returns rows
   whose worker died mid-send to the queue (the one window where a message could be
   sent twice: a worker killed between the provider's answer and the database update).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    StaffGroup,
)
from linli.notifications.preferences import (
    IMMEDIATE_KINDS,
    choices_of,
    due_time,
    next_digest,
    quiet_hours_of,
)
from linli.notifications.senders import DeliveryError, email_send, sms_provider, wecom_send

logger = logging.getLogger("linli.notifications")

MAX_ATTEMPTS = 5
# Seconds to wait after the 1st, 2nd, … failed attempt.
BACKOFF = (60, 300, 1800, 7200)
# A claim older than this belongs to a worker that died (a send takes seconds).
STALE_CLAIM = dt.timedelta(minutes=10)
# A notification not planned this long after it was made lost its task.
LOST_TASK = dt.timedelta(minutes=2)

SENDABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def _robot_for(notification: Notification) -> str | None:
    """The staff group robot of the notification's grid, else of its community."""
    groups = StaffGroup.objects.all()
    if notification.grid_id is not None:
        group = groups.filter(grid_id=notification.grid_id).first()
        if group is not None:
            return group.robot
    community_id = notification.community_id
    if community_id is None and notification.grid is not None:
        community_id = notification.grid.community_id
    if community_id is not None:
        group = groups.filter(community_id=community_id).first()
        if group is not None:
            return group.robot
    return None


def plan(notification: Notification, *, now: dt.datetime | None = None) -> int:
    """Create the notification's Delivery rows (once); returns how many are new."""
    now = now or timezone.now()
    user = notification.user
    choice = choices_of(user)[notification.kind]
    urgent = notification.urgent or notification.kind in IMMEDIATE_KINDS
    digest = choice.digest and not urgent
    quiet = quiet_hours_of(user)
    rows = []
    for channel in sorted(choice.channels):
        if channel == Channel.WECOM:
            robot = _robot_for(notification)
            if robot is None:
                continue
            recipient = f"robot:{robot}"
        elif (channel == Channel.SMS and not _phone_of(user)) or (
            channel == Channel.EMAIL and not user.email
        ):
            continue  # nowhere to send it (the preferences page says so)
        else:
            recipient = f"user:{user.pk}"
        due = next_digest(now) if digest else now
        due = due_time(user=user, channel=channel, urgent=urgent, at=due, quiet=quiet)
        rows.append(
            Delivery(
                notification=notification,
                batch=notification.batch,
                channel=channel,
                recipient=recipient,
                digest=digest,
                urgent=urgent,
                next_attempt_at=due,
            )
        )
    before = Delivery.objects.filter(notification=notification).count()
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    Notification.objects.filter(pk=notification.pk, delivered_at=None).update(delivered_at=now)
    return Delivery.objects.filter(notification=notification).count() - before


def _phone_of(user: User) -> str:
    """The account's phone, else the phone in the register (decrypted here, never
    copied into the delivery)."""
    if user.phone:
        return user.phone
    resident = getattr(user, "resident", None)
    phone: str = getattr(resident, "phone", "") or ""
    return phone


def _send(delivery: Delivery, text: str) -> None:
    kind, _colon, ident = delivery.recipient.partition(":")
    if kind == "robot":
        wecom_send(robot=ident, text=text)
        return
    user = User.objects.filter(pk=int(ident), is_active=True).first()
    if user is None:
        raise DeliveryError(_("用户已停用"), permanent=True)
    if delivery.channel == Channel.SMS:
        phone = _phone_of(user)
        if not phone:
            raise DeliveryError(_("没有手机号"), permanent=True)
        sms_provider().send(phone=phone, text=text, reference=str(delivery.pk))
    elif delivery.channel == Channel.EMAIL:
        if not user.email:
            raise DeliveryError(_("没有电子邮箱"), permanent=True)
        subject = _("【邻里】紧急消息") if delivery.urgent else _("【邻里】消息")
        email_send(address=user.email, subject=subject, text=text)
    else:
        raise DeliveryError(f"unknown channel {delivery.channel}", permanent=True)


def _failed(deliveries: list[Delivery], error: DeliveryError, now: dt.datetime) -> None:
    from linli.notifications.tasks import send_delivery

    for delivery in deliveries:
        attempts = delivery.attempts
        if error.permanent or attempts >= MAX_ATTEMPTS:
            status, due = DeliveryStatus.FAILED, delivery.next_attempt_at
            logger.warning("delivery %s failed for good: %s", delivery.pk, error)
        else:
            status = DeliveryStatus.RETRYING
            wait = dt.timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])
            user = delivery.notification.user
            due = due_time(
                user=user,
                channel=delivery.channel,
                urgent=delivery.urgent,
                at=now + wait,
                quiet=None,
            )
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=status, next_attempt_at=due, last_error=str(error)[:300]
        )
        if status == DeliveryStatus.RETRYING and not delivery.digest:
            # The sweep would find it too; this only makes the retry punctual.
            transaction.on_commit(partial(send_delivery.schedule, (delivery.pk,), eta=due))


def _claim(queryset: Iterable[int], now: dt.datetime) -> list[Delivery]:
    """Take the due rows among ``queryset``'s ids: pending/retrying → sending."""
    ids = list(queryset)
    Delivery.objects.filter(pk__in=ids, status__in=SENDABLE, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    return list(
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, claimed_at=now)
        .select_related("notification__user")
        .order_by("notification__created_at", "pk")
    )


def _done(deliveries: list[Delivery]) -> None:
    Delivery.objects.filter(
        pk__in=[d.pk for d in deliveries], status=DeliveryStatus.SENDING
    ).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")


def attempt(delivery_id: int, *, now: dt.datetime | None = None) -> bool:
    """Send one due, non-digest delivery if nobody else has; True when it went out."""
    now = now or timezone.now()
    claimed = _claim(
        Delivery.objects.filter(pk=delivery_id, digest=False).values_list("pk", flat=True), now
    )
    if not claimed:
        return False
    (delivery,) = claimed
    try:
        _send(delivery, delivery.notification.text)
    except DeliveryError as error:
        _failed(claimed, error, now)
        return False
    _done(claimed)
    return True


def digest_text(deliveries: list[Delivery]) -> str:
    lines = [_("邻里消息汇总(%(count)d 条):") % {"count": len(deliveries)}]
    lines += [f"{n}. {d.notification.text}" for n, d in enumerate(deliveries, start=1)]
    return "\n".join(lines)[:1000]


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Send the due digest rows, one message per channel and recipient; returns how
    many messages went out."""
    now = now or timezone.now()
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    due = Delivery.objects.filter(digest=True, status__in=SENDABLE, next_attempt_at__lte=now)
    for pk, channel, recipient in due.values_list("pk", "channel", "recipient"):
        groups[(channel, recipient)].append(pk)
    sent = 0
    for ids in groups.values():
        claimed = _claim(ids, now)
        if not claimed:
            continue
        try:
            _send(claimed[0], digest_text(claimed))
        except DeliveryError as error:
            _failed(claimed, error, now)
            continue
        _done(claimed)
        sent += 1
    return sent


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic safety net (see the module's docstring)."""
    now = now or timezone.now()
    revived = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(
        status=DeliveryStatus.RETRYING,
        next_attempt_at=now,
        last_error=_("发送中断(工作进程重启),重新发送"),
    )
    lost = Notification.objects.filter(
        external=True, delivered_at=None, created_at__lt=now - LOST_TASK
    ).select_related("user", "grid")
    planned = 0
    for notification in lost[:500]:
        plan(notification, now=now)
        planned += 1
    due = Delivery.objects.filter(digest=False, status__in=SENDABLE, next_attempt_at__lte=now)
    sent = sum(attempt(pk, now=now) for pk in due.values_list("pk", flat=True)[:500])
    return {
        "revived": revived,
        "planned": planned,
        "sent": sent,
        "digests": send_digests(now=now),
    }
