"""Rotating the field-encryption key: rotate, re-encrypt, retire, with nothing unreadable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from linli.core import crypto
from linli.core.keys import fingerprint, keys_reencrypt, keys_status
from linli.core.models import AuditEvent
from linli.people.models import Resident
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _raw_phone(resident: Resident) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_resident WHERE id = %s", [resident.pk])
        return str(cursor.fetchone()[0])


def _field_keys(data_dir: Path) -> list[str]:
    keys: list[str] = json.loads((data_dir / "keys.json").read_text())["field_keys"]
    return keys


def test_full_rotation_keeps_every_value_readable(
    cast: Cast, isolated_keys: Path, capsys: Any
) -> None:
    old_key = _field_keys(isolated_keys)[0]
    phone_before = Resident.objects.get(pk=cast.elder.pk).phone
    token_before = _raw_phone(cast.elder)

    call_command("keys", "rotate")
    ring = _field_keys(isolated_keys)
    assert len(ring) == 2
    assert ring[1] == old_key
    # Old values still decrypt (old key kept); the new key encrypts new values.
    assert Resident.objects.get(pk=cast.elder.pk).phone == phone_before
    assert keys_status().outside_primary > 0

    with pytest.raises(CommandError, match="reencrypt"):
        call_command("keys", "retire")

    call_command("keys", "reencrypt", "--batch-size", "1")
    assert _raw_phone(cast.elder) != token_before
    status = keys_status()
    assert status.outside_primary == 0
    assert all(set(c.by_key) <= {fingerprint(ring[0])} for c in status.columns)

    call_command("keys", "retire")
    assert _field_keys(isolated_keys) == [ring[0]]
    crypto.key_ring.cache_clear()
    assert Resident.objects.get(pk=cast.elder.pk).phone == phone_before
    assert Resident.objects.get(pk=cast.neighbour.pk).phone == cast.neighbour.phone
    # The old key can no longer read what is stored now.
    from cryptography.fernet import Fernet, InvalidToken

    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(_raw_phone(cast.elder).encode())
    notes = list(AuditEvent.objects.filter(action="keys").values_list("object_repr", flat=True))
    assert notes == ["停用旧密钥", "用主密钥重新加密", "字段加密密钥轮换"]


def test_reencrypt_twice_changes_nothing_the_second_time(cast: Cast, isolated_keys: Path) -> None:
    call_command("keys", "rotate")
    assert keys_reencrypt() > 0
    assert keys_reencrypt() == 0


def test_status_reports_counts_per_key(cast: Cast, isolated_keys: Path, capsys: Any) -> None:
    call_command("keys", "status")
    out = capsys.readouterr().out
    assert "people.resident.phone" in out
    assert "所有值都在主密钥下" in out
    primary = _field_keys(isolated_keys)[0]
    assert primary not in out  # fingerprints only, never the key


def test_keys_from_the_environment_are_printed_for_the_operator_not_written(
    cast: Cast, isolated_keys: Path, settings: Any, capsys: Any
) -> None:
    current = _field_keys(isolated_keys)
    settings.LINLI_FIELD_KEYS = current
    crypto.key_ring.cache_clear()
    call_command("keys", "rotate")
    out = capsys.readouterr().out.strip().splitlines()
    new_ring = out[-1].split(",")
    assert len(new_ring) == 2
    assert new_ring[1] == current[0]
    assert _field_keys(isolated_keys) == current
