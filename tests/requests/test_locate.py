"""Where a request is: numbers read in the reporter's own compound, codes in reach."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from linli.areas.models import Area, AreaKind
from linli.areas.services import area_create
from linli.core.errors import NotPermitted
from linli.requests.locate import (
    Place,
    default_community,
    filing_scope,
    resolve_location,
)
from tests.cast import Cast


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def _second_compound_with_building_1(cast: Cast) -> Area:
    compound = area_create(
        actor=None,
        parent=cast.community,
        kind=AreaKind.COMPOUND,
        name="幸福小区",
        code="141181200001002",
    )
    building: Area = area_create(
        actor=None,
        parent=compound,
        kind=AreaKind.BUILDING,
        name="1号楼",
        code="141181200001002001",
        grid=cast.grid2,
    )
    return building


def test_building_unit_and_room_are_read_in_the_residents_compound(cast: Cast) -> None:
    assert resolve_location(user=cast.resident_user, building=1, unit=1, room="101") == Place(
        cast.unit1, "101"
    )
    assert resolve_location(user=cast.resident_user, building=2) == Place(cast.building2)


def test_the_residents_own_compound_wins_over_a_namesake_elsewhere(cast: Cast) -> None:
    elsewhere = _second_compound_with_building_1(cast)
    assert resolve_location(user=cast.resident_user, building=1).area == cast.building1
    with pytest.raises(ValidationError) as exc:
        resolve_location(user=cast.staff, building=1)
    assert _errors(exc) == {
        "building": [
            "和平社区有2栋1号楼(和平小区1号楼、幸福小区1号楼),请用 location_code 指明是哪一栋。"
        ]
    }
    by_code = resolve_location(user=cast.staff, location_code="141181200001002", building=1)
    assert by_code.area == elsewhere


def test_staff_and_grid_workers_read_numbers_in_the_community_they_work_in(cast: Cast) -> None:
    assert resolve_location(user=cast.staff, building=2, unit=1).area == cast.unit2
    # A patrol does not stop at the grid's edge: worker1 may file at 2号楼 too.
    assert resolve_location(user=cast.worker1, building=2).area == cast.building2
    assert default_community(cast.worker1) == cast.community


def test_nothing_given_is_the_callers_community(cast: Cast) -> None:
    assert resolve_location(user=cast.resident_user) == Place(cast.community)
    assert resolve_location(user=cast.staff) == Place(cast.community)


def test_location_code_must_be_in_reach_and_a_request_level(cast: Cast) -> None:
    assert resolve_location(user=cast.resident_user, location_code=cast.compound.code) == Place(
        cast.compound
    )
    for code in (cast.other_community.code, "nonsense"):
        with pytest.raises(ValidationError) as exc:
            resolve_location(user=cast.resident_user, location_code=code)
        assert _errors(exc) == {
            "location_code": [f"找不到编码为 {code} 的位置,或您不能在那里登记诉求。"]
        }
    with pytest.raises(ValidationError) as exc:
        resolve_location(user=cast.admin, location_code=cast.town.code)
    assert _errors(exc) == {"location_code": ["位置应为社区、小区、楼栋或单元。"]}


def test_numbers_that_do_not_fit_the_place_are_explained(cast: Cast) -> None:
    cases: list[tuple[dict[str, object], dict[str, list[str]]]] = [
        ({"building": 7}, {"building": ["和平小区没有7号楼。"]}),
        ({"building": 1, "unit": 3}, {"unit": ["1号楼没有3单元。"]}),
        ({"unit": 1}, {"unit": ["请同时填写楼号(building),单元号要在楼栋里查找。"]}),
        ({"building": 1, "room": "101"}, {"room": ["房号要和楼号、单元号一起填写。"]}),
        (
            {"building": 1, "unit": 1, "room": "701"},
            {"room": ["和平小区1号楼1单元没有701室。"]},
        ),
        (
            {"location_code": "14118120000100100101", "building": 1},
            {"building": ["location_code 已经指到单元“1单元”,不要再填楼号。"]},
        ),
    ]
    for given, expected in cases:
        with pytest.raises(ValidationError) as exc:
            resolve_location(user=cast.resident_user, **given)  # type: ignore[arg-type]
        assert _errors(exc) == expected, given


def test_a_unit_code_with_a_room(cast: Cast) -> None:
    assert resolve_location(
        user=cast.resident_user, location_code=cast.unit1.code, room=" 602 "
    ) == Place(cast.unit1, "602")


def test_someone_above_many_communities_must_name_the_place(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        resolve_location(user=cast.admin, building=1)
    assert "location_code" in _errors(exc)["building"][0]
    with pytest.raises(ValidationError) as exc:
        resolve_location(user=cast.admin)
    assert list(_errors(exc)) == ["location_code"]
    assert resolve_location(user=cast.admin, location_code=cast.unit2.code).area == cast.unit2


def test_who_may_file_where(cast: Cast) -> None:
    assert filing_scope(cast.resident_user).covers_path(cast.building2.path)
    assert not filing_scope(cast.resident_user).covers_path(cast.other_community.path)
    assert filing_scope(cast.worker2).covers_path(cast.unit1.path)
    assert filing_scope(cast.leader).is_empty
    with pytest.raises(NotPermitted, match="您没有登记诉求的权限"):
        resolve_location(user=cast.leader)
    # A volunteer without a linked resident record files through a resident login or staff.
    with pytest.raises(NotPermitted):
        resolve_location(user=cast.volunteer_user, building=1)
