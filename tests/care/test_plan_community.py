"""The plan keeps the community its person lives in (``CarePlan.community``), so that a
place's due list is a range of the (community, active, due_at) index: set when the plan
is saved, moved with the person, and only ever a narrowing of what the scope shows
(docs/scaling.md, session 33)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import forget_cached_scopes
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.services import area_create, grid_create
from linli.care.models import CarePlan
from linli.care.selectors import _scoped, care_figures, due_plans, visible_plans
from linli.care.services import care_plan_save, plans_place_refresh
from linli.core.roles import Capability, Role
from linli.people.models import Household, Resident
from linli.people.services import (
    ResidentData,
    household_create,
    household_update,
    resident_create,
    resident_update,
)
from linli.volunteers.services import volunteer_create
from tests.care.conftest import CareCast
from tests.cast import make_user

pytestmark = pytest.mark.django_db


def _kept(plan: CarePlan) -> Area | None:
    plan.refresh_from_db(fields=["community"])
    return plan.community


def _unit_elsewhere(care: CareCast) -> Area:
    """A unit of the cast's other community (友谊社区), in a grid of its own."""
    other = care.cast.other_community
    grid = grid_create(actor=None, community=other, code=other.code + "001", name="友谊第1网格")
    building = area_create(
        actor=None,
        parent=other,
        kind=AreaKind.BUILDING,
        name="8号楼",
        code=other.code + "008",
        grid=grid,
    )
    return area_create(
        actor=None,
        parent=building,
        kind=AreaKind.UNIT,
        name="1单元",
        code=other.code + "00801",
        floors=6,
        flats_per_floor=2,
    )


def _staff_of(area: Area, username: str) -> User:
    user = make_user(username)
    RoleAssignment.objects.create(user=user, role=Role.STAFF, area=area)
    return user


def _sees(user: User, plan: CarePlan) -> bool:
    forget_cached_scopes(user)
    return plan in due_plans(user, only_due=False)


def _data(resident: Resident, **changes: object) -> ResidentData:
    fields = {f: getattr(resident, f) for f in ResidentData.__dataclass_fields__}
    return ResidentData(**{**fields, **changes})


def test_a_plan_keeps_the_community_its_person_lives_in(care: CareCast) -> None:
    cast = care.cast
    assert _kept(care.plan) == cast.community
    # Someone placed at the compound, without a household.
    placed = resident_create(
        actor=None,
        data=ResidentData(
            name="赵德明", gender="male", birth_date=dt.date(1950, 1, 1), area=cast.compound
        ),
    )
    plan = care_plan_save(actor=None, resident=placed)
    assert plan.community == cast.community
    assert _kept(plan) == cast.community


def test_a_household_moved_to_another_community_takes_its_plans_along(care: CareCast) -> None:
    cast = care.cast
    elsewhere = _unit_elsewhere(care)
    there = _staff_of(cast.other_community, "youyi-staff")
    assert _sees(cast.staff, care.plan)
    assert not _sees(there, care.plan)

    household_update(
        household=cast.household1, actor=cast.staff, unit=elsewhere, room="101", notes=""
    )

    assert _kept(care.plan) == cast.other_community
    assert _sees(there, care.plan)
    assert not _sees(cast.staff, care.plan)
    assert _sees(cast.leader, care.plan)  # the town holds both communities


def test_a_person_moved_to_a_household_of_another_community_takes_the_plan_along(
    care: CareCast,
) -> None:
    cast = care.cast
    elsewhere = household_create(actor=None, unit=_unit_elsewhere(care), room="302")
    there = _staff_of(cast.other_community, "youyi-staff")
    elder = Resident.objects.get(pk=cast.elder.pk)

    resident_update(resident=elder, actor=cast.staff, data=_data(elder, household=elsewhere))

    assert Resident.objects.get(pk=elder.pk).area == elsewhere.unit
    assert _kept(care.plan) == cast.other_community
    assert _sees(there, care.plan)
    assert not _sees(cast.staff, care.plan)

    # And back, as a person without a household placed at the first community.
    resident_update(
        resident=Resident.objects.get(pk=elder.pk),
        actor=cast.staff,
        data=_data(elder, household=None, area=cast.community),
    )
    assert _kept(care.plan) == cast.community
    assert _sees(cast.staff, care.plan)
    assert not _sees(there, care.plan)


