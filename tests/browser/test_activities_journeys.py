"""Activity journeys on a phone (390×844): a resident signs up for a free clinic and is
checked in by the QR code at the door; staff record the people the clinic served.

The QR code is checked for what it encodes: the SVG served must be exactly segno's
rendering of the check-in address, and that address is then opened by the resident.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import segno
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.activities.models import Signup, Status
from linli.activities.services import activity_transition, checkin
from linli.people.models import ConsentPurpose
from linli.people.services import consent_record
from tests.activities.support import clinic
from tests.browser.support import PHONE, Shot, log_in
from tests.cast import Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def phones(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Callable[[], Page]]:
    contexts = []

    def _phone() -> Page:
        context = browser.new_context(
            **{
                **browser_context_args,
                "viewport": PHONE,
                "device_scale_factor": 2,
                "is_mobile": True,
                "has_touch": True,
            }
        )
        contexts.append(context)
        return context.new_page()

    yield _phone
    for context in contexts:
        context.close()


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_resident_signs_up_and_is_checked_in_by_qr(
    phones: Callable[[], Page], live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    activity = clinic(live_cast, starts_in=dt.timedelta(minutes=30), title="中心医院义诊")
    resident = phones()
    log_in(resident, live_server, "resident")
    resident.get_by_role("link", name="活动").first.click()
    expect(resident.get_by_text("中心医院义诊")).to_be_visible()
    no_horizontal_scroll(resident)
    screenshot(resident, "activities-resident-list")
    resident.get_by_role("link", name="中心医院义诊").click()
    resident.get_by_role("button", name="我要报名").click()
    expect(resident.locator("#signup-status")).to_have_text("已报名")
    no_horizontal_scroll(resident)
    screenshot(resident, "activities-resident-signed-up")

    staff = phones()
    log_in(staff, live_server, "staff")
    staff.goto(f"{live_server.url}/activities/{activity.pk}/")
    expect(staff.locator("img.qr")).to_be_visible()
    no_horizontal_scroll(staff)
    screenshot(staff, "activities-staff-detail-qr")
    svg = staff.request.get(f"{live_server.url}/activities/{activity.pk}/qr.svg").body()
    checkin_url = live_server.url + reverse(
        "activities:checkin", args=[activity.pk, activity.checkin_token]
    )
    expected = io.BytesIO()
    segno.make(checkin_url, error="m").save(
        expected, kind="svg", scale=6, border=2, xmldecl=False, title=activity.title
    )
    assert svg == expected.getvalue()

    resident.goto(checkin_url)
    resident.get_by_role("button", name="确认签到").click()
    expect(resident.locator("#checked-in")).to_be_visible()
    no_horizontal_scroll(resident)
    screenshot(resident, "activities-resident-checked-in")
    assert Signup.objects.get(activity=activity).checked_in_at is not None

    staff.get_by_role("link", name="签到名单", exact=True).click()
    expect(staff.get_by_text("已签到 1 / 1")).to_be_visible()
    no_horizontal_scroll(staff)
    screenshot(staff, "activities-staff-checkin-list")


def test_staff_record_the_people_served(
    phones: Callable[[], Page], live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    activity = clinic(live_cast, title="中医院义诊", starts_in=-dt.timedelta(hours=1))
    consent_record(
        actor=None, resident=live_cast.elder, purpose=ConsentPurpose.HEALTH, given_by_name="王秀兰"
    )
    checkin(actor=live_cast.staff, activity=activity, resident=live_cast.elder)
    activity_transition(actor=live_cast.staff, activity=activity, to=Status.HELD)
    staff = phones()
    log_in(staff, live_server, "staff")
    staff.goto(f"{live_server.url}/activities/{activity.pk}/")
    # 王大娘 (who gave health consent) has her blood pressure taken: it goes into her care
    # record and counts among the people served, so it is not typed again below.
    staff.get_by_role("link", name="登记义诊读数").click()
    staff.get_by_label("居民(已签到)").select_option(str(live_cast.elder.pk))
    staff.get_by_label("高压").fill("128")
    staff.get_by_label("低压").fill("82")
    no_horizontal_scroll(staff)
    screenshot(staff, "activities-staff-clinic-reading")
    staff.get_by_role("button", name="保存读数").click()
    expect(staff.get_by_text("的读数已记入关爱档案")).to_be_visible()
    no_horizontal_scroll(staff)
    staff.get_by_role("link", name="返回活动").click()
    staff.get_by_role("link", name="登记服务人数").click()
    expect(staff.get_by_text("量血压 1", exact=True)).to_be_visible()
    rows = staff.locator(".served-row")
    for i, count in enumerate(["120", "80", "40"]):
        rows.nth(i).get_by_label("人数").fill(count)
    no_horizontal_scroll(staff)
    screenshot(staff, "activities-staff-served-form")
    staff.get_by_role("button", name="保存").click()
    expect(staff.locator("#people-served")).to_have_text("121")
    expect(staff.get_by_text("服务人数已登记")).to_be_visible()
    no_horizontal_scroll(staff)
    screenshot(staff, "activities-staff-served")
