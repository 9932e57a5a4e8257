from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from linli.core.models import TimeStampedModel


class AreaKind(models.TextChoices):
    COUNTY = "county", _("县(市、区)")
    TOWN = "town", _("镇(街道)")
    COMMUNITY = "community", _("社区")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")


# Which kinds may sit directly under which. A building may stand in a community
# without a compound (scattered old housing); everything else is strictly levelled.
ALLOWED_CHILD_KINDS: dict[str | None, frozenset[str]] = {
    None: frozenset({AreaKind.COUNTY}),
    AreaKind.COUNTY: frozenset({AreaKind.TOWN}),
    AreaKind.TOWN: frozenset({AreaKind.COMMUNITY}),
    AreaKind.COMMUNITY: frozenset({AreaKind.COMPOUND, AreaKind.BUILDING}),
    AreaKind.COMPOUND: frozenset({AreaKind.BUILDING}),
    AreaKind.BUILDING: frozenset({AreaKind.UNIT}),
    AreaKind.UNIT: frozenset(),
}

# County, town and community are strictly levelled from the root (ALLOWED_CHILD_KINDS): a
# path this many steps long or shorter is a community or wider, anything longer lies
# below one, and the first ``COMMUNITY_DEPTH`` steps of such a path are its community's.
COMMUNITY_DEPTH = 3

# Digits each kind adds to its parent's code. A county has the 6-digit administrative
# division code, a town 9 and a community the 12-digit statistical division code (GB/T
# 10114 practice); below the community the codes are Linli's own.
CODE_SEGMENT_LENGTH: dict[str, int] = {
    AreaKind.COUNTY: 6,
    AreaKind.TOWN: 3,
    AreaKind.COMMUNITY: 3,
    AreaKind.COMPOUND: 3,
    AreaKind.BUILDING: 3,
    AreaKind.UNIT: 2,
}


MOVE_REFUSED = _(
    "已建立的区域不能调整到其他上级区域下:它的编码、楼栋的网格,以及其中住户、诉求和"
    "关爱对象的归属都随上级而定。需要调整区划时,请在新的上级下新建区域,再把住户迁过去。"
)


class AreaManager(MP_NodeManager):  # type: ignore[misc]
    """treebeard's manager, refusing a move that would change an area's parent.

    Codes are the parent's code plus a segment, a building's grid belongs to its
    community, and requests and care plans keep their community (docs/architecture.md):
    a move under another parent would leave all of them behind. Reordering among the
    same parent's children (what ``node_order_by`` leaves of a move) stays allowed."""

    def move(self, node: Area, target: Area, pos: str | None = None) -> None:
        paths = dict(self.filter(pk__in=[node.pk, target.pk]).values_list("pk", "path"))
        as_child = pos in ("first-child", "last-child", "sorted-child")
        target_path = paths[target.pk]
        new_parent = target_path if as_child else target_path[: -Area.steplen]
        if new_parent != paths[node.pk][: -Area.steplen]:
            raise ValidationError(MOVE_REFUSED, code="area_move")
        super().move(node, target, pos)


class Area(MP_Node):  # type: ignore[misc]  # treebeard ships no type hints
    """A node of the administrative tree, from county down to a building's unit.

    Stored as a materialised path (django-treebeard), so a subtree is one indexed
    ``path LIKE 'prefix%'`` query; scopes are expressed as such prefixes.
    """

    steplen = 4
    node_order_by = ["code"]

    if TYPE_CHECKING:
        # treebeard's manager is untyped; this is the part of its interface Linli uses.
        objects: ClassVar[models.Manager[Area]]
        path: str
        depth: int
    else:
        objects = AreaManager()

    kind = models.CharField(_("类型"), max_length=16, choices=AreaKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=24, unique=True)
    # Buildings only: the grid that covers the building (and so its units).
    grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("所属网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    # Units only: how the flats are numbered (room 502 is floor 5, flat 2).
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    flats_per_floor = models.PositiveSmallIntegerField(_("每层户数"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [models.Index(fields=["kind", "path"])]
        constraints = [
            # Every building belongs to exactly one grid; nothing else has one.
            models.CheckConstraint(
                condition=(Q(kind=AreaKind.BUILDING) & Q(grid__isnull=False))
                | (~Q(kind=AreaKind.BUILDING) & Q(grid__isnull=True)),
                name="area_grid_iff_building",
            ),
            models.CheckConstraint(
                condition=Q(kind=AreaKind.UNIT)
                | (Q(floors__isnull=True) & Q(flats_per_floor__isnull=True)),
                name="area_layout_only_on_units",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return str(AreaKind(self.kind).label)

    def room_exists(self, room: str) -> bool:
        """Whether ``room`` (e.g. ``"502"``) is a flat of this unit."""
        if self.kind != AreaKind.UNIT or not self.floors or not self.flats_per_floor:
            return False
        if not room.isdigit() or len(room) < 3:
            return False
        floor, flat = int(room[:-2]), int(room[-2:])
        return 1 <= floor <= self.floors and 1 <= flat <= self.flats_per_floor

    def rooms(self) -> list[str]:
        if not self.floors or not self.flats_per_floor:
            return []
        return [
            f"{floor}{flat:02d}"
            for floor in range(1, self.floors + 1)
            for flat in range(1, self.flats_per_floor + 1)
        ]


class Grid(TimeStampedModel):  # type: ignore[django-manager-missing]
    """A unit grid of a community (GB/T 30428.1), covering some of its buildings."""

    community = models.ForeignKey(
        Area,
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"kind": AreaKind.COMMUNITY},
    )
    code = models.CharField(_("网格编码"), max_length=15, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)

    if TYPE_CHECKING:
        from django.db.models.fields.related_descriptors import RelatedManager

        buildings: RelatedManager[Area]

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def number(self) -> str:
        return self.code[-3:]


# Typed doors to treebeard's (untyped) tree operations, which live on its manager.
def _tree() -> Any:
    return Area.objects


def area_children(area: Area) -> models.QuerySet[Area]:
    children: models.QuerySet[Area] = _tree().get_children(area)
    return children


def area_parent(area: Area) -> Area | None:
    parent: Area | None = _tree().get_parent(area)
    return parent


def area_add(parent: Area | None, **fields: Any) -> Area:
    if parent is None:
        root: Area = _tree().add_root(create_kwargs=fields)
        return root
    child: Area = _tree().add_child(parent, create_kwargs=fields)
    return child
