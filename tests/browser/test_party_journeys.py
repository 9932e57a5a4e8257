"""A theme party day on a phone: 陈中平 records it with three concerns from his notebook
and sees each become a request routed to the grid worker of its building (himself)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.party.models import PartyDayState
from linli.party.services import party_day_plan
from linli.requests.models import Channel, Request
from tests.browser.support import PHONE, Shot, log_in
from tests.cast import Cast, build_cast
from tests.party.support import PartyCast, build_party

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONCERNS = [
    "楼道杂物过多:1号楼1单元楼道堆着纸箱和旧自行车,老人上下楼不方便。",
    "楼梯扶手松动:1号楼二楼到三楼的扶手一扶就晃。",
    "健身设施破坏:1号楼前的漫步机踏板断了一只。",
]


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    cast = build_cast()
    cast.worker1.full_name = "陈中平"
    cast.worker1.save(update_fields=["full_name"])
    return cast


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"


def test_chen_records_a_party_day_with_three_concerns_on_his_phone(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    party: PartyCast = build_party(live_cast)
    day = party_day_plan(
        actor=None,
        organisation=party.group1,
        topic="小板凳议事:楼道里的小事",
        planned_for=timezone.localdate(),
        place="1号楼前",
    )
    log_in(phone, live_server, "worker1")

    phone.goto(f"{live_server.url}/party/days/")
    expect(phone.get_by_role("link", name="小板凳议事:楼道里的小事")).to_be_visible()
    no_horizontal_scroll(phone)
    screenshot(phone, "party-days-phone")
    phone.get_by_role("link", name="小板凳议事:楼道里的小事").click()
    phone.get_by_role("link", name="记录党日").click()
    expect(phone.get_by_role("heading", name="记录主题党日")).to_be_visible()

    phone.get_by_label("陈中平").check()
    phone.get_by_label("参加群众(人)").fill("14")
    phone.get_by_label("活动记录").fill("和居民围坐在小板凳上拉家常。")
    for n, text in enumerate(CONCERNS, start=1):
        phone.get_by_label(f"群众反映 {n}").fill(text)
        phone.get_by_label(f"位置 {n}").select_option(label="和平小区1号楼")
    no_horizontal_scroll(phone)
    screenshot(phone, "party-day-record-phone")
    phone.get_by_role("button", name="保存并转为诉求").click()

    expect(phone.get_by_text("3 条群众反映已转为诉求")).to_be_visible()
    concerns = phone.locator("ul.concerns li")
    expect(concerns).to_have_count(3)
    expect(phone.get_by_text("承办:陈中平")).to_have_count(3)
    no_horizontal_scroll(phone)
    screenshot(phone, "party-day-detail-phone")

    day.refresh_from_db()
    assert day.state == PartyDayState.HELD
    assert day.residents_present == 14
    requests = Request.objects.filter(party_day_concern__party_day=day)
    assert sorted(r.text for r in requests) == sorted(CONCERNS)
    assert {r.channel for r in requests} == {Channel.PARTY_DAY}
    assert {r.assignee for r in requests} == {live_cast.worker1}
    assert {r.grid for r in requests} == {live_cast.grid1}
    assert all(timezone.now() - r.submitted_at < dt.timedelta(minutes=5) for r in requests)

    # The first concern opens as a request.
    concerns.first.get_by_role("link").click()
    expect(phone.get_by_text(CONCERNS[0])).to_be_visible()
    screenshot(phone, "party-day-request-phone")
