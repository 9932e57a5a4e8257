from __future__ import annotations

from django.contrib import admin

from linli.core.admin_base import LinliModelAdmin
from linli.fieldwork.models import Patrol, PatrolFinding, Posting, SinkDownPlan, SinkDownVisit


@admin.register(Posting)
class PostingAdmin(LinliModelAdmin[Posting]):
    list_display = ["cadre", "kind", "compound", "grid", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["cadre", "community", "compound", "grid"]


@admin.register(SinkDownPlan)
class SinkDownPlanAdmin(LinliModelAdmin[SinkDownPlan]):
    list_display = ["posting", "month", "planned_on"]
    raw_id_fields = ["posting"]


@admin.register(SinkDownVisit)
class SinkDownVisitAdmin(LinliModelAdmin[SinkDownVisit]):
    list_display = ["visited_on", "cadre", "posting", "households_count"]
    raw_id_fields = ["posting", "cadre", "community", "grid"]


@admin.register(Patrol)
class PatrolAdmin(LinliModelAdmin[Patrol]):
    list_display = ["started_at", "grid", "worker", "finished_at"]
    raw_id_fields = ["grid", "worker"]


@admin.register(PatrolFinding)
class PatrolFindingAdmin(LinliModelAdmin[PatrolFinding]):
    list_display = ["created_at", "patrol", "category", "outcome"]
    raw_id_fields = ["patrol", "building", "request"]
