"""Privacy in Chromium: a grid worker registers a child with the guardian's consent (on a
phone), and staff export a person's data as an Excel file.

Screenshots go to ``var/screenshots/``; phone pages must not scroll sideways. The cast is
built in a transactional database because the live server runs in another thread.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.care.models import Visit
from linli.care.services import Readings, visit_log
from linli.core.models import AuditEvent
from linli.people.models import Consent, ConsentPurpose, Resident
from tests.browser.support import DESKTOP, Shot, switch_user
from tests.care.conftest import build_care
from tests.cast import Cast, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    return build_cast()


@pytest.fixture
def shot(screenshot: Shot) -> Shot:
    def _shot(page: Page, name: str) -> Path:
        page.evaluate("window.scrollTo(0, 0)")
        return screenshot(page, name)

    return _shot


def assert_fits(page: Page) -> None:
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} overflows horizontally"


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year - years, day=28)


def test_grid_worker_registers_a_child_with_the_guardian_consent(
    cast: Cast, live_server: LiveServer, phone: Page, shot: Shot
) -> None:
    page = phone
    switch_user(page, live_server, "worker1")
    page.goto(f"{live_server.url}/people/residents/new/?household={cast.household1.pk}")
    guardian = page.locator("#guardian-consent")
    # An adult needs no guardian: the consent fields step aside.
    page.get_by_label("出生日期").fill("1985-04-02")
    expect(guardian).to_be_hidden()
    today = timezone.localdate()
    # Fourteen today is no longer a child; fourteen tomorrow still is — by the server's
    # date, not the phone's (in CI's shifted run the two are a year apart).
    fourteen = _years_before(today, 14)
    page.get_by_label("出生日期").fill(fourteen.isoformat())
    expect(guardian).to_be_hidden()
    page.get_by_label("出生日期").fill((fourteen + dt.timedelta(days=1)).isoformat())
    expect(guardian).to_be_visible()
    birth = today.replace(year=today.year - 7, month=5, day=20)
    page.get_by_label("出生日期").fill(birth.isoformat())
    expect(guardian).to_be_visible()

    page.locator("#id_name").fill("王小宝")
    page.get_by_label("男", exact=True).check()
    page.get_by_label("与户主关系").select_option("grandchild")
    # First without the guardian: refused, in Chinese, with everything typed kept.
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("未满十四周岁的儿童,须由父母或其他监护人同意")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("王小宝")
    assert_fits(page)
    shot(page, "privacy-child-without-guardian-phone")

    page.get_by_label("监护人姓名").fill("王秀兰")
    page.get_by_label("与儿童的关系").fill("祖母")
    page.get_by_label("同意方式").select_option("written")
    page.get_by_label("同意凭证说明").fill("入户登记表监护人签字")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_role("heading", name="授权同意", exact=True)).to_be_visible()
    panel = page.locator("#consents")
    expect(panel.locator(".consent b", has_text="未满十四周岁未成年人信息")).to_be_visible()
    expect(panel.get_by_text("同意人:王秀兰(祖母)")).to_be_visible()
    assert_fits(page)
    shot(page, "privacy-child-registered-phone")

    child = Resident.objects.get(name="王小宝")
    consent = Consent.objects.get(resident=child, purpose=ConsentPurpose.MINOR)
    assert consent.guardian == cast.elder
    assert consent.note == "入户登记表监护人签字"
    assert consent.recorded_by == cast.worker1


def test_staff_export_a_persons_data_as_excel(
    cast: Cast, live_server: LiveServer, page: Page, shot: Shot, tmp_path: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    switch_user(page, live_server, "staff")
    page.goto(f"{live_server.url}/people/residents/{cast.elder.pk}/")
    page.get_by_role("link", name="个人信息导出与匿名化").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="匿名化", exact=True)).to_be_visible()
    shot(page, "privacy-personal-data")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出个人信息(Excel)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved)
    basic = workbook["基本信息"]
    values = dict(zip([c.value for c in basic[1]], [c.value for c in basic[2]], strict=True))
    assert values["姓名"] == "王秀兰"
    assert values["身份证号"] == cast.elder.id_number
    assert AuditEvent.objects.filter(
        action="export", object_id=str(cast.elder.pk), actor=cast.staff
    ).exists()

    page.get_by_role("link", name="匿名化…").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("此操作不可撤销", exact=False).first).to_be_visible()
    shot(page, "privacy-anonymise-confirm")


def test_withdrawn_health_consent_hides_readings_from_the_care_team(
    cast: Cast, live_server: LiveServer, page: Page, phone: Page, shot: Shot
) -> None:
    build_care(cast)
    visit_log(
        actor=cast.volunteer_user,
        resident=cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=152, bp_diastolic=96),
        note="说最近睡得不好",
    )
    switch_user(phone, live_server, "worker1")
    phone.goto(f"{live_server.url}/care/people/{cast.elder.pk}/")
    expect(phone.locator(".readings").first).to_contain_text("152/96")

    # Staff record the withdrawal on the resident page, with the reason.
    page.set_viewport_size(DESKTOP)
    switch_user(page, live_server, "staff")
    page.goto(f"{live_server.url}/people/residents/{cast.elder.pk}/")
    page.locator("#consents").get_by_label("撤回原因").fill("本人电话要求撤回健康授权")
    page.locator("#consents").get_by_role("button", name="撤回授权").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#consents")).to_contain_text("查看授权记录")
    shot(page, "privacy-health-consent-withdrawn")

    # The grid worker's phone no longer shows the readings or the health alert…
    phone.goto(f"{live_server.url}/care/people/{cast.elder.pk}/")
    expect(phone.get_by_text("该居民没有有效的健康信息授权同意")).to_be_visible()
    expect(phone.locator(".readings")).to_have_count(0)
    expect(phone.get_by_text("血压异常")).to_have_count(0)
    expect(phone.get_by_text("说最近睡得不好")).to_be_visible()
    assert_fits(phone)
    shot(phone, "privacy-care-after-withdrawal-phone")

    # …and the visit form logs the visit without offering readings.
    phone.get_by_role("link", name="记录走访").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_text("没有有效的健康信息授权同意")).to_be_visible()
    expect(phone.get_by_label("高压")).to_have_count(0)
    phone.get_by_role("button", name="保存走访").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.locator(".messages")).to_contain_text("已记录对 王秀兰 的上门走访")
    assert_fits(phone)
    shot(phone, "privacy-visit-without-readings-phone")
    assert Visit.objects.count() == 2
    assert not Visit.objects.order_by("-pk").first().has_readings  # type: ignore[union-attr]
