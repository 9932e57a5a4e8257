from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.accounts.selectors import role_assignments
from linli.accounts.services import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer linli_…`` with a token from ``linli token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    area: str | None
    grid: str | None
    title: str


class MeOut(Schema):
    username: str
    name: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="当前令牌所属的用户及其角色")
def me(request: HttpRequest) -> MeOut:
    user = request_user(request)
    return MeOut(
        username=user.username,
        name=str(user),
        roles=[
            RoleOut(
                role=a.role,
                role_label=str(a.get_role_display()),
                area=a.area.code if a.area else None,
                grid=a.grid.code if a.grid else None,
                title=a.title,
            )
            for a in role_assignments(user)
        ],
    )
