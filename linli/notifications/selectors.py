"""Reads of notifications: a user only ever sees their own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from linli.accounts.selectors import AnyUser
from linli.notifications.models import Notification


def notifications_of(user: AnyUser) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk or 0)


def notification_get(*, user: AnyUser, pk: int) -> Notification:
    """One of the user's own messages; anyone else's is a 404."""
    notification = notifications_of(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def unread_count(user: AnyUser) -> int:
    return notifications_of(user).filter(read_at=None).count()
