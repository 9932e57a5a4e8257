"""After the password: idle timeout for staff, two-factor login, first-login password change."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import User
from linli.accounts.services import user_create
from linli.core.models import AuditEvent
from tests.cast import PASSWORD, Cast
from tests.conftest import login

HOME = reverse("home")
NEW_PASSWORD = "Heping@2026!"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- idle timeout ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["staff", "leader", "admin"])
def test_staff_sessions_end_after_thirty_idle_minutes(
    cast: Cast, client: Client, username: str
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, username)
        assert client.get(HOME).status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(HOME).status_code == 200  # activity restarts the clock
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(HOME).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get(HOME, follow=True)
    assert response.redirect_chain[0] == (f"{reverse('accounts:login')}?next=/", 302)
    assert "您已超过30分钟未操作,为保护居民信息已自动退出,请重新登录。" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_committee_members_count_as_staff(cast: Cast, client: Client) -> None:
    from linli.accounts.services import role_assign
    from linli.core.roles import Role

    role_assign(actor=None, user=cast.worker2, role=Role.COMMITTEE, area=cast.community)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, "worker2")
        client.get(HOME)
        traveller.shift(dt.timedelta(minutes=31))
        assert client.get(HOME).status_code == 302


@pytest.mark.parametrize("username", ["worker1", "resident", "volunteer"])
def test_other_users_keep_the_normal_session(cast: Cast, client: Client, username: str) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, username)
        client.get(HOME)
        traveller.shift(dt.timedelta(hours=3))
        assert client.get(HOME).status_code == 200


# --- two-factor login --------------------------------------------------------------------------


def test_two_factor_is_off_by_default_outside_production(settings: Any) -> None:
    assert settings.LINLI_REQUIRE_2FA is False


def test_production_requires_two_factor_by_default() -> None:
    env = {
        **os.environ,
        "LINLI_ENV": "production",
        "LINLI_SECRET_KEY": "x" * 50,
        "LINLI_ALLOWED_HOSTS": "linli.example.cn",
        "LINLI_FIELD_KEYS": "a" * 43 + "=",  # url-safe base64 of 32 bytes: a Fernet key
        "LINLI_HASH_KEY": "b" * 44,
        "DJANGO_SETTINGS_MODULE": "linli.settings",
    }
    env.pop("LINLI_REQUIRE_2FA", None)
    out = subprocess.run(
        [sys.executable, "-c", "import linli.settings as s; print(s.LINLI_REQUIRE_2FA)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


@pytest.mark.parametrize("username", ["staff", "leader", "admin"])
def test_required_roles_must_enrol_before_anything_else(
    cast: Cast, client: Client, settings: Any, username: str
) -> None:
    settings.LINLI_REQUIRE_2FA = True
    login(client, username)
    response = client.get(reverse("people:resident_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:two_factor')}?next=%2Fpeople%2Fresidents%2F"
    page = client.get(response["Location"]).content.decode()
    assert "须开启两步验证后才能继续使用" in page
    assert "<svg" in page  # the QR code


@pytest.mark.parametrize("username", ["worker1", "resident"])
def test_other_roles_are_not_forced(
    cast: Cast, client: Client, settings: Any, username: str
) -> None:
    settings.LINLI_REQUIRE_2FA = True
    login(client, username)
    assert client.get(HOME).status_code == 200


def test_enrol_then_log_in_with_a_code(cast: Cast, client: Client, settings: Any) -> None:
    settings.LINLI_REQUIRE_2FA = True
    login(client, "staff")
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=cast.staff, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor"), {"token": "000000", "next": HOME})
    assert "验证码不正确或已过期" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # skip django-otp's growing wait after a miss
    device.save()

    done = client.post(reverse("accounts:two_factor"), {"token": code_for(device), "next": HOME})
    assert done.status_code == 200
    assert "两步验证已开启。" in done.content.decode()
    codes = [t.token for t in StaticToken.objects.filter(device__user=cast.staff)]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(actor=cast.staff, note="two-factor enrolled").exists()

    # Next login: the password alone only reaches the code step.
    client.logout()
    login(client, "staff")
    response = client.get(HOME)
    assert response["Location"] == f"{reverse('accounts:two_factor_verify')}?next=%2F"
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60), tick=False):
        device.refresh_from_db()
        answer = client.post(
            reverse("accounts:two_factor_verify"), {"token": code_for(device), "next": HOME}
        )
        assert answer.status_code == 302
        assert answer["Location"] == HOME
        assert client.get(HOME).status_code == 200


def test_a_wrong_code_is_refused_and_recorded(cast: Cast, client: Client) -> None:
    device = TOTPDevice.objects.create(user=cast.worker1, name="手机", confirmed=True)
    login(client, "worker1")
    answer = client.post(reverse("accounts:two_factor_verify"), {"token": "123456"})
    assert answer.status_code == 200
    assert "验证码不正确或已过期" in answer.content.decode()
    assert client.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(
        actor=cast.worker1, action="login_failed", success=False
    ).exists()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # kept, not rolled back


def test_optional_users_who_enrolled_are_asked_for_the_code(cast: Cast, client: Client) -> None:
    TOTPDevice.objects.create(user=cast.worker1, name="手机", confirmed=True)
    login(client, "worker1")
    assert client.get(HOME)["Location"].startswith(reverse("accounts:two_factor_verify"))
    # The code step offers no navigation into the site, only the way out.
    page = client.get(reverse("accounts:two_factor_verify")).content.decode()
    assert reverse("people:resident_list") not in page
    assert reverse("accounts:logout") in page
    # Not even the password can be changed before the code.
    assert client.get(reverse("accounts:password_change"))["Location"].startswith(
        reverse("accounts:two_factor_verify")
    )


def test_a_backup_code_works_once(cast: Cast, client: Client) -> None:
    from linli.accounts.services import backup_codes_generate

    TOTPDevice.objects.create(user=cast.staff, name="手机", confirmed=True)
    codes = backup_codes_generate(user=cast.staff)
    login(client, "staff")
    answer = client.post(reverse("accounts:two_factor_verify"), {"token": codes[0].upper()})
    assert answer.status_code == 302
    assert client.get(HOME).status_code == 200
    client.logout()
    login(client, "staff")
    again = client.post(reverse("accounts:two_factor_verify"), {"token": codes[0]})
    assert again.status_code == 200
    assert StaticToken.objects.filter(device__user=cast.staff).count() == 9


def test_required_users_cannot_switch_two_factor_off(
    cast: Cast, client: Client, settings: Any
) -> None:
    settings.LINLI_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=cast.staff, name="手机", confirmed=True)
    login(client, "staff")
    client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})
    response = client.post(reverse("accounts:two_factor_disable"), follow=True)
    assert "您的角色必须使用两步验证,不能关闭。" in response.content.decode()
    assert TOTPDevice.objects.filter(user=cast.staff).exists()


def test_optional_users_can_switch_two_factor_off(cast: Cast, client: Client) -> None:
    device = TOTPDevice.objects.create(user=cast.worker1, name="手机", confirmed=True)
    login(client, "worker1")
    client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})
    response = client.post(reverse("accounts:two_factor_disable"), follow=True)
    assert "已关闭两步验证。" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.worker1, confirmed=True).exists()


# --- first-login password change -----------------------------------------------------------


def test_accounts_made_by_someone_else_must_change_the_password(cast: Cast, client: Client) -> None:
    user = user_create(actor=cast.admin, username="newworker", password=PASSWORD, full_name="赵新")
    assert user.must_change_password
    assert not user_create(actor=None, username="self", password=PASSWORD).must_change_password

    login(client, "newworker")
    response = client.get(reverse("notifications:list"))
    assert response["Location"] == (
        f"{reverse('accounts:password_change')}?next=%2Fnotifications%2F"
    )
    page = client.get(response["Location"]).content.decode()
    assert "您的账号由管理员创建,首次登录请先设置一个只有您自己知道的新密码。" in page

    weak = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "zhaoxin1", "new_password2": "zhaoxin1"},
    )
    assert "密码须包含小写字母、大写字母、数字、符号这四类中的至少3类" in weak.content.decode()

    same = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "新密码不能与原密码相同。" in same.content.decode()

    done = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "/notifications/",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == "/notifications/"
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    # Still logged in after the change, and free to go anywhere.
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(actor=user, action="update", fields=["password"]).exists()


INLINE_MANAGEMENT = {
    "role_assignments-TOTAL_FORMS": "0",
    "role_assignments-INITIAL_FORMS": "0",
}


def test_the_admin_site_marks_new_accounts(cast: Cast, client: Client) -> None:
    login(client, "admin")
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "fromadmin",
            "full_name": "孙管",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **INLINE_MANAGEMENT,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="fromadmin").must_change_password


def test_the_admin_site_applies_the_password_rules(cast: Cast, client: Client) -> None:
    login(client, "admin")
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "fromadmin",
            "full_name": "孙管",
            "usable_password": "true",
            "password1": "sunguan123",
            "password2": "sunguan123",
            **INLINE_MANAGEMENT,
        },
    )
    assert response.status_code == 200
    assert "密码须包含小写字母、大写字母、数字、符号这四类中的至少3类" in response.content.decode()
    assert not User.objects.filter(username="fromadmin").exists()


def test_an_htmx_request_after_the_timeout_reloads_the_whole_page(
    cast: Cast, client: Client
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, "staff")
        client.get(HOME)
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("people:resident_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('accounts:login')}?next=/people/residents/"
