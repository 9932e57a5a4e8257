from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin_base import LinliModelAdmin
from linli.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(LinliModelAdmin[AuditEvent]):
    """Audit records can be searched and read, never added, changed or deleted."""

    list_display = [
        "sequence",
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_repr",
        "success",
        "source_ip",
    ]
    list_filter = ["action", "success", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id", "source_ip"]
    date_hierarchy = "created_at"
    actions = None
    readonly_fields = [
        "sequence",
        "created_at",
        "actor",
        "actor_ref",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "fields",
        "success",
        "source_ip",
        "note",
        "hash_version",
        "prev_hash",
        "hash",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
