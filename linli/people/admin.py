from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin_base import LinliModelAdmin
from linli.people.models import Household, Resident, Tag


@admin.register(Tag)
class TagAdmin(LinliModelAdmin[Tag]):
    list_display = ["name", "code", "group", "detail_label", "builtin", "sort_order"]
    list_editable = ["sort_order"]
    list_filter = ["group"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Tag | None = None) -> list[str]:
        # Features key on the codes of built-in tags; renaming the label is fine.
        return ["code", "builtin"] if obj is not None and obj.builtin else ["builtin"]

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return obj is None or not obj.builtin


@admin.register(Household)
class HouseholdAdmin(LinliModelAdmin[Household]):
    list_display = ["__str__", "unit", "room"]
    search_fields = ["room", "unit__name"]
    raw_id_fields = ["unit"]


@admin.register(Resident)
class ResidentAdmin(LinliModelAdmin[Resident]):
    """Read-mostly: ID and phone numbers are never shown here (reveals are audited on
    the register pages), so the admin cannot become a way around the audit."""

    list_display = ["name", "gender", "birth_date", "household"]
    search_fields = ["name"]
    exclude = ["id_number", "phone"]
    raw_id_fields = ["household", "user"]
