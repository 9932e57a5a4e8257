"""Every ``/api/v1`` error is ``{"code", "detail", "errors"}`` with Chinese messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from ninja.errors import Throttled

from linli.accounts.services import api_token_create
from linli.api import api
from linli.core.api_errors import message_for
from linli.core.api_pagination import MAX_PAGE
from linli.core.views import method_not_allowed
from linli.requests.models import Request
from tests.care.conftest import build_care
from tests.cast import Cast
from tests.requests.test_api import Api

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests"
VISITS = "/api/v1/care/visits"


def assert_shape(body: Any) -> None:
    assert set(body) == {"code", "detail", "errors"}, body
    assert isinstance(body["code"], str)
    assert isinstance(body["detail"], str)
    assert isinstance(body["errors"], dict)


# --- pydantic's error types, each in Chinese ------------------------------------------------


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing"}, "此项必填。"),
        ({"type": "string_too_long", "ctx": {"max_length": 2000}}, "最多 2000 个字符。"),
        ({"type": "string_too_short", "ctx": {"min_length": 1}}, "此项不能为空。"),
        ({"type": "string_too_short", "ctx": {"min_length": 6}}, "至少 6 个字符。"),
        ({"type": "too_long", "ctx": {"max_length": 7}}, "最多 7 项。"),
        ({"type": "too_short", "ctx": {"min_length": 1}}, "至少 1 项。"),
        ({"type": "int_parsing"}, "应为整数。"),
        ({"type": "float_parsing"}, "应为数字。"),
        ({"type": "decimal_parsing"}, "应为数字。"),
        ({"type": "datetime_parsing"}, "应为日期时间,如 2026-11-01T08:00:00+08:00。"),
        ({"type": "datetime_from_date_parsing"}, "应为日期时间,如 2026-11-01T08:00:00+08:00。"),
        ({"type": "date_parsing"}, "应为日期,如 2026-11-01。"),
        (
            {"type": "literal_error", "ctx": {"expected": "'home' or 'phone'"}},
            "应为以下之一:home、phone。",
        ),
        ({"type": "enum", "ctx": {"expected": "'a', 'b' or 'c'"}}, "应为以下之一:a、b、c。"),
        ({"type": "greater_than", "ctx": {"gt": 0}}, "应大于 0。"),
        ({"type": "greater_than_equal", "ctx": {"ge": 1}}, "应不小于 1。"),
        ({"type": "less_than", "ctx": {"lt": 10}}, "应小于 10。"),
        ({"type": "less_than_equal", "ctx": {"le": 100}}, "应不大于 100。"),
        ({"type": "json_invalid"}, "不是有效的 JSON。"),
        ({"type": "bool_parsing"}, "应为 true 或 false。"),
        (
            {"type": "value_error", "msg": "Value error, 日期应在 1900 年到 2100 年之间。"},
            "日期应在 1900 年到 2100 年之间。",
        ),
        ({"type": "url_parsing"}, "格式不正确。"),
        ({"type": "uuid_parsing"}, "格式不正确。"),
        ({"type": "a_type_pydantic_adds_later"}, "格式不正确。"),
    ],
)
def test_each_pydantic_error_type_reads_in_chinese(error: dict[str, Any], message: str) -> None:
    assert message_for(error) == message


# --- validation errors through the real endpoints -------------------------------------------


def test_a_too_long_text_is_explained_in_chinese(cast: Cast, client: Client) -> None:
    status, body = Api(client, cast.resident_user).post(REQUESTS, {"text": "漏" * 2001})

    assert status == 422
    assert_shape(body)
    assert body["code"] == "invalid"
    assert body["errors"] == {"text": ["最多 2000 个字符。"]}
    assert body["detail"] == "提交的数据不正确:text:最多 2000 个字符。"
    assert "should" not in str(body)
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "text", "此项必填。"),
        ({"text": "灯坏了", "building": "三"}, "building", "应为整数。"),
        ({"text": "灯坏了", "building": 0}, "building", "应不小于 1。"),
        ({"text": "灯坏了", "urgent": "maybe"}, "urgent", "应为 true 或 false。"),
        ({"text": "灯坏了", "room": "1" * 11}, "room", "最多 10 个字符。"),
        ({"text": "灯坏了", "channel": "open311"}, "channel", "应为以下之一:api、chat、"),
    ],
)
def test_request_fields_are_explained_in_chinese(
    cast: Cast, client: Client, payload: dict[str, Any], field: str, message: str
) -> None:
    status, body = Api(client, cast.resident_user).post(REQUESTS, payload)

    assert status == 422
    assert_shape(body)
    assert body["errors"][field][0].startswith(message)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"visited_at": "昨天"}, "visited_at", "应为日期时间"),
        (
            {"visited_at": "0001-01-01T00:00:00+08:00"},
            "visited_at",
            "日期应在 1900 年到 2100 年之间。",
        ),
        ({"visited_at": "2026-11-01T00:00:00+15:00"}, "visited_at", "时区偏移应在 ±14:00 以内"),
        ({"glucose": "高"}, "glucose", "应为数字。"),
        ({"services": ["flying"]}, "services.0", "应为以下之一:groceries、medicine"),
        ({"kind": "letter"}, "kind", "应为以下之一:home、phone。"),
        ({"concern_to_request": "maybe"}, "concern_to_request", "应为 true 或 false。"),
    ],
)
def test_visit_fields_are_explained_in_chinese(
    cast: Cast, client: Client, payload: dict[str, Any], field: str, message: str
) -> None:
    care = build_care(cast)
    body_in = {"person": care.cast.elder.pk, **payload}
    status, body = Api(client, cast.volunteer_user).post(VISITS, body_in)

    assert status == 422, body
    assert_shape(body)
    assert body["errors"][field][0].startswith(message)


# --- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [REQUESTS, "/api/v1/care/alerts", "/api/v1/care/due"])
def test_a_huge_page_number_is_422_not_a_crash(cast: Cast, client: Client, path: str) -> None:
    api_client = Api(client, cast.staff)
    status, body = api_client.get(path, page="99999999999999999999")

    assert status == 422
    assert_shape(body)
    assert body["errors"] == {"page": [f"应不大于 {MAX_PAGE}。"]}
    status, body = api_client.get(path, page="0")
    assert (status, body["errors"]) == (422, {"page": ["应不小于 1。"]})
    status, body = api_client.get(path, page=str(MAX_PAGE), page_size="100")
    if path == REQUESTS:
        # The requests list counts no further than 10,000 rows (issue 19): a page past
        # them is refused in words, not an OFFSET scan of the whole table.
        assert status == 422
        assert body["errors"]["page"][0].startswith("只能翻到前 10,000 条")
    else:
        assert (status, body["items"]) == (200, [])


def test_every_paginated_endpoint_caps_the_page_number() -> None:
    """One pagination for all: a new list endpoint with ninja's own paging fails here."""
    schema = api.get_openapi_schema()
    pages = [
        (path, parameter["schema"])
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "page"
    ]
    assert len(pages) >= 3
    assert all(page.get("maximum") == MAX_PAGE for _path, page in pages), pages


