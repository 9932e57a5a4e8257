"""Volunteer journeys in Chromium: staff issue a 志愿服务证明 and it renders in Chinese.

Staff open a volunteer of their community, issue a certificate and open it; the PDF
served to the browser is rendered with PDFium (Chromium's own PDF engine) into a PNG
under ``var/screenshots/`` to be looked at. A volunteer then finds hours, points and
the certificate on their phone, and the week's roster shows to staff.
"""

from __future__ import annotations

import datetime as dt

import pypdfium2
import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.care.models import CarePlan
from linli.rosters.services import next_week_start
from tests.browser.support import Shot, log_in
from tests.cast import Cast
from tests.conftest import SCREENSHOTS
from tests.volunteers.support import (
    claim,
    neighbour_volunteer,
    serve,
    volunteer_for_login,
    with_slots,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_issue_a_certificate_that_renders_in_chinese(
    page: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    volunteer = neighbour_volunteer(live_cast)
    serve(volunteer, 90, "上门走访:买菜、量血压", days_ago=10)
    serve(volunteer, 60, "上门走访:送药", days_ago=3)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "staff")

    page.goto(f"{live_server.url}/volunteers/")
    page.get_by_role("link", name="李建军").click()
    expect(page.locator("#total-hours")).to_have_text("2.5")
    page.get_by_role("button", name="出具志愿服务证明").click()
    expect(page.get_by_text("已出具志愿服务证明")).to_be_visible()
    screenshot(page, "volunteer-detail-certificate-issued")

    link = page.locator("a[href$='.pdf']").first
    number = link.inner_text()
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"

    document = pypdfium2.PdfDocument(response.body())
    text = "".join(document[0].get_textpage().get_text_range().split())
    for expected in (
        "志愿服务证明",
        "李建军",
        "2.5小时",
        "兹证明李建军同志",
        "出具单位:和平社区",
        number,
    ):
        assert expected in text, expected

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = SCREENSHOTS / "volunteer-certificate-page1.png"
    document[0].render(scale=1.5).to_pil().save(png)
    # Glyphs were drawn: the title band at the top of the page is not blank paper.
    image = Image.open(png).convert("L")
    width, height = image.size
    title_band = image.crop((0, int(height * 0.08), width, int(height * 0.2)))
    histogram = title_band.histogram()
    dark = sum(histogram[:128])
    assert dark > 500


def test_volunteer_sees_hours_points_certificate_and_visits_on_a_phone(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    volunteer = with_slots(volunteer_for_login(live_cast), (1, "morning"), (4, "afternoon"))
    serve(volunteer, 120, "上门走访:陪聊、量血压")
    CarePlan.objects.create(
        resident=live_cast.elder, visits_per_week=2, primary_volunteer=volunteer
    )
    from linli.rosters.services import roster_generate
    from linli.volunteers.services import certificate_issue

    certificate_issue(actor=live_cast.staff, volunteer=volunteer)
    roster_generate(actor=None, week_start=next_week_start(), communities=[live_cast.community])

    log_in(phone, live_server, "volunteer")
    phone.get_by_role("link", name="我的服务").click()
    expect(phone.locator("#my-hours")).to_have_text("2.0")
    expect(phone.locator("#my-points")).to_have_text("20")
    expect(phone.get_by_text("王秀兰").first).to_be_visible()
    expect(phone.locator("a[href$='.pdf']")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "volunteer-my-service-phone")


def test_staff_see_the_roster_and_its_gaps(
    page: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    volunteer = with_slots(volunteer_for_login(live_cast), (2, "morning"))
    CarePlan.objects.create(
        resident=live_cast.elder, visits_per_week=2, primary_volunteer=volunteer
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "staff")

    page.get_by_role("link", name="排班").click()
    page.get_by_role("button", name="生成本周排班").click()
    expect(page.get_by_text("已生成")).to_be_visible()
    wednesday = next_week_start() + dt.timedelta(days=2)
    expect(page.get_by_text(f"{wednesday:%m-%d}")).to_be_visible()
    expect(page.get_by_text("缺 1 次")).to_be_visible()
    screenshot(page, "roster-week")


def test_staff_edit_availability_on_a_phone_and_the_week_table_fits(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    from linli.volunteers.services import team_create

    volunteer = neighbour_volunteer(live_cast)
    team_create(actor=None, community=live_cast.community, name="健康守护队")
    log_in(phone, live_server, "staff")

    phone.goto(f"{live_server.url}/volunteers/{volunteer.pk}/edit/")
    phone.get_by_label("技能").fill("量血压、理发")
    phone.get_by_label("周三下午").check()
    phone.get_by_label("周六上午").check()
    screenshot(phone, "volunteer-edit-phone")
    phone.get_by_role("button", name="保存").click()

    expect(phone.get_by_text("志愿者信息已保存")).to_be_visible()
    expect(phone.get_by_text("理发")).to_be_visible()
    expect(phone.locator("table.availability td", has_text="✓")).to_have_count(2)
    phone.get_by_label("任队长").check()
    phone.get_by_role("button", name="加入队伍").click()
    expect(phone.get_by_text("已加入健康守护队")).to_be_visible()
    expect(phone.get_by_text("健康守护队 · 队长")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "volunteer-detail-phone")


def test_a_volunteer_claims_hours_on_a_phone_staff_approve_and_the_total_grows(
    phone: Page, page: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    volunteer = volunteer_for_login(live_cast)
    serve(volunteer, 60, "上门走访:陪聊")
    served_on = timezone.localdate() - dt.timedelta(days=2)

    log_in(phone, live_server, "volunteer")
    phone.get_by_role("link", name="我的服务").click()
    expect(phone.locator("#my-hours")).to_have_text("1.0")
    phone.get_by_role("link", name="补报服务时长").click()
    phone.get_by_label("服务日期").fill(served_on.isoformat())
    phone.get_by_label("开始时间").fill("14:00")
    phone.get_by_label("服务时长(小时)").fill("2.5")
    phone.get_by_label("服务内容").fill("为独居老人义务理发、清理楼道杂物")
    phone.get_by_label("服务地点").fill("和平小区2号楼")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "volunteer-hours-claim-phone")
    phone.get_by_role("button", name="提交审核").click()
    expect(phone.get_by_text("已提交,等待社区审核")).to_be_visible()
    expect(phone.locator("#my-hours")).to_have_text("1.0")
    expect(phone.locator("#my-pending")).to_contain_text("2.5 小时")
    expect(phone.get_by_text("待审核").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "volunteer-hours-pending-phone")

    # A second claim made by mistake is withdrawn (撤回) after confirming; it stays listed
    # as 已撤回 and can be corrected and submitted again.
    claim(volunteer, 60, "重复提交的一条", days_ago=1)
    phone.reload()
    mistaken = phone.locator("tr", has_text="重复提交的一条")
    expect(phone.locator("details.hours-withdraw")).to_have_count(2)
    mistaken.locator("summary", has_text="撤回").click()
    expect(mistaken.get_by_text("确定撤回")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "volunteer-hours-withdraw-confirm-phone")
    mistaken.get_by_role("button", name="确认撤回").click()
    expect(phone.get_by_text("已撤回这条服务时长")).to_be_visible()
    withdrawn = phone.locator("tr", has_text="重复提交的一条")
    expect(withdrawn.locator(".badge", has_text="已撤回")).to_be_visible()
    expect(withdrawn.get_by_role("link", name="修改后重新提交")).to_be_visible()
    expect(phone.locator("details.hours-withdraw")).to_have_count(1)
    expect(phone.locator("#my-pending")).to_contain_text("2.5 小时(1 条)")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "volunteer-hours-withdrawn-phone")

    # Staff find the one claim still waiting on their home page and open the queue from it.
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/")
    to_review = page.locator("a.todo", has_text="待审核时长")
    expect(to_review.locator("b")).to_have_text("1")
    screenshot(page, "staff-home-hours-to-review")
    page.goto(f"{live_server.url}/volunteers/")
    expect(page.locator("#pending-hours")).to_have_text("1")
    page.get_by_role("link", name="时长审核").click()
    expect(page.get_by_text("重复提交的一条")).to_have_count(0)
    expect(page.get_by_text("为独居老人义务理发、清理楼道杂物")).to_be_visible()
    page.get_by_label("选择白志愿的记录").check()
    page.get_by_role("button", name="确认所选").click()
    expect(page.get_by_text("已确认 1 条服务时长,共 2.5 小时。")).to_be_visible()
    expect(page.get_by_text("没有待审核的服务时长")).to_be_visible()
    screenshot(page, "staff-hours-review-approved")
    page.goto(f"{live_server.url}/")
    expect(page.locator("a.todo", has_text="待审核时长").locator("b")).to_have_text("0")

    phone.reload()
    expect(phone.locator("#my-hours")).to_have_text("3.5")
    expect(phone.locator("#my-points")).to_have_text("35")
    expect(phone.locator("#my-pending")).to_have_count(0)
    expect(phone.get_by_text("已确认").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "volunteer-hours-approved-phone")


def test_staff_review_the_queue_on_a_phone_and_send_a_claim_back(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    volunteer = volunteer_for_login(live_cast)
    claim(volunteer, 90, "帮忙", days_ago=1)
    claim(volunteer, 60, "陪王大娘去社区医院复查血压", days_ago=2, place="社区卫生服务站")

    log_in(phone, live_server, "staff")
    # The home page's to-dos count the two claims waiting; a tap opens the queue.
    phone.goto(f"{live_server.url}/")
    to_review = phone.locator("a.todo", has_text="待审核时长")
    expect(to_review.locator("b")).to_have_text("2")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "staff-home-hours-to-review-phone")
    to_review.click()
    expect(phone).to_have_url(f"{live_server.url}/volunteers/hours/")
    expect(phone.get_by_text("陪王大娘去社区医院复查血压")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "staff-hours-queue-phone")
    phone.locator("form.hours-reject").first.get_by_placeholder("退回原因").fill(
        "请写明具体做了什么"
    )
    phone.locator("form.hours-reject").first.get_by_role("button", name="退回").click()
    expect(phone.get_by_text("已退回白志愿的服务时长,已通知本人。")).to_be_visible()
    expect(phone.locator("form.hours-reject")).to_have_count(1)
    phone.goto(f"{live_server.url}/")
    expect(phone.locator("a.todo", has_text="待审核时长").locator("b")).to_have_text("1")
