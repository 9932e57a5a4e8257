"""Five wrong passwords lock the account and the source address for 15 minutes."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cast import PASSWORD, Cast

LOCKED = "密码连续输错5次,为防止他人猜测密码,该账号和您当前的网络地址已被暂时锁定。"
RETRY = "请在15分钟后再试。"


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> str:
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )
    return f"{response.status_code} {response.content.decode()}"


def fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> list[str]:
    return [attempt(client, username, "wrong-password", ip) for _ in range(times)]


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
    assert LOCKED in other_place


def test_the_address_is_locked_for_every_account(cast: Cast, client: Client) -> None:
    # Someone trying several names from one address is stopped too.
    for name in ["worker1", "worker2", "staff", "leader", "nobody"]:
        fail(client, name, 1, ip="10.0.0.7")
    same_place = attempt(client, "resident", PASSWORD, ip="10.0.0.7")
    assert same_place.startswith("429")
    assert LOCKED in same_place
    # Elsewhere the same resident logs in normally.
    assert attempt(client, "resident", PASSWORD, ip="10.0.0.8").startswith("302")


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
    assert LOCKED in response.content.decode()
