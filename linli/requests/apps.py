from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "linli.requests"
    label = "requests"
    verbose_name = _("居民诉求")

    def ready(self) -> None:
        from linli.people.personal_data import register_personal_data
        from linli.requests.personal_data import (
            anonymise_requests,
            export_requests,
            request_retention,
        )

        register_personal_data(
            "requests",
            export=export_requests,
            retention=request_retention,
            anonymise=anonymise_requests,
        )
