"""Requests in Chromium: a resident reports and rates, a grid worker handles it on a
phone, staff verify and close it, and a cadre finds an overdue request on the home page.

Each step is saved as a screenshot under ``var/screenshots/``; pages used on a phone must
not scroll sideways. The live server runs in another thread, so the cast is built in a
transactional database; ``serialized_rollback`` restores the categories and tags that
data migrations seed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.requests.models import Category, Channel, Feedback, Request
from linli.requests.services import request_submit, request_transition
from linli.requests.workflow import Status
from tests.browser.support import Shot, assert_fits, nav, switch_user
from tests.cast import Cast, build_cast, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    return build_cast()


@pytest.fixture
def shot(screenshot: Shot) -> Shot:
    """A screenshot from the top of the page, so the sticky header sits where it belongs."""

    def _shot(page: Page, name: str) -> Path:
        page.evaluate("window.scrollTo(0, 0)")
        return screenshot(page, name)

    return _shot


def png_photo(tmp_path: Path) -> Path:
    path = tmp_path / "corridor.png"
    Image.new("RGB", (320, 240), (90, 120, 160)).save(path, format="PNG")
    return path


def _filed(cast: Cast, text: str, *, at: dt.datetime | None = None, code: str = "other") -> Request:
    return request_submit(
        submitted_by=cast.resident_user,
        reporter=cast.elder,
        text=text,
        channel=Channel.RESIDENT_PAGE,
        location=cast.unit1,
        room="101",
        category=Category.objects.get(code=code),
        at=at,
    )


# --- a. a resident reports a problem and later rates the result ----------------------------


def test_resident_reports_a_problem_and_rates_the_result(
    cast: Cast, live_server: LiveServer, phone: Page, shot: Shot, tmp_path: Path
) -> None:
    switch_user(phone, live_server, "resident")
    nav(phone, "我要反映")
    expect(phone.get_by_role("heading", name="我要反映")).to_be_visible()
    # Nothing written yet: the unit's common area, not the flat (issue 17).
    expect(phone.get_by_label("我家单元的楼道、楼梯、单元门(和平小区1号楼1单元)")).to_be_checked()
    assert_fits(phone)
    shot(phone, "requests-a1-report-form-phone")

    # Submitting nothing is answered in Chinese, and the page still fits.
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_text("请描述遇到的问题。")).to_be_visible()
    assert_fits(phone)

    phone.get_by_label("遇到了什么问题").fill("1单元楼道灯坏了,晚上下楼看不见台阶")
    phone.get_by_label("需要马上有人来").check()
    phone.locator("input[name=photos]").set_input_files(str(png_photo(tmp_path)))
    shot(phone, "requests-a2-report-filled-phone")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_load_state("networkidle")

    created = Request.objects.get()
    expect(phone).to_have_url(f"{live_server.url}/requests/{created.pk}/")
    expect(phone.get_by_text("已收到您反映的问题")).to_be_visible()
    expect(phone.locator(".photos img")).to_have_count(1)
    assert phone.locator(".photos img").evaluate("img => img.naturalWidth") > 0
    # The timeline in the resident's words; who has it is on the status line above.
    expect(phone.locator(".timeline")).to_contain_text("已安排专人来办")
    expect(phone.locator(".timeline")).not_to_contain_text("系统")
    expect(phone.locator(".resident-status")).to_contain_text("已交给网格员陈网格")
    assert_fits(phone)
    shot(phone, "requests-a3-reported-detail-phone")

    nav(phone, "我的诉求")
    expect(phone.locator(".request-card")).to_have_count(1)
    expect(phone.locator(".request-card")).to_contain_text("已交给网格员陈网格,预计")
    expect(phone.locator(".request-card")).to_contain_text("紧急")
    assert_fits(phone)
    shot(phone, "requests-a4-mine-phone")

    # The grid worker handles it (the next journey does this through the pages).
    request_transition(request=created, to=Status.IN_PROGRESS, actor=cast.worker1)
    request_transition(
        request=created, to=Status.RESOLVED, actor=cast.worker1, note="已更换楼道灯泡"
    )

    phone.locator(".request-card a").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_role("heading", name="请您评价这次办理")).to_be_visible()
    phone.get_by_label("解决了").check()
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_label("意见或建议").fill("网格员来得很快,谢谢")
    assert_fits(phone)
    shot(phone, "requests-a5-rate-form-phone")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state("networkidle")

    expect(phone.get_by_text("谢谢您的评价!")).to_be_visible()
    expect(phone.locator("#feedback")).to_contain_text("已解决")
    expect(phone.locator("#feedback")).to_contain_text("满意")
    feedback = Feedback.objects.get()
    assert feedback.resolved
    assert feedback.satisfaction == "satisfied"
    assert_fits(phone)
    shot(phone, "requests-a6-rated-phone")


# --- b. a grid worker starts and resolves on a phone ---------------------------------------


def test_grid_worker_starts_and_resolves_on_a_phone(
    cast: Cast, live_server: LiveServer, phone: Page, shot: Shot
) -> None:
    lamp = _filed(cast, "1单元楼道灯坏了", code="repair")
    late = _filed(cast, "楼道堆满杂物", code="sanitation", at=timezone.now() - dt.timedelta(days=2))
    switch_user(phone, live_server, "worker1")
    nav(phone, "我的任务")
    cards = phone.locator(".task")
    expect(cards).to_have_count(2)
    # Overdue first, marked in red with how late it is.
    expect(cards.nth(0)).to_contain_text(late.text)
    expect(cards.nth(0).locator(".task-due")).to_have_text(re.compile(r"已超期\d+小时"))
    expect(cards.nth(1).locator(".task-due")).to_have_text(re.compile(r"还剩\d+(小时|天)"))
    expect(cards.nth(1)).to_contain_text("和平小区1号楼1单元101室")
    assert_fits(phone)
    shot(phone, "requests-b1-tasks-phone")

    card = phone.locator(f"#task-{lamp.pk}")
    card.get_by_role("button", name="开始处理").tap()
    expect(card.get_by_text("办结", exact=True)).to_be_visible()  # swapped in place by htmx
    lamp.refresh_from_db()
    assert lamp.status == Status.IN_PROGRESS
    assert_fits(phone)
    shot(phone, "requests-b2-started-phone")

    card.get_by_text("办结", exact=True).tap()
    card.get_by_label("办理结果").fill("已更换灯泡,楼道恢复照明")
    assert_fits(phone)
    shot(phone, "requests-b3-resolve-form-phone")
    card.get_by_role("button", name="确认办结").tap()
    phone.wait_for_load_state("networkidle")

    expect(phone.get_by_text(f"已办结:{lamp.number}")).to_be_visible()
    expect(phone.locator(".task")).to_have_count(1)
    lamp.refresh_from_db()
    assert lamp.status == Status.RESOLVED
    assert lamp.resolution_note == "已更换灯泡,楼道恢复照明"
    assert_fits(phone)
    shot(phone, "requests-b4-resolved-phone")


# --- c. staff verify and close ---------------------------------------------------------------


def test_staff_verify_and_close_a_resolved_request(
    cast: Cast,
    live_server: LiveServer,
    desktop: Page,
    phone: Page,
    shot: Shot,
    settings: Any,
) -> None:
    lamp = _filed(cast, "1单元楼道灯坏了", code="repair")
    request_transition(request=lamp, to=Status.IN_PROGRESS, actor=cast.worker1)
    request_transition(request=lamp, to=Status.RESOLVED, actor=cast.worker1, note="已更换灯泡")
    _filed(cast, "楼道堆满杂物", code="sanitation", at=timezone.now() - dt.timedelta(days=2))

    switch_user(desktop, live_server, "staff")
    nav(desktop, "诉求")
    rows = desktop.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("已超期")
    desktop.get_by_label("状态").select_option(label="已办结待核实")
    expect(desktop.locator("table.list tbody tr")).to_have_count(1)  # htmx filtered
    expect(desktop).to_have_url(re.compile(r"status=resolved"))
    shot(desktop, "requests-c1-queue-desktop")

    desktop.get_by_role("link", name=lamp.text).click()
    desktop.wait_for_load_state("networkidle")
    expect(desktop.locator("#actions")).to_contain_text("退回重办")
    expect(desktop.get_by_text("138****5678")).to_be_visible()
    shot(desktop, "requests-c2-detail-desktop")
    desktop.locator("#actions").get_by_text("核实关闭", exact=True).click()
    expect(desktop.locator("#actions")).to_contain_text("还没有回访")  # asked to confirm
    desktop.locator("#actions").get_by_role("button", name="确认核实关闭").click()
    desktop.wait_for_load_state("networkidle")

    expect(desktop.get_by_text(f"已核实关闭:{lamp.number}")).to_be_visible()
    expect(desktop.locator(".page-head .badge").first).to_have_text("已关闭")
    expect(desktop.locator(".timeline li").last).to_contain_text("已办结待核实 → 已关闭")
    lamp.refresh_from_db()
    assert lamp.status == Status.CLOSED
    shot(desktop, "requests-c3-closed-desktop")

    # The same queue and detail on a phone: cards, nothing wider than the screen; one a
    # page here, so the keyset links (下一页 / 上一页) show and keep the filter.
    settings.LINLI_PAGE_SIZE = 1
    switch_user(phone, live_server, "staff")
    phone.goto(f"{live_server.url}/requests/?q=楼道")
    pages = phone.get_by_role("navigation", name="分页")
    expect(pages).to_contain_text("第 1 / 2 页,共 2 条")
    first = phone.locator("table.list td.primary a").first.inner_text()
    assert_fits(phone)
    shot(phone, "requests-c4-queue-phone")
    pages.get_by_role("link", name="下一页").click()
    phone.wait_for_load_state("networkidle")
    expect(pages).to_contain_text("第 2 / 2 页,共 2 条")
    expect(phone).to_have_url(re.compile(r"q=%E6%A5%BC%E9%81%93&cursor="))
    expect(phone.locator("table.list td.primary a")).not_to_have_text(first)
    expect(pages.get_by_role("link", name="下一页")).to_have_count(0)
    assert_fits(phone)
    shot(phone, "requests-c4b-queue-next-page-phone")
    pages.get_by_role("link", name="上一页").click()
    phone.wait_for_load_state("networkidle")
    expect(pages).to_contain_text("第 1 / 2 页")
    expect(phone.locator("table.list td.primary a")).to_have_text(first)
    phone.goto(f"{live_server.url}/requests/{lamp.pk}/")
    assert_fits(phone)
    shot(phone, "requests-c5-detail-phone")
    # Letting Open311 readers without a key see the text (issue 18): one audited click.
    phone.get_by_role("button", name="设为公开").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_role("button", name="取消公开")).to_be_visible()
    assert_fits(phone)
    shot(phone, "requests-c5b-public-phone")
    lamp.refresh_from_db()
    assert lamp.public is True
    phone.get_by_role("link", name="返回列表").click()
    phone.get_by_role("link", name="代居民登记").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_label("来源")).to_have_value("phone")
    assert_fits(phone)
    shot(phone, "requests-c6-file-form-phone")


# --- d. an overdue request shows on the cadre's home page ------------------------------------


def test_overdue_request_shows_on_the_cadres_home_page(
    cast: Cast, live_server: LiveServer, desktop: Page, phone: Page, shot: Shot
) -> None:
    cadre = make_user("cadre", "霍包片")
    role_assign(actor=None, user=cadre, role=Role.CADRE, area=cast.community)
    late = _filed(
        cast, "健身器材被破坏,孩子容易受伤", code="safety", at=timezone.now() - dt.timedelta(days=3)
    )
    _filed(cast, "刚刚反映的事", code="repair")

    for page, device in ((desktop, "desktop"), (phone, "phone")):
        switch_user(page, live_server, "cadre")
        section = page.locator("section", has=page.get_by_role("heading", name="超期诉求"))
        expect(section).to_be_visible()
        expect(section.locator(".request-card")).to_have_count(1)
        expect(section).to_contain_text(late.text)
        expect(section).to_contain_text("已超期2天")
        expect(section).to_contain_text("陈网格")
        if device == "phone":
            assert_fits(page)
        shot(page, f"requests-d1-cadre-home-{device}")

    desktop.locator("section").get_by_role("link", name=late.text).click()
    desktop.wait_for_load_state("networkidle")
    expect(desktop.locator(".page-head")).to_contain_text("已超期")
    shot(desktop, "requests-d2-overdue-detail-desktop")
