"""The Django admin app, every admin put on the record-number guard
(:mod:`linli.core.admin_base`) once all are registered. In place of ``django.contrib.admin``
in ``INSTALLED_APPS``; kept apart from ``admin_base`` so that loading the apps imports no
admin code before the models."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class LinliAdminConfig(AdminConfig):
    def ready(self) -> None:
        super().ready()  # imports every app's admin module: all are registered after it
        from django.contrib import admin

        from linli.core.admin_base import guard_every_admin

        guard_every_admin(admin.site)
