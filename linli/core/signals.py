"""Audit records for events that Django raises itself: logins and admin log entries.

These are the one place where writing from a signal is right: Django's login view and
admin make the change, and the signal is the hook it offers.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from linli.core.audit import audit_record
from linli.core.middleware import client_ip
from linli.core.models import AuditEvent


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="linli_audit_login")
def _audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, source_ip=_ip(request))


@receiver(user_logged_out, dispatch_uid="linli_audit_logout")
def _audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, source_ip=_ip(request))


@receiver(user_login_failed, dispatch_uid="linli_audit_login_failed")
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # ``credentials`` has the password already cleansed by Django; keep only the name.
    audit_record(
        actor=None,
        actor_name=str(credentials.get("username", "")),
        action=AuditEvent.Action.LOGIN_FAILED,
        success=False,
        source_ip=_ip(request),
    )


_ADMIN_ACTIONS = {
    ADDITION: AuditEvent.Action.CREATE,
    CHANGE: AuditEvent.Action.UPDATE,
    DELETION: AuditEvent.Action.DELETE,
}


def audit_log_entry(entry: LogEntry) -> None:
    content_type = entry.content_type
    audit_record(
        actor=entry.user,
        action=_ADMIN_ACTIONS.get(entry.action_flag, AuditEvent.Action.UPDATE),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(entry.object_id or ""),
        object_repr=entry.object_repr,
        note=f"admin: {entry.get_change_message()}",
    )


def install_admin_log_auditing() -> None:
    """Copy every admin log entry into the audit trail.

    ``LogEntryManager.log_actions`` writes bulk deletions with ``bulk_create``, which
    sends no ``post_save``, so the manager method itself is wrapped (once).
    """
    original = LogEntryManager.log_actions
    if getattr(original, "_linli_audited", False):
        return

    @functools.wraps(original)
    def log_actions(self: LogEntryManager, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        entries = result if isinstance(result, list) else [result]
        for entry in entries:
            if isinstance(entry, LogEntry):
                audit_log_entry(entry)
        return result

    log_actions._linli_audited = True  # type: ignore[attr-defined]
    LogEntryManager.log_actions = log_actions  # type: ignore[method-assign]
