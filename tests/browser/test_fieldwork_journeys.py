"""Field work on a phone (390×844): a 联点 cadre records a sink-down visit with a concern,
a grid worker patrols with one finding solved on the spot and one filed, and a town leader
sees who has not gone down this month. Screenshots go to ``var/screenshots/``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.fieldwork.models import FindingOutcome, PatrolFinding, PostingKind, SinkDownConcern
from linli.fieldwork.services import posting_create
from linli.requests.models import Channel
from tests.browser.support import Shot, assert_fits, log_in
from tests.cast import Cast
from tests.fieldwork.support import make_cadre

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_liandian_cadre_records_a_visit_with_a_concern(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    cadre = make_cadre(live_cast)
    posting_create(actor=None, cadre=cadre, kind=PostingKind.LIANDIAN, grid=live_cast.grid1)
    log_in(phone, live_server, "liandian")
    expect(phone.get_by_text("本月还没有下沉。")).to_be_visible()
    phone.get_by_role("link", name="记录下沉走访").click()
    phone.get_by_label("走访户数").fill("5")
    phone.get_by_label("走访住户").fill("1号楼1单元301、302")
    phone.get_by_label("倾听对象").fill("楼栋长、独居老人")
    phone.get_by_label("问题所在楼栋").select_option(label="1号楼")
    phone.get_by_label("收集的问题").fill("1号楼楼梯扶手松动,老人上下楼不安全")
    screenshot(phone, "fieldwork-visit-form-phone")
    assert_fits(phone)
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_text("1 条问题已转为诉求")).to_be_visible()
    concern = SinkDownConcern.objects.get()
    assert concern.request is not None
    assert concern.request.channel == Channel.SINK_DOWN
    expect(phone.get_by_text(concern.request.number)).to_be_visible()
    screenshot(phone, "fieldwork-visit-detail-phone")
    phone.goto(f"{live_server.url}/")
    expect(phone.get_by_role("heading", name="我反映的问题")).to_be_visible()
    expect(phone.get_by_text("楼梯扶手松动")).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "fieldwork-cadre-home-phone")


def test_a_grid_worker_patrols_solving_one_finding_and_filing_another(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    log_in(phone, live_server, "worker1")
    phone.get_by_role("button", name="开始巡查 第1网格").click()
    phone.get_by_label("1号楼").check()
    phone.get_by_label("其他点位").fill("健身广场")
    phone.get_by_role("button", name="保存点位").click()
    expect(phone.get_by_text("已记录巡查点位")).to_be_visible()

    finding = phone.locator("#finding")
    finding.get_by_label("环境卫生").check()
    finding.get_by_label("发现的问题").fill("单元门口垃圾散落,已清扫")
    finding.get_by_label("就地解决").check()
    finding.get_by_role("button", name="记录").click()
    expect(phone.get_by_text("已记录为就地解决")).to_be_visible()

    finding = phone.locator("#finding")
    finding.get_by_label("设施维修").check()
    finding.get_by_label("发现的问题").fill("1号楼单元门闭门器坏了")
    finding.get_by_label("楼栋").select_option(label="1号楼")
    finding.get_by_label("转为诉求").check()
    finding.get_by_role("button", name="记录").click()
    expect(phone.get_by_text("按常规流程派单")).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "fieldwork-patrol-phone")

    phone.get_by_label("巡查小结").fill("巡查完毕")
    phone.get_by_role("button", name="结束巡查").click()
    expect(phone.get_by_text("本次巡查已结束")).to_be_visible()
    outcomes = sorted(PatrolFinding.objects.values_list("outcome", flat=True))
    assert outcomes == [FindingOutcome.FILED, FindingOutcome.SOLVED]
    filed = PatrolFinding.objects.get(outcome=FindingOutcome.FILED)
    assert filed.request is not None
    assert filed.request.channel == Channel.PATROL
    screenshot(phone, "fieldwork-patrol-finished-phone")


def test_a_town_leader_sees_who_has_not_gone_down(
    phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    cadre = make_cadre(live_cast)
    posting_create(actor=None, cadre=cadre, kind=PostingKind.LIANDIAN, grid=live_cast.grid1)
    log_in(phone, live_server, "leader")
    phone.goto(f"{live_server.url}/fieldwork/not-down/")
    missing = phone.locator("#not-down")
    expect(missing.get_by_text("贾联点")).to_be_visible()
    expect(missing.get_by_text("联点 · 第1网格")).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "fieldwork-not-down-phone")
