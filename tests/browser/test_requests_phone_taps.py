"""Requests on a 390×844 phone, with the taps counted (issue 17): a resident reports in
at most 3 taps, a grid worker starts and resolves in at most 4, and calling the reporter
leaves the 「已联系」 record that counts as the first response.

A tap is every touch of the screen: a link, a button, or the field one writes in (the
writing itself is not counted). Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.core.models import AuditEvent
from linli.requests.models import Category, Channel, Request, RequestEvent
from linli.requests.services import request_submit
from linli.requests.workflow import Status
from tests.browser.support import Shot, switch_user
from tests.cast import Cast, build_cast
from tests.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    return build_cast()


class Taps:
    """Counts the touches a journey needs."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def tap(self, target: Locator) -> None:
        self.count += 1
        target.tap()

    def write(self, field: Locator, text: str) -> None:
        self.count += 1  # touching the field; typing is not a tap
        field.tap()
        field.fill(text)


def on_screen(target: Locator) -> bool:
    """Whether the element lies wholly inside the phone's viewport, without scrolling, and
    nothing (the tab bar, a sticky bar) covers its middle: a tap there reaches it."""
    return bool(
        target.evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight"
            " && r.right <= innerWidth && r.height > 0;"
            " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
            " return inside && hit !== null && (hit === el || el.contains(hit)); }"
        )
    )


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _filed(cast: Cast, text: str) -> Request:
    return request_submit(
        submitted_by=cast.resident_user,
        reporter=cast.elder,
        text=text,
        channel=Channel.RESIDENT_PAGE,
        location=cast.unit1,
        category=Category.objects.get(code="repair"),
    )


def test_a_resident_reports_a_stairwell_light_in_three_taps(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    switch_user(phone, live_server, "resident")
    phone.goto(f"{live_server.url}/")
    taps = Taps(phone)

    # From the home page: the menu's 我要反映 (the home page's own button is another
    # change's; the menu link is on every page, the home page included).
    taps.tap(phone.locator("nav.nav").get_by_role("link", name="我要反映"))
    phone.wait_for_load_state("networkidle")
    submit = phone.get_by_role("button", name="提交")
    assert on_screen(submit), "提交 must be on screen without scrolling"
    taps.write(phone.get_by_label("遇到了什么问题"), "1单元楼道灯坏了,晚上看不见台阶")
    # The place follows the text: the unit's common area, not the flat.
    expect(phone.get_by_label("我家单元的楼道、楼梯、单元门(和平小区1号楼1单元)")).to_be_checked()
    assert on_screen(submit)
    assert fits(phone)
    # What the phone shows now (not the full page): 提交 pinned at the bottom.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "requests-taps-r1-report-viewport-phone.png"))
    phone.evaluate("window.scrollTo(0, 0)")
    screenshot(phone, "requests-taps-r1-report-phone")
    taps.tap(submit)
    expect(phone.get_by_text("已收到您反映的问题")).to_be_visible()

    assert taps.count <= 3, taps.count
    created = Request.objects.get()
    assert (created.location, created.room) == (cast.unit1, "")
    expect(phone.locator(".resident-status")).to_contain_text("已交给网格员陈网格,预计")
    assert fits(phone)
    screenshot(phone, "requests-taps-r2-reported-phone")


def test_the_place_follows_the_text_to_the_compound(
    cast: Cast, live_server: LiveServer, phone: Page
) -> None:
    switch_user(phone, live_server, "resident")
    phone.goto(f"{live_server.url}/requests/report/")
    phone.get_by_label("遇到了什么问题").fill("小区门口堆了很多建筑垃圾")
    expect(phone.get_by_label("小区公共区域(和平小区)")).to_be_checked()
    # Once the resident picks a place, what they write no longer moves it.
    phone.get_by_label("我家(和平小区1号楼1单元101室)").check()
    phone.get_by_label("遇到了什么问题").fill("楼道里也有")
    expect(phone.get_by_label("我家(和平小区1号楼1单元101室)")).to_be_checked()


def test_a_grid_worker_starts_and_resolves_in_four_taps(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    lamp = _filed(cast, "1单元楼道灯坏了")
    switch_user(phone, live_server, "worker1")
    phone.goto(f"{live_server.url}/requests/tasks/")
    card = phone.locator(f"#task-{lamp.pk}")
    taps = Taps(phone)

    taps.tap(card.get_by_role("button", name="开始处理"))
    resolve = card.locator("details.resolve > summary")
    expect(resolve).to_be_visible()
    taps.tap(resolve)
    confirm = card.get_by_role("button", name="确认办结")
    # The 办结 form opens as a sheet within the screen, not below it.
    expect(confirm).to_be_visible()
    assert on_screen(confirm)
    assert on_screen(card.get_by_label("办理结果"))
    screenshot(phone, "requests-taps-w1-resolve-sheet-phone")
    taps.write(card.get_by_label("办理结果"), "已更换灯泡,楼道恢复照明")
    taps.tap(confirm)
    expect(phone.get_by_text(f"已办结:{lamp.number}")).to_be_visible()

    assert taps.count <= 4, taps.count
    lamp.refresh_from_db()
    assert lamp.status == Status.RESOLVED
    assert lamp.resolution_note == "已更换灯泡,楼道恢复照明"
    assert fits(phone)
    screenshot(phone, "requests-taps-w2-resolved-phone")


def test_calling_the_reporter_records_contacted(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    lamp = _filed(cast, "1单元楼道灯坏了")
    switch_user(phone, live_server, "worker1")
    phone.goto(f"{live_server.url}/requests/tasks/")
    card = phone.locator(f"#task-{lamp.pk}")
    taps = Taps(phone)

    taps.tap(card.get_by_role("button", name="打电话给反映人"))
    call = card.get_by_role("link", name="拨打 13812345678")
    expect(call).to_have_attribute("href", "tel:13812345678")
    assert AuditEvent.objects.filter(action="reveal", actor=cast.worker1).count() == 1
    assert fits(phone)
    screenshot(phone, "requests-taps-c1-call-phone")
    # (Tapping the tel: link hands over to the phone's dialer; not followed here.)
    taps.tap(card.get_by_role("button", name="已联系反映人"))
    phone.wait_for_load_state("networkidle")

    expect(phone.get_by_text(f"已记录:已与反映人联系({lamp.number})")).to_be_visible()
    lamp.refresh_from_db()
    event = lamp.events.get(kind=RequestEvent.Kind.CONTACTED)
    assert event.actor == cast.worker1
    assert lamp.responded_at == event.created_at
    assert taps.count == 2
    screenshot(phone, "requests-taps-c2-contacted-phone")
