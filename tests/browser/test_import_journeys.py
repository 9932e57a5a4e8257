"""Register import in Chromium, at desktop width and on a 390×844 phone: staff download
the template, upload a sheet with two bad rows, read the problems in Chinese, fix them,
import, watch the progress reach 100% and find the people in the register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import Shot
from tests.cast import PASSWORD, Cast
from tests.imports.helpers import row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert page.viewport_size is not None
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_import_a_sheet_after_fixing_two_rows(
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_server: LiveServer,
    live_cast: Cast,
    screenshot: Shot,
    tmp_path: Path,
    size: str,
) -> None:
    context = browser.new_context(
        **{**browser_context_args, "viewport": SIZES[size], "accept_downloads": True}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/people/residents/")
    page.get_by_role("link", name="批量导入").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载居民导入模板").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    _no_horizontal_scroll(page)
    screenshot(page, f"import-upload-{size}")

    workbook = load_workbook(template)
    sheet = workbook["居民"]
    assert sheet.cell(row=1, column=5).value == "姓名"
    sheet.delete_rows(2)
    good = row()
    bad_room = row(房号="701", 身份证号="", 出生日期="1966-04-02", 姓名="周德明", 性别="男")
    bad_phone = row(手机号="1234", 身份证号="", 出生日期="1971-09-09", 姓名="吴玉梅")
    for line in (good, bad_room, bad_phone):
        sheet.append(line)
    broken = tmp_path / "名册.xlsx"
    workbook.save(broken)

    page.get_by_label("名册文件(.xlsx 或 .csv)").set_input_files(str(broken))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("发现 2 个问题,未导入任何数据")).to_be_visible()
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("1单元没有701室")
    expect(errors.nth(1)).to_contain_text("请输入11位手机号")
    _no_horizontal_scroll(page)
    screenshot(page, f"import-errors-{size}")

    sheet.cell(row=3, column=4).value = "601"
    sheet.cell(row=4, column=10).value = "13712345678"
    fixed = tmp_path / "名册-改.xlsx"
    workbook.save(fixed)
    page.get_by_role("link", name="返回批量导入").click()
    page.get_by_label("名册文件(.xlsx 或 .csv)").set_input_files(str(fixed))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("检查通过:共 3 行,没有发现问题。")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".percent")).to_have_text("100%")
    expect(page.get_by_text("新增居民 3 人")).to_be_visible()
    screenshot(page, f"import-done-{size}")

    page.get_by_role("link", name="查看居民名单").click()
    page.goto(f"{live_server.url}/people/residents/?q=周德明")
    expect(page.get_by_text("周德明").first).to_be_visible()
    _no_horizontal_scroll(page)
    context.close()
