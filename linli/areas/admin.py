from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from treebeard.admin import TreeAdmin
from treebeard.forms import MoveNodeForm, movenodeform_factory

from linli.accounts.current import request_user
from linli.areas.models import MOVE_REFUSED, Area, AreaKind, Grid, area_parent
from linli.areas.services import (
    validate_area_code,
    validate_area_placement,
    validate_building_grid,
    validate_grid_code,
)
from linli.areas.signals import building_regridded
from linli.core.admin_base import LinliModelAdmin, LinliTabularInline, RawIdWidget
from linli.core.audit import audit_record
from linli.core.forms import is_record_number
from linli.core.models import AuditEvent

# The relation the look-up widget reads: to an area, by its record number.
_REFERENCE_REL = models.ForeignKey(Area, on_delete=models.CASCADE, to_field="id").remote_field


class AreaAdminForm(MoveNodeForm):  # type: ignore[misc]
    """treebeard's add/move form, with the same rules as ``area_create``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # treebeard ships no Chinese: its two fields say where the area goes.
        position = self.fields["treebeard_position"]
        position.label = _("放在")
        position.choices = [
            ("sorted-child", _("参照区域之下")),
            ("sorted-sibling", _("与参照区域同级")),
        ]
        reference = self.fields["treebeard_ref_node"]
        reference.label = _("参照区域")
        reference.empty_label = _("(顶层)")
        if self.instance.pk is None:
            # A new area's reference is any area: a select of the whole tree was 2 MB and
            # 4 s at 300,000 residents (13,800 areas). A record number with the admin's
            # look-up beside it (search by name or code), empty for the top.
            reference.widget = RawIdWidget(_REFERENCE_REL, admin.site)
            reference.help_text = _("点放大镜按名称或编码查找;添加县(市、区)时留空。")

    def _set_ref_model_queryset(self, opts: Any, instance: Area | None) -> None:
        if instance is None or instance.pk is None:
            super()._set_ref_model_queryset(opts, instance)
            return
        # An area stays under its parent (AreaManager.move): the reference can only be
        # the parent. treebeard would read every area below this one to leave them out
        # of the whole tree (a county's 13,800 at 300,000 residents: half a second).
        parent = area_parent(instance)
        self.fields["treebeard_ref_node"].queryset = Area.objects.filter(
            pk=parent.pk if parent is not None else None
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        area: Area = self.instance
        # The kind is read-only once the area exists (AreaAdmin.get_readonly_fields).
        kind = cleaned.get("kind") or (area.kind if area.pk is not None else None)
        code = cleaned.get("code")
        if not kind or not code:
            return cleaned
        # treebeard's two fields: the node the area is placed relative to, and how.
        ref: Area | None = cleaned.get("treebeard_ref_node")
        position = cleaned.get("treebeard_position")
        if ref is None:
            parent = None
        elif position in ("first-child", "last-child", "sorted-child"):
            parent = ref
        else:
            parent = area_parent(ref)
        if area.pk is not None:
            if (parent.path if parent is not None else "") != area.path[: -Area.steplen]:
                self.add_error("treebeard_ref_node", MOVE_REFUSED)
                return cleaned
            if area.numchild and code != area.code:
                self.add_error(
                    "code", _("已有下级区域的区域不能修改编码:下级的编码以它的编码开头。")
                )
                return cleaned
        # treebeard adds a new area as the reference's child and then moves it: "sibling
        # of" would move it from under the reference to under the parent, which
        # AreaManager.move refuses. The parent's child (or, at the top, a root) is the
        # same place.
        cleaned["treebeard_ref_node"] = parent
        cleaned["treebeard_position"] = "sorted-child" if parent is not None else "sorted-sibling"
        try:
            validate_area_placement(kind=kind, parent=parent)
            validate_area_code(kind=kind, code=code, parent=parent)
            if kind == AreaKind.BUILDING:
                validate_building_grid(parent=parent, grid=cleaned.get("grid"))
            elif cleaned.get("grid") is not None:
                raise ValidationError({"grid": "只有楼栋可以划入网格。"})
            if kind == AreaKind.UNIT and not (
                cleaned.get("floors") and cleaned.get("flats_per_floor")
            ):
                raise ValidationError({"floors": "单元需要填写层数和每层户数。"})
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return cleaned


@admin.register(Area)
class AreaAdmin(LinliModelAdmin[Area], TreeAdmin):  # type: ignore[misc]
    form = movenodeform_factory(Area, form=AreaAdminForm, exclude=["path", "depth", "numchild"])
    list_display = ["name", "kind", "code", "grid"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    raw_id_fields = ["grid"]

    # treebeard's own views read record numbers too: the node whose children the tree
    # unfolds, and the two nodes of a drag and drop.
    def children_view(self, request: HttpRequest, parent_id: str) -> HttpResponse:
        if not is_record_number(parent_id):
            raise Http404
        return super().children_view(request, parent_id)  # type: ignore[no-any-return]

    def move_node(self, request: HttpRequest) -> HttpResponse:
        if not all(is_record_number(request.POST.get(key, "")) for key in ("node", "target")):
            return HttpResponseBadRequest("Invalid form data provided")  # as treebeard says
        try:
            return super().move_node(request)  # type: ignore[no-any-return]
        except ValidationError as exc:
            # A move under another parent (AreaManager.move); the tree's script reloads
            # the page on a 400 and shows the message, as for treebeard's own errors.
            messages.error(request, " ".join(exc.messages))
            return HttpResponseBadRequest("Exception raised during move")

    def get_readonly_fields(self, request: HttpRequest, obj: Area | None = None) -> list[str]:
        # A building becoming a compound would drop its grid under its requests, a unit
        # becoming a building would need one: an area keeps the kind it was made with.
        return [*super().get_readonly_fields(request, obj), *(["kind"] if obj else [])]

    def save_model(self, request: HttpRequest, obj: Area, form: forms.Form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request_user(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            fields=list(form.changed_data),
            note="admin",
        )
        if change and obj.kind == AreaKind.BUILDING and "grid" in form.changed_data:
            # As building_assign_grid does (the admin's change view is one transaction).
            building_regridded.send(sender=Area, building=obj, actor=request_user(request))


class GridAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Grid
        fields = ["community", "code", "name", "description"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        community, code = cleaned.get("community"), cleaned.get("code")
        if community is not None and code:
            try:
                validate_grid_code(community=community, code=code)
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        self.add_error(field, error)
        return cleaned


class BuildingInline(LinliTabularInline):  # type: ignore[type-arg]
    model = Area
    fk_name = "grid"
    fields = ["name", "code"]
    readonly_fields = ["name", "code"]
    extra = 0
    can_delete = False
    verbose_name = "楼栋"
    verbose_name_plural = "覆盖的楼栋(在“区域”中修改楼栋所属网格)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Grid)
class GridAdmin(LinliModelAdmin[Grid]):
    form = GridAdminForm
    list_display = ["code", "name", "community"]
    search_fields = ["code", "name"]
    list_filter = ["community"]
    inlines = [BuildingInline]

    def save_model(self, request: HttpRequest, obj: Grid, form: forms.Form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request_user(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            fields=list(form.changed_data),
            note="admin",
        )
