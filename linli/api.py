"""``/api/v1``: one NinjaAPI; each app contributes a router."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled, ValidationError

from linli.accounts.api import BearerTokenAuth
from linli.accounts.api import router as accounts_router
from linli.care.api import router as care_router
from linli.core.errors import DomainError
from linli.core.throttling import api_throttles, throttled_response
from linli.requests.api import router as requests_router

api = NinjaAPI(
    title="邻里 Linli API",
    version="1",
    description="社区网格化治理与为民服务平台接口。认证:`Authorization: Bearer <令牌>`,"
    "令牌由 `linli token create 用户名` 生成。错误统一为 "
    '`{"code": "...", "detail": "..."}`,输入错误另有 `errors`(字段 → 说明)。',
    auth=BearerTokenAuth(),
    throttle=api_throttles(),
    urls_namespace="api-v1",
)
api.exception_handler(Throttled)(throttled_response)  # 429 in Chinese, with Retry-After
api.add_router("/", accounts_router)
api.add_router("/requests", requests_router)
api.add_router("/care", care_router)


# Errors share one JSON shape: {"code": "...", "detail": "..."}, plus
# "errors": {field: [messages]} for bad input.
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


def _field_of(location: object) -> str:
    """``("body", "payload", "room")`` → ``"room"``; ``("query", "page")`` → ``"page"``."""
    parts = [str(p) for p in location] if isinstance(location, list | tuple) else [str(location)]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = "此项必填。" if error.get("type") == "missing" else str(error.get("msg", ""))
        errors.setdefault(_field_of(error.get("loc", ())), []).append(message)
    return api.create_response(
        request,
        {"code": "invalid", "detail": "提交的数据不正确。", "errors": errors},
        status=422,
    )


@api.exception_handler(DjangoValidationError)
def on_rejected_by_service(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = (
        {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": [str(m) for m in exc.messages]}
    )
    detail = " ".join(m for messages in errors.values() for m in messages)
    return api.create_response(
        request, {"code": "invalid", "detail": detail, "errors": errors}, status=422
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """InvalidTransition (409), NotPermitted (403) and their kin, with their Chinese message."""
    return api.create_response(
        request, {"code": exc.code, "detail": exc.message}, status=exc.status_code
    )
