"""Issue 12: an urgent reading acts at once, explains itself, and staff can clear a false
alarm with a reason — a correction that ``linli triage train`` learns from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from linli.core.errors import InvalidTransition, NotPermitted
from linli.core.models import AuditEvent
from linli.notifications.models import Notification
from linli.requests.models import Channel, Request, RequestEvent
from linli.requests.services import request_clear_urgent, request_submit
from linli.triage.models import Correction, Suggestion
from linli.triage.reader import read_message
from linli.triage.services import models_train
from tests.cast import Cast

ClientFor = Callable[[str], Client]
SMELL = "楼道里有股烧焦的味道,不知道哪家的,1号楼1单元"


def _from_resident(cast: Cast, text: str) -> Request:
    return request_submit(
        submitted_by=cast.resident_user,
        reporter=cast.elder,
        text=text,
        channel=Channel.RESIDENT_PAGE,
        location=cast.community,
    )


def test_the_reading_names_the_words_that_made_it_urgent() -> None:
    assert read_message(SMELL).urgent_because == ("烧焦",)
    assert read_message("垃圾三天没人拉了").urgent_because == ()


def test_an_urgent_reading_tells_the_grid_worker_and_the_duty_staff(cast: Cast) -> None:
    request = _from_resident(cast, SMELL)

    assert request.urgent
    assert request.assignee == cast.worker1
    assert (request.due_at - request.submitted_at) == dt.timedelta(hours=2)
    assert Suggestion.objects.get(request=request).urgent_reason == "烧焦"
    told = Notification.objects.filter(urgent=True, link__endswith=f"/{request.pk}/")
    assert cast.worker1 in {n.user for n in told}
    assert cast.staff in {n.user for n in told}


def test_staff_clear_a_false_alarm_with_a_reason_and_triage_keeps_it(cast: Cast) -> None:
    request = _from_resident(cast, SMELL)

    cleared = request_clear_urgent(request=request, actor=cast.staff, reason="是楼下烤红薯")

    assert not cleared.urgent
    assert (cleared.due_at - cleared.submitted_at) > dt.timedelta(hours=2)
    assert RequestEvent.objects.filter(request=request, note__contains="是楼下烤红薯").exists()
    assert AuditEvent.objects.filter(note="clear_urgent").exists()
    correction = Correction.objects.get(request=request, urgent=False)
    assert correction.urgency_cleared_reason == "是楼下烤红薯"
    assert correction.text == SMELL


def test_clearing_needs_a_reason_a_dispatcher_and_an_urgent_request(cast: Cast) -> None:
    request = _from_resident(cast, SMELL)
    with pytest.raises(ValidationError):
        request_clear_urgent(request=request, actor=cast.staff, reason="  ")
    with pytest.raises(NotPermitted):
        request_clear_urgent(request=request, actor=cast.resident_user, reason="没事")
    request_clear_urgent(request=request, actor=cast.staff, reason="没事")
    with pytest.raises(InvalidTransition):
        request_clear_urgent(request=request, actor=cast.staff, reason="没事")
    assert Correction.objects.filter(request=request).count() == 1


def test_triage_train_learns_from_a_cleared_false_alarm(
    cast: Cast, settings: Settings, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    request = _from_resident(cast, SMELL)
    request_clear_urgent(request=request, actor=cast.staff, reason="烤红薯")

    result = models_train()

    assert result.corrections == 1
    assert result.urgency_path.exists()


def test_the_request_page_shows_why_and_offers_staff_the_clearing(
    cast: Cast, client_for: ClientFor
) -> None:
    request = _from_resident(cast, SMELL)
    url = reverse("requests:detail", args=[request.pk])

    page = client_for("staff").get(url).content.decode()
    assert "判定为紧急的依据:<b>烧焦</b>" in page
    assert "解除紧急(误报)" in page
    worker_page = client_for("worker1").get(url).content.decode()
    assert "判定为紧急的依据:<b>烧焦</b>" in worker_page

    staff = client_for("staff")
    refused = staff.post(reverse("requests:clear_urgent", args=[request.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "请写明为什么不是紧急情况。" in refused.content.decode()
    done = staff.post(reverse("requests:clear_urgent", args=[request.pk]), {"reason": "烤红薯"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert not request.urgent
    assert "判定为紧急的依据" not in staff.get(url).content.decode()
