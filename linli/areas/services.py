"""Writes to the area tree and grids. Each validates, saves and audits in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.areas.models import (
    ALLOWED_CHILD_KINDS,
    CODE_SEGMENT_LENGTH,
    Area,
    AreaKind,
    Grid,
    area_add,
    area_parent,
)
from linli.areas.signals import building_regridded
from linli.core.audit import audit_record
from linli.core.models import AuditEvent

if TYPE_CHECKING:
    from linli.accounts.models import User


def validate_area_code(*, kind: str, code: str, parent: Area | None) -> None:
    segment = CODE_SEGMENT_LENGTH[kind]
    parent_code = parent.code if parent is not None else ""
    if not code.isdigit():
        raise ValidationError({"code": _("编码只能由数字组成。")})
    if not code.startswith(parent_code) or len(code) != len(parent_code) + segment:
        raise ValidationError(
            {
                "code": _("%(kind)s的编码应为上级编码“%(parent)s”后加%(n)d位数字。")
                % {"kind": AreaKind(kind).label, "parent": parent_code or "—", "n": segment}
            }
        )


def validate_area_placement(*, kind: str, parent: Area | None) -> None:
    parent_kind = parent.kind if parent is not None else None
    if kind not in ALLOWED_CHILD_KINDS[parent_kind]:
        where = AreaKind(parent_kind).label if parent_kind else _("顶层")
        raise ValidationError(
            {
                "kind": _("%(where)s下不能直接设置%(kind)s。")
                % {"where": where, "kind": AreaKind(kind).label}
            }
        )


def validate_building_grid(*, parent: Area | None, grid: Grid | None) -> None:
    """A building's grid must be one of the grids of the building's own community."""
    if grid is None:
        raise ValidationError({"grid": _("每个楼栋必须属于所在社区的一个网格。")})
    if parent is None or not parent.path.startswith(grid.community.path):
        raise ValidationError({"grid": _("所选网格不属于该楼栋所在的社区。")})


@transaction.atomic
def area_create(
    *,
    actor: User | None,
    parent: Area | None,
    kind: str,
    name: str,
    code: str,
    grid: Grid | None = None,
    floors: int | None = None,
    flats_per_floor: int | None = None,
) -> Area:
    validate_area_placement(kind=kind, parent=parent)
    validate_area_code(kind=kind, code=code, parent=parent)
    if kind == AreaKind.BUILDING:
        validate_building_grid(parent=parent, grid=grid)
    elif grid is not None:
        raise ValidationError({"grid": _("只有楼栋可以划入网格。")})
    if kind == AreaKind.UNIT and not (floors and flats_per_floor):
        raise ValidationError({"floors": _("单元需要填写层数和每层户数,用于核对房号。")})
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": _("编码“%(code)s”已被使用。") % {"code": code}})
    fields = {
        "kind": kind,
        "name": name.strip(),
        "code": code,
        "grid": grid,
        "floors": floors if kind == AreaKind.UNIT else None,
        "flats_per_floor": flats_per_floor if kind == AreaKind.UNIT else None,
    }
    area = area_add(parent, **fields)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=area,
        fields=["kind", "name", "code", "grid"],
    )
    return area


@transaction.atomic
def building_assign_grid(*, actor: User | None, building: Area, grid: Grid) -> Area:
    if building.kind != AreaKind.BUILDING:
        raise ValidationError({"grid": _("只有楼栋可以划入网格。")})
    validate_building_grid(parent=area_parent(building), grid=grid)
    moved = building.grid_id != grid.pk
    building.grid = grid
    building.save(update_fields=["grid", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=building, fields=["grid"])
    if moved:
        building_regridded.send(sender=Area, building=building, actor=actor)
    return building


def validate_grid_code(*, community: Area, code: str) -> None:
    if community.kind != AreaKind.COMMUNITY:
        raise ValidationError({"community": _("网格只能划在社区下。")})
    if not (code.isdigit() and len(code) == 15 and code.startswith(community.code)):
        raise ValidationError(
            {
                "code": _("网格编码应为15位数字:社区编码“%(code)s”(12位)加3位网格顺序号。")
                % {"code": community.code}
            }
        )


@transaction.atomic
def grid_create(
    *, actor: User | None, community: Area, code: str, name: str, description: str = ""
) -> Grid:
    validate_grid_code(community=community, code=code)
    if Grid.objects.filter(code=code).exists():
        raise ValidationError({"code": _("网格编码“%(code)s”已被使用。") % {"code": code}})
    grid = Grid(community=community, code=code, name=name.strip(), description=description)
    grid.full_clean()
    grid.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=grid, fields=["community", "code", "name"]
    )
    return grid
