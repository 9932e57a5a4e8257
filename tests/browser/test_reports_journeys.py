"""Work report journey in Chromium: staff draft November's report on a phone, edit a
paragraph, file it and download the .docx, which the test reads back with python-docx."""

from __future__ import annotations

import io

import pytest
import time_machine
from docx import Document
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import PHONE, Shot
from tests.cast import PASSWORD, Cast, build_cast
from tests.reports.test_reports import NOW, _dispute, _resolved
from tests.requests.support import file_request, local

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    import datetime as dt

    cast = build_cast()
    _resolved(cast, local(2026, 10, 5, 9), after=dt.timedelta(hours=5))
    file_request(cast, category_code="sanitation", at=local(2026, 10, 20, 9))
    _resolved(cast, local(2026, 11, 3, 9), after=dt.timedelta(hours=4))
    _resolved(cast, local(2026, 11, 9, 9), after=dt.timedelta(hours=6))
    _resolved(cast, local(2026, 11, 12, 9), after=dt.timedelta(minutes=90), urgent=True)
    _dispute(cast, local(2026, 11, 16, 9))
    file_request(cast, category_code="sanitation", at=local(2026, 11, 20, 9))
    return cast


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_staff_generate_edit_and_download_the_november_report(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    with time_machine.travel(NOW):
        phone.goto(f"{live_server.url}/accounts/login/")
        phone.get_by_label("用户名").fill("staff")
        phone.get_by_label("密码").fill(PASSWORD)
        phone.get_by_role("button", name="登录").click()
        phone.wait_for_load_state("networkidle")

        phone.goto(f"{live_server.url}/reports/")
        phone.get_by_label("区域").select_option(live_cast.community.code)
        phone.get_by_label("报告期").fill("2026-11")
        phone.get_by_role("button", name="生成草稿").click()
        summary = phone.get_by_label("一、诉求办理")
        expect(summary).to_contain_text("11月共受理居民诉求5件,办结4件")
        expect(phone.locator("[data-table=requests]")).to_contain_text("较10月增加3件(+150.0%)")
        no_horizontal_scroll(phone)
        screenshot(phone, "reports-draft")

        summary.fill("本月诉求办理总体平稳。" + summary.input_value())
        phone.get_by_role("button", name="存档并生成文件").click()
        expect(phone.get_by_text("报告已存档")).to_be_visible()
        no_horizontal_scroll(phone)
        screenshot(phone, "reports-filed")

        href = phone.get_by_role("link", name="下载 Word").get_attribute("href")
        response = phone.request.get(f"{live_server.url}{href}")
        assert response.status == 200

    document = Document(io.BytesIO(response.body()))
    paragraphs = [p.text for p in document.paragraphs]
    assert any(
        p.startswith("本月诉求办理总体平稳。11月共受理居民诉求5件,办结4件") for p in paragraphs
    )
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["受理诉求", "5", "2", "较10月增加3件(+150.0%)"] in cells
    assert ["办结", "4", "1", "较10月增加3件(+300.0%)"] in cells
