from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "linli.care"
    label = "care"
    verbose_name = _("关爱走访")

    def ready(self) -> None:
        from linli.care.selectors import care_personal_scope
        from linli.core.scoping import register_personal_scope

        register_personal_scope(care_personal_scope)
