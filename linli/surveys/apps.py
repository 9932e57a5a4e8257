from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "linli.surveys"
    label = "surveys"
    verbose_name = _("民意调查")

    def ready(self) -> None:
        from linli.surveys import personal_data

        personal_data.register()