# --- other errors ---------------------------------------------------------------------------


def test_malformed_json_gets_the_shape(cast: Cast, client: Client) -> None:
    api_client = Api(client, cast.resident_user)
    response = client.post(
        REQUESTS,
        "{'text': 灯坏了",
        content_type="application/json",
        headers={"authorization": api_client.headers["HTTP_AUTHORIZATION"]},
    )

    assert response.status_code == 400
    body = response.json()
    assert_shape(body)
    assert body["code"] == "malformed_json"
    assert body["detail"].startswith("请求体不是有效的 JSON")


def test_missing_token_is_401_with_the_shape(client: Client) -> None:
    status, body = Api(client, None).get(REQUESTS)

    assert status == 401
    assert body == {"code": "unauthenticated", "detail": "缺少或无效的接口令牌。", "errors": {}}


def test_unknown_object_and_unknown_path_are_404_with_the_shape(cast: Cast, client: Client) -> None:
    api_client = Api(client, cast.staff)
    status, body = api_client.get(f"{REQUESTS}/999999")
    assert (status, body) == (404, {"code": "not_found", "detail": "找不到该对象。", "errors": {}})

    status, body = api_client.get("/api/v1/no-such-endpoint")
    assert status == 404
    assert body == {"code": "not_found", "detail": "没有这个接口地址。", "errors": {}}


def test_refusal_by_a_service_is_403_with_the_shape(cast: Cast, client: Client) -> None:
    status, body = Api(client, cast.leader).post(REQUESTS, {"text": "灯坏了"})

    assert status == 403
    assert_shape(body)
    assert body["code"] == "not_permitted"


def test_throttling_is_429_with_the_shape_and_retry_after() -> None:
    request = RequestFactory().get(REQUESTS)
    response = api.on_exception(request, Throttled(wait=30))

    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert json.loads(response.content) == {
        "code": "throttled",
        "detail": "请求过于频繁,请 30 秒后再试。",
        "errors": {},
    }


@override_settings(ROOT_URLCONF="tests.core.error_urls")
def test_a_crash_under_the_api_is_json(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/api/v1/boom")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "detail": "系统出错了,已记录下来,请稍后再试。",
        "errors": {},
    }


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("put", "/api/v1/me", "GET"), ("delete", REQUESTS, "GET, POST")],
)
def test_a_wrong_method_is_405_with_the_shape(
    cast: Cast, client: Client, method: str, path: str, allowed: str
) -> None:
    """ninja answers a method a path does not serve with the English text/html "Method
    not allowed"; a client of the API reads the documented JSON shape instead."""
    _token, secret = api_token_create(user=cast.staff, name="405")
    response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == allowed
    body = response.json()
    assert_shape(body)
    assert body["code"] == "method_not_allowed"
    assert method.upper() in body["detail"]
    assert allowed in body["detail"]


def test_a_405_replacing_a_refusal_keeps_its_cookies_and_needs_no_allow() -> None:
    """The answer that replaces a bare 405 keeps what the inner layers set on it (a
    cookie, Vary), and a refusal that named no allowed method does not say 「请用 。」."""
    refused = HttpResponse(status=405)
    refused.set_cookie("linli_pin", "1")
    refused["Vary"] = "Cookie"
    request = RequestFactory().put("/api/v1/requests")
    answer = method_not_allowed(request, refused)
    assert answer.status_code == 405
    assert answer.cookies["linli_pin"].value == "1"
    assert answer["Vary"] == "Cookie"
    assert json.loads(answer.content)["detail"] == "此接口不接受 PUT 请求。"
