"""The residents list's building filter at a town's scale, on a phone: past the limit the
buildings are offered once a grid is chosen, and choosing a grid in place (htmx) brings
that grid's buildings into the form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.people import selectors as people_selectors
from tests.browser.support import Shot, assert_fits, log_in
from tests.cast import Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_choose_a_grid_then_one_of_its_buildings(
    phone: Page,
    live_server: LiveServer,
    live_cast: Cast,
    screenshot: Shot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The cast's community has two buildings; a town has thousands.
    monkeypatch.setattr(people_selectors, "MAX_BUILDING_CHOICES", 1)
    page = phone
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/people/residents/")
    building = page.get_by_label("楼栋")
    expect(building.locator("option")).to_have_text(["请先选网格"])
    expect(page.get_by_text("王秀兰")).to_be_visible()
    expect(page.get_by_text("李建军")).to_be_visible()

    page.get_by_label("网格").select_option(label=live_cast.grid2.name)
    expect(page.get_by_text("王秀兰")).to_have_count(0)
    options = page.get_by_label("楼栋").locator("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_text("全部")
    expect(options.nth(1)).to_contain_text(live_cast.building2.name)
    page.get_by_label("楼栋").select_option(index=1)
    expect(page).to_have_url(re.compile(rf"[?&]building={live_cast.building2.pk}(&|$)"))
    expect(page.get_by_text("李建军")).to_be_visible()
    assert_fits(page)
    screenshot(page, "residents-building-by-grid-phone")
