"""Issue 12 in Chromium: a resident reports a burning smell from the resident page, the
reader calls it urgent, and the grid worker's phone shows it urgent with the words that
decided it; the community's duty staff were told too.

Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.areas.models import AreaKind
from linli.areas.services import area_create
from linli.notifications.models import Notification
from linli.requests.models import Request
from tests.browser.support import Shot, assert_fits, nav, switch_user
from tests.cast import Cast, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SMELL = "楼道里有股烧焦的味道,不知道哪家的,4号楼1单元"  # from shared/triage/dev.jsonl


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    cast = build_cast()
    building4 = area_create(
        actor=None,
        parent=cast.compound,
        kind=AreaKind.BUILDING,
        name="4号楼",
        code="141181200001001004",
        grid=cast.grid1,
    )
    area_create(
        actor=None,
        parent=building4,
        kind=AreaKind.UNIT,
        name="1单元",
        code="14118120000100100401",
        floors=6,
        flats_per_floor=2,
    )
    return cast


def test_a_burning_smell_reaches_the_grid_worker_urgent_with_the_reason(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    switch_user(phone, live_server, "resident")
    nav(phone, "我要反映")
    phone.get_by_label("遇到了什么问题").fill(SMELL)
    phone.get_by_label("小区公共区域(和平小区)").check()
    # The resident does not tick "需要马上有人来": the reader decides.
    expect(phone.get_by_label("需要马上有人来")).not_to_be_checked()
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_load_state("networkidle")
    filed = Request.objects.get()
    assert filed.urgent
    assert filed.location.name == "1单元"
    assert filed.assignee == cast.worker1
    assert Notification.objects.filter(user=cast.staff, urgent=True).exists()

    switch_user(phone, live_server, "worker1")
    nav(phone, "我的任务")
    card = phone.locator("li.task", has_text="烧焦")
    expect(card.locator(".badge.urgent")).to_have_text("紧急")
    screenshot(phone, "triage-urgent-worker-tasks-phone")
    card.locator("a.task-text").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.locator(".page-head .badge.urgent")).to_have_text("紧急")
    expect(phone.locator(".urgency-reason")).to_have_text("判定为紧急的依据:烧焦")
    assert_fits(phone)
    screenshot(phone, "triage-urgent-worker-phone")
