from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "linli.privacy"
    label = "privacy"
    verbose_name = _("个人信息保护")

    def ready(self) -> None:
        # The layers below ``people`` cannot import this registry; what they hold about
        # users is declared here, next to the mechanism.
        from linli.accounts.models import ApiToken, RoleAssignment
        from linli.core.models import AuditEvent
        from linli.notifications.models import Delivery, Notification, Preference, QuietHours
        from linli.privacy.registry import declare_not_personal, register_personal_data

        register_personal_data(
            "accounts",
            accounts={
                RoleAssignment: "user",
                ApiToken: "user",
                Notification: "user",
                Delivery: "notification__user",
                Preference: "user",
                QuietHours: "user",
            },
        )
        declare_not_personal(
            AuditEvent,
            reason=(
                "the security log: tamper-evident, kept at least six months by law and not "
                "part of a person's export (docs/security.md)"
            ),
        )
