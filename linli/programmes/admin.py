from __future__ import annotations

from django.contrib import admin

from linli.programmes.models import Phase, Programme, Site, Slot


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ["name", "area", "lead"]
    search_fields = ["name"]


class PhaseInline(admin.TabularInline[Phase, Programme]):
    model = Phase
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["name", "site"]
    search_fields = ["name"]
    inlines = [PhaseInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin[Slot]):
    list_display = ["phase", "weekday", "starts_at", "kind", "teacher_name"]
