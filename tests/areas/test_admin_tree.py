"""The area tree in the admin: adding and editing keep the register's rules, and an area
never moves under another parent."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client

from linli.areas.models import Area, AreaKind, area_parent
from linli.areas.services import area_create
from tests.cast import Cast

REFUSED = (
    "已建立的区域不能调整到其他上级区域下:它的编码、楼栋的网格,以及其中住户、诉求和"
    "关爱对象的归属都随上级而定。需要调整区划时,请在新的上级下新建区域,再把住户迁过去。"
)


def _admin(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.admin)
    return client


def _form(area: Area, parent: Area, **changes: Any) -> dict[str, Any]:
    return {
        "name": area.name,
        "code": area.code,
        "grid": area.grid_id or "",
        "floors": area.floors or "",
        "flats_per_floor": area.flats_per_floor or "",
        "treebeard_position": "sorted-child",
        "treebeard_ref_node": parent.pk,
        **changes,
    }


def _errors(response: Any) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _add(client: Client, reference: Area, position: str = "sorted-child", **fields: Any) -> Any:
    """The admin's add form posted: ``fields`` placed relative to ``reference``."""
    return client.post(
        "/admin/areas/area/add/",
        {"treebeard_position": position, "treebeard_ref_node": reference.pk, **fields},
    )


def test_the_admin_adds_a_compound_under_a_community(cast: Cast) -> None:
    response = _add(
        _admin(cast),
        cast.community,
        kind=AreaKind.COMPOUND,
        name="新建小区",
        code=cast.community.code + "009",
    )
    assert response.status_code == 302
    made = Area.objects.get(code=cast.community.code + "009")
    assert area_parent(made) == cast.community


def test_the_admin_adds_an_area_as_a_sibling_of_another(cast: Cast) -> None:
    """treebeard's other position: beside a compound, i.e. under its community; and
    beside the county, i.e. at the top."""
    client = _admin(cast)
    for kind, code, ref in (
        (AreaKind.COMPOUND, cast.community.code + "009", cast.compound),
        (AreaKind.COUNTY, "141182", cast.county),
    ):
        response = _add(client, ref, "sorted-sibling", kind=kind, name="新建", code=code)
        assert response.status_code == 302
        assert area_parent(Area.objects.get(code=code)) == area_parent(ref)


def test_an_area_keeps_its_kind(cast: Cast) -> None:
    """A building made a compound would drop its grid under its requests (a building
    standing in the community, where a compound could stand too)."""
    building = area_create(
        actor=None,
        parent=cast.community,
        kind=AreaKind.BUILDING,
        name="散居楼",
        code=cast.community.code + "900",
        grid=cast.grid1,
    )
    response = _admin(cast).post(
        f"/admin/areas/area/{building.pk}/change/",
        _form(building, cast.community, kind=AreaKind.COMPOUND, grid=""),
    )
    assert response.status_code == 200
    kept = Area.objects.get(pk=building.pk)
    assert (kept.kind, kept.grid_id) == (AreaKind.BUILDING, cast.grid1.pk)


def test_the_admin_still_refuses_a_misplaced_area(cast: Cast) -> None:
    response = _add(
        _admin(cast),
        cast.compound,
        kind=AreaKind.UNIT,
        name="1单元",
        code=cast.compound.code + "01",
        floors=6,
        flats_per_floor=2,
    )
    assert response.status_code == 200
    assert "小区下不能直接设置单元。" in _errors(response)


def test_the_admin_renames_an_area_in_place(cast: Cast) -> None:
    response = _admin(cast).post(
        f"/admin/areas/area/{cast.building1.pk}/change/",
        _form(cast.building1, cast.compound, name="一号楼"),
    )
    assert response.status_code == 302
    assert Area.objects.get(pk=cast.building1.pk).name == "一号楼"


def test_the_edit_form_does_not_move_an_area_under_another_parent(cast: Cast) -> None:
    path = cast.compound.path
    response = _admin(cast).post(
        f"/admin/areas/area/{cast.compound.pk}/change/",
        _form(cast.compound, cast.other_community, code=cast.other_community.code + "001"),
    )
    assert response.status_code == 200
    assert REFUSED in _errors(response)
    moved = Area.objects.get(pk=cast.compound.pk)
    assert (moved.path, moved.code) == (path, cast.compound.code)


def test_the_edit_form_keeps_the_code_of_an_area_with_areas_below(cast: Cast) -> None:
    response = _admin(cast).post(
        f"/admin/areas/area/{cast.compound.pk}/change/",
        _form(cast.compound, cast.community, code=cast.community.code + "008"),
    )
    assert response.status_code == 200
    assert "已有下级区域的区域不能修改编码" in _errors(response)
    assert Area.objects.get(pk=cast.compound.pk).code == cast.compound.code


def test_drag_and_drop_under_another_parent_is_refused_with_the_reason(cast: Cast) -> None:
    client = _admin(cast)
    path = cast.compound.path
    response = client.post(
        "/admin/areas/area/move/",
        {"node": cast.compound.pk, "target": cast.other_community.pk, "relation": "child"},
    )
    assert response.status_code == 400
    assert [str(m) for m in get_messages(response.wsgi_request)] == [REFUSED]
    assert Area.objects.get(pk=cast.compound.pk).path == path


def test_the_tree_reorders_among_the_same_parents_children(cast: Cast) -> None:
    tree: Any = Area.objects
    tree.move(
        Area.objects.get(pk=cast.building2.pk),
        Area.objects.get(pk=cast.building1.pk),
        "sorted-sibling",
    )
    assert area_parent(Area.objects.get(pk=cast.building2.pk)) == cast.compound
    with pytest.raises(ValidationError):
        tree.move(
            Area.objects.get(pk=cast.building2.pk),
            Area.objects.get(pk=cast.other_community.pk),
            "sorted-child",
        )


def test_the_forms_placing_fields_read_in_chinese_and_list_no_tree(cast: Cast) -> None:
    """The new area's reference is a record number with the admin's look-up (a select of
    the whole tree was 2 MB at 300,000 residents); an edit offers only the parent."""
    client = _admin(cast)
    added = client.get("/admin/areas/area/add/").content.decode()
    for chinese in ("参照区域", "参照区域之下", "与参照区域同级", "点放大镜按名称或编码查找"):
        assert chinese in added
    for english in ("Relative to", "Child of", "Sibling of", "-- root --"):
        assert english not in added
    assert 'name="treebeard_ref_node"' in added
    assert "vForeignKeyRawIdAdminField" in added
    assert f'<option value="{cast.unit1.pk}">' not in added
    form = client.get(f"/admin/areas/area/{cast.building1.pk}/change/").context["adminform"].form
    assert list(form.fields["treebeard_ref_node"].queryset) == [cast.compound]
    # The look-up: the areas found by name, each a choice for the box.
    found = client.get("/admin/areas/area/", {"_popup": "1", "_to_field": "id", "q": "1号楼"})
    assert found.status_code == 200
    assert f'data-popup-opener="{cast.building1.pk}"' in found.content.decode()
