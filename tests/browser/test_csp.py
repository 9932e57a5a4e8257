"""The strict Content-Security-Policy blocks nothing of Linli's own: Chromium reports no
violation on the pages a grid worker uses, including htmx updates and the API docs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.cast import PASSWORD, build_cast
from tests.requests.support import file_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_no_page_violates_the_content_security_policy(
    live_server: LiveServer, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    cast = build_cast()
    request = file_request(cast)
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "csp-login")
    page.get_by_label("用户名").fill("worker1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(f"{live_server.url}/")

    for path in (
        "/",
        "/people/residents/",
        f"/people/residents/{cast.elder.pk}/",
        f"/people/households/{cast.household1.pk}/",
        "/requests/tasks/",
        f"/requests/{request.pk}/",
        "/notifications/",
        "/api/v1/docs",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")

    # htmx at work: the residents filter swaps the results in place.
    page.goto(f"{live_server.url}/people/residents/")
    search = page.locator("input[name=q]")
    search.fill("王")
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true"):
        search.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("王秀兰").first).to_be_visible()
    screenshot(page, "csp-residents")

    assert violations == [], "\n".join(violations)
