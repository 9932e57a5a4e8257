from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin_base import LinliModelAdmin
from linli.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(LinliModelAdmin[ImportJob]):
    """Import jobs are records of the import page: read them here. Every field is read-only,
    so an add form could only save a job without a community (a 500)."""

    list_display = ["file_name", "community", "status", "total", "created_at"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
