"""``/api/v1``: one NinjaAPI; each app contributes a router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from linli.accounts.api import BearerTokenAuth
from linli.accounts.api import router as accounts_router

api = NinjaAPI(
    title="邻里 Linli API",
    version="1",
    description="社区网格化治理与为民服务平台接口。认证:`Authorization: Bearer <令牌>`,"
    "令牌由 `linli token create 用户名` 生成。",
    auth=BearerTokenAuth(),
    urls_namespace="api-v1",
)
api.add_router("/", accounts_router)


# Errors share one JSON shape: {"code": "...", "detail": "..."} (plus "errors" for input).
@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "detail": "缺少或无效的接口令牌。"}, status=401
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_found", "detail": "找不到该对象。"}, status=404
    )


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "invalid", "detail": "提交的数据不正确。", "errors": exc.errors},
        status=422,
    )
