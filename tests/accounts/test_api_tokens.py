"""Bearer tokens for /api/v1: created by the command, shown once, stored as a digest."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from linli.accounts.models import ApiToken
from linli.accounts.services import api_token_create
from linli.core.models import AuditEvent
from tests.cast import Cast


def _create(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def _me(client: Client, secret: str) -> tuple[int, dict[str, object]]:
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    data: dict[str, object] = response.json()
    return response.status_code, data


def test_token_create_prints_the_token_as_its_last_line(cast: Cast) -> None:
    secret = _create("worker1")
    token = ApiToken.objects.get(user=cast.worker1)
    assert secret.startswith(f"linli_{token.prefix}_")
    assert len(secret) > 40


def test_token_authenticates_me_with_username_and_roles(cast: Cast, client: Client) -> None:
    status, data = _me(client, _create("worker1"))
    assert status == 200
    assert data["username"] == "worker1"
    assert data["name"] == "陈网格"
    assert data["roles"] == [
        {
            "role": "grid_worker",
            "role_label": "网格员",
            "area": None,
            "grid": "141181200001001",
            "title": "",
        }
    ]


def test_only_a_digest_of_the_token_is_stored(cast: Cast) -> None:
    secret = _create("worker1")
    token = ApiToken.objects.get(user=cast.worker1)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    table = ApiToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        rows = cursor.fetchall()
    assert rows
    for row in rows:
        for column in row:
            assert secret not in str(column)
            assert secret.split("_")[-1] not in str(column)


def test_revoked_token_gets_401_in_the_error_shape(cast: Cast, client: Client) -> None:
    secret = _create("worker1")
    token = ApiToken.objects.get(user=cast.worker1)
    out = StringIO()
    call_command("token", "revoke", token.prefix, stdout=out)
    assert f"已吊销令牌 {token.prefix}" in out.getvalue()
    status, data = _me(client, secret)
    assert status == 401
    assert data["code"] == "unauthenticated"
    assert data["detail"] == "缺少或无效的接口令牌。"


def test_missing_or_made_up_token_gets_401(cast: Cast, client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    status, data = _me(client, "linli_deadbeef_not-a-real-token")
    assert status == 401
    assert data["code"] == "unauthenticated"


def test_token_of_a_deactivated_user_stops_working(cast: Cast, client: Client) -> None:
    secret = _create("worker1")
    cast.worker1.is_active = False
    cast.worker1.save(update_fields=["is_active"])
    assert _me(client, secret)[0] == 401


def test_a_session_login_does_not_open_the_api(
    cast: Cast, client_for: Callable[[str], Client]
) -> None:
    client = client_for("worker1")
    assert client.get("/api/v1/me").status_code == 401


def test_token_use_is_remembered(cast: Cast, client: Client) -> None:
    secret = _create("worker1")
    _me(client, secret)
    assert ApiToken.objects.get(user=cast.worker1).last_used_at is not None


def test_token_list_shows_prefix_and_state(cast: Cast) -> None:
    _create("worker1")
    token = ApiToken.objects.get(user=cast.worker1)
    call_command("token", "revoke", token.prefix, stdout=StringIO())
    out = StringIO()
    call_command("token", "list", "worker1", stdout=out)
    assert out.getvalue().startswith(f"{token.prefix}\t-\t已吊销")


def test_creating_and_revoking_tokens_is_audited(cast: Cast) -> None:
    _create("worker1")
    token = ApiToken.objects.get(user=cast.worker1)
    call_command("token", "revoke", token.prefix, stdout=StringIO())
    notes = sorted(
        AuditEvent.objects.filter(action="token", object_id=str(token.pk)).values_list(
            "note", flat=True
        )
    )
    assert notes == ["created", "revoked"]


def test_unknown_user_or_prefix_is_a_command_error(cast: Cast) -> None:
    with pytest.raises(CommandError, match="没有用户名为 nobody 的用户"):
        call_command("token", "create", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="没有前缀为 ffffffff 的令牌"):
        call_command("token", "revoke", "ffffffff", stdout=StringIO())


def test_no_token_for_an_inactive_user(cast: Cast) -> None:
    cast.worker2.is_active = False
    cast.worker2.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="账号已停用"):
        api_token_create(user=cast.worker2)


def test_openapi_document_is_served(db: None, client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "邻里 Linli API"
    assert "/api/v1/me" in document["paths"]
