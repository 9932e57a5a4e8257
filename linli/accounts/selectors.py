"""Reads about users: their roles, capabilities and scopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import RoleAssignment, User
from linli.areas.models import Area, AreaKind
from linli.core.roles import (
    PERSONAL_SCOPE_ROLES,
    ROLE_CAPABILITIES,
    STAFF_ROLES,
    Capability,
    Role,
)
from linli.core.scoping import EVERYTHING, NOTHING, Scope, personal_scope

AnyUser = User | AnonymousUser

_CACHE_ATTR = "_linli_scope_cache"
T = TypeVar("T")


def role_assignments(user: AnyUser) -> list[RoleAssignment]:
    """The user's role assignments, loaded once per user object (i.e. per request)."""
    if not user.is_authenticated:
        return []
    cache: dict[str, Any] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if "assignments" not in cache:
        cache["assignments"] = list(
            RoleAssignment.objects.filter(user=user).select_related("area", "grid__community")
        )
    assignments: list[RoleAssignment] = cache["assignments"]
    return assignments


def roles_of(user: AnyUser) -> set[Role]:
    return {Role(a.role) for a in role_assignments(user)}


def capabilities_of(user: AnyUser) -> set[Capability]:
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Capability)
    caps: set[Capability] = set()
    for assignment in role_assignments(user):
        caps |= ROLE_CAPABILITIES[Role(assignment.role)]
    return caps


def _grid_building_paths(grid_ids: set[int]) -> frozenset[str]:
    if not grid_ids:
        return frozenset()
    return frozenset(
        Area.objects.filter(kind=AreaKind.BUILDING, grid_id__in=grid_ids).values_list(
            "path", flat=True
        )
    )


def scope_for(user: AnyUser, capability: Capability) -> Scope:
    """What ``user`` may reach with ``capability``: the union over their roles that grant it.

    A grid assignment covers the grid itself and its buildings' subtrees; an area
    assignment covers the area's subtree (grids are reached through their community). A
    resident's or volunteer's scope is person-based and supplied by the apps above.
    """
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    cache: dict[str, Any] = user.__dict__.setdefault(_CACHE_ATTR, {})
    key = f"scope:{capability}"
    if key in cache:
        cached: Scope = cache[key]
        return cached

    personal = NOTHING
    grid_ids: set[int] = set()
    area_paths: set[str] = set()
    for assignment in role_assignments(user):
        role = Role(assignment.role)
        if capability not in ROLE_CAPABILITIES[role]:
            continue
        if role in PERSONAL_SCOPE_ROLES:
            personal = personal | personal_scope(user, role)
        elif assignment.grid_id is not None:
            grid_ids.add(assignment.grid_id)
        elif assignment.area is not None:
            area_paths.add(assignment.area.path)
    # Several capabilities usually cover the same grids: read their buildings once.
    paths_key = "grid-paths:" + ",".join(map(str, sorted(grid_ids)))
    if paths_key not in cache:
        cache[paths_key] = _grid_building_paths(grid_ids)
    scope = personal | Scope(
        area_paths=frozenset(area_paths) | cache[paths_key],
        grid_ids=frozenset(grid_ids),
    )
    cache[key] = scope
    return scope


def cached_for_user(user: AnyUser, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per user object (a request's user), kept with the scopes and
    forgotten with them (:func:`forget_cached_scopes`)."""
    cache: dict[str, Any] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if key not in cache:
        cache[key] = compute()
    found: T = cache[key]
    return found


def forget_cached_scopes(user: AnyUser) -> None:
    user.__dict__.pop(_CACHE_ATTR, None)


def is_staff_role_user(user: AnyUser) -> bool:
    """Holds a staff role (linli.core.roles.STAFF_ROLES) or may use the admin site."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(roles_of(user) & STAFF_ROLES)


def two_factor_required(user: AnyUser) -> bool:
    return bool(settings.LINLI_REQUIRE_2FA) and is_staff_role_user(user)


def has_two_factor(user: AnyUser) -> bool:
    """A confirmed TOTP device: the user has enrolled in two-factor login."""
    if not user.is_authenticated:
        return False
    enrolled: bool = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    return enrolled


def backup_codes_left(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    left: int = StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()
    return left
