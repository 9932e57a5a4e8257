from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from linli.care.models import Alert, CarePlan, Visit
from linli.care.services import plans_due_refresh, plans_place_refresh
from linli.core.admin_base import LinliModelAdmin


@admin.register(CarePlan)
class CarePlanAdmin(LinliModelAdmin[CarePlan]):
    list_display = ["resident", "visits_per_week", "primary_volunteer", "active"]
    list_filter = ["active", "visits_per_week"]
    search_fields = ["resident__name", "resident__alias"]
    raw_id_fields = ["resident", "primary_volunteer", "backup_volunteer"]

    def save_model(self, request: HttpRequest, obj: CarePlan, form: Any, change: bool) -> None:
        # How often, whose plan, active: each may move the due moment the plan keeps; whose
        # plan moves the community it keeps.
        super().save_model(request, obj, form, change)
        plans_due_refresh(CarePlan.objects.filter(pk=obj.pk))
        plans_place_refresh(CarePlan.objects.filter(pk=obj.pk))


@admin.register(Visit)
class VisitAdmin(LinliModelAdmin[Visit]):
    """Read-only, and without health readings: those are shown (and the look audited)
    only on the care pages, so the admin cannot become a way around the audit."""

    list_display = ["resident", "visited_at", "kind", "volunteer"]
    ordering = ["-pk"]  # the newest first, by the key's index
    list_select_related = ["resident", "volunteer"]
    list_filter = ["kind"]
    search_fields = ["resident__name"]
    exclude = ["readings_encrypted"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        return False

    # A visit deleted (one logged by mistake) may have been the person's last home visit.
    def delete_model(self, request: HttpRequest, obj: Visit) -> None:
        resident_id = obj.resident_id
        super().delete_model(request, obj)
        plans_due_refresh(CarePlan.objects.filter(resident_id=resident_id))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Visit]) -> None:
        residents = set(queryset.values_list("resident_id", flat=True))
        super().delete_queryset(request, queryset)
        plans_due_refresh(CarePlan.objects.filter(resident_id__in=residents))


@admin.register(Alert)
class AlertAdmin(LinliModelAdmin[Alert]):
    list_display = ["resident", "kind", "level", "status", "created_at"]
    list_filter = ["kind", "level", "status"]
    search_fields = ["resident__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        return False
