from __future__ import annotations

from linli.core.roles import ROLE_CAPABILITIES, Capability, Role, roles_with
from linli.core.scoping import EVERYTHING, NOTHING, Scope


def test_union_of_scopes_keeps_only_outermost_paths() -> None:
    town = Scope(area_paths=frozenset({"00010001"}))
    building = Scope(area_paths=frozenset({"000100010001000100020003"}))
    assert (town | building).area_paths == frozenset({"00010001"})


def test_union_combines_grids_households_and_residents() -> None:
    merged = Scope(grid_ids=frozenset({1})) | Scope(household_ids=frozenset({7}))
    assert merged.grid_ids == {1}
    assert merged.household_ids == {7}
    assert not merged.is_empty


def test_nothing_is_empty_and_everything_covers_any_path() -> None:
    assert NOTHING.is_empty
    assert EVERYTHING.covers_path("0001")
    assert not NOTHING.covers_path("0001")


def test_leaders_read_but_never_edit_or_reveal() -> None:
    assert Capability.REGISTER_VIEW in ROLE_CAPABILITIES[Role.LEADER]
    assert Role.LEADER not in roles_with(Capability.REGISTER_EDIT)
    assert Role.LEADER not in roles_with(Capability.SENSITIVE_REVEAL)


def test_partners_have_no_access_to_the_register() -> None:
    assert Role.PARTNER not in roles_with(Capability.REGISTER_VIEW)
