"""The one shape of every ``/api/v1`` error: ``{"code", "detail", "errors"}``.

``code`` is stable for programs, ``detail`` is a sentence for people (Chinese, or the
user's language through gettext), ``errors`` maps a field to its messages (empty when
the error is not about one field). ``linli.api`` registers the handlers that build it;
the 404 page uses it for unknown paths under ``/api/``.

pydantic's own messages are English ("String should have at most 2000 characters"), so
each error *type* is given a message here; a type not listed reads 「格式不正确。」.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

API_PATH_PREFIX = "/api/"

ErrorBody = dict[str, Any]


def error_body(code: str, detail: str, errors: Mapping[str, list[str]] | None = None) -> ErrorBody:
    return {"code": code, "detail": detail, "errors": dict(errors or {})}


def error_response(
    status: int, code: str, detail: str, errors: Mapping[str, list[str]] | None = None
) -> JsonResponse:
    """For the places outside ninja (the 404 handler); ninja's handlers use
    ``api.create_response`` with ``error_body``."""
    return JsonResponse(
        error_body(code, detail, errors), status=status, json_dumps_params={"ensure_ascii": False}
    )


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


# --- pydantic error types → messages --------------------------------------------------------


def _choices(ctx: Mapping[str, Any]) -> str:
    """pydantic's ``"'home' or 'phone'"`` → ``home、phone``."""
    expected = str(ctx.get("expected", ""))
    return expected.replace("'", "").replace(" or ", "、").replace(", ", "、")


def _length_limit(ctx: Mapping[str, Any], key: str) -> Any:
    return ctx.get(key, "")


def _value_error(error: Mapping[str, Any]) -> str:
    # A validator's own (already translated) message, after pydantic's English prefix.
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ") or _("格式不正确。")


def _string_too_short(ctx: Mapping[str, Any]) -> str:
    if ctx.get("min_length") == 1:
        return _("此项不能为空。")
    return _("至少 %(n)s 个字符。") % {"n": _length_limit(ctx, "min_length")}


_DATETIME = ("datetime_parsing", "datetime_type", "datetime_from_date_parsing")
_DATE = ("date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact")

# Each takes pydantic's ``ctx`` (limits, expected values) and returns the message.
_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: _("此项必填。"),
    "string_too_long": lambda ctx: _("最多 %(n)s 个字符。") % {"n": ctx.get("max_length", "")},
    "string_too_short": _string_too_short,
    "too_long": lambda ctx: _("最多 %(n)s 项。") % {"n": ctx.get("max_length", "")},
    "too_short": lambda ctx: _("至少 %(n)s 项。") % {"n": ctx.get("min_length", "")},
    "string_type": lambda ctx: _("应为文字。"),
    "int_parsing": lambda ctx: _("应为整数。"),
    "int_type": lambda ctx: _("应为整数。"),
    "int_from_float": lambda ctx: _("应为整数,不能有小数。"),
    "float_parsing": lambda ctx: _("应为数字。"),
    "float_type": lambda ctx: _("应为数字。"),
    "decimal_parsing": lambda ctx: _("应为数字。"),
    "decimal_type": lambda ctx: _("应为数字。"),
    "decimal_max_digits": lambda ctx: (
        _("数字位数太多,最多 %(n)s 位。") % {"n": ctx.get("max_digits", "")}
    ),
    "decimal_max_places": lambda ctx: (
        _("小数位数太多,最多 %(n)s 位。") % {"n": ctx.get("decimal_places", "")}
    ),
    "bool_parsing": lambda ctx: _("应为 true 或 false。"),
    "bool_type": lambda ctx: _("应为 true 或 false。"),
    **dict.fromkeys(_DATETIME, lambda ctx: _("应为日期时间,如 2026-11-01T08:00:00+08:00。")),
    **dict.fromkeys(_DATE, lambda ctx: _("应为日期,如 2026-11-01。")),
    "literal_error": lambda ctx: _("应为以下之一:%(choices)s。") % {"choices": _choices(ctx)},
    "enum": lambda ctx: _("应为以下之一:%(choices)s。") % {"choices": _choices(ctx)},
    "greater_than": lambda ctx: _("应大于 %(n)s。") % {"n": ctx.get("gt", "")},
    "greater_than_equal": lambda ctx: _("应不小于 %(n)s。") % {"n": ctx.get("ge", "")},
    "less_than": lambda ctx: _("应小于 %(n)s。") % {"n": ctx.get("lt", "")},
    "less_than_equal": lambda ctx: _("应不大于 %(n)s。") % {"n": ctx.get("le", "")},
    "json_invalid": lambda ctx: _("不是有效的 JSON。"),
    "json_type": lambda ctx: _("不是有效的 JSON。"),
    "list_type": lambda ctx: _("应为列表。"),
    "dict_type": lambda ctx: _("应为对象。"),
    "model_type": lambda ctx: _("应为对象。"),
    "model_attributes_type": lambda ctx: _("应为对象。"),
    "extra_forbidden": lambda ctx: _("不接受这个字段。"),
}


def message_for(error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence in the user's language."""
    kind = str(error.get("type", ""))
    if kind == "value_error":
        return _value_error(error)
    ctx = error.get("ctx") or {}
    make = _MESSAGES.get(kind)
    return make(ctx) if make is not None else _("格式不正确。")


_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_of(location: object) -> str:
    """``("body", "payload", "room")`` → ``"room"``; ``("query", "page")`` → ``"page"``."""
    parts = [str(p) for p in location] if isinstance(location, list | tuple) else [str(location)]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def field_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """pydantic's list of errors → ``{field: [messages]}``."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(field_of(error.get("loc", ())), []).append(message_for(error))
    return by_field


def invalid_detail(errors: Mapping[str, list[str]]) -> str:
    """「提交的数据不正确:text:最多 2000 个字符。」 — the whole story in one line."""
    parts = [
        " ".join(messages) if field == "__all__" else f"{field}:{' '.join(messages)}"
        for field, messages in errors.items()
    ]
    return _("提交的数据不正确:%(errors)s") % {"errors": ";".join(parts)}
