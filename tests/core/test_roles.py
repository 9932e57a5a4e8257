"""The grants table in ``linli.core.roles`` is the only source of who may do what."""

from __future__ import annotations

from linli.core.roles import GRANTS, ROLE_CAPABILITIES, Capability, Role, roles_with


def test_every_capability_has_a_row_in_the_grants_table() -> None:
    assert set(GRANTS) == set(Capability)


def test_role_capabilities_are_the_grants_table_read_by_role() -> None:
    assert set(ROLE_CAPABILITIES) == set(Role)
    for role, capabilities in ROLE_CAPABILITIES.items():
        assert capabilities == {c for c, roles in GRANTS.items() if role in roles}


def test_roles_with_a_capability_are_its_row() -> None:
    assert roles_with(Capability.AUDIT_VIEW) == {Role.ADMIN}
    assert roles_with(Capability.SINK_DOWN) == {Role.CADRE, Role.LEADER}


def test_leaders_read_but_never_reveal_or_see_health() -> None:
    leader = ROLE_CAPABILITIES[Role.LEADER]
    assert Capability.REGISTER_VIEW in leader
    assert Capability.SENSITIVE_REVEAL not in leader
    assert Capability.HEALTH_VIEW not in leader
    assert ROLE_CAPABILITIES[Role.PARTNER] == frozenset()
