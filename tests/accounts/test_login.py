"""Logging in and out, in Chinese."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.cast import PASSWORD, Cast


def test_login_page_is_in_chinese(db: None, client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert "<h1>登录</h1>" in content
    assert "用户名" in content
    assert "密码" in content


def test_wrong_password_shows_the_chinese_error_and_keeps_the_username(
    cast: Cast, client: Client
) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "worker1", "password": "wrong-password"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "用户名或密码不正确,请重新输入。注意密码区分大小写。" in content
    assert 'value="worker1"' in content
    assert "_auth_user_id" not in client.session


def test_correct_password_logs_in_and_goes_home(cast: Cast, client: Client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "worker1", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "陈网格,您好" in home
    assert "第1网格" in home


def test_inactive_account_cannot_log_in(cast: Cast, client: Client) -> None:
    cast.worker1.is_active = False
    cast.worker1.save(update_fields=["is_active"])
    response = client.post(reverse("accounts:login"), {"username": "worker1", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_returns_to_the_login_page(cast: Cast, client: Client) -> None:
    assert client.login(username="worker1", password=PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_logout_by_get_is_refused_and_keeps_the_session(cast: Cast, client: Client) -> None:
    assert client.login(username="worker1", password=PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_navigation_offers_what_the_role_may_use(cast: Cast, client: Client) -> None:
    assert client.login(username="resident", password=PASSWORD)
    content = client.get(reverse("home")).content.decode()
    assert reverse("people:resident_list") in content
    assert reverse("people:community_list") not in content
    assert reverse("admin:index") not in content
    assert "我的家" in content
