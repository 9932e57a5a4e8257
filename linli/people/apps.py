from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "linli.people"
    label = "people"
    verbose_name = _("人口登记")

    def ready(self) -> None:
        from linli.core.scoping import register_personal_scope
        from linli.people.selectors import resident_own_household_scope

        register_personal_scope(resident_own_household_scope)

        from linli.people.personal_data import (
            export_register,
            register_personal_data,
            register_retention,
        )

        register_personal_data("people", export=export_register, retention=register_retention)
