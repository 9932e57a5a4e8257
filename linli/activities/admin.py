from __future__ import annotations

from django.contrib import admin

from linli.activities.models import ActivityKind
from linli.core.admin_base import LinliModelAdmin


@admin.register(ActivityKind)
class ActivityKindAdmin(LinliModelAdmin[ActivityKind]):
    list_display = ["name", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    search_fields = ["name", "code"]
