from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "linli.rosters"
    label = "rosters"
    verbose_name = _("走访排班")

    def ready(self) -> None:
        from linli.privacy.registry import register_personal_data
        from linli.rosters.models import RosterAssignment, RosterGap
        from linli.rosters.personal_data import anonymise_roster, export_roster

        register_personal_data(
            "rosters",
            subjects={RosterAssignment: "resident", RosterGap: "resident"},
            export=export_roster,
            anonymise=anonymise_roster,
        )
