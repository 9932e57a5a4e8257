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

        from linli.care.services import plans_follow_moved_residents
        from linli.people.signals import residents_moved

        residents_moved.connect(plans_follow_moved_residents, dispatch_uid="care_plans_follow")

        from linli.care.models import Alert, CarePlan, Visit
        from linli.care.personal_data import anonymise_care, export_care
        from linli.privacy.registry import register_personal_data

        register_personal_data(
            "care",
            subjects={CarePlan: "resident", Visit: "resident", Alert: "resident"},
            export=export_care,
            anonymise=anonymise_care,
        )
