"""Group-chat intake in Chromium: staff paste a WeChat block, check the drafts triage
proposed (one flagged as a likely repeat of an open request), correct one and file them
all on one screen; then the same page on a phone. Screenshots under ``var/screenshots/``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.areas.models import AreaKind
from linli.areas.services import area_create
from linli.requests.models import Category, Channel, Request, RequestEvent
from linli.requests.services import request_submit
from tests.browser.support import DESKTOP, Shot
from tests.cast import PASSWORD, Cast, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


BLOCK = """张三 10:32
2号楼1单元门口的垃圾堆了好几天了,臭得不行
李四 10:33
[表情]
[2026-11-28 10:35] 王大妈: 谢谢网格员👍
[2026-11-28 10:36] 赵六：1号楼1单元101的电梯里有人被困了,快来人
刘奶奶：收到
孙师傅 10:40
1号楼楼道灯坏了好几天,晚上黑乎乎的
"""


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    return build_cast()


def _log_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def _shot(screenshot: Shot, page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def _fits(page: Page) -> None:
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} overflows horizontally"


def test_paste_check_and_file_a_group_chat_block(
    cast: Cast, live_server: LiveServer, page: Page, screenshot: Shot
) -> None:
    earlier = request_submit(
        submitted_by=cast.staff,
        text="2号楼垃圾没人收",
        channel=Channel.PHONE,
        location=cast.building2,
        category=Category.objects.get(code="sanitation"),
    )
    page.set_viewport_size(DESKTOP)
    _log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/requests/")
    page.get_by_role("link", name="群聊登记").click()
    page.get_by_label("群聊记录").fill(BLOCK)
    page.get_by_role("button", name="拆分并分诊").click()
    page.wait_for_load_state("networkidle")

    drafts = page.locator("fieldset.draft")
    expect(drafts).to_have_count(3)
    expect(page.get_by_text("已略过 3 条闲聊")).to_be_visible()
    first = drafts.nth(0)
    expect(first.get_by_text("可能重复")).to_be_visible()
    expect(first.get_by_role("link", name="2号楼垃圾没人收")).to_be_visible()
    expect(first.get_by_label("处理")).to_have_value("link")
    second = drafts.nth(1)
    expect(second.get_by_label("类别")).to_have_value(str(Category.objects.get(code="safety").pk))
    expect(second.get_by_label("紧急")).to_be_checked()
    expect(second.get_by_label("房号")).to_have_value("101")
    third = drafts.nth(2)
    expect(third.get_by_label("类别")).to_have_value(str(Category.objects.get(code="repair").pk))
    # Staff add what the message left out: the unit.
    third.get_by_label("单元").fill("1")
    _shot(screenshot, page, "triage-intake-drafts-desktop")

    page.get_by_role("button", name="全部确认并登记").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("已登记 2 条新诉求,1 条重复反映已并入原诉求。")).to_be_visible()
    filed = list(Request.objects.exclude(pk=earlier.pk).order_by("pk"))
    assert [(r.reporter_name, r.category.code, r.location, r.urgent) for r in filed] == [
        ("赵六", "safety", cast.unit1, True),
        ("孙师傅", "repair", cast.unit1, False),
    ]
    assert RequestEvent.objects.filter(request=earlier, note__contains="张三").exists()
    _shot(screenshot, page, "triage-intake-filed-desktop")


def test_the_intake_page_on_a_phone(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    _log_in(phone, live_server, "staff")
    phone.goto(f"{live_server.url}/requests/intake/")
    _fits(phone)
    _shot(screenshot, phone, "triage-intake-paste-phone")
    phone.get_by_label("群聊记录").fill(BLOCK)
    phone.get_by_role("button", name="拆分并分诊").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.locator("fieldset.draft")).to_have_count(3)
    _fits(phone)
    _shot(screenshot, phone, "triage-intake-drafts-phone")


def test_a_waiting_request_shows_the_suggestion_and_is_accepted_in_one_click(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot, settings: Any
) -> None:
    settings.LINLI_TRIAGE_THRESHOLD = 1.01  # not sure enough: it waits for a dispatcher
    waiting = request_submit(
        submitted_by=cast.resident_user,
        reporter=cast.elder,
        text="2号楼1单元门口的垃圾堆了好几天了,臭得不行",
        channel=Channel.API,
        location=cast.community,
    )
    _log_in(phone, live_server, "staff")
    phone.goto(f"{live_server.url}/requests/{waiting.pk}/")
    card = phone.locator("#triage")
    expect(card.get_by_text("系统分诊建议")).to_be_visible()
    expect(card.get_by_text("和平小区2号楼1单元")).to_be_visible()
    _fits(phone)
    _shot(screenshot, phone, "triage-suggestion-phone")

    card.get_by_role("button", name="采纳建议").click()
    phone.wait_for_load_state("networkidle")

    expect(phone.get_by_text("已采纳分诊建议。")).to_be_visible()
    waiting.refresh_from_db()
    assert (waiting.category.code, waiting.location, waiting.assignee) == (
        "sanitation",
        cast.unit2,
        cast.worker2,
    )
    _shot(screenshot, phone, "triage-suggestion-accepted-phone")


def test_an_ambiguous_building_on_a_phone_asks_which_compound(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    """1号楼 exists in two compounds: the draft says why it asks, offers the two compounds
    as large choices (not every place of the community) and keeps the unit."""
    second = area_create(
        actor=None,
        parent=cast.community,
        kind=AreaKind.COMPOUND,
        name="幸福小区",
        code="141181200001002",
    )
    building = area_create(
        actor=None,
        parent=second,
        kind=AreaKind.BUILDING,
        name="1号楼",
        code="141181200001002001",
        grid=cast.building1.grid,
    )
    unit = area_create(
        actor=None,
        parent=building,
        kind=AreaKind.UNIT,
        name="1单元",
        code="14118120000100200101",
        floors=6,
        flats_per_floor=2,
    )
    _log_in(phone, live_server, "staff")
    phone.goto(f"{live_server.url}/requests/intake/")
    phone.get_by_label("群聊记录").fill("孙师傅 10:40\n1号楼1单元楼道灯坏了好几天,晚上黑乎乎的\n")
    phone.get_by_role("button", name="拆分并分诊").click()
    phone.wait_for_load_state("networkidle")

    draft = phone.locator("fieldset.draft")
    expect(draft).to_have_count(1)
    expect(draft.get_by_text("2个小区都有1号楼(和平小区、幸福小区)")).to_be_visible()
    expect(draft.get_by_role("radio")).to_have_count(3)
    expect(draft.get_by_label("单元")).to_have_value("1")
    expect(draft.get_by_text("分诊把握:")).to_be_visible()
    _fits(phone)
    draft.scroll_into_view_if_needed()
    screenshot(phone, "triage-intake-ambiguous-phone")

    draft.get_by_role("radio", name="幸福小区1号楼").check()
    phone.get_by_role("button", name="全部确认并登记").click()
    phone.wait_for_load_state("networkidle")

    expect(phone.get_by_text("已登记 1 条新诉求,0 条重复反映已并入原诉求。")).to_be_visible()
    (filed,) = Request.objects.all()
    assert filed.location == unit
    _fits(phone)
    _shot(screenshot, phone, "triage-intake-ambiguous-filed-phone")
