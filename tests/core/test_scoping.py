from __future__ import annotations

import pytest

from linli.areas.models import Area
from linli.core.roles import ROLE_CAPABILITIES, Capability, Role, roles_with
from linli.core.scoping import EVERYTHING, NOTHING, Scope, scope_condition, subtree_condition
from linli.people.models import Resident
from tests.cast import Cast


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


@pytest.mark.django_db
def test_subtree_condition_matches_what_lies_at_or_below_any_path(cast: Cast) -> None:
    condition = subtree_condition([cast.building1.path, cast.other_community.path])
    found = set(Area.objects.filter(condition).values_list("pk", flat=True))
    assert cast.building1.pk in found
    assert cast.unit1.pk in found
    assert cast.other_community.pk in found
    assert cast.building2.pk not in found
    assert cast.community.pk not in found


@pytest.mark.django_db
def test_subtree_condition_follows_a_lookup_and_matches_nothing_without_paths(
    cast: Cast,
) -> None:
    in_unit1 = subtree_condition([cast.unit1.path], "household__unit__path")
    assert cast.elder in Resident.objects.filter(in_unit1)
    assert cast.neighbour not in Resident.objects.filter(in_unit1)
    assert not Area.objects.filter(subtree_condition([])).exists()


def test_scope_condition_without_area_paths_grants_nothing_through_paths() -> None:
    assert scope_condition(NOTHING, area_path="path") is None
    assert scope_condition(Scope(grid_ids=frozenset({3})), area_path="path") is None
