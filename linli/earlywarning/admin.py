from __future__ import annotations

from django.contrib import admin

from linli.core.admin_base import LinliModelAdmin
from linli.earlywarning.models import WarningRule


@admin.register(WarningRule)
class WarningRuleAdmin(LinliModelAdmin[WarningRule]):
    """Admins tune the thresholds and windows; the scan reads them every time."""

    list_display = ["kind", "enabled", "threshold", "window_days", "updated_at"]
    list_editable = ["enabled", "threshold", "window_days"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
