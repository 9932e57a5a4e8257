from __future__ import annotations

from django.contrib import admin

from linli.core.admin_base import LinliModelAdmin
from linli.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(LinliModelAdmin[Organisation]):
    list_display = ["name", "kind", "parent", "area", "is_partner"]
    list_filter = ["kind", "is_partner"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["area"]
