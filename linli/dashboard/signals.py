"""When a request, its follow-up or its mediation changes, its submission day is counted
again once the transaction commits (through the task queue, at most one waiting task a
day: :func:`linli.dashboard.tasks.queue_refresh`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from linli.requests.models import Feedback, Request


def _refresh(request: Request | None) -> None:
    if request is None or request.submitted_at is None:
        return
    day = timezone.localtime(request.submitted_at).date().isoformat()

    def run() -> None:
        from linli.dashboard.tasks import queue_refresh

        queue_refresh(day)

    transaction.on_commit(run)


def request_changed(sender: type[Request], instance: Request, **kwargs: Any) -> None:
    _refresh(instance)


def feedback_changed(sender: type[Feedback], instance: Feedback, **kwargs: Any) -> None:
    _refresh(Request.objects.filter(pk=instance.request_id).only("submitted_at").first())


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(request_changed, sender=Request, dispatch_uid=f"dashboard-{signal}-r")
        signal.connect(feedback_changed, sender=Feedback, dispatch_uid=f"dashboard-{signal}-f")
