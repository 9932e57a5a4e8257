from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "linli.triage"
    label = "triage"
    verbose_name = _("智能分诊")

    def ready(self) -> None:
        # requests sits below triage and never imports it: it asks through this reader.
        from linli.requests.reading import register_reader
        from linli.triage.reading import TriageReader

        register_reader(TriageReader())

        from linli.privacy.registry import declare_not_personal
        from linli.triage.models import Correction, Suggestion

        reason = "a reading of a request's text and who accepted or corrected it (staff acting)"
        declare_not_personal(Suggestion, reason=reason)
        declare_not_personal(Correction, reason=reason)
