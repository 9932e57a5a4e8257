from __future__ import annotations

from django.contrib import admin

from linli.fieldwork.models import Patrol, PatrolFinding, Posting, SinkDownPlan, SinkDownVisit


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin[Posting]):
    list_display = ["cadre", "kind", "compound", "grid", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["cadre", "community", "compound", "grid"]


@admin.register(SinkDownPlan)
class SinkDownPlanAdmin(admin.ModelAdmin[SinkDownPlan]):
    list_display = ["posting", "month", "planned_on"]
    raw_id_fields = ["posting"]


@admin.register(SinkDownVisit)
class SinkDownVisitAdmin(admin.ModelAdmin[SinkDownVisit]):
    list_display = ["visited_on", "cadre", "posting", "households_count"]
    raw_id_fields = ["posting", "cadre", "community", "grid"]


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin[Patrol]):
    list_display = ["started_at", "grid", "worker", "finished_at"]
    raw_id_fields = ["grid", "worker"]


@admin.register(PatrolFinding)
class PatrolFindingAdmin(admin.ModelAdmin[PatrolFinding]):
    list_display = ["created_at", "patrol", "category", "outcome"]
    raw_id_fields = ["patrol", "building", "request"]
