from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "linli.programmes"
    label = "programmes"
    verbose_name = _("暑期托管")

    def ready(self) -> None:
        from linli.privacy.registry import declare_not_personal, register_personal_data
        from linli.programmes.models import (
            Attendance,
            Duty,
            Enrolment,
            Incident,
            Phase,
            PickupPerson,
            PickupRefusal,
            Programme,
            Site,
            Slot,
        )
        from linli.programmes.personal_data import anonymise_programmes, export_programmes

        of_child = "enrolment__child"
        # Children's data: the most sensitive in the system. The gate hides a child without
        # an active guardian's consent everywhere, and an anonymised child too.
        register_personal_data(
            "programmes",
            subjects={
                Enrolment: "child",
                PickupPerson: of_child,
                Attendance: of_child,
                PickupRefusal: "attendance__enrolment__child",
                # A volunteer leading a timetable slot.
                Slot: "volunteer__resident",
                # A volunteer on the rota.
                Duty: "volunteer__resident",
            },
            accounts={Slot: "volunteer__user", Duty: "volunteer__user"},
            # Duties already credited as service hours stay (the programme's volunteer
            # hours), under the volunteer profile's 「已匿名」.
            kept=[Duty],
            export=export_programmes,
            anonymise=anonymise_programmes,
        )
        declare_not_personal(Site, reason="a place; its lead is an actor")
        declare_not_personal(Programme, reason="a programme; its team are actors")
        declare_not_personal(Phase, reason="dates, hours and capacity")
        declare_not_personal(
            Incident,
            reason="the programme's log; the child link is cleared on anonymisation",
        )
