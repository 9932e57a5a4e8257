"""Login protection in Chromium on a phone: enrolling an authenticator and logging in with
its code, and the lockout after five wrong passwords. Screenshots go to var/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import Shot
from tests.cast import PASSWORD, Cast, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cast_live(transactional_db: None) -> Cast:
    return build_cast()


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        **{
            **browser_context_args,
            "viewport": {"width": 390, "height": 844},
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
        }
    )
    yield context.new_page()
    context.close()


def assert_fits(page: Page) -> None:
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} overflows horizontally"


def log_in(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def code_at(device: TOTPDevice, seconds_from_now: float) -> str:
    """The code the phone shows now (0) or in the next 30-second step (30): each code is
    accepted once, and the authenticator's window allows the neighbouring step."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + seconds_from_now
    return f"{totp.token():06d}"


def test_staff_enrol_an_authenticator_then_log_in_with_its_code(
    cast_live: Cast, live_server: LiveServer, phone: Page, screenshot: Shot, settings: Any
) -> None:
    settings.LINLI_REQUIRE_2FA = True
    log_in(phone, live_server, "staff", PASSWORD)

    # The password is not enough: the enrolment page comes first.
    expect(phone.get_by_role("heading", name="账号安全")).to_be_visible()
    expect(phone.get_by_text("须开启两步验证后才能继续使用")).to_be_visible()
    expect(phone.locator(".qr svg")).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "login-2fa-enrol-phone")

    device = TOTPDevice.objects.get(user=cast_live.staff, confirmed=False)
    secret_shown = phone.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert secret_shown
    assert device.config_url.count(secret_shown) == 1

    phone.get_by_label("验证码").fill("111111" if code_at(device, 0) != "111111" else "222222")
    phone.get_by_role("button", name="开启两步验证").click()
    expect(phone.get_by_text("验证码不正确或已过期")).to_be_visible()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    phone.get_by_label("验证码").fill(code_at(device, 0))
    phone.get_by_role("button", name="开启两步验证").click()
    expect(phone.get_by_text("两步验证已开启。")).to_be_visible()
    expect(phone.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    assert_fits(phone)
    screenshot(phone, "login-2fa-backup-codes-phone")
    phone.get_by_role("link", name="我已保存,继续").click()
    expect(phone.get_by_text("刘社工,您好")).to_be_visible()

    # Log out, log in again: the code step follows the password.
    phone.get_by_role("button", name="退出").click()
    log_in(phone, live_server, "staff", PASSWORD)
    expect(phone.get_by_role("heading", name="两步验证")).to_be_visible()
    expect(phone.get_by_text("刘社工,您好")).to_have_count(0)
    assert_fits(phone)
    screenshot(phone, "login-2fa-verify-phone")
    device.refresh_from_db()
    phone.get_by_label("验证码").fill(code_at(device, 30))
    phone.get_by_role("button", name="验证并登录").click()
    expect(phone.get_by_text("刘社工,您好")).to_be_visible()


def test_five_wrong_passwords_lock_the_account_with_a_chinese_message(
    cast_live: Cast, live_server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    for _ in range(4):
        log_in(phone, live_server, "worker1", "wrong-password")
        expect(phone.get_by_text("用户名或密码不正确")).to_be_visible()
    log_in(phone, live_server, "worker1", "wrong-password")
    expect(phone.get_by_role("heading", name="登录已锁定")).to_be_visible()
    expect(
        phone.get_by_text(
            "密码连续输错5次,为防止他人猜测密码,该账号和您当前的网络地址已被暂时锁定。"
        )
    ).to_be_visible()
    expect(phone.get_by_text("请在15分钟后再试。")).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "login-locked-phone")

    # The right password is refused as well while the lock lasts.
    phone.get_by_role("link", name="返回登录页").click()
    log_in(phone, live_server, "worker1", PASSWORD)
    expect(phone.get_by_role("heading", name="登录已锁定")).to_be_visible()
