"""The one scoping mechanism: what part of the world a user may see, for a capability.

A :class:`Scope` is plain data — area subtrees (by materialised path), grids,
households and individual residents — computed once per request per capability by
:func:`linli.accounts.selectors.scope_for`. Every selector narrows its queryset with
:func:`apply_scope`, naming the lookups through which its model reaches each part.
An object outside the scope is simply not in the queryset, so views answer 404.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet

if TYPE_CHECKING:
    from linli.core.roles import Role


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    area_paths: frozenset[str] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)
    household_ids: frozenset[int] = field(default_factory=frozenset)
    resident_ids: frozenset[int] = field(default_factory=frozenset)

    def __or__(self, other: Scope) -> Scope:
        return Scope(
            everything=self.everything or other.everything,
            area_paths=_outermost(self.area_paths | other.area_paths),
            grid_ids=self.grid_ids | other.grid_ids,
            household_ids=self.household_ids | other.household_ids,
            resident_ids=self.resident_ids | other.resident_ids,
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.area_paths
            or self.grid_ids
            or self.household_ids
            or self.resident_ids
        )

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(prefix) for prefix in self.area_paths)

    def covers_place(self, path: str, grid_id: int | None) -> bool:
        """Whether a thing at ``path`` (in grid ``grid_id``, if any) lies in this scope."""
        return self.covers_path(path) or (grid_id is not None and grid_id in self.grid_ids)


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def _outermost(paths: frozenset[str]) -> frozenset[str]:
    """Drop paths that lie inside another path of the set (they add nothing)."""
    ordered = sorted(paths, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return frozenset(kept)


M = TypeVar("M", bound=Model)


def subtree_condition(paths: Iterable[str], lookup: str = "path") -> Q:
    """Whatever lies at or below any of the area ``paths``, reached through ``lookup``
    (``"path"`` for areas, ``"area__path"`` for residents): one
    ``lookup__startswith`` per path, ORed. With no paths it matches nothing."""
    conditions = [Q(**{f"{lookup}__startswith": prefix}) for prefix in sorted(set(paths))]
    if not conditions:
        return Q(pk__in=[])
    return reduce(operator.or_, conditions)


def scope_condition(
    scope: Scope,
    *,
    area_path: str | None = None,
    grid: str | None = None,
    household: str | None = None,
    resident: str | None = None,
) -> Q | None:
    """The filter for what ``scope`` covers, or None when it covers nothing.

    Each keyword names the lookup from the queried model to that part of a scope,
    e.g. ``area_path="area__path"``. A part of the scope for which the
    model has no lookup grants nothing on that model.
    """
    if scope.everything:
        return Q()
    condition = Q()
    matched = False
    if area_path is not None and scope.area_paths:
        condition |= subtree_condition(scope.area_paths, area_path)
        matched = True
    if grid is not None and scope.grid_ids:
        condition |= Q(**{f"{grid}__in": sorted(scope.grid_ids)})
        matched = True
    if household is not None and scope.household_ids:
        condition |= Q(**{f"{household}__in": sorted(scope.household_ids)})
        matched = True
    if resident is not None and scope.resident_ids:
        condition |= Q(**{f"{resident}__in": sorted(scope.resident_ids)})
        matched = True
    return condition if matched else None


def apply_scope(
    queryset: QuerySet[M],
    scope: Scope,
    *,
    area_path: str | None = None,
    grid: str | None = None,
    household: str | None = None,
    resident: str | None = None,
) -> QuerySet[M]:
    """Narrow ``queryset`` to what ``scope`` covers (see :func:`scope_condition`)."""
    condition = scope_condition(
        scope, area_path=area_path, grid=grid, household=household, resident=resident
    )
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


# Apps above ``accounts`` narrow or widen a role's scope with person-based rules (a
# resident sees their own household; a volunteer the people assigned to them). They
# register a function here in ``AppConfig.ready`` so the lower layers need not import them.
PersonalScopeProvider = Callable[[object, "Role"], Scope]
_personal_scope_providers: list[PersonalScopeProvider] = []


def register_personal_scope(provider: PersonalScopeProvider) -> None:
    if provider not in _personal_scope_providers:
        _personal_scope_providers.append(provider)


def personal_scope(user: object, role: Role) -> Scope:
    scope = NOTHING
    for provider in _personal_scope_providers:
        scope = scope | provider(user, role)
    return scope
