from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "linli.activities"
    label = "activities"
    verbose_name = _("活动")

    def ready(self) -> None:
        from linli.activities.models import (
            Activity,
            ActivityKind,
            ClinicReading,
            Helper,
            ServedCount,
            Signup,
        )
        from linli.activities.personal_data import anonymise_activities, export_activities
        from linli.privacy.registry import declare_not_personal, register_personal_data

        register_personal_data(
            "activities",
            # Sign-ups name residents; helpers are volunteers (hours live in volunteers).
            # Clinic readings name who was measured (the values stay in care).
            subjects={
                Signup: "resident",
                ClinicReading: "resident",
                Helper: "volunteer__resident",
            },
            accounts={Helper: "volunteer__user"},
            export=export_activities,
            anonymise=anonymise_activities,
        )
        declare_not_personal(Activity, reason="created_by: the staff member acting")
        declare_not_personal(ActivityKind, reason="a list of kinds")
        declare_not_personal(ServedCount, reason="counts of people served, no one named")