def test_a_wrongly_kept_community_never_shows_a_plan_outside_the_scope(care: CareCast) -> None:
    """The kept community only narrows: the scope's condition on the person's place still
    decides. Were it ever wrong, the plan would be missing from the lists of both
    communities — never shown to the other one — until it is set again."""
    cast = care.cast
    there = _staff_of(cast.other_community, "youyi-staff")
    CarePlan.objects.filter(pk=care.plan.pk).update(community=cast.other_community)

    assert not _sees(there, care.plan)
    assert not _sees(cast.staff, care.plan)
    forget_cached_scopes(there)
    assert care_figures(there).plans == 0
    assert _sees(cast.leader, care.plan)

    assert plans_place_refresh(CarePlan.objects.all()) == 1
    assert _kept(care.plan) == cast.community
    assert _sees(cast.staff, care.plan)


def test_a_volunteer_reaches_their_people_wherever_they_live(care: CareCast) -> None:
    """A scope naming people (a volunteer's) is not narrowed by community."""
    cast = care.cast
    household_update(
        household=cast.household1,
        actor=cast.staff,
        unit=_unit_elsewhere(care),
        room="101",
        notes="",
    )
    assert list(visible_plans(cast.volunteer_user)) == [care.plan]


def test_the_admin_and_the_migrations_backfill_keep_it_too(
    care: CareCast, rf: RequestFactory
) -> None:
    cast = care.cast
    other = care_plan_save(actor=None, resident=cast.neighbour)
    CarePlan.objects.update(community=cast.other_community)  # wrong, and not empty

    request = rf.post("/admin/")
    request.user = cast.admin
    plan = CarePlan.objects.get(pk=care.plan.pk)
    admin.site._registry[CarePlan].save_model(request, plan, None, True)
    assert _kept(plan) == cast.community
    assert _kept(other) == cast.other_community  # only the saved plan was set again

    CarePlan.objects.update(community=cast.other_community)
    migration = importlib.import_module("linli.care.migrations.0004_careplan_community")
    migration.fill(apps, connection.schema_editor())
    assert {p.pk: p.community_id for p in CarePlan.objects.all()} == {
        care.plan.pk: cast.community.pk,
        other.pk: cast.community.pk,
    }


def _user(username: str, role: Role, *, area: Area | None = None, grid: Grid | None = None) -> User:
    user = make_user(username)
    RoleAssignment.objects.create(user=user, role=role, area=area, grid=grid)
    return User.objects.get(pk=user.pk)


def _ids(user: User, within: str | None = None) -> set[int]:
    forget_cached_scopes(user)
    return set(visible_plans(user, within=within).values_list("pk", flat=True))


def _scope_alone(user: User, within: str | None = None) -> set[int]:
    """What the scope and the privacy gate show without the community narrowing."""
    forget_cached_scopes(user)
    plans = _scoped(CarePlan.objects.all(), user, Capability.CARE_VIEW, within=within)
    return set(plans.values_list("pk", flat=True))


