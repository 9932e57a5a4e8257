from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin_base import LinliModelAdmin
from linli.volunteers.models import ServiceCertificate, Skill


@admin.register(Skill)
class SkillAdmin(LinliModelAdmin[Skill]):
    search_fields = ["name"]


@admin.register(ServiceCertificate)
class ServiceCertificateAdmin(LinliModelAdmin[ServiceCertificate]):
    """Look a certificate number up to verify it; certificates are issued, never edited."""

    list_display = ["number", "volunteer", "issuer", "minutes", "issued_on"]
    search_fields = ["number", "volunteer__name"]
    list_select_related = ["volunteer", "issuer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ServiceCertificate | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ServiceCertificate | None = None
    ) -> bool:
        return False
