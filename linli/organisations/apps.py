from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "linli.organisations"
    label = "organisations"
    verbose_name = _("组织与共建单位")
