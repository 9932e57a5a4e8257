"""Care in Chromium: a volunteer logs a visit with readings on a phone and the grid worker
sees the alert; staff find who is overdue for a visit.

Screenshots go to ``var/screenshots/``; phone pages must not scroll sideways.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.care.models import Alert, AlertStatus, CarePlan, Visit
from linli.care.services import care_plan_save, visit_log
from tests.browser.support import Shot, assert_fits, nav, switch_user
from tests.care.conftest import build_care, plans_made_days_ago
from tests.cast import Cast, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def shot(screenshot: Shot) -> Shot:
    def _shot(page: Page, name: str) -> Path:
        page.evaluate("window.scrollTo(0, 0)")
        return screenshot(page, name)

    return _shot


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    return build_cast()


def test_volunteer_logs_a_visit_on_a_phone_and_the_grid_worker_sees_the_alert(
    cast: Cast, live_server: LiveServer, phone: Page, shot: Shot
) -> None:
    build_care(cast)
    switch_user(phone, live_server, "volunteer")
    home = phone.locator(".care-home")
    expect(home).to_contain_text("我的关爱走访")
    expect(home).to_contain_text("王大娘")
    assert_fits(phone)
    shot(phone, "care-a1-volunteer-home-phone")

    home.get_by_role("link", name="记录走访").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_role("heading", name="王大娘")).to_be_visible()
    # Nothing is pre-ticked: the volunteer taps what was done; typing the pressure ticks 量血压.
    expect(phone.get_by_label("买菜")).not_to_be_checked()
    expect(phone.get_by_label("量血压")).not_to_be_checked()
    phone.locator("label.toggle", has_text="买菜").click()
    phone.locator("label.toggle", has_text="送药").click()
    phone.get_by_label("高压").fill("168")
    expect(phone.get_by_label("量血压")).to_be_checked()
    phone.get_by_label("低压").fill("98")
    phone.get_by_label("脉搏").fill("84")
    phone.locator("label.toggle", has_text="身体不适").click()
    phone.get_by_label("情况记录").fill("大娘说早上起来头晕,已叮嘱按时吃降压药")
    assert_fits(phone)
    shot(phone, "care-a2-visit-form-filled-phone")
    phone.get_by_role("button", name="保存走访").click()
    phone.wait_for_load_state("networkidle")

    expect(phone.locator(".messages")).to_contain_text("已记录对 王秀兰 的上门走访")
    expect(phone.locator(".visit-services")).to_have_text("买菜、送药、量血压")
    expect(phone.locator(".visit-readings")).to_contain_text("168/98")
    expect(phone.locator(".visit-told")).to_contain_text("陈网格")
    assert_fits(phone)
    shot(phone, "care-a3-visit-saved-phone")
    visit = Visit.objects.get()
    assert visit.services == ["groceries", "medicine", "blood_pressure"]
    assert visit.readings["bp_systolic"] == 168

    # The grid worker of 王大娘's grid finds the alert and closes it with a note.
    switch_user(phone, live_server, "worker1")
    nav(phone, "关爱走访")
    phone.locator("nav.tabs").get_by_role("link", name="预警").click()
    phone.wait_for_load_state("networkidle")
    card = phone.locator(".alert-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("王大娘")
    expect(card).to_contain_text("血压异常")
    expect(card).to_contain_text("偏高")
    assert_fits(phone)
    shot(phone, "care-a4-grid-worker-alert-phone")
    card.get_by_role("button", name="知悉").click()
    phone.wait_for_load_state("networkidle")
    phone.locator(".alert-card input[name=note]").fill("已上门复测,联系了她儿子")
    phone.locator(".alert-card").get_by_role("button", name="关闭").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.locator(".messages")).to_contain_text("预警已关闭")
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.CLOSED
    assert alert.close_note == "已上门复测,联系了她儿子"
    # The other grid's worker never saw it.
    switch_user(phone, live_server, "worker2")
    phone.goto(f"{live_server.url}/care/alerts/?status=all")
    expect(phone.locator(".alert-card")).to_have_count(0)


def test_staff_see_the_overdue_list(
    cast: Cast, live_server: LiveServer, desktop: Page, shot: Shot
) -> None:
    care = build_care(cast)
    visit_log(
        actor=cast.volunteer_user,
        resident=cast.elder,
        visited_at=timezone.now() - dt.timedelta(days=1),
        services=["chat"],
    )
    late = care_plan_save(
        actor=None, resident=cast.neighbour, visits_per_week=1, primary_volunteer=care.volunteer
    )
    plans_made_days_ago(CarePlan.objects.filter(pk=late.pk), 12)

    switch_user(desktop, live_server, "staff")
    nav(desktop, "关爱走访")
    expect(desktop.locator(".care-stats")).to_contain_text("已逾期")
    desktop.locator("nav.chips").get_by_role("link", name="已逾期").click()
    desktop.wait_for_load_state("networkidle")
    cards = desktop.locator(".care-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("李建军")
    expect(cards.first).to_contain_text("已逾期")
    expect(cards.first).to_contain_text("还没有上门记录")
    shot(desktop, "care-b1-staff-overdue-desktop")

    desktop.locator("nav.chips").get_by_role("link", name="全部计划").click()
    desktop.wait_for_load_state("networkidle")
    # Most urgent first: the overdue neighbour before 王大娘, visited yesterday.
    expect(desktop.locator(".care-card")).to_have_count(2)
    expect(desktop.locator(".care-card").first).to_contain_text("李建军")
    expect(desktop.locator(".care-card").nth(1)).to_contain_text("王大娘")
    shot(desktop, "care-b2-staff-all-plans-desktop")


def test_a_leader_sees_the_care_counts_and_when_they_were_counted_on_a_phone(
    cast: Cast, live_server: LiveServer, phone: Page, shot: Shot
) -> None:
    """A town leader only watches care: the counts come from the minute's snapshot, and
    the page says so; the list is theirs to read, not to record in."""
    care = build_care(cast)
    late = care_plan_save(
        actor=None, resident=cast.neighbour, visits_per_week=1, primary_volunteer=care.volunteer
    )
    plans_made_days_ago(CarePlan.objects.filter(pk=late.pk), 12)

    switch_user(phone, live_server, "leader")
    phone.goto(f"{live_server.url}/care/?show=all")
    stats = phone.locator(".care-stats .stat")
    expect(stats.nth(1)).to_contain_text("已逾期")
    expect(stats.nth(1).locator("b")).to_have_text("1")
    expect(stats.nth(3).locator("b")).to_have_text("2")
    expect(phone.get_by_text("以上数字统计于")).to_contain_text("每分钟更新")
    expect(phone.locator(".care-card")).to_have_count(2)
    # Nothing to record for one who only watches (the form would answer 404).
    expect(phone.get_by_role("link", name="记录走访")).to_have_count(0)
    assert_fits(phone)
    shot(phone, "care-c1-leader-counts-phone")


def test_a_visit_with_groceries_and_a_pressure_takes_six_taps_and_saves_exactly_those(
    cast: Cast, live_server: LiveServer, phone: Page, shot: Shot
) -> None:
    """Issue 17: the visit form once saved the opposite of what was tapped. From the
    volunteer's home: open the form, tap 买菜, type the pressure, save — at most six taps or
    fills, and the saved visit shows exactly 买菜 and 量血压 with the reading."""
    build_care(cast)
    switch_user(phone, live_server, "volunteer")
    steps = 0

    def step() -> None:
        nonlocal steps
        steps += 1

    phone.locator(".care-home").get_by_role("link", name="记录走访").click()
    step()
    phone.wait_for_load_state("networkidle")
    phone.locator("label.toggle", has_text="买菜").click()
    step()
    phone.get_by_label("高压").fill("150")
    step()
    phone.get_by_label("低压").fill("95")
    step()
    assert_fits(phone)
    shot(phone, "care-b1-six-taps-form-phone")
    phone.get_by_role("button", name="保存走访").click()
    step()
    phone.wait_for_load_state("networkidle")
    assert steps <= 6

    expect(phone.locator(".visit-services")).to_have_text("买菜、量血压")
    expect(phone.locator(".visit-readings")).to_contain_text("150/95")
    assert_fits(phone)
    shot(phone, "care-b2-six-taps-saved-phone")
    visit = Visit.objects.get()
    assert visit.services == ["groceries", "blood_pressure"]
    assert visit.readings["bp_systolic"] == 150
    assert visit.readings["bp_diastolic"] == 95
