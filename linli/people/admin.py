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

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registered on the register's pages (``household_create`` checks the room
        # against the unit's floors and flats).
        return False

    def get_readonly_fields(
        self, request: HttpRequest, obj: Household | None = None
    ) -> list[str] | tuple[str, ...]:
        # A household moves on the register's pages (``household_update``): its members
        # move with it and what keeps where they live (care plans) is told.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "unit"]


@admin.register(Resident)
class ResidentAdmin(LinliModelAdmin[Resident]):
    """Read-mostly: ID and phone numbers are never shown here (reveals are audited on
    the register pages), so the admin cannot become a way around the audit."""

    list_display = ["name", "gender", "birth_date", "household"]
    # The newest first, by the key's index (the model's order, by place and room, sorted
    # the whole register on every view); a household shows its unit.
    ordering = ["-pk"]
    list_select_related = ["household__unit"]
    search_fields = ["name"]
    exclude = ["id_number", "phone"]
    raw_id_fields = ["household", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registered on the register's pages: ``resident_create`` places the person with
        # the household (or in a community or below), checks the ID number and records a
        # child's guardian consent, which a bare form here would skip.
        return False

    def get_readonly_fields(
        self, request: HttpRequest, obj: Resident | None = None
    ) -> list[str] | tuple[str, ...]:
        # A person moves on the register's pages (``resident_update``), which keep their
        # place with their household and tell what keeps where they live (care plans).
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "household", "area"]
