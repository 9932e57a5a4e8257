"""Role assignments: one scope each, audited, and the capabilities they grant."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from linli.accounts.models import RoleAssignment
from linli.accounts.selectors import capabilities_of, forget_cached_scopes, roles_of, scope_for
from linli.accounts.services import role_assign
from linli.core.models import AuditEvent
from linli.core.roles import Capability, Role
from tests.cast import Cast


def test_role_needs_exactly_one_of_area_or_grid(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="二选一"):
        role_assign(actor=None, user=cast.worker1, role=Role.STAFF)
    with pytest.raises(ValidationError, match="二选一"):
        role_assign(
            actor=None, user=cast.worker1, role=Role.STAFF, area=cast.community, grid=cast.grid1
        )


def test_assigning_a_role_twice_keeps_one_row_and_one_audit_event(cast: Cast) -> None:
    first = role_assign(actor=cast.admin, user=cast.worker2, role=Role.COMMITTEE, area=cast.town)
    again = role_assign(actor=cast.admin, user=cast.worker2, role=Role.COMMITTEE, area=cast.town)
    assert first.pk == again.pk
    assert RoleAssignment.objects.filter(user=cast.worker2, role=Role.COMMITTEE).count() == 1
    events = AuditEvent.objects.filter(
        object_type="accounts.roleassignment", object_id=str(first.pk)
    )
    assert [(e.action, e.actor) for e in events] == [("create", cast.admin)]


def test_grid_worker_scope_is_their_grid_and_its_buildings(cast: Cast) -> None:
    scope = scope_for(cast.worker1, Capability.REGISTER_EDIT)
    assert scope.grid_ids == {cast.grid1.pk}
    assert scope.area_paths == {cast.building1.path}


def test_a_second_grid_widens_the_scope(cast: Cast) -> None:
    role_assign(actor=None, user=cast.worker1, role=Role.GRID_WORKER, grid=cast.grid2)
    forget_cached_scopes(cast.worker1)
    scope = scope_for(cast.worker1, Capability.REGISTER_VIEW)
    assert scope.grid_ids == {cast.grid1.pk, cast.grid2.pk}
    assert scope.area_paths == {cast.building1.path, cast.building2.path}


def test_leader_holds_no_edit_or_reveal_capability(cast: Cast) -> None:
    assert roles_of(cast.leader) == {Role.LEADER}
    capabilities = capabilities_of(cast.leader)
    assert {Capability.REGISTER_VIEW, Capability.AREAS_VIEW} <= capabilities
    assert Capability.REGISTER_EDIT not in capabilities
    assert Capability.SENSITIVE_REVEAL not in capabilities
    assert scope_for(cast.leader, Capability.SENSITIVE_REVEAL).is_empty


def test_superuser_may_do_everything_everywhere(cast: Cast) -> None:
    assert capabilities_of(cast.admin) == set(Capability)
    assert scope_for(cast.admin, Capability.REGISTER_EDIT).everything


def test_anonymous_has_no_capability_and_an_empty_scope(db: None) -> None:
    assert capabilities_of(AnonymousUser()) == set()
    assert scope_for(AnonymousUser(), Capability.REGISTER_VIEW).is_empty


def test_resident_scope_is_their_household(cast: Cast) -> None:
    scope = scope_for(cast.resident_user, Capability.REGISTER_VIEW)
    assert scope.household_ids == {cast.household1.pk}
    assert not scope.area_paths
