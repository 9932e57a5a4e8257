from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The leaders' dashboard (驾驶舱): no models, only counts read through other apps'
    selectors, so nothing here holds personal data."""

    name = "linli.dashboard"
    label = "dashboard"
    verbose_name = _("驾驶舱")
