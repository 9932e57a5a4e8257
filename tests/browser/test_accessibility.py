"""axe-core on the main pages of each role, on a phone.

axe-core's own script comes from the ``axe-playwright-python`` package (it bundles
``axe.min.js``), so neither CI nor a developer needs npm or a CDN. A page fails on any
violation axe rates serious or critical (missing labels, names, contrast, ``lang``…); the
rules are axe's WCAG 2 A/AA set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import PHONE, switch_user
from tests.care.conftest import CareCast, build_care
from tests.cast import build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}


@pytest.fixture
def live_care(transactional_db: None) -> CareCast:
    return build_care(build_cast())


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def pages_by_role(care: CareCast) -> dict[str, list[str]]:
    elder = [care.cast.elder.pk]
    return {
        "resident": [
            reverse("home"),
            reverse("requests:report"),
            reverse("requests:mine"),
            reverse("notifications:list"),
        ],
        "worker1": [
            reverse("home"),
            reverse("requests:tasks"),
            reverse("requests:queue"),
            reverse("requests:file"),
            reverse("people:resident_detail", args=elder),
        ],
        "volunteer": [
            reverse("home"),
            reverse("care:due_list"),
            reverse("care:visit_new", args=elder),
        ],
        "staff": [
            reverse("home"),
            reverse("requests:figures"),
            reverse("care:alert_list"),
            reverse("people:resident_list"),
        ],
    }


def test_main_pages_of_each_role_have_no_serious_axe_violations(
    phone: Page, live_server: LiveServer, live_care: CareCast
) -> None:
    phone.goto(f"{live_server.url}/accounts/login/")
    problems = serious_violations(phone)
    for username, names in pages_by_role(live_care).items():
        switch_user(phone, live_server, username)
        for path in names:
            phone.goto(f"{live_server.url}{path}")
            phone.wait_for_load_state("networkidle")
            problems += serious_violations(phone)
    assert problems == [], "\n".join(problems)
