"""``/healthz``: ready when the app answers and its database does (linli/core/health.py)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connections
from django.test import Client


@pytest.mark.django_db
def test_ready_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_not_ready_when_the_database_does_not(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
