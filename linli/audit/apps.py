from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit pages: searching and exporting the trail. The trail itself (the
    ``AuditEvent`` model, ``core.audit.audit_record``, verify and prune) stays in core,
    below every app that writes to it."""

    name = "linli.audit"
    label = "audit"
    verbose_name = _("审计")
