from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from linli.care.models import Alert, CarePlan, Visit
from linli.core.admin_base import LinliModelAdmin


@admin.register(CarePlan)
class CarePlanAdmin(LinliModelAdmin[CarePlan]):
    list_display = ["resident", "visits_per_week", "primary_volunteer", "active"]
    list_filter = ["active", "visits_per_week"]
    search_fields = ["resident__name", "resident__alias"]
    raw_id_fields = ["resident", "primary_volunteer", "backup_volunteer"]


@admin.register(Visit)
class VisitAdmin(LinliModelAdmin[Visit]):
    """Read-only, and without health readings: those are shown (and the look audited)
    only on the care pages, so the admin cannot become a way around the audit."""

    list_display = ["resident", "visited_at", "kind", "volunteer"]
    list_filter = ["kind"]
    search_fields = ["resident__name"]
    exclude = ["readings_encrypted"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(LinliModelAdmin[Alert]):
    list_display = ["resident", "kind", "level", "status", "created_at"]
    list_filter = ["kind", "level", "status"]
    search_fields = ["resident__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        return False
