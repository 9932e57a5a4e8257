"""On a phone, a grid worker switches to English in the footer and works in English.

The language form posts to Django's ``set_language``; the cookie it sets keeps the choice
across pages. Screenshots under ``var/screenshots/english-*.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import PHONE, Shot
from tests.cast import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


def test_grid_worker_switches_to_english_on_a_phone(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.get_by_label("Username").fill("worker1")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_text("Hello, 陈网格")).to_be_visible()
    expect(phone.get_by_role("heading", name="My grid")).to_be_visible()
    no_horizontal_scroll(phone)
    screenshot(phone, "english-grid-worker-home")

    phone.goto(f"{live_server.url}/requests/new/")
    expect(phone.get_by_label("What was reported")).to_be_visible()
    phone.get_by_label("What was reported").fill("3号楼楼道灯坏了")
    phone.get_by_label("Reporter's name").fill("匿名")
    phone.get_by_label("Location").select_option(label="和平小区1号楼")
    phone.get_by_role("button", name="Record", exact=True).click()
    expect(phone.get_by_text("Request", exact=False).first).to_be_visible()
    expect(phone.get_by_role("heading", name="History")).to_be_visible()
    expect(phone.get_by_role("button", name="Start work")).to_be_visible()
    no_horizontal_scroll(phone)
    screenshot(phone, "english-request-detail")

    # Back to Chinese from the same footer.
    phone.get_by_role("button", name="简体中文").click()
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.get_by_role("heading", name="办理过程")).to_be_visible()
