from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "linli.volunteers"
    label = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from linli.privacy.registry import register_personal_data
        from linli.volunteers.models import (
            Availability,
            ServiceCertificate,
            ServiceRecord,
            TeamMembership,
            Volunteer,
            VolunteerSkill,
        )
        from linli.volunteers.personal_data import anonymise_volunteering, export_volunteering

        of_volunteer = "volunteer__resident"
        register_personal_data(
            "volunteers",
            subjects={
                Volunteer: "resident",
                ServiceRecord: of_volunteer,
                ServiceCertificate: of_volunteer,
                TeamMembership: of_volunteer,
                VolunteerSkill: of_volunteer,
                Availability: of_volunteer,
            },
            # A volunteer with no register entry (a student) is known by their login.
            accounts={
                Volunteer: "user",
                ServiceRecord: "volunteer__user",
                ServiceCertificate: "volunteer__user",
            },
            # Hours and certificates stay (the community's totals, documents issued),
            # under 「已匿名」.
            kept=[Volunteer, ServiceRecord, ServiceCertificate],
            export=export_volunteering,
            anonymise=anonymise_volunteering,
        )
