from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from linli.core import signals

        signals.install_admin_log_auditing()
