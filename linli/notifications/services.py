from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, Grid
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.notifications.models import Kind, Notification, Preference, QuietHours, StaffGroup
from linli.notifications.preferences import IMMEDIATE_KINDS, Choice
from linli.notifications.senders import robots

# Off while history is written after the fact (the demo's past months, an import): those
# messages belong in the in-app list, but sending them out now would be news from the past.
_external_delivery: ContextVar[bool] = ContextVar("external_delivery", default=True)


@contextmanager
def without_external_delivery() -> Iterator[None]:
    """Notifications made inside this block go to the in-app list only."""
    token = _external_delivery.set(False)
    try:
        yield
    finally:
        _external_delivery.reset(token)


def notify(
    *,
    users: Iterable[User],
    text: str,
    link: str = "",
    urgent: bool = False,
    kind: str = Kind.GENERAL,
    grid: Grid | None = None,
    community: Area | None = None,
) -> list[Notification]:
    """Put a message in each user's in-app list and hand it to the external channels
    each user chose for ``kind`` (``linli.notifications.preferences``).

    ``grid`` / ``community`` say where it happened: their staff group's robot hears
    of it once. Delivery runs in Huey after the surrounding transaction commits, so a
    rolled-back change never sends anything.
    """
    from linli.notifications.tasks import deliver

    recipients = {u.pk: u for u in users if u is not None and u.is_active}.values()
    batch = uuid.uuid4()
    external = _external_delivery.get()
    # One INSERT for everyone told (a resolved request tells the whole committee).
    created = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                text=text[:300],
                link=link,
                urgent=urgent,
                kind=kind,
                batch=batch,
                grid=grid,
                community=community,
                external=external,
            )
            for user in recipients
        ]
    )
    if external:
        for notification in created:
            transaction.on_commit(partial(deliver, notification.pk))
    return created


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notifications_retract(*, kind: str, links: Iterable[str]) -> int:
    """Take back the messages of ``kind`` pointing at ``links``: what they asked for is
    gone (a claim withdrawn before review). Their external deliveries not yet sent go
    with them, so a morning digest does not list it. Returns how many were removed."""
    _total, by_model = Notification.objects.filter(kind=kind, link__in=list(links)).delete()
    return int(by_model.get(Notification._meta.label, 0))


def notifications_scrub(*, links: Iterable[str], names: Iterable[str], replacement: str) -> int:
    """Take a person's names out of the messages about their things (anonymisation)."""
    names = [n for n in names if n]
    count = 0
    for notification in Notification.objects.filter(link__in=list(links)):
        text = notification.text
        for name in names:
            text = text.replace(name, replacement)
        if text != notification.text:
            notification.text = text
            notification.save(update_fields=["text"])
            count += 1
    return count


def notification_open(*, user: User, notification: Notification) -> str:
    """Opening a message reads it: mark it read and return where it points (a local path;
    anything else, or no link, falls back to the message list)."""
    notifications_mark_read(user=user, ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None) and link.startswith("/"):
        return link
    return reverse("notifications:list")


@transaction.atomic
def preferences_save(
    *,
    user: User,
    chosen: dict[str, Choice],
    quiet_enabled: bool,
    quiet_start: dt.time,
    quiet_end: dt.time,
) -> None:
    """Store a user's channels per kind and their quiet hours."""
    for kind, choice in chosen.items():
        Preference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={
                "channels": ",".join(sorted(choice.channels)),
                "digest": choice.digest and kind not in IMMEDIATE_KINDS,
            },
        )
    QuietHours.objects.update_or_create(
        user=user, defaults={"enabled": quiet_enabled, "start": quiet_start, "end": quiet_end}
    )


@transaction.atomic
def staff_group_set(
    *, actor: User, robot: str, grid: Grid | None = None, community: Area | None = None
) -> StaffGroup:
    """Attach a robot (a name from LINLI_WECOM_ROBOTS) to a grid's or a community's
    staff group, replacing the one it had."""
    if robot not in robots():
        raise ValidationError({"robot": [_("没有这个群机器人。")]})
    group, created = StaffGroup.objects.update_or_create(
        grid=grid, community=community, defaults={"robot": robot}
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=group,
        fields=["robot"],
    )
    return group


@transaction.atomic
def staff_group_remove(*, actor: User, group: StaffGroup) -> None:
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=group)
    group.delete()
