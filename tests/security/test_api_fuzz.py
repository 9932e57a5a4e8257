"""Schemathesis against ``/api/v1/openapi.json``: generated calls to every operation, with a
valid token, never make the API answer 5xx.

Bounded (a few examples per operation, derandomised) so CI stays fast and repeatable.
"""

from __future__ import annotations

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

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def staff_token(db: None) -> Iterator[str]:
    """The community's staff member, whose scope holds a request of grid 1.

    Calls go straight into the WSGI app, in the test's transaction; like Django's test
    client, the request signals must then leave the test's database connection open.
    """
    cast = build_cast()
    file_request(cast)
    _token, secret = api_token_create(user=cast.staff, name="schemathesis")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield secret
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_schema_lists_the_api() -> None:
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), "the schema must be valid"
    paths = {result.ok().path for result in results if isinstance(result, Ok)}
    assert {"/api/v1/me", "/api/v1/requests", "/api/v1/requests/{request_id}"} <= paths


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx(case: Any, staff_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {staff_token}"}, checks=[not_a_server_error]
    )


def test_the_token_opens_the_api(staff_token: str) -> None:
    """The fuzzing above runs authenticated, past the 401, into the operations."""
    case = schema["/api/v1/me"]["GET"].Case()
    response = case.call(headers={"Authorization": f"Bearer {staff_token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "staff"
