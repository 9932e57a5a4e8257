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

        from linli.people.models import Consent, EmergencyContact, Household, Resident, ResidentTag
        from linli.people.personal_data import (
            anonymise_register,
            export_register,
            register_retention,
        )
        from linli.privacy.registry import declare_not_personal, register_personal_data

        register_personal_data(
            "people",
            subjects={
                Resident: "",
                ResidentTag: "resident",
                EmergencyContact: "resident",
                Consent: "resident",
            },
            accounts={Resident: "user"},
            export=export_register,
            retention=register_retention,
            anonymise=anonymise_register,
        )
        declare_not_personal(
            Household, reason="an address (unit and room); its members are the residents"
        )
