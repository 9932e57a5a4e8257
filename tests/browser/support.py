"""What the browser journeys share: the two viewports, signing in, and the sideways-scroll
check. The matching fixtures (``live_cast``, ``phone``, ``desktop``) are in conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from tests.cast import PASSWORD

Shot = Callable[[Page, str], Path]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def log_in(page: Page, live_server: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def switch_user(page: Page, live_server: LiveServer, username: str) -> None:
    """Sign in as someone else on the same page: forget the last person's session first."""
    page.context.clear_cookies()
    log_in(page, live_server, username)


def assert_fits(page: Page) -> None:
    """Nothing on the page makes a phone scroll sideways."""
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, (
        f"{page.url} overflows horizontally: "
        f"{page.evaluate('document.documentElement.scrollWidth')} > "
        f"{page.evaluate('window.innerWidth')}"
    )


def nav(page: Page, name: str) -> None:
    """Follow a link of the main menu."""
    page.locator("nav.nav").get_by_role("link", name=name).click()
    page.wait_for_load_state("networkidle")
