"""Volunteers' claims waiting for review are a kind of their own (``hours_review``): not
urgent, by default in the community staff group's morning digest, each reviewer free to
choose otherwise; a claim withdrawn before the digest is not in it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from linli.notifications.delivery import plan, sweep
from linli.notifications.models import Channel, Delivery, Kind, Notification, StaffGroup
from linli.notifications.preferences import DEFAULTS, IMMEDIATE_KINDS, choices_of
from linli.volunteers.services import service_hours_withdraw
from tests.cast import Cast
from tests.notifications.conftest import Provider
from tests.volunteers.support import claim, volunteer_for_login

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_hours_review_is_a_digest_kind_for_the_staff_group_by_default(cast: Cast) -> None:
    assert Kind.HOURS_REVIEW not in IMMEDIATE_KINDS
    assert DEFAULTS[Kind.HOURS_REVIEW].channels == frozenset({Channel.WECOM})
    assert DEFAULTS[Kind.HOURS_REVIEW].digest
    assert choices_of(cast.staff)[Kind.HOURS_REVIEW].digest
    # A volunteer is offered no staff group: nothing goes out to them by default.
    assert choices_of(cast.volunteer_user)[Kind.HOURS_REVIEW].channels == frozenset()


def test_claims_reach_the_staff_group_in_the_morning_digest_unless_withdrawn(
    cast: Cast, provider: Provider
) -> None:
    StaffGroup.objects.create(community=cast.community, robot="和平社区值班群")
    volunteer = volunteer_for_login(cast)
    kept = claim(volunteer, 90, "为独居老人理发", days_ago=2)
    taken_back = claim(volunteer, 60, "清理楼道", days_ago=1)
    evening = dt.datetime(2031, 3, 3, 19, 0, tzinfo=SHANGHAI)
    morning = dt.datetime(2031, 3, 4, 8, 0, tzinfo=SHANGHAI)
    for notification in Notification.objects.filter(kind=Kind.HOURS_REVIEW):
        plan(notification, now=evening)
    (first, second) = Delivery.objects.order_by("pk")
    assert (first.channel, first.recipient, first.digest) == (
        Channel.WECOM,
        "robot:和平社区值班群",
        True,
    )
    assert first.next_attempt_at == second.next_attempt_at == morning
    assert first.urgent is False

    service_hours_withdraw(actor=cast.volunteer_user, record=taken_back)

    # The withdrawn claim's message went, with its unsent delivery; the other stays.
    assert Delivery.objects.get().notification.link == f"/volunteers/hours/#hours-{kept.pk}"
    sweep(now=evening + dt.timedelta(hours=1))
    assert provider.wecom == []  # nothing before the digest
    sweep(now=morning)
    ((robot, payload),) = provider.wecom
    assert robot == "key-community"
    text = payload["text"]["content"]
    assert "邻里消息汇总(1 条)" in text
    assert "为独居老人理发" in text
    assert "清理楼道" not in text


def test_a_reviewer_may_choose_the_kind_on_the_settings_page(cast: Cast, client_for: Any) -> None:
    page = client_for("staff").get(reverse("notifications:preferences")).content.decode()
    assert "服务时长待审核" in page
    for name in ("hours_review__wecom", "hours_review__digest"):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert box is not None
        assert "checked" in box.group(0)
    assert not re.search(r'<input[^>]*name="hours_review__sms"[^>]*checked', page)
