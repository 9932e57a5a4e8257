from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from linli.accounts.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="linli.accounts.idle_clock")
