"""In-app notifications, and their delivery to external channels through Huey."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from linli.notifications.models import Kind, Notification
from linli.notifications.services import (
    notifications_mark_read,
    notify,
    without_external_delivery,
)
from linli.notifications.tasks import deliver
from tests.cast import Cast, make_user
from tests.requests.support import SHANGHAI


def test_notify_creates_one_in_app_message_per_active_user(cast: Cast) -> None:
    gone = make_user("gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    created = notify(
        users=[cast.worker1, gone, cast.staff],
        text="新诉求派给您",
        link="/requests/1/",
        urgent=True,
    )

    assert {n.user for n in created} == {cast.worker1, cast.staff}
    stored = Notification.objects.order_by("pk")
    assert [(n.user, n.text, n.link, n.urgent) for n in stored] == [
        (cast.worker1, "新诉求派给您", "/requests/1/", True),
        (cast.staff, "新诉求派给您", "/requests/1/", True),
    ]
    assert all(n.read_at is None for n in stored)


def test_notify_tells_each_user_once_however_often_they_are_listed(cast: Cast) -> None:
    same_person = type(cast.worker1).objects.get(pk=cast.worker1.pk)

    created = notify(users=[cast.worker1, same_person, cast.worker1], text="一条消息")

    assert len(created) == 1
    assert Notification.objects.filter(user=cast.worker1).count() == 1


def test_notify_with_nobody_to_tell_creates_nothing(cast: Cast) -> None:
    assert notify(users=[], text="没人") == []
    assert not Notification.objects.exists()


def test_long_texts_are_cut_to_the_field(cast: Cast) -> None:
    notify(users=[cast.worker1], text="长" * 400)

    assert Notification.objects.get().text == "长" * 300


def test_delivery_runs_after_commit_and_is_planned_once(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[cast.worker1, cast.staff], text="诉求超期未办结")
        assert not Notification.objects.exclude(delivered_at=None).exists()
    assert len(callbacks) == 2

    for callback in callbacks:
        callback()  # the transaction commits: Huey (immediate in tests) delivers

    delivered = dict(Notification.objects.values_list("user_id", "delivered_at"))
    assert all(at is not None for at in delivered.values())


def test_delivering_again_keeps_the_first_time(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(users=[cast.worker1], text="请核实")
    notification.refresh_from_db()
    first = notification.delivered_at
    assert first is not None

    deliver(notification.pk)

    notification.refresh_from_db()
    assert notification.delivered_at == first


def _notify_then_fail(cast: Cast) -> None:
    with transaction.atomic():
        notify(users=[cast.worker1], text="不会发出")
        raise RuntimeError


def test_a_rolled_back_change_sends_nothing(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        _notify_then_fail(cast)

    assert callbacks == []
    assert not Notification.objects.exists()


def test_history_written_after_the_fact_stays_in_the_app(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, without_external_delivery():
        (old,) = notify(users=[cast.worker1], text="三个月前的诉求")
    with django_capture_on_commit_callbacks(execute=True):
        (new,) = notify(users=[cast.worker1], text="今天的诉求")

    assert callbacks == []
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.external, old.delivered_at) == (False, None)
    assert new.delivered_at is not None


def test_the_default_sms_provider_logs_what_it_would_send(
    cast: Cast,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    cast.worker1.phone = "13900001234"
    cast.worker1.save(update_fields=["phone"])
    # A non-urgent SMS waits out the night's quiet hours: send it at ten in the morning.
    morning = dt.datetime.combine(timezone.localdate(), dt.time(10), tzinfo=SHANGHAI)
    with (
        time_machine.travel(morning, tick=True),
        caplog.at_level("INFO", logger="linli.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(users=[cast.worker1], text="日志渠道", kind=Kind.ASSIGNMENT)

    assert any(m.startswith("sms 1234 (") and m.endswith("日志渠道") for m in caplog.messages)
    assert Notification.objects.get().deliveries.get().status == "sent"


def test_marking_read_touches_only_the_users_own_unread_messages(cast: Cast) -> None:
    mine = notify(users=[cast.worker1], text="一")[0]
    notify(users=[cast.worker1], text="二")
    theirs = notify(users=[cast.worker2], text="三")[0]

    assert notifications_mark_read(user=cast.worker1, ids=[mine.pk, theirs.pk]) == 1
    assert notifications_mark_read(user=cast.worker1) == 1
    assert notifications_mark_read(user=cast.worker1) == 0

    assert not Notification.objects.filter(user=cast.worker1, read_at=None).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
