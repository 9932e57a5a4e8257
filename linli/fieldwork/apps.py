from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "linli.fieldwork"
    label = "fieldwork"
    verbose_name = _("干部下沉与网格巡查")

    def ready(self) -> None:
        from linli.earlywarning.detectors import register_detector
        from linli.earlywarning.models import WarningKind
        from linli.fieldwork.models import (
            Patrol,
            Posting,
            SinkDownListener,
            SinkDownVisit,
        )
        from linli.fieldwork.personal_data import anonymise_fieldwork, export_fieldwork
        from linli.fieldwork.warnings import grids_unpatrolled
        from linli.privacy.registry import declare_not_personal, register_personal_data

        register_personal_data(
            "fieldwork",
            # Visits name the residents listened to; their free text (households, notes,
            # concerns) is scrubbed of the person's name by the anonymise hook.
            subjects={SinkDownListener: "resident"},
            export=export_fieldwork,
            anonymise=anonymise_fieldwork,
        )
        cadre = "the cadre or grid worker who did the work (an actor), not data about them"
        for model in (Posting, SinkDownVisit, Patrol):
            declare_not_personal(model, reason=cadre)
        # A grid not patrolled for days is an early warning (earlywarning's registry).
        register_detector(WarningKind.GRID_UNPATROLLED, grids_unpatrolled)
