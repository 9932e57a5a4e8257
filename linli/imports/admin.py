from __future__ import annotations

from django.contrib import admin

from linli.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = ["file_name", "community", "status", "total", "created_at"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]
