"""A county leader's queue on a phone, with more grids than a select can hold: they choose
a town, then (the town still has too many) a community, then a grid, each select brought
in place by htmx, and the list follows each choice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.areas import selectors
from tests.areas.test_grid_picker import County, build_county
from tests.browser.support import Shot, assert_fits, log_in
from tests.cast import Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def county_leader(
    phone: Page, live_server: LiveServer, live_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> County:
    """The county of tests/areas/test_grid_picker.py, its leader logged in on the phone;
    six grids stand for a prefecture's thousands."""
    monkeypatch.setattr(selectors, "MAX_GRID_CHOICES", 2)
    world = build_county(live_cast)
    log_in(phone, live_server, world.leader.username)
    return world


def test_a_county_leader_narrows_the_queue_town_community_grid(
    phone: Page, live_server: LiveServer, county_leader: County, screenshot: Shot
) -> None:
    world, page = county_leader, phone
    page.goto(f"{live_server.url}/requests/")
    rows = page.get_by_text(re.compile(r"第\d网格楼道灯不亮"))
    expect(rows).to_have_count(6)
    expect(page.get_by_label("网格").locator("option")).to_have_text(["请先选镇(街道)"])

    page.get_by_label("镇(街道):").select_option(label="和平镇")
    expect(rows).to_have_count(4)
    expect(page.get_by_label("社区:").locator("option")).to_have_text(
        ["全部", "和平社区", "友谊社区"]
    )
    expect(page.get_by_label("网格").locator("option")).to_have_text(["请先选社区"])

    page.get_by_label("社区:").select_option(label="友谊社区")
    expect(rows).to_have_count(2)
    expect(page.get_by_label("网格").locator("option")).to_have_text(["全部", "第3网格", "第4网格"])
    page.get_by_label("网格").select_option(label="第4网格")
    expect(rows).to_have_count(1)
    expect(page.get_by_text("第4网格楼道灯不亮")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]grid={world.grids[3].pk}(&|$)"))
    assert_fits(page)
    screenshot(page, "queue-town-community-grid-phone")

    # Another town: the community and grid chosen before no longer apply.
    page.get_by_label("镇(街道):").select_option(label="阳光街道")
    expect(rows).to_have_count(2)
    expect(page.get_by_label("社区:")).to_have_count(0)
    expect(page.get_by_label("网格").locator("option")).to_have_text(["全部", "第5网格", "第6网格"])


def test_a_county_leader_narrows_the_residents_to_a_town_then_a_building(
    phone: Page, live_server: LiveServer, county_leader: County, screenshot: Shot
) -> None:
    page = phone
    page.goto(f"{live_server.url}/people/residents/")
    expect(page.get_by_text("王秀兰")).to_be_visible()

    page.get_by_label("镇(街道)").select_option(label="阳光街道")
    expect(page.get_by_text("王秀兰")).to_have_count(0)
    names = page.locator("td.primary a")
    expect(names).to_have_count(2)
    expect(page.get_by_label("网格").locator("option")).to_have_text(["全部", "第5网格", "第6网格"])
    buildings = page.get_by_label("楼栋").locator("option")
    expect(buildings).to_have_count(3)
    page.get_by_label("楼栋").select_option(index=2)
    expect(names).to_have_count(1)
    assert_fits(page)
    screenshot(page, "residents-town-building-phone")


def test_a_county_leaders_home_counts_by_town_and_opens_a_towns_residents(
    phone: Page, live_server: LiveServer, county_leader: County, screenshot: Shot
) -> None:
    """Past the limit the home lists towns, not grids; a town opens the residents list
    narrowed to it, with the picker at that town."""
    page = phone
    page.goto(f"{live_server.url}/")
    area = page.locator("section", has=page.get_by_role("heading", name="我负责的区域"))
    expect(area).to_contain_text("共 6 个网格,按镇(街道)汇总")
    rows = area.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("和平镇")
    expect(rows.nth(1)).to_contain_text("阳光街道")
    assert_fits(page)
    screenshot(page, "home-county-by-town-phone")

    area.get_by_role("link", name="阳光街道").click()
    expect(page.locator("td.primary a")).to_have_count(2)
    expect(page.get_by_label("镇(街道)")).to_have_value(str(county_leader.town2.pk))
    expect(page.get_by_label("网格").locator("option")).to_have_text(["全部", "第5网格", "第6网格"])
