"""Notifications leave the app through the channels each user chose (issue 18): SMS
through Aliyun's SendSms, WeChat Work group robots, email — at once, after the quiet
hours, or in the daily digest; retried with backoff; never twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from linli.notifications.delivery import plan, sweep
from linli.notifications.models import Delivery, DeliveryStatus, Kind, Preference, StaffGroup
from linli.notifications.services import notify
from linli.notifications.tasks import deliver
from tests.cast import Cast
from tests.notifications.conftest import Provider

pytestmark = pytest.mark.django_db

PHONE = "13900000001"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def phoned(cast: Cast) -> Cast:
    cast.worker1.phone = PHONE
    cast.worker1.email = "chen@example.cn"
    cast.worker1.save(update_fields=["phone", "email"])
    return cast


def test_an_urgent_request_goes_out_at_once_by_sms_and_once_to_the_grid_group(
    phoned: Cast,
    provider: Provider,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    cast = phoned
    StaffGroup.objects.create(grid=cast.grid1, robot="第1网格群")
    StaffGroup.objects.create(community=cast.community, robot="和平社区值班群")

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[cast.worker1, cast.staff, cast.resident_user],
            text="【紧急】1号楼燃气泄漏",
            kind=Kind.URGENT_REQUEST,
            urgent=True,
            grid=cast.grid1,
            community=cast.community,
        )

    assert provider.texts_to(PHONE) == ["【紧急】1号楼燃气泄漏"]
    # The resident's account has no phone: the register's (encrypted) one is used.
    assert provider.texts_to("13812345678") == ["【紧急】1号楼燃气泄漏"]
    assert len(provider.sms) == 2  # the social worker has no phone: no SMS planned
    assert provider.sms[0]["SignName"] == "邻里"
    # The grid's group hears once, however many of its staff were told.
    assert provider.wecom == [
        ("key-grid1", {"msgtype": "text", "text": {"content": "【紧急】1号楼燃气泄漏"}})
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert not Delivery.objects.filter(recipient__contains=PHONE).exists()


def test_a_task_run_twice_or_restarted_after_a_crash_sends_once(
    phoned: Cast, provider: Provider
) -> None:
    cast = phoned
    (first,) = notify(users=[cast.worker1], text="第一条", kind=Kind.URGENT_REQUEST, urgent=True)
    deliver(first.pk)
    deliver(first.pk)  # the same task again: a retry, a second worker
    assert provider.texts_to(PHONE) == ["第一条"]
    assert first.deliveries.get().attempts == 1

    # A worker claimed the next delivery and died before the provider answered.
    (second,) = notify(users=[cast.worker1], text="第二条", kind=Kind.CARE_ALERT, urgent=True)
    plan(second)
    claimed_at = timezone.now()
    second.deliveries.update(status=DeliveryStatus.SENDING, attempts=1, claimed_at=claimed_at)
    deliver(second.pk)  # the restarted worker runs the task again: the claim stands
    assert provider.texts_to(PHONE) == ["第一条"]

    sweep(now=claimed_at + dt.timedelta(minutes=11))  # the claim is stale: send again
    sweep(now=claimed_at + dt.timedelta(minutes=12))
    assert provider.texts_to(PHONE) == ["第一条", "第二条"]
    delivery = second.deliveries.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert Delivery.objects.count() == 2


def test_failures_are_retried_with_backoff_then_recorded_for_administrators(
    phoned: Cast, provider: Provider, client_for: object
) -> None:
    cast = phoned
    provider.failing[PHONE] = "isv.BUSINESS_LIMIT_CONTROL"
    (notification,) = notify(users=[cast.worker1], text="超限", kind=Kind.CARE_ALERT, urgent=True)
    deliver(notification.pk)
    delivery = notification.deliveries.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert delivery.last_error.startswith("isv.BUSINESS_LIMIT_CONTROL")
    assert delivery.claimed_at is not None
    waits = [delivery.next_attempt_at - delivery.claimed_at]
    for _ in range(3):
        due = delivery.next_attempt_at
        sweep(now=due - dt.timedelta(seconds=1))  # not yet
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == due
        sweep(now=due)
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - due)
    assert [w.total_seconds() for w in waits] == [60, 300, 1800, 7200]
    sweep(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 5)
    assert provider.sms == []

    # A wrong number is not retried.
    cast.worker2.phone = "100"
    cast.worker2.save(update_fields=["phone"])
    provider.failing["100"] = "isv.MOBILE_NUMBER_ILLEGAL"
    (wrong,) = notify(users=[cast.worker2], text="错号", kind=Kind.CARE_ALERT, urgent=True)
    deliver(wrong.pk)
    assert wrong.deliveries.get().status == DeliveryStatus.FAILED

    admin: Client = client_for("admin")  # type: ignore[operator]
    page = admin.get(reverse("notifications:deliveries")).content.decode()
    assert "isv.BUSINESS_LIMIT_CONTROL" in page
    assert "isv.MOBILE_NUMBER_ILLEGAL" in page
    assert "李网格" in page  # the recipient by name
    worker: Client = client_for("worker1")  # type: ignore[operator]
    assert worker.get(reverse("notifications:deliveries")).status_code == 404


def test_quiet_hours_hold_back_sms_but_not_urgent_ones_and_digests_wait_for_eight(
    phoned: Cast, provider: Provider
) -> None:
    cast = phoned
    night = dt.datetime(2031, 3, 3, 23, 30, tzinfo=SHANGHAI)
    morning = dt.datetime(2031, 3, 4, 7, 0, tzinfo=SHANGHAI)
    Preference.objects.create(
        user=cast.worker1, kind=Kind.REQUEST_UPDATE, channels="email", digest=True
    )
    (assignment,) = notify(users=[cast.worker1], text="派单", kind=Kind.ASSIGNMENT)
    (urgent,) = notify(users=[cast.worker1], text="紧急", kind=Kind.URGENT_REQUEST, urgent=True)
    updates = [
        notify(users=[cast.worker1], text=text, kind=Kind.REQUEST_UPDATE)[0]
        for text in ("诉求已办结", "诉求已关闭")
    ]
    for notification in (assignment, urgent, *updates):
        plan(notification, now=night)

    sweep(now=night)
    assert provider.texts_to(PHONE) == ["紧急"]
    assert assignment.deliveries.get().next_attempt_at == morning

    sweep(now=morning)
    assert provider.texts_to(PHONE) == ["紧急", "派单"]
    assert mail.outbox == []

    sweep(now=morning + dt.timedelta(hours=1))  # 08:00: the digest, one mail for both
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["chen@example.cn"]
    assert "1. 诉求已办结\n2. 诉求已关闭" in mail.outbox[0].body
    sweep(now=morning + dt.timedelta(hours=2))
    assert len(mail.outbox) == 1
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
