"""Where each kind of area may sit, and every building's grid."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from linli.areas.models import AreaKind, area_add, area_parent
from linli.areas.services import area_create, building_assign_grid, grid_create
from linli.core.models import AuditEvent
from tests.cast import Cast


def _message(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def test_unit_can_only_be_placed_under_a_building(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.compound,
            kind=AreaKind.UNIT,
            name="1单元",
            code="14118120000100101",
            floors=6,
            flats_per_floor=2,
        )
    assert _message(caught.value, "kind") == "小区下不能直接设置单元。"


def test_community_cannot_be_placed_under_a_county(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.county,
            kind=AreaKind.COMMUNITY,
            name="越级社区",
            code="141181009",
        )
    assert _message(caught.value, "kind") == "县(市、区)下不能直接设置社区。"


def test_only_a_county_may_be_at_the_top(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(actor=None, parent=None, kind=AreaKind.TOWN, name="某镇", code="141")
    assert _message(caught.value, "kind") == "顶层下不能直接设置镇(街道)。"


def test_building_may_stand_in_a_community_without_a_compound(cast: Cast) -> None:
    building = area_create(
        actor=None,
        parent=cast.community,
        kind=AreaKind.BUILDING,
        name="散居楼",
        code="141181200001900",
        grid=cast.grid1,
    )
    assert area_parent(building) == cast.community
    assert building.grid == cast.grid1


def test_building_needs_a_grid(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.compound,
            kind=AreaKind.BUILDING,
            name="3号楼",
            code="141181200001001003",
        )
    assert _message(caught.value, "grid") == "每个楼栋必须属于所在社区的一个网格。"


def test_building_grid_must_belong_to_the_buildings_own_community(cast: Cast) -> None:
    foreign_grid = grid_create(
        actor=None, community=cast.other_community, code="141181200002001", name="友谊第1网格"
    )
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.compound,
            kind=AreaKind.BUILDING,
            name="3号楼",
            code="141181200001001003",
            grid=foreign_grid,
        )
    assert _message(caught.value, "grid") == "所选网格不属于该楼栋所在的社区。"


def test_reassigning_a_building_to_another_communitys_grid_is_refused(cast: Cast) -> None:
    foreign_grid = grid_create(
        actor=None, community=cast.other_community, code="141181200002001", name="友谊第1网格"
    )
    with pytest.raises(ValidationError):
        building_assign_grid(actor=None, building=cast.building1, grid=foreign_grid)
    cast.building1.refresh_from_db()
    assert cast.building1.grid == cast.grid1


def test_building_moves_to_another_grid_of_its_community_with_an_audit_event(
    cast: Cast,
) -> None:
    building_assign_grid(actor=cast.staff, building=cast.building1, grid=cast.grid2)
    cast.building1.refresh_from_db()
    assert cast.building1.grid == cast.grid2
    event = AuditEvent.objects.get(
        action="update", object_type="areas.area", object_id=str(cast.building1.pk)
    )
    assert event.actor == cast.staff
    assert event.fields == ["grid"]


def test_only_buildings_are_placed_in_grids(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.community,
            kind=AreaKind.COMPOUND,
            name="新小区",
            code="141181200001002",
            grid=cast.grid1,
        )
    assert _message(caught.value, "grid") == "只有楼栋可以划入网格。"


def test_unit_needs_floors_and_flats_per_floor(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.building1,
            kind=AreaKind.UNIT,
            name="2单元",
            code="14118120000100100102",
        )
    assert "层数" in _message(caught.value, "floors")


def test_database_refuses_a_building_without_a_grid(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        area_add(cast.compound, kind=AreaKind.BUILDING, name="3号楼", code="141181200001001003")


def test_database_refuses_a_grid_on_anything_but_a_building(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        area_add(
            cast.community,
            kind=AreaKind.COMPOUND,
            name="新小区",
            code="141181200001002",
            grid=cast.grid1,
        )


def test_area_creation_is_audited(cast: Cast) -> None:
    area = area_create(
        actor=cast.admin,
        parent=cast.town,
        kind=AreaKind.COMMUNITY,
        name="团结社区",
        code="141181200003",
    )
    event = AuditEvent.objects.get(object_type="areas.area", object_id=str(area.pk))
    assert event.action == "create"
    assert event.actor == cast.admin
