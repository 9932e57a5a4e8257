from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "linli.reports"
    label = "reports"
    verbose_name = _("工作报告")

    def ready(self) -> None:
        from linli.privacy.registry import declare_not_personal
        from linli.reports.models import FiledReport

        declare_not_personal(
            FiledReport,
            reason=(
                "figures and text about an area, written without naming residents (places at "
                "building level); filed_by is the staff member acting"
            ),
        )
