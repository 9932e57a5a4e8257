"""``/api/v1``: one NinjaAPI; each app contributes a router."""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from linli.accounts.api import BearerTokenAuth
from linli.accounts.api import router as accounts_router
from linli.activities.api import router as activities_router  # activities (issue 14)
from linli.areas.api import router as areas_router
from linli.care.api import router as care_router
from linli.core.api_errors import error_body, field_errors, invalid_detail
from linli.core.errors import Conflict, DomainError
from linli.core.throttling import api_throttles, throttled_message
from linli.earlywarning.api import router as warnings_router
from linli.fieldwork.api import router as fieldwork_router
from linli.imports.api import router as imports_router
from linli.notifications.api import router as notifications_router

# --- party work (issue 13) ---
from linli.party.api import router as party_router
from linli.people.api import grids_router
from linli.people.api import router as register_router
from linli.programmes.api import router as programmes_router
from linli.reports.api import router as reports_router
from linli.requests.api import router as requests_router
from linli.rosters.api import router as rosters_router
from linli.surveys.api import router as surveys_router
from linli.triage.api import router as intake_router
from linli.volunteers.api import router as volunteers_router

api = NinjaAPI(
    title="邻里 Linli API",
    version="1",
    description="社区网格化治理与为民服务平台接口。认证:`Authorization: Bearer <令牌>`,"
    "令牌由 `linli token create 用户名` 生成。错误统一为 "
    '`{"code": "...", "detail": "...", "errors": {...}}`:`code` 是稳定的错误代码,'
    "`detail` 是给人看的中文说明,"
    "`errors` 是字段 → 说明(与字段无关的错误为空)。不带时区的日期时间按北京时间"
    "(Asia/Shanghai)理解。",
    auth=BearerTokenAuth(),
    throttle=api_throttles(),
    urls_namespace="api-v1",
)
api.add_router("/", accounts_router)
# issue 18 item 5: everything a page can do (areas, grids, the register, volunteers,
# rosters, early warnings), through the same selectors and services as the pages.
api.add_router("/areas", areas_router)
api.add_router("/grids", grids_router)
api.add_router("/register", register_router)
api.add_router("/volunteers", volunteers_router)
api.add_router("/rosters", rosters_router)
api.add_router("/warnings", warnings_router)
api.add_router("/requests", requests_router)
# the group-chat intake is triage's (requests never imports triage)
api.add_router("/requests/intake", intake_router)
api.add_router("/care", care_router)
api.add_router("/fieldwork", fieldwork_router)
api.add_router("/surveys", surveys_router)
# summer programmes (暑期托管)
api.add_router("/programmes", programmes_router)
api.add_router("/activities", activities_router)  # activities (issue 14)
# --- party work (issue 13) ---
api.add_router("/party", party_router)
# notification settings (issue 18 item 4)
api.add_router("/notifications", notifications_router)
# register import (issue 18 item 1)
api.add_router("/imports", imports_router)
# work reports (issue 16's reports in the API, issue 18 item 5)
api.add_router("/reports", reports_router)


# Every error has one JSON shape, {"code", "detail", "errors"} (linli.core.api_errors):
# these handlers replace ninja's defaults, which answer {"detail": ...} in English.
def _error(
    request: HttpRequest,
    status: int,
    code: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(request, error_body(code, detail, errors), status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("缺少或无效的接口令牌。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("找不到该对象。"))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "not_permitted", _("您没有这项操作的权限。"))


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = math.ceil(exc.wait) if exc.wait else 60
    response = _error(request, 429, "throttled", throttled_message(wait))
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals: chiefly a body that is not JSON (400)."""
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        return _error(
            request,
            400,
            "malformed_json",
            _("请求体不是有效的 JSON,请检查引号、逗号和括号,并以 UTF-8 编码发送。"),
        )
    if exc.status_code == 403:
        return _error(request, 403, "not_permitted", _("您没有这项操作的权限。"))
    return _error(request, exc.status_code, "error", _("请求无法处理。"))


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = field_errors(exc.errors)
    return _error(request, 422, "invalid", invalid_detail(errors), errors)


@api.exception_handler(RawPostDataException)
def on_form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    """A form or multipart body sent to an operation that reads JSON: the boundary
    (``core.middleware.InputNormalisationMiddleware``) has already parsed it as form
    fields, so its raw bytes are gone — and they would not have been JSON anyway."""
    return _error(
        request, 400, "invalid_body", _("请求体应为 JSON(Content-Type: application/json)。")
    )


@api.exception_handler(DjangoValidationError)
def on_rejected_by_service(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = (
        {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": [str(m) for m in exc.messages]}
    )
    detail = " ".join(m for messages in errors.values() for m in messages)
    return _error(request, 422, "invalid", detail, errors)


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    """A service refused because of the object's state, or a duplicate: 409, whatever
    field the service named (the message says why)."""
    detail = " ".join(str(m) for m in exc.messages)
    return _error(request, 409, exc.api_code, detail)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """InvalidTransition (409), NotPermitted (403) and their kin, with their Chinese message."""
    return _error(request, exc.status_code, exc.code, exc.message)
