from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import MoveNodeForm, movenodeform_factory

from linli.accounts.current import request_user
from linli.areas.models import Area, AreaKind, Grid, area_parent
from linli.areas.services import (
    validate_area_code,
    validate_area_placement,
    validate_building_grid,
    validate_grid_code,
)
from linli.core.admin_base import LinliModelAdmin, LinliTabularInline
from linli.core.audit import audit_record
from linli.core.forms import is_record_number
from linli.core.models import AuditEvent


class AreaAdminForm(MoveNodeForm):  # type: ignore[misc]
    """treebeard's add/move form, with the same rules as ``area_create``."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        kind = cleaned.get("kind")
        code = cleaned.get("code")
        if not kind or not code:
            return cleaned
        ref_id = cleaned.get("_ref_node_id")
        position = cleaned.get("_position")
        ref = Area.objects.filter(pk=ref_id).first() if ref_id else None
        if ref is None:
            parent = None
        elif position in ("first-child", "last-child", "sorted-child"):
            parent = ref
        else:
            parent = area_parent(ref)
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
        return super().move_node(request)  # type: ignore[no-any-return]

    def save_model(self, request: HttpRequest, obj: Area, form: forms.Form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request_user(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            fields=list(form.changed_data),
            note="admin",
        )


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
