"""Reads of notifications: a user only ever sees their own."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from linli.accounts.selectors import AnyUser, roles_of, scope_for
from linli.areas.models import Area, Grid
from linli.areas.selectors import communities_in_scope
from linli.core.roles import Capability, Role
from linli.notifications.models import Delivery, DeliveryStatus, Notification, StaffGroup


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


# --- staff groups (WeChat Work robots) ---------------------------------------------------------


def group_communities(user: AnyUser) -> QuerySet[Area]:
    """Communities whose staff groups the user may configure: those they dispatch for
    whole (community staff, the town above, administrators)."""
    scope = scope_for(user, Capability.REQUESTS_DISPATCH)
    return communities_in_scope(scope, whole_only=True)


def group_grids(user: AnyUser) -> QuerySet[Grid]:
    return (
        Grid.objects.filter(community__in=group_communities(user))
        .select_related("community")
        .order_by("code")
    )


def staff_groups_for(user: AnyUser) -> QuerySet[StaffGroup]:
    communities = group_communities(user)
    return (
        StaffGroup.objects.filter(Q(community__in=communities) | Q(grid__community__in=communities))
        .select_related("community", "grid__community")
        .order_by("pk")
    )


def staff_group_get(*, user: AnyUser, pk: int) -> StaffGroup:
    group = staff_groups_for(user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


# --- deliveries (administrators) ---------------------------------------------------------------


def may_see_deliveries(user: AnyUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or Role.ADMIN in roles_of(user)))


def deliveries_for_admin(*, status: str = "") -> QuerySet[Delivery]:
    """Deliveries, newest first: failed and retrying ones unless a status is asked for."""
    deliveries = Delivery.objects.select_related("notification__user")
    if status in DeliveryStatus.values:
        return deliveries.filter(status=status)
    return deliveries.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.RETRYING])
