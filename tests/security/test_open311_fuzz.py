"""Schemathesis against Open311 GeoReport v2 (``/open311/v2/openapi.json``), in both
formats: generated calls to every endpoint, with a valid key, never answer 5xx, and
every ``.xml`` answer is well-formed XML.

Bounded and derandomised like the API fuzzing, so CI stays fast and repeatable.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from linli.accounts.services import api_token_create
from tests.cast import build_cast
from tests.requests.support import file_request

schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", get_wsgi_application())


@pytest.fixture
def staff_key(db: None) -> Iterator[str]:
    cast = build_cast()
    file_request(cast, text="楼道灯坏了\x0b,晚上看不见 <b>&amp;</b>")
    _token, secret = api_token_create(user=cast.staff, name="open311 fuzz")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield secret
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_document_describes_every_open311_endpoint() -> None:
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), "the document must be valid"
    paths = {result.ok().path for result in results if isinstance(result, Ok)}
    assert {
        "/open311/v2/discovery.{fmt}",
        "/open311/v2/services.{fmt}",
        "/open311/v2/services/{service_code}.{fmt}",
        "/open311/v2/requests.{fmt}",
        "/open311/v2/requests/{service_request_id}.{fmt}",
        "/open311/v2/tokens/{token_id}.{fmt}",
    } <= paths


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_open311_call_answers_5xx_or_malformed_xml(case: Any, staff_key: str) -> None:
    if case.method == "POST" and isinstance(case.body, dict):
        case.body["api_key"] = staff_key
    else:
        case.query = {**(case.query or {}), "api_key": staff_key}
    response = case.call_and_validate(checks=[not_a_server_error])
    # A route that does not resolve (a service code that is no slug) is Django's 404 page,
    # not Open311's; every answer Open311 gives in .xml must parse.
    if case.path_parameters.get("fmt") == "xml" and response.status_code != 404:
        ET.fromstring(response.content)
