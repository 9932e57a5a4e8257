from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin_base import LinliModelAdmin
from linli.reports.models import FiledReport


@admin.register(FiledReport)
class FiledReportAdmin(LinliModelAdmin[FiledReport]):
    """Filed reports are records: read them here, file them on the reports page."""

    list_display = ["title", "area", "period_key", "filed_by", "filed_at"]
    list_select_related = ["area", "filed_by"]
    search_fields = ["title"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: FiledReport | None = None) -> bool:
        return False
