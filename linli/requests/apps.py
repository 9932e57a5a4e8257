from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "linli.requests"
    label = "requests"
    verbose_name = _("居民诉求")

    def ready(self) -> None:
        from linli.privacy.registry import declare_not_personal, register_personal_data
        from linli.requests.models import Feedback, Request, RequestEvent, RequestPhoto
        from linli.requests.personal_data import (
            anonymise_requests,
            export_requests,
            request_retention,
        )

        register_personal_data(
            "requests",
            subjects={Request: "reporter", Feedback: "request__reporter"},
            # A request is the community's record of a problem: it stays, de-identified.
            kept=[Request, Feedback],
            export=export_requests,
            retention=request_retention,
            anonymise=anonymise_requests,
        )
        actors = "who filed, handled or photographed it: staff acting, not data about them"
        declare_not_personal(RequestEvent, reason=actors)
        declare_not_personal(RequestPhoto, reason=actors)

        from linli.areas.signals import building_regridded
        from linli.requests.services import requests_follow_regridded_building

        building_regridded.connect(
            requests_follow_regridded_building, dispatch_uid="requests_follow_regridded"
        )
