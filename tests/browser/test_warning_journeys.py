"""Early warnings in Chromium: the grid worker's phone shows the hotspot the scan raised on
their building, with why; they acknowledge it, then close it with what was done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.earlywarning.models import EarlyWarning, WarningKind, WarningRule, WarningStatus
from linli.earlywarning.services import warnings_scan
from tests.browser.support import Shot
from tests.cast import PASSWORD, Cast
from tests.requests.support import file_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_grid_worker_acknowledges_and_closes_a_hotspot_on_a_phone(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    now = timezone.now()
    for days in (9, 4, 1):
        file_request(
            live_cast,
            live_cast.unit1,
            text="单元门口垃圾又堆满了",
            category_code="sanitation",
            at=now - dt.timedelta(days=days),
        )
    # This journey is about the hotspot alone (grids never patrolled would warn too).
    WarningRule.objects.exclude(kind=WarningKind.HOTSPOT).update(enabled=False)
    warnings_scan(now=now)
    warning = EarlyWarning.objects.get(kind="hotspot")

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("用户名").fill("worker1")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.goto(f"{live_server.url}/warnings/")
    card = phone.locator(".warning", has_text="和平小区1号楼反复反映“环境卫生”")
    expect(card).to_contain_text("近 14 天和平小区1号楼反映“环境卫生” 3 次")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "warnings-hotspot-phone")

    card.get_by_role("button", name="知悉").click()
    expect(phone.get_by_text("已知悉:")).to_be_visible()
    card = phone.locator(".warning", has_text="反复反映")
    card.get_by_text("处理完毕").click()
    card.get_by_label("处理说明(选填)").fill("已联系物业在单元门口加装垃圾桶")
    card.get_by_role("button", name="关闭预警").click()
    expect(phone.get_by_text("眼下没有预警")).to_be_visible()
    screenshot(phone, "warnings-closed-phone")

    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLOSED
    assert warning.close_note == "已联系物业在单元门口加装垃圾桶"
    assert warning.acknowledged_by == live_cast.worker1
