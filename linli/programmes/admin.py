from __future__ import annotations

from django.contrib import admin

from linli.core.admin_base import LinliModelAdmin, LinliTabularInline
from linli.programmes.models import Phase, Programme, Site, Slot


@admin.register(Site)
class SiteAdmin(LinliModelAdmin[Site]):
    list_display = ["name", "area", "lead"]
    search_fields = ["name"]


class PhaseInline(LinliTabularInline[Phase, Programme]):
    model = Phase
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(LinliModelAdmin[Programme]):
    list_display = ["name", "site"]
    search_fields = ["name"]
    inlines = [PhaseInline]


@admin.register(Slot)
class SlotAdmin(LinliModelAdmin[Slot]):
    list_display = ["phase", "weekday", "starts_at", "kind", "teacher_name"]
