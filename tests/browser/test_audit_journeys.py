"""The audit trail in Chromium: an admin searches /audit/, pages through, exports the
filtered records, and sees the export recorded; the page also fits a phone.

The live server runs in another thread, so the cast is built in a transactional
database; ``serialized_rollback`` restores what the data migrations seed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from tests.browser.support import DESKTOP, Shot, switch_user
from tests.cast import Cast, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    cast = build_cast()
    audit_record(actor=cast.worker1, action="reveal", obj=cast.elder, fields=["phone"])
    audit_record(
        actor=None, actor_name="mallory", action="login_failed", success=False, source_ip="10.9.8.7"
    )
    return cast


def test_admin_searches_the_trail_and_exports_the_result(
    cast: Cast, live_server: LiveServer, page: Page, screenshot: Shot
) -> None:
    page.set_viewport_size(DESKTOP)
    switch_user(page, live_server, "admin")
    page.locator("nav.nav").get_by_role("link", name="审计").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="审计记录")).to_be_visible()
    # The admin's own login is on the trail.
    expect(page.locator("#results")).to_contain_text("登录")

    page.get_by_label("结果").select_option("failure")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#results")).to_contain_text("mallory")
    expect(page.locator("#results")).to_contain_text("10.9.8.7")
    expect(page.locator("#results")).not_to_contain_text(cast.elder.name)
    assert "result=failure" in page.url
    screenshot(page, "audit-search-failures")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 CSV").click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["mallory"]

    page.reload()
    page.get_by_label("动作").select_option("export")
    page.get_by_label("结果").select_option("")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#results")).to_contain_text("审计记录导出 csv")
    assert AuditEvent.objects.filter(action="export", actor_name="admin").count() == 1
    screenshot(page, "audit-export-recorded")


def test_audit_page_fits_a_phone(
    cast: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    switch_user(phone, live_server, "admin")
    phone.goto(f"{live_server.url}/audit/")
    expect(phone.get_by_role("heading", name="审计记录")).to_be_visible()
    fits = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits
    screenshot(phone, "audit-phone")


def test_a_grid_worker_cannot_open_the_audit_page(
    cast: Cast, live_server: LiveServer, page: Page
) -> None:
    switch_user(page, live_server, "worker1")
    expect(page.locator("nav.nav").get_by_role("link", name="审计")).to_have_count(0)
    response = page.goto(f"{live_server.url}/audit/")
    assert response is not None
    assert response.status == 404
