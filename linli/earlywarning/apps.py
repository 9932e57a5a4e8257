from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from linli.accounts.models import User
    from linli.people.models import Resident


def _forget(resident: Resident, actor: User | None) -> None:
    from linli.earlywarning.models import EarlyWarning

    EarlyWarning.objects.filter(resident=resident).delete()


class EarlyWarningConfig(AppConfig):
    name = "linli.earlywarning"
    label = "earlywarning"
    verbose_name = _("预警")

    def ready(self) -> None:
        from linli.earlywarning import detectors  # noqa: F401  (registers the detectors)
        from linli.earlywarning.models import EarlyWarning, WarningRule
        from linli.privacy.registry import declare_not_personal, register_personal_data

        # A care warning names the elder it is about; it goes with the person.
        register_personal_data(
            "earlywarning",
            subjects={EarlyWarning: "resident"},
            anonymise=_forget,
        )
        declare_not_personal(WarningRule, reason="thresholds only")
