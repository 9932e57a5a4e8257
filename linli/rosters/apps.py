from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "linli.rosters"
    label = "rosters"
    verbose_name = _("走访排班")
