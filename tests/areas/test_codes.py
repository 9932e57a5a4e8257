"""Area and grid codes: each level extends its parent's code by a fixed number of digits."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from linli.areas.models import Area, AreaKind, Grid
from linli.areas.services import area_create, grid_create
from linli.core.models import AuditEvent
from tests.cast import Cast


def _message(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def test_community_code_is_the_town_code_plus_three_digits(cast: Cast) -> None:
    community = area_create(
        actor=None,
        parent=cast.town,
        kind=AreaKind.COMMUNITY,
        name="团结社区",
        code="141181200003",
    )
    assert community.code == "141181200003"
    assert len(community.code) == 12


@pytest.mark.parametrize(
    "code",
    [
        "14118120000",  # 11 digits
        "1411812000033",  # 13 digits
        "141181201003",  # 12 digits, but not under this town
    ],
)
def test_community_code_that_does_not_extend_the_town_code_is_rejected(
    cast: Cast, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None, parent=cast.town, kind=AreaKind.COMMUNITY, name="团结社区", code=code
        )
    assert _message(caught.value, "code") == ("社区的编码应为上级编码“141181200”后加3位数字。")
    assert not Area.objects.filter(name="团结社区").exists()


def test_code_with_letters_is_rejected(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.town,
            kind=AreaKind.COMMUNITY,
            name="团结社区",
            code="14118120000A",
        )
    assert _message(caught.value, "code") == "编码只能由数字组成。"


def test_area_code_already_used_is_rejected(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            parent=cast.town,
            kind=AreaKind.COMMUNITY,
            name="和平社区二",
            code=cast.community.code,
        )
    assert "已被使用" in _message(caught.value, "code")


def test_grid_code_is_the_community_code_plus_three_digits(cast: Cast) -> None:
    grid = grid_create(actor=None, community=cast.community, code="141181200001003", name="第3网格")
    assert grid.code == "141181200001003"
    assert grid.number == "003"


@pytest.mark.parametrize(
    "code",
    [
        "14118120000100",  # 14 digits
        "1411812000010031",  # 16 digits
        "141181200002003",  # 15 digits, another community's prefix
        "14118120000100A",
    ],
)
def test_grid_code_not_fifteen_digits_under_the_community_is_rejected(
    cast: Cast, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        grid_create(actor=None, community=cast.community, code=code, name="第3网格")
    assert _message(caught.value, "code") == (
        "网格编码应为15位数字:社区编码“141181200001”(12位)加3位网格顺序号。"
    )
    assert not Grid.objects.filter(name="第3网格").exists()


def test_grid_can_only_be_drawn_in_a_community(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        grid_create(actor=None, community=cast.town, code="141181200001003", name="第3网格")
    assert _message(caught.value, "community") == "网格只能划在社区下。"


def test_grid_code_already_used_is_rejected(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        grid_create(actor=None, community=cast.community, code=cast.grid1.code, name="重复")
    assert "已被使用" in _message(caught.value, "code")


def test_grid_creation_is_audited(cast: Cast) -> None:
    grid = grid_create(
        actor=cast.staff, community=cast.community, code="141181200001003", name="第3网格"
    )
    event = AuditEvent.objects.get(object_type="areas.grid", object_id=str(grid.pk))
    assert event.action == "create"
    assert event.actor == cast.staff
    assert event.fields == ["code", "community", "name"]
