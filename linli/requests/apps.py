from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "linli.requests"
    label = "requests"
    verbose_name = _("居民诉求")
