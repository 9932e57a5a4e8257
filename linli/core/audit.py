"""Writing audit records. Services call :func:`audit_record` inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

from linli.core.models import AuditEvent

if TYPE_CHECKING:
    from linli.accounts.models import User


@dataclass(frozen=True)
class RequestContext:
    source_ip: str | None


# Set by ``RequestContextMiddleware`` for the duration of a web request, so that
# services can record where a change came from without every signature carrying it.
current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    fields: Iterable[str] = (),
    success: bool = True,
    note: str = "",
) -> AuditEvent:
    context = current_request.get()
    actor_name = ""
    if actor is not None:
        actor_name = str(getattr(actor, "username", "") or actor)
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor_name,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=sorted(fields),
        success=success,
        source_ip=context.source_ip if context else None,
        note=note[:300],
    )
    event.save()
    return event
