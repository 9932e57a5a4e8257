"""Summer programme journeys on a phone (390×844): a guardian enrols a child; a volunteer
signs her in, refuses to hand her to a stranger and hands her to the grandmother on the
list; the closing-time alert shows for a child not collected. Screenshots under
``var/screenshots/``."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.programmes.services import attendance_sign_in, raise_not_picked_up_alerts
from tests.browser.support import Shot, switch_user
from tests.cast import Cast, make_user
from tests.programmes.support import at, build_summer, enrol_child, make_child

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_guardian_enrols_and_volunteer_hands_over_only_to_the_grandmother(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    build_summer(live_cast)
    guardian = make_user("lijianjun", "李建军")
    role_assign(actor=None, user=guardian, role=Role.RESIDENT, area=live_cast.community)
    live_cast.neighbour.user = guardian
    live_cast.neighbour.save(update_fields=["user"])

    page = phone
    switch_user(page, live_server, "lijianjun")
    page.goto(f"{live_server.url}/programmes/")
    page.get_by_role("link", name="为孩子报名").click()
    page.get_by_label("报名阶段").select_option(label="候鸟课堂 · 第一期")
    page.locator("#id_child").select_option(index=0)
    page.get_by_label("您与孩子的关系").fill("父亲")
    page.get_by_label("我作为监护人", exact=False).check()
    page.get_by_label("接送人1 姓名").fill("张桂兰")
    page.get_by_label("接送人1 关系").fill("奶奶")
    page.get_by_label("接送人1 电话").fill("13700002222")
    screenshot(page, "programmes-enrol-form")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="提交报名").click()
    expect(page.get_by_text("李小雨 报名成功")).to_be_visible()
    expect(page.get_by_text("张桂兰(奶奶", exact=False)).to_be_visible()
    screenshot(page, "programmes-guardian-mine")
    no_horizontal_scroll(page)

    switch_user(page, live_server, "volunteer")
    page.goto(f"{live_server.url}/programmes/")
    page.get_by_role("link", name="签到签退").click()
    card = page.locator(".child", has_text="李小雨")
    card.get_by_role("button", name="签到").click()
    expect(page.get_by_text("李小雨 已签到。")).to_be_visible()
    card = page.locator(".child", has_text="李小雨")
    card.get_by_label("来接孩子的人").fill("王陌生")
    card.get_by_role("button", name="核对并签退").click()
    expect(page.get_by_text("不在 李小雨 的授权接送名单中", exact=False)).to_be_visible()
    screenshot(page, "programmes-sign-out-refused")
    no_horizontal_scroll(page)
    card = page.locator(".child", has_text="李小雨")
    card.get_by_label("来接孩子的人").fill("张桂兰")
    card.get_by_role("button", name="核对并签退").click()
    expect(page.get_by_text("李小雨 已由 张桂兰 接走", exact=False)).to_be_visible()
    screenshot(page, "programmes-signed-out-to-grandmother")
    no_horizontal_scroll(page)


def test_closing_time_alert_for_a_child_not_collected(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    summer = build_summer(live_cast)
    enrolment = enrol_child(summer, make_child(live_cast, name="李小山", age=8))
    today = timezone.localdate()
    attendance_sign_in(actor=None, enrolment=enrolment, now=at(today, 8, 40))
    assert raise_not_picked_up_alerts(now=at(today, 17, 10)) == 1

    page = phone
    switch_user(page, live_server, "staff")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_text("李小山 已过结束时间 17:00 仍未签退接走", exact=False)).to_be_visible()
    screenshot(page, "programmes-closing-alert-notification")
    page.goto(f"{live_server.url}/programmes/{summer.programme.pk}/day/")
    expect(page.get_by_text("已过结束时间未接走")).to_be_visible()
    screenshot(page, "programmes-day-alert")
    no_horizontal_scroll(page)
