from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "linli.party"
    label = "party"
    verbose_name = _("党组织与党员")

    def ready(self) -> None:
        from linli.party.models import PartyDay, PartyDayConcern, PartyMember, VanguardPost
        from linli.party.personal_data import anonymise_party, export_party
        from linli.party.points import BUILT_IN_SOURCES, register_point_source
        from linli.privacy.registry import declare_not_personal, register_personal_data

        register_personal_data(
            "party",
            subjects={PartyMember: "resident", VanguardPost: "member__resident"},
            accounts={PartyMember: "user", VanguardPost: "member__user"},
            # A party day's attendance and totals stay: the member, de-identified.
            kept=[PartyMember],
            export=export_party,
            anonymise=anonymise_party,
        )
        declare_not_personal(
            PartyDay, reason="recorded_by names who recorded the day; attendance is on members"
        )
        declare_not_personal(
            PartyDayConcern, reason="links a party day to a request; the request is registered"
        )
        for source in BUILT_IN_SOURCES:
            register_point_source(source)
        # The party members sheet import, offered to the import pipeline below party.
        from linli.party.imports import register as register_import

        register_import()
