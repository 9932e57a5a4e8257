"""Writes about users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import ApiToken, RoleAssignment, User
from linli.areas.models import Area, Grid
from linli.core.audit import audit_record
from linli.core.roles import Role

TOKEN_PREFIX = "linli"


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
        audit_record(actor=actor, action="create", obj=assignment, fields=["role", "area", "grid"])
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
    audit_record(actor=actor, action="token", obj=token, note="created")
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token", obj=token, note="revoked")
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
