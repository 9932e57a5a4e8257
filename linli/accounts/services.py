"""Writes about users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import ApiToken, RoleAssignment, User
from linli.areas.models import Area, Grid
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.roles import Role

TOKEN_PREFIX = "linli"
BACKUP_CODE_COUNT = 10


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    user: User,
    role: Role,
    area: Area | None = None,
    grid: Grid | None = None,
    title: str = "",
) -> RoleAssignment:
    if (area is None) == (grid is None):
        raise ValidationError(_("角色的范围必须是一个区域或一个网格(二选一)。"))
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, area=area, grid=grid, defaults={"title": title}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=assignment,
            fields=["role", "area", "grid"],
        )
    return assignment


def _digest(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is enough: unlike a
    # password there is nothing to guess, and lookups stay one indexed query.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, actor: User | None = None, name: str = ""
) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    if not user.is_active:
        raise ValidationError(_("账号已停用,不能创建令牌。"))
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret))
    audit_record(actor=actor, action=AuditEvent.Action.TOKEN, obj=token, note="created")
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditEvent.Action.TOKEN, obj=token, note="revoked")
    return token


def api_token_authenticate(secret: str) -> User | None:
    """The active user behind a bearer token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write at most once a minute per token: last_used is for humans, not accounting.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Accounts and passwords ----------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str = "",
    phone: str = "",
    email: str = "",
) -> User:
    """Create a login. One set up by someone else (``actor``) must change its password
    at first login, so that only its owner knows it."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")})
    user = User(username=username, full_name=full_name, phone=phone, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = actor is not None
    user.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=user, fields=["username", "full_name"]
    )
    return user


@transaction.atomic
def password_change(*, user: User, new_password: str) -> User:
    """Set a password the user chose themselves; this ends a must-change state."""
    validate_password(new_password, user)
    if user.check_password(new_password):
        raise ValidationError(_("新密码不能与原密码相同。"), code="password_unchanged")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=user, action=AuditEvent.Action.UPDATE, obj=user, fields=["password"])
    return user


# --- Two-factor login (TOTP with backup codes) ----------------------------------------------


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is scanning, kept until they confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("手机验证器"), confirmed=False)
    return device


# No exception on a wrong code in the two functions below: raising would roll back the
# failure count django-otp keeps to slow down guessing.


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows and return fresh backup codes;
    None when the code is wrong."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("请重新扫描二维码后再试。"))
    if not device.verify_token(_normalise_code(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user, action=AuditEvent.Action.CREATE, obj=device, note="two-factor enrolled"
    )
    return backup_codes_generate(user=user)


@transaction.atomic
def two_factor_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts ``token`` (a 6-digit TOTP code or a one-use backup code)."""
    code = _normalise_code(token)
    devices: list[Device] = (
        list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        if code.isdigit() and len(code) == 6
        else list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
    )
    for device in devices:
        if device.verify_token(code):
            audit_record(
                actor=user, action=AuditEvent.Action.LOGIN, obj=user, note="second factor accepted"
            )
            return device
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN_FAILED,
        obj=user,
        success=False,
        note="wrong one-time code",
    )
    return None


def _normalise_code(token: str) -> str:
    return token.strip().replace(" ", "").replace("-", "").lower()


@transaction.atomic
def backup_codes_generate(*, user: User) -> list[str]:
    """Replace the user's backup codes; each works once when the phone is not at hand."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("备用验证码"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(
        actor=user, action=AuditEvent.Action.CREATE, obj=device, note="backup codes generated"
    )
    return codes


@transaction.atomic
def two_factor_disable(*, user: User, actor: User | None, required: bool) -> None:
    """Remove the user's authenticator and backup codes (where the role allows it)."""
    if required and actor == user:
        raise ValidationError(_("您的角色必须使用两步验证,不能关闭。"))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=user, note="two-factor removed")
