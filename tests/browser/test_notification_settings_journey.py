"""通知设置 in Chromium (issue 18 item 4): the community's social worker chooses 短信 for
紧急诉求, an urgent request is filed in grid 1, and the administrator's 外部投递记录 shows
the text message sent to them — through the local SMS provider double of
tests/notifications (a real HTTP server on 127.0.0.1 that checks Aliyun's signature)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.notifications.models import Delivery, DeliveryStatus, Kind, Preference
from tests.browser.support import PHONE, Shot
from tests.cast import PASSWORD, Cast, build_cast
from tests.notifications.conftest import Provider
from tests.notifications.conftest import provider as provider  # the SMS double (fixture)
from tests.requests.support import file_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STAFF_PHONE = "13700001234"


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    cast = build_cast()
    cast.staff.phone = STAFF_PHONE
    cast.staff.save(update_fields=["phone"])
    # Until now the social worker wanted urgent requests in the app only.
    Preference.objects.create(user=cast.staff, kind=Kind.URGENT_REQUEST, channels="")
    return cast


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_social_worker_chooses_sms_for_urgent_requests_and_gets_one(
    phone: Page,
    page: Page,
    live_server: LiveServer,
    live_cast: Cast,
    provider: Provider,
    screenshot: Shot,
) -> None:
    sign_in(phone, live_server, "staff")
    phone.goto(f"{live_server.url}/notifications/settings/")
    expect(phone.get_by_role("heading", name="通知设置")).to_be_visible()
    sms = phone.get_by_label("紧急诉求:短信", exact=True)
    expect(sms).not_to_be_checked()
    sms.check()
    phone.get_by_role("button", name="保存设置").click()
    expect(phone.get_by_text("通知设置已保存。")).to_be_visible()
    expect(phone.get_by_label("紧急诉求:短信", exact=True)).to_be_checked()
    expect(phone.get_by_label("紧急诉求:企业微信群", exact=True)).not_to_be_checked()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "notification-settings-phone")

    request = file_request(live_cast, text="1号楼1单元燃气味很重,请马上来看看", urgent=True)

    assert len(provider.texts_to(STAFF_PHONE)) == 1
    assert provider.texts_to(STAFF_PHONE)[0].startswith(f"【紧急】{request.number}")
    sent = Delivery.objects.get(notification__user=live_cast.staff)
    assert (sent.channel, sent.status) == ("sms", DeliveryStatus.SENT)

    # The administrator reads the deliveries: the text to 刘社工 went out.
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/notifications/deliveries/")
    page.get_by_label("状态").select_option(label="已发送")
    page.get_by_role("button", name="查询").click()
    row = page.locator("tr", has_text="刘社工").filter(has_text="短信")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"【紧急】{request.number}")
    expect(row).to_contain_text("已发送")
    expect(row).to_contain_text("发送时间")  # when it went out, not a next attempt
    expect(row).not_to_contain_text("下次发送时间")
    screenshot(page, "notification-deliveries-sms-sent")

    # The same page at phone width: the rows become cards, nothing runs off the screen.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("tr", has_text="刘社工").filter(has_text="短信")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "notification-deliveries-phone")
