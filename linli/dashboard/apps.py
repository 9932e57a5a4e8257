from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The leaders' dashboard (驾驶舱): counts read through other apps' selectors, and the
    daily request figures it pre-aggregates (counts only, no person)."""

    name = "linli.dashboard"
    label = "dashboard"
    verbose_name = _("驾驶舱")

    def ready(self) -> None:
        from linli.dashboard import signals, tasks  # noqa: F401  (registers the tasks)
        from linli.dashboard.models import DailyFigure, FigureBuild, MonthFigure, MonthHeat
        from linli.privacy.registry import declare_not_personal

        signals.connect()
        declare_not_personal(DailyFigure, reason="daily counts per place, no person")
        declare_not_personal(FigureBuild, reason="how far the daily counts reach")
        declare_not_personal(MonthFigure, reason="monthly counts per compound, no person")
        declare_not_personal(MonthHeat, reason="monthly counts per building, no person")
