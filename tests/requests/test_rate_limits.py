"""Over a rate limit the API, Open311 filing and the resident's filing page answer 429 with
``Retry-After`` and a Chinese message; the limits come from settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from linli.accounts.models import User
from linli.accounts.services import api_token_create
from linli.requests.models import Request
from tests.cast import Cast

# Limits count in fixed windows of the clock: a test whose calls straddle the end of a
# minute would see its count start again. The clock stands still, 10 s into a minute.
START = dt.datetime(2030, 1, 1, 8, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def limits(settings: Any) -> Iterator[Any]:
    def _set(**rates: str) -> None:
        settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, **rates}

    with time_machine.travel(START, tick=False):
        yield _set


def _token(user: User) -> str:
    return api_token_create(user=user, name="rate")[1]


def _assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    json_answer = response["Content-Type"].startswith("application/json")
    text = response.json()["detail"] if json_answer else response.content.decode()
    assert "请求过于频繁" in text


# --- /api/v1 -----------------------------------------------------------------------------------


def test_the_api_limits_each_token(cast: Cast, client: Client, limits: Any) -> None:
    limits(api_token="3/m")
    first, second = _token(cast.staff), _token(cast.staff)

    def call(token: str) -> Any:
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert [call(first).status_code for _ in range(3)] == [200, 200, 200]
    refused = call(first)
    _assert_throttled(refused)
    assert refused.json()["code"] == "throttled"
    assert call(second).status_code == 200  # another token has its own count


def test_the_api_limits_each_address(cast: Cast, client: Client, limits: Any) -> None:
    limits(api_address="2/m")
    tokens = [_token(cast.staff) for _ in range(3)]

    def call(token: str, address: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return client.get("/api/v1/me", headers=headers, REMOTE_ADDR=address).status_code

    assert [call(t, "10.0.0.1") for t in tokens] == [200, 200, 429]
    assert call(tokens[2], "10.0.0.2") == 200


# --- Open311 -----------------------------------------------------------------------------------


def _open311_post(client: Client, cast: Cast, key: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/open311/v2/requests.xml",
        {"service_code": "repair", "address_id": cast.unit1.code, "description": "楼道灯不亮"},
        headers={"X-Api-Key": key},
        REMOTE_ADDR=address,
    )


def test_open311_filing_is_limited_per_key_in_its_own_error_shape(
    cast: Cast, client: Client, limits: Any
) -> None:
    limits(open311_post_token="2/m")
    key, other = _token(cast.staff), _token(cast.staff)

    statuses = [_open311_post(client, cast, key).status_code for _ in range(2)]
    refused = _open311_post(client, cast, key)

    assert statuses == [201, 201]
    _assert_throttled(refused)
    assert b"<code>too_many_requests</code>" in refused.content
    assert Request.objects.count() == 2
    assert _open311_post(client, cast, other).status_code == 201
    # Reading is not filing: it is not counted against the filing limit.
    listed = client.get("/open311/v2/requests.json", headers={"X-Api-Key": key})
    assert listed.status_code == 200


def test_open311_filing_is_limited_per_address_before_the_key_is_checked(
    cast: Cast, client: Client, limits: Any
) -> None:
    limits(open311_post_address="2/m")
    assert _open311_post(client, cast, "wrong").status_code == 403
    assert _open311_post(client, cast, "wrong").status_code == 403
    _assert_throttled(_open311_post(client, cast, _token(cast.staff)))
    assert _open311_post(client, cast, _token(cast.staff), "10.0.0.2").status_code == 201


# --- the resident's filing page ----------------------------------------------------------------


def _report(client: Client, text: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        reverse("requests:report"),
        {"text": text, "place": "home"},
        REMOTE_ADDR=address,
    )


def test_the_filing_page_limits_each_user_and_keeps_the_text(
    cast: Cast, client_for: Any, limits: Any
) -> None:
    limits(filing_user="2/m")
    client = client_for("resident")

    sent = [_report(client, f"第{i}次反映", f"10.0.0.{i}").status_code for i in (1, 2)]
    refused = _report(client, "楼道灯又坏了", "10.0.0.3")

    assert sent == [302, 302]
    _assert_throttled(refused)
    html = refused.content.decode()
    assert "楼道灯又坏了" in html  # the input is kept, nothing is lost
    assert Request.objects.count() == 2
    assert client.get(reverse("requests:report")).status_code == 200  # only posts count


def test_the_filing_page_limits_each_address(cast: Cast, client_for: Any, limits: Any) -> None:
    limits(filing_address="2/m")
    client = client_for("resident")

    assert [_report(client, f"第{i}次反映").status_code for i in (1, 2)] == [302, 302]
    _assert_throttled(_report(client, "第三次"))
    assert _report(client, "换了一个地址", "10.0.0.2").status_code == 302
