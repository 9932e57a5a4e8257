"""Five wrong passwords lock the account and the source address for 15 minutes.

The address is the direct peer's; a forwarded one counts only from a declared proxy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.cast import PASSWORD, Cast

LOCKED = "密码连续输错5次,为防止他人猜测密码,该账号和您当前的网络地址已被暂时锁定。"
ACCOUNT_LOCKED = "密码连续输错5次,为防止他人猜测密码,该账号已被暂时锁定。"
ADDRESS_LOCKED = (
    "从您当前的网络地址登录已连续失败5次,为防止他人猜测密码,该网络地址已被暂时禁止登录。"
    "您的账号没有被锁定。"
)
RETRY = "请在15分钟后再试。"
PROXY = "10.0.0.254"


def attempt(
    client: Client, username: str, password: str, ip: str = "10.0.0.1", real_ip: str = ""
) -> str:
    meta: dict[str, Any] = {"REMOTE_ADDR": ip}
    if real_ip:
        meta["HTTP_X_REAL_IP"] = real_ip
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **meta
    )
    return f"{response.status_code} {response.content.decode()}"


def fail(
    client: Client, username: str, times: int, ip: str = "10.0.0.1", real_ip: str = ""
) -> list[str]:
    return [attempt(client, username, "wrong-password", ip, real_ip) for _ in range(times)]


def fail_as_five_people(client: Client, ip: str, real_ip: str = "") -> None:
    """Five names tried once each: the address is locked, no account is."""
    for name in ["worker1", "worker2", "staff", "leader", "nobody"]:
        fail(client, name, 1, ip=ip, real_ip=real_ip)


def test_four_failures_still_allow_the_right_password(cast: Cast, client: Client) -> None:
    answers = fail(client, "worker1", 4)
    assert all(a.startswith("200") and "用户名或密码不正确" in a for a in answers)
    assert attempt(client, "worker1", PASSWORD).startswith("302")


def test_success_resets_the_count(cast: Cast, client: Client) -> None:
    fail(client, "worker1", 4)
    assert attempt(client, "worker1", PASSWORD).startswith("302")
    client.logout()
    answers = fail(client, "worker1", 4)
    assert all(a.startswith("200") for a in answers)


def test_fifth_failure_locks_with_a_chinese_message(cast: Cast, client: Client) -> None:
    answers = fail(client, "worker1", 5)
    assert answers[-1].startswith("429")
    assert LOCKED in answers[-1]
    assert RETRY in answers[-1]
    # Even the right password is refused now, with the same message.
    locked = attempt(client, "worker1", PASSWORD)
    assert locked.startswith("429")
    assert LOCKED in locked
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_every_address(cast: Cast, client: Client) -> None:
    fail(client, "worker1", 5, ip="10.0.0.1")
    other_place = attempt(client, "worker1", PASSWORD, ip="10.9.9.9")
    assert other_place.startswith("429")
    # The account is locked; this other address is not, and the page does not say it is.
    assert ACCOUNT_LOCKED in other_place
    assert "网络地址" not in other_place


def test_the_address_is_locked_for_every_account(cast: Cast, client: Client) -> None:
    # Someone trying several names from one address is stopped too.
    fail_as_five_people(client, ip="10.0.0.7")
    same_place = attempt(client, "resident", PASSWORD, ip="10.0.0.7")
    assert same_place.startswith("429")
    # The resident typed the right password: their account is not what is locked.
    assert ADDRESS_LOCKED in same_place
    assert "该账号" not in same_place
    # Elsewhere the same resident logs in normally.
    assert attempt(client, "resident", PASSWORD, ip="10.0.0.8").startswith("302")


def test_a_forged_address_header_does_not_lift_the_lock(cast: Cast, client: Client) -> None:
    fail_as_five_people(client, ip="127.0.0.1")
    forged = attempt(client, "resident", PASSWORD, ip="127.0.0.1", real_ip="198.51.100.24")
    assert forged.startswith("429")
    assert ADDRESS_LOCKED in forged
    assert "_auth_user_id" not in client.session


def test_a_forged_address_header_cannot_lock_another_address(cast: Cast, client: Client) -> None:
    # An attacker at 10.0.0.66 names a victim's address in the header.
    fail_as_five_people(client, ip="10.0.0.66", real_ip="198.51.100.24")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.66"}
    # The victim is not locked out; the attacker is.
    assert attempt(client, "resident", PASSWORD, ip="198.51.100.24").startswith("302")
    client.logout()
    assert attempt(client, "volunteer", PASSWORD, ip="10.0.0.66").startswith("429")


@override_settings(LINLI_TRUSTED_PROXIES=[PROXY])
def test_behind_a_declared_proxy_its_forwarded_address_is_counted(
    cast: Cast, client: Client
) -> None:
    fail_as_five_people(client, ip=PROXY, real_ip="198.51.100.24")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.24"}
    # Through the proxy: the locked client is refused, another one is not.
    locked = attempt(client, "resident", PASSWORD, ip=PROXY, real_ip="198.51.100.24")
    assert locked.startswith("429")
    assert ADDRESS_LOCKED in locked
    assert attempt(client, "resident", PASSWORD, ip=PROXY, real_ip="198.51.100.25").startswith(
        "302"
    )


@override_settings(LINLI_TRUSTED_PROXIES=[PROXY])
def test_a_forwarded_address_counts_only_from_the_proxy(cast: Cast, client: Client) -> None:
    # A client beside the proxy sends the header itself: it is ignored.
    fail_as_five_people(client, ip="10.0.0.66", real_ip="198.51.100.24")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.66"}
    via_proxy = attempt(client, "resident", PASSWORD, ip=PROXY, real_ip="198.51.100.24")
    assert via_proxy.startswith("302")


def test_the_lock_lifts_after_fifteen_minutes(cast: Cast, client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        fail(client, "worker1", 5)
        traveller.shift(dt.timedelta(minutes=14))
        assert attempt(client, "worker1", PASSWORD).startswith("429")
        # A try during the lock does not extend it: 15 minutes after the lock it lifts.
        traveller.shift(dt.timedelta(minutes=1, seconds=5))
        assert attempt(client, "worker1", PASSWORD).startswith("302")


def test_the_admin_login_is_protected_too(cast: Cast, client: Client) -> None:
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "admin", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.3",
        )
    response = client.post(
        reverse("admin:login"),
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.4",
    )
    assert response.status_code == 429
    assert ACCOUNT_LOCKED in response.content.decode()
