from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.notifications.models import Notification


def notify(
    *, users: Iterable[User], text: str, link: str = "", urgent: bool = False
) -> list[Notification]:
    """Put a message in each user's in-app list and hand it to the external channels.

    Delivery runs in Huey after the surrounding transaction commits, so a rolled-back
    change never sends anything.
    """
    from linli.notifications.tasks import deliver

    created: list[Notification] = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        notification = Notification.objects.create(
            user=user, text=text[:300], link=link, urgent=urgent
        )
        created.append(notification)
        transaction.on_commit(partial(deliver, notification.pk))
    return created


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
