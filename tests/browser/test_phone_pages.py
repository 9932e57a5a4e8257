"""On a 390 px phone, for every role of the cast: the bottom tab bar holds at most five tabs
with 消息 and its unread badge on screen, the home starts with the role's to-dos, and no
page of the URL map the role can open scrolls sideways (issue 17).

One browser context per role, one live server and one world for the whole walk. Pages are
those of ``tests/security/urlmap.py`` (parameters filled from its world): GET only, HTML
answers only (downloads, redirects, refusals and POST-only URLs are not pages the role
can open: they are skipped by their answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.notifications.services import notify
from tests.browser.support import PHONE, Shot, switch_user
from tests.security.urlmap import World, build_world, endpoints, fill

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROLES = ("resident", "worker1", "volunteer", "staff", "leader", "admin")
# Not pages of the product: logging out and choosing the language only redirect.
NOT_PAGES = {"accounts:logout", "set_language"}


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


@pytest.fixture
def new_phone(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def _new_phone() -> Page:
        context = browser.new_context(
            **{
                **browser_context_args,
                "viewport": PHONE,
                "device_scale_factor": 1,
                "is_mobile": True,
                "has_touch": True,
            }
        )
        contexts.append(context)
        return context.new_page()

    yield _new_phone
    for context in contexts:
        context.close()


def _page_paths(world: World) -> list[str]:
    return [fill(e, world) for e in endpoints() if e.kind == "page" and e.name not in NOT_PAGES]


def test_every_page_fits_a_phone_for_every_role(
    world: World, live_server: LiveServer, new_phone: Any, screenshot: Shot
) -> None:
    notify(users=[world.cast.worker1], text="新任务:楼道灯坏了", link="/requests/tasks/")
    paths = _page_paths(world)
    assert len(paths) > 40, paths
    overflowing: list[str] = []
    walked: dict[str, int] = {}
    for role in ROLES:
        phone = new_phone()
        switch_user(phone, live_server, role)
        # The tab bar: at most five tabs, the last is 消息, entirely on screen.
        tabs = phone.locator("nav.phone-tabs a")
        assert 3 <= tabs.count() <= 5, role
        messages = tabs.last
        expect(messages).to_contain_text("消息")
        box = messages.bounding_box()
        assert box is not None
        assert box["x"] >= 0, role
        assert box["x"] + box["width"] <= PHONE["width"], role
        assert box["y"] + box["height"] <= PHONE["height"], role
        if role == "worker1":
            expect(messages.locator(".nav-count")).to_be_visible()
            expect(phone.locator(".todos")).to_contain_text("我的任务")
        if role == "resident":
            expect(phone.locator("main a").first).to_contain_text("我要反映")
            expect(phone.locator("main a").first).to_have_attribute("href", "/requests/report/")
        screenshot(phone, f"phone-home-{role}")

        walked[role] = 0
        for path in paths:
            answer = phone.request.get(f"{live_server.url}{path}", max_redirects=0)
            if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue
            phone.goto(f"{live_server.url}{path}", wait_until="load")
            walked[role] += 1
            wide = phone.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if wide[0] > wide[1]:
                overflowing.append(f"{role} {path}: {wide[0]} > {wide[1]}")
                screenshot(phone, f"phone-overflow-{role}-{path.strip('/').replace('/', '-')}")
    assert not overflowing, "\n".join(overflowing)
    assert all(n >= 5 for n in walked.values()), walked
