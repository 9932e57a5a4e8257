"""The leaders' dashboard (驾驶舱) in Chromium, on a phone (390×844) and a desktop: the town
leader drills from the town to 和平社区 to 第1网格 and opens the hotspot warning there;
a county leader, on a phone, sees the county with its towns and drills down to one.
The chart images must load (and show Chinese, which the screenshots are looked at for)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from linli.accounts.services import role_assign
from linli.areas.models import AreaKind
from linli.areas.services import area_create
from linli.core.roles import Role
from linli.earlywarning.models import EarlyWarning
from linli.earlywarning.services import warnings_scan
from tests.browser.support import Shot, assert_fits, log_in
from tests.cast import PASSWORD, Cast, make_user
from tests.requests.support import file_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


@pytest.fixture(params=list(VIEWPORTS))
def page(
    request: pytest.FixtureRequest, browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[Page]:
    name = request.param
    phone = name == "phone"
    context: BrowserContext = browser.new_context(
        **{
            **browser_context_args,
            "viewport": VIEWPORTS[name],
            "device_scale_factor": 2 if phone else 1,
            "is_mobile": phone,
            "has_touch": phone,
        }
    )
    new_page = context.new_page()
    new_page.set_default_timeout(20_000)
    setattr(new_page, "_linli_viewport", name)  # noqa: B010 - names the screenshots
    yield new_page
    context.close()


def assert_charts_loaded(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    images = page.locator("img.chart")
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        expect(image).to_have_attribute("alt", re.compile(r"图.*数据见下表"))
    page.wait_for_function(
        "[...document.querySelectorAll('img.chart')].every(i => i.complete && i.naturalWidth > 0)"
    )


def test_a_town_leader_drills_down_to_grid_1_and_opens_the_hotspot(
    page: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
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
    file_request(live_cast, live_cast.unit2, at=now - dt.timedelta(days=2))
    warnings_scan(now=now)
    hotspot = EarlyWarning.objects.get(kind="hotspot")
    viewport = getattr(page, "_linli_viewport")  # noqa: B009

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    if viewport == "desktop":
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="驾驶舱").click()
    else:
        page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("驾驶舱 · 和平镇")
    assert_charts_loaded(page)
    assert_fits(page)
    screenshot(page, f"dashboard-town-{viewport}")

    page.locator("#block-children").get_by_role("link", name="和平社区").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("驾驶舱 · 和平社区")
    expect(page.get_by_role("navigation", name="上级区域")).to_contain_text("和平镇")
    page.locator("#block-heat").scroll_into_view_if_needed()
    expect(page.locator("#block-heat")).to_contain_text("1号楼")
    assert_charts_loaded(page)
    assert_fits(page)
    screenshot(page, f"dashboard-community-{viewport}")

    page.locator("#block-children").get_by_role("link", name="第1网格").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第1网格")
    page.get_by_text("查看数据表").first.click()
    assert_charts_loaded(page)
    assert_fits(page)
    screenshot(page, f"dashboard-grid1-{viewport}")

    page.locator("#block-warnings").get_by_role("link", name=hotspot.title).click()
    page.wait_for_load_state("networkidle")
    assert "/requests/" in page.url
    expect(page.locator("main")).to_contain_text("单元门口垃圾又堆满了")
    assert_fits(page)
    screenshot(page, f"dashboard-hotspot-{viewport}")

    # The wall layout refreshes itself and keeps drill-down on the wall.
    page.goto(f"{live_server.url}/dashboard/area/{live_cast.town.pk}/?wall=1")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    assert_charts_loaded(page)
    assert_fits(page)
    screenshot(page, f"dashboard-wall-{viewport}")


def test_a_county_leader_sees_the_county_and_its_towns_on_a_phone(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    second_town = area_create(
        actor=None, parent=live_cast.county, kind=AreaKind.TOWN, name="安宁镇", code="141181201"
    )
    second_community = area_create(
        actor=None,
        parent=second_town,
        kind=AreaKind.COMMUNITY,
        name="安宁社区",
        code="141181201001",
    )
    county_leader = make_user("county_leader", "郭市长")
    role_assign(actor=None, user=county_leader, role=Role.LEADER, area=live_cast.county)
    now = timezone.now()
    for days in (6, 2):
        file_request(
            live_cast,
            live_cast.unit1,
            text="单元门口垃圾又堆满了",
            category_code="sanitation",
            at=now - dt.timedelta(days=days),
        )
    file_request(live_cast, second_community, text="路灯不亮", at=now - dt.timedelta(days=1))

    log_in(phone, live_server, "county_leader")
    phone.goto(f"{live_server.url}/dashboard/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("驾驶舱 · 孝义市")
    children = phone.locator("#block-children")
    expect(children.get_by_role("link", name="和平镇")).to_be_visible()
    expect(children.get_by_role("link", name="安宁镇")).to_be_visible()
    expect(children).to_contain_text("镇(街道)")
    assert_charts_loaded(phone)
    assert_fits(phone)
    screenshot(phone, "dashboard-county-phone")

    children.get_by_role("link", name="安宁镇").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("驾驶舱 · 安宁镇")
    expect(phone.get_by_role("navigation", name="上级区域")).to_contain_text("孝义市")
    expect(phone.locator("#block-children")).to_contain_text("安宁社区")
    assert_charts_loaded(phone)
    assert_fits(phone)

    phone.goto(f"{live_server.url}/dashboard/area/{live_cast.county.pk}/?wall=1")
    assert phone.locator('meta[http-equiv="refresh"]').count() == 1
    assert_charts_loaded(phone)
    assert_fits(phone)
    screenshot(phone, "dashboard-county-wall-phone")
