from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import ApiToken, RoleAssignment, User
from linli.core.admin_base import LinliModelAdmin, LinliTabularInline


class RoleAssignmentInline(LinliTabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["area", "grid"]
    fields = ["role", "area", "grid", "title"]


@admin.register(User)
class UserAdmin(LinliModelAdmin[User], BaseUserAdmin[User]):
    list_display = ["username", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "full_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password")},
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")},
        ),
    )
    inlines = [RoleAssignmentInline]

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        # An account an administrator sets up must get a password only its owner knows.
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(LinliModelAdmin[ApiToken]):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "digest", "created_at", "last_used_at"]
    search_fields = ["prefix", "user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
