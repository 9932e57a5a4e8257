"""Rotating the field-encryption key (``linli keys …``).

The key ring is ordered: the first key encrypts, every key decrypts (``MultiFernet``).
Rotation is three steps, so that no value is ever unreadable:

1. ``rotate`` puts a new key first; old keys stay for decryption.
2. ``reencrypt`` rewrites every encrypted column under the new primary key, in
   batches, each row only if it still holds the value that was read (a concurrent
   edit is not overwritten; it is already under the primary key anyway).
3. ``retire`` drops the old keys, and refuses while any value still needs one.

In development the keys live in ``LINLI_DATA_DIR/keys.json`` and the commands edit
that file. In production they come from ``LINLI_FIELD_KEYS``, which a program cannot
change: ``rotate`` prints the new ring and ``retire`` the shortened one for the
operator to put into the environment (then restart the app servers).

The hash key (``LINLI_HASH_KEY``) for blind indexes is not rotated here: its digests
would have to be recomputed from every plaintext, which is a separate migration.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from linli.core import crypto
from linli.core.audit import audit_record
from linli.core.fields import EncryptedTextField
from linli.core.models import AuditEvent


class KeyRotationError(Exception):
    pass


def fingerprint(key: str) -> str:
    """A short, safe name for a key (never print the key itself in status output)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def keys_from_environment() -> bool:
    return bool(settings.LINLI_FIELD_KEYS)


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "keys.json"


def _read_key_file() -> dict[str, Any]:
    crypto.key_ring()  # creates the development file if it is missing
    loaded: dict[str, Any] = json.loads(key_file().read_text())
    return loaded


def _write_key_file(data: dict[str, Any]) -> None:
    path = key_file()
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(json.dumps(data, indent=2))
    tmp.replace(path)
    crypto.key_ring.cache_clear()


def encrypted_columns() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                yield model, model_field


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    if pk is None or pk.column is None:
        raise KeyRotationError(f"{model._meta.label} has no primary key column")
    return pk.column


def _batches(
    model: type[models.Model], column: EncryptedTextField, batch_size: int
) -> Iterator[list[tuple[Any, str]]]:
    qn = connection.ops.quote_name
    table, pk, col = qn(model._meta.db_table), qn(_pk_column(model)), qn(str(column.column))
    last: Any = None
    while True:
        where = f"WHERE {col} IS NOT NULL AND {col} <> ''"
        params: list[Any] = []
        if last is not None:
            where += f" AND {pk} > %s"
            params.append(last)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {col} FROM {table} {where} ORDER BY {pk} LIMIT %s",
                [*params, batch_size],
            )
            rows = [(row[0], str(row[1])) for row in cursor.fetchall()]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass
class ColumnStatus:
    label: str
    total: int = 0
    by_key: dict[str, int] = field(default_factory=dict)
    unreadable: int = 0


@dataclass
class KeyStatus:
    source: str
    fingerprints: list[str]
    columns: list[ColumnStatus]

    @property
    def outside_primary(self) -> int:
        primary = self.fingerprints[0]
        return sum(
            count for column in self.columns for fp, count in column.by_key.items() if fp != primary
        ) + sum(column.unreadable for column in self.columns)


def _which_key(token: str, fernets: list[tuple[str, Fernet]]) -> str | None:
    for fp, fernet in fernets:
        try:
            fernet.decrypt(token.encode())
        except InvalidToken:
            continue
        return fp
    return None


def keys_status(*, batch_size: int = 500) -> KeyStatus:
    ring = crypto.key_ring().field_keys
    fernets = [(fingerprint(k), Fernet(k.encode())) for k in ring]
    columns = []
    for model, column in encrypted_columns():
        status = ColumnStatus(label=f"{model._meta.label_lower}.{column.name}")
        for batch in _batches(model, column, batch_size):
            for _pk, token in batch:
                status.total += 1
                fp = _which_key(token, fernets)
                if fp is None:
                    status.unreadable += 1
                else:
                    status.by_key[fp] = status.by_key.get(fp, 0) + 1
        columns.append(status)
    source = "LINLI_FIELD_KEYS" if keys_from_environment() else str(key_file())
    return KeyStatus(source=source, fingerprints=[fingerprint(k) for k in ring], columns=columns)


@dataclass(frozen=True)
class RotateResult:
    new_fingerprint: str
    written: bool
    ring_for_environment: str = ""


@transaction.atomic
def keys_rotate() -> RotateResult:
    new_key = Fernet.generate_key().decode()
    ring = [new_key, *crypto.key_ring().field_keys]
    written = not keys_from_environment()
    if written:
        data = _read_key_file()
        data["field_keys"] = ring
        _write_key_file(data)
    audit_record(
        actor=None,
        action=AuditEvent.Action.KEYS,
        object_type="keys",
        object_id=fingerprint(new_key),
        object_repr="字段加密密钥轮换",
        note=f"new primary {fingerprint(new_key)}; ring {len(ring)} keys",
    )
    return RotateResult(fingerprint(new_key), written, "" if written else ",".join(ring))


def keys_reencrypt(*, batch_size: int = 500) -> int:
    """Rewrite every value that is not under the primary key; returns how many changed."""
    primary = Fernet(crypto.key_ring().field_keys[0].encode())
    qn = connection.ops.quote_name
    changed = 0
    for model, column in encrypted_columns():
        table, pk, col = qn(model._meta.db_table), qn(_pk_column(model)), qn(str(column.column))
        for batch in _batches(model, column, batch_size):
            with transaction.atomic(), connection.cursor() as cursor:
                for row_pk, token in batch:
                    try:
                        primary.decrypt(token.encode())
                        continue
                    except InvalidToken:
                        pass
                    try:
                        rotated = crypto.rotate(token)
                    except InvalidToken as exc:
                        raise KeyRotationError(
                            f"{model._meta.label_lower}.{column.name} #{row_pk} "
                            "无法用现有任何密钥解密"
                        ) from exc
                    cursor.execute(
                        f"UPDATE {table} SET {col} = %s WHERE {pk} = %s AND {col} = %s",
                        [rotated, row_pk, token],
                    )
                    changed += cursor.rowcount
    audit_record(
        actor=None,
        action=AuditEvent.Action.KEYS,
        object_type="keys",
        object_id=fingerprint(crypto.key_ring().field_keys[0]),
        object_repr="用主密钥重新加密",
        note=f"re-encrypted {changed} values",
    )
    return changed


@dataclass(frozen=True)
class RetireResult:
    retired: int
    written: bool
    ring_for_environment: str = ""


@transaction.atomic
def keys_retire() -> RetireResult:
    status = keys_status()
    if status.outside_primary:
        raise KeyRotationError(
            f"还有 {status.outside_primary} 个值不在主密钥下,请先运行 linli keys reencrypt。"
        )
    ring = list(crypto.key_ring().field_keys)
    retired = len(ring) - 1
    written = not keys_from_environment()
    if written and retired:
        data = _read_key_file()
        data["field_keys"] = ring[:1]
        _write_key_file(data)
    audit_record(
        actor=None,
        action=AuditEvent.Action.KEYS,
        object_type="keys",
        object_id=fingerprint(ring[0]),
        object_repr="停用旧密钥",
        note=f"retired {retired} keys: {', '.join(fingerprint(k) for k in ring[1:])}",
    )
    return RetireResult(retired, written, "" if written else ring[0])
