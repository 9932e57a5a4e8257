"""Overdue requests are escalated once to the cadre responsible for that part of the community."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.accounts.models import User
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.notifications.models import Notification
from linli.requests.models import Request, RequestEvent
from linli.requests.services import requests_escalate_overdue
from linli.requests.tasks import escalate_overdue_requests
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, person, resolved, waiting

T0 = local(2026, 11, 28, 9)
DAY_LATER = T0 + dt.timedelta(hours=25)


def _cadre(username: str, cast: Cast, *, grid: int | None = None, compound: bool = False) -> User:
    if compound:
        return person(username, Role.CADRE, area=cast.compound)
    return person(username, Role.CADRE, grid=cast.grid1 if grid == 1 else cast.grid2)


def test_overdue_request_is_escalated_to_the_cadre_of_its_grid(cast: Cast) -> None:
    cadre1 = _cadre("包片张", cast, grid=1)
    cadre2 = _cadre("包片李", cast, grid=2)
    request = file_request(cast, category_code="sanitation", at=T0)

    assert requests_escalate_overdue(now=DAY_LATER) == 1

    request.refresh_from_db()
    assert request.escalated_at == DAY_LATER
    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.ESCALATION)
    assert event.note == "已超过办理时限,上报 包片张"
    assert (event.actor, event.created_at) == (None, DAY_LATER)
    told = Notification.objects.get(user=cadre1)
    assert told.text == f"诉求超期未办结:{request.number}「楼道灯坏了,晚上看不见」"
    assert told.urgent is True
    assert not Notification.objects.filter(user=cadre2).exists()
    assert AuditEvent.objects.filter(object_id=str(request.pk), note="escalate").count() == 1


def test_a_second_run_escalates_nothing_again(cast: Cast) -> None:
    cadre = _cadre("包片张", cast, grid=1)
    request = file_request(cast, category_code="sanitation", at=T0)
    requests_escalate_overdue(now=DAY_LATER)

    assert requests_escalate_overdue(now=DAY_LATER + dt.timedelta(hours=5)) == 0

    request.refresh_from_db()
    assert request.escalated_at == DAY_LATER
    assert RequestEvent.objects.filter(kind=RequestEvent.Kind.ESCALATION).count() == 1
    assert Notification.objects.filter(user=cadre).count() == 1


def test_a_request_in_grid2_goes_to_grid2s_cadre_not_grid1s(cast: Cast) -> None:
    cadre1 = _cadre("包片张", cast, grid=1)
    cadre2 = _cadre("包片李", cast, grid=2)
    request = file_request(cast, cast.building2, category_code="sanitation", at=T0)

    requests_escalate_overdue(now=DAY_LATER)

    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.ESCALATION)
    assert event.note == "已超过办理时限,上报 包片李"
    assert Notification.objects.filter(user=cadre2).count() == 1
    assert not Notification.objects.filter(user=cadre1).exists()


def test_a_cadre_over_the_compound_hears_of_both_grids(cast: Cast) -> None:
    over_compound = _cadre("联点王", cast, compound=True)
    _cadre("包片张", cast, grid=1)
    in_grid1 = file_request(cast, category_code="sanitation", at=T0)
    in_grid2 = file_request(cast, cast.building2, category_code="sanitation", at=T0)

    assert requests_escalate_overdue(now=DAY_LATER) == 2

    notes = dict(
        RequestEvent.objects.filter(kind=RequestEvent.Kind.ESCALATION).values_list(
            "request_id", "note"
        )
    )
    assert notes == {
        in_grid1.pk: "已超过办理时限,上报 联点王、包片张",
        in_grid2.pk: "已超过办理时限,上报 联点王",
    }
    assert Notification.objects.filter(user=over_compound).count() == 2


def test_only_newly_overdue_open_requests_are_escalated(cast: Cast) -> None:
    cadre = _cadre("包片张", cast, grid=1)
    not_yet = file_request(cast, category_code="repair", at=T0)  # due in 72 h
    done = resolved(cast, category_code="sanitation", at=T0)

    assert requests_escalate_overdue(now=DAY_LATER) == 0

    assert not RequestEvent.objects.filter(kind=RequestEvent.Kind.ESCALATION).exists()
    assert not Notification.objects.filter(user=cadre).exists()
    not_yet.refresh_from_db()
    done.refresh_from_db()
    assert (not_yet.escalated_at, done.escalated_at) == (None, None)

    assert requests_escalate_overdue(now=T0 + dt.timedelta(hours=73)) == 1
    not_yet.refresh_from_db()
    assert not_yet.escalated_at == T0 + dt.timedelta(hours=73)


def test_without_a_cadre_the_communitys_dispatchers_are_told(cast: Cast) -> None:
    request = waiting(cast, category_code="sanitation", at=T0)

    requests_escalate_overdue(now=DAY_LATER)

    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.ESCALATION)
    assert event.note == "已超过办理时限,上报 社区两委"
    assert Notification.objects.filter(user=cast.staff, text__startswith="诉求超期未办结").exists()


def test_an_inactive_cadre_is_neither_named_nor_told(cast: Cast) -> None:
    gone = _cadre("包片张", cast, grid=1)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    request = file_request(cast, category_code="sanitation", at=T0)

    requests_escalate_overdue(now=DAY_LATER)

    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.ESCALATION)
    assert event.note == "已超过办理时限,上报 社区两委"
    assert not Notification.objects.filter(user=gone).exists()


def test_a_cadre_of_another_community_is_not_told(cast: Cast) -> None:
    elsewhere = person("包片赵", Role.CADRE, area=cast.other_community)
    file_request(cast, category_code="sanitation", at=T0)

    requests_escalate_overdue(now=DAY_LATER)

    assert not Notification.objects.filter(user=elsewhere).exists()


def test_the_periodic_task_escalates_what_is_overdue_now(cast: Cast) -> None:
    cadre = _cadre("包片张", cast, grid=1)
    request = file_request(
        cast, category_code="sanitation", at=timezone.now() - dt.timedelta(days=2)
    )
    assert request.status == Status.ASSIGNED

    # Huey runs in immediate mode in tests: enqueuing the task runs it.
    escalate_overdue_requests()
    request.refresh_from_db()
    assert request.escalated_at is not None
    assert Notification.objects.filter(user=cadre, text__startswith="诉求超期未办结").count() == 1


def test_one_failing_request_does_not_stop_or_undo_the_others(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each request is escalated in its own transaction (linli.core.sweeps): a request
    that cannot be escalated leaves the others escalated, and the error still surfaces
    so the periodic task is marked failed."""
    from linli.requests.selectors import cadres_responsible_for as real

    _cadre("包片张", cast, grid=1)
    first = file_request(cast, category_code="sanitation", at=T0)
    broken = file_request(cast, category_code="sanitation", at=T0 + dt.timedelta(minutes=1))
    last = file_request(cast, category_code="sanitation", at=T0 + dt.timedelta(minutes=2))

    def cadres(request: Request) -> list[User]:
        if request.pk == broken.pk:
            raise RuntimeError("this one is broken")
        return real(request)

    monkeypatch.setattr("linli.requests.services.cadres_responsible_for", cadres)

    with pytest.raises(RuntimeError, match="this one is broken"):
        requests_escalate_overdue(now=DAY_LATER)

    escalated = dict(
        Request.objects.filter(pk__in=[first.pk, broken.pk, last.pk]).values_list(
            "pk", "escalated_at"
        )
    )
    assert escalated == {first.pk: DAY_LATER, broken.pk: None, last.pk: DAY_LATER}
    # The broken one left nothing behind: no timeline entry, no audit record.
    assert not RequestEvent.objects.filter(request=broken, kind=RequestEvent.Kind.ESCALATION)
    assert not AuditEvent.objects.filter(object_id=str(broken.pk), note="escalate").exists()
    assert AuditEvent.objects.filter(note="escalate").count() == 2