def test_the_narrowing_shows_what_the_scope_shows_to_every_kind_of_user(care: CareCast) -> None:
    cast = care.cast
    elsewhere = household_create(actor=None, unit=_unit_elsewhere(care), room="101")
    far = resident_create(
        actor=None,
        data=ResidentData(
            name="周德福", gender="male", birth_date=dt.date(1945, 1, 1), household=elsewhere
        ),
    )
    far_plan = care_plan_save(actor=None, resident=far)
    neighbour_plan = care_plan_save(actor=None, resident=cast.neighbour)
    # Grid worker 1, and a volunteer of the other community looking after 周德福.
    both = _user("gw-and-volunteer", Role.GRID_WORKER, grid=cast.grid1)
    RoleAssignment.objects.create(user=both, role=Role.VOLUNTEER, area=cast.other_community)
    helper = volunteer_create(actor=None, community=cast.other_community, user=both)
    CarePlan.objects.filter(pk=far_plan.pk).update(primary_volunteer=helper)
    users = {
        "worker1": cast.worker1,
        "worker2": cast.worker2,
        "staff": cast.staff,
        "leader": cast.leader,
        "admin": cast.admin,
        "volunteer": cast.volunteer_user,
        "resident": cast.resident_user,
        "compound staff": _user("compound-staff", Role.STAFF, area=cast.compound),
        "building staff": _user("building-staff", Role.STAFF, area=cast.building1),
        "unit committee": _user("unit-committee", Role.COMMITTEE, area=cast.unit2),
        "grid worker and volunteer": both,
        "county admin": _user("county-admin", Role.ADMIN, area=cast.county),
    }
    places = (None, cast.community.path, cast.other_community.path, cast.town.path)
    for name, user in users.items():
        for within in places:
            assert _ids(user, within) == _scope_alone(user, within), (name, within)
    assert _ids(cast.worker1) == {care.plan.pk}
    assert _ids(users["compound staff"]) == {care.plan.pk, neighbour_plan.pk}
    assert _ids(users["building staff"]) == {care.plan.pk}
    assert _ids(users["unit committee"]) == {neighbour_plan.pk}
    assert _ids(both) == {care.plan.pk, far_plan.pk}
    assert _ids(cast.leader) == {care.plan.pk, neighbour_plan.pk, far_plan.pk}


def test_a_plan_written_without_the_services_keeps_it_too(care: CareCast) -> None:
    """The admin's add form, a script: the plan's own save sets the community once."""
    made = CarePlan.objects.create(resident=care.cast.neighbour)
    assert _kept(made) == care.cast.community
    assert _sees(care.cast.staff, made)


def test_the_area_tree_cannot_move_a_plans_person_to_another_community(
    care: CareCast,
) -> None:
    """A compound is never moved under another community (``AreaManager.move``), so a
    plan's community cannot be left behind by the tree."""
    cast = care.cast
    # As the admin's drag and drop does (treebeard's manager, untyped here).
    tree: Any = Area.objects
    with pytest.raises(ValidationError):
        tree.move(
            Area.objects.get(pk=cast.compound.pk),
            Area.objects.get(pk=cast.other_community.pk),
            "sorted-child",
        )
    assert _kept(care.plan) == cast.community
    assert _sees(cast.staff, care.plan)


def test_the_admin_does_not_move_people_or_households(care: CareCast, rf: RequestFactory) -> None:
    """Moves go through the register's services, which tell the plans; the admin shows
    where a person or household is but does not change it."""
    request = rf.get("/admin/")
    request.user = care.cast.admin
    resident_admin = admin.site._registry[Resident]
    household_admin = admin.site._registry[Household]
    elder = Resident.objects.get(pk=care.cast.elder.pk)
    assert {"household", "area"} <= set(resident_admin.get_readonly_fields(request, elder))
    assert "unit" in household_admin.get_readonly_fields(request, care.cast.household1)
    # Nor does it register them: the register's pages place them (and check the rest).
    assert not resident_admin.has_add_permission(request)
    assert not household_admin.has_add_permission(request)


def test_a_scope_of_very_many_communities_is_narrowed_by_a_subquery(
    care: CareCast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``INLINE_COMMUNITIES`` communities (a prefecture) their ids are not written
    into the query but selected in it; what is shown is the same."""
    from linli.care import selectors

    cast = care.cast
    neighbour_plan = care_plan_save(actor=None, resident=cast.neighbour)
    forget_cached_scopes(cast.leader)
    inline = str(visible_plans(cast.leader).query)
    assert f'"community_id" IN ({cast.community.pk}, {cast.other_community.pk})' in inline
    monkeypatch.setattr(selectors, "INLINE_COMMUNITIES", 1)  # the town holds two communities
    forget_cached_scopes(cast.leader)
    assert '"community_id" IN (SELECT' in str(visible_plans(cast.leader).query)
    assert _ids(cast.leader) == _scope_alone(cast.leader) == {care.plan.pk, neighbour_plan.pk}
