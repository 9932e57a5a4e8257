"""``linli backup`` and ``linli restore``: one archive holding the database and its keys.

The archive is a ``.tar.gz`` with

- ``manifest.json``: format version, time, database engine, row counts per table (of
  the copy itself, not of the live database, which may have moved on) and whether the
  keys are included;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app
  keeps running, WAL included) or ``database.pgdump`` (``pg_dump`` custom format);
- ``keys.json`` from ``LINLI_DATA_DIR`` when the keys live there (development, or a
  deployment that keeps them in the data directory).

Encrypted columns cannot be read without the field keys. When the keys come from the
environment (``LINLI_FIELD_KEYS``/``LINLI_HASH_KEY``) they are not in the archive, and
the backup says so: they must be kept, separately, with the backups.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from linli.core import crypto
from linli.core.audit import audit_record
from linli.core.keys import key_file, keys_from_environment, keys_status
from linli.core.models import AuditEvent

FORMAT_VERSION = 1
# Tables whose rows mean "this database is in use": restoring over them needs --force.
_IN_USE_MODELS = ("accounts.User", "areas.Area", "people.Resident", "core.AuditEvent")


class BackupError(Exception):
    pass


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"不支持的数据库:{vendor}")
    return vendor


def _counted_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if not model._meta.proxy]


def row_counts() -> dict[str, int]:
    existing = set(connection.introspection.table_names())
    counts = {}
    for model in _counted_models():
        if model._meta.db_table in existing:
            counts[model._meta.label_lower] = model._base_manager.count()
    return counts


def database_in_use() -> bool:
    existing = set(connection.introspection.table_names())
    for label in _IN_USE_MODELS:
        model = apps.get_model(label)
        if model._meta.db_table in existing and model._base_manager.exists():
            return True
    return False


def _pg_env() -> dict[str, str]:
    params = connection.settings_dict
    env = dict(os.environ)
    for key, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if params.get(name):
            env[key] = str(params[name])
    env["PGDATABASE"] = str(params["NAME"])
    return env


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, env=_pg_env(), check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {command[0]}:请安装 postgresql-client") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} 失败:{exc.stderr.strip()}") from exc


def _copy_sqlite(destination_path: Path) -> None:
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    destination = sqlite3.connect(str(destination_path))
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


def _sqlite_row_counts(path: Path) -> dict[str, int]:
    """Row counts read from the copy itself, not from the live database, which may
    have been written to since the copy was taken."""
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        existing = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        counts = {}
        for model in _counted_models():
            table = model._meta.db_table
            if table in existing:
                quoted = table.replace('"', '""')
                (count,) = copy.execute(f'SELECT COUNT(*) FROM "{quoted}"').fetchone()
                counts[model._meta.label_lower] = int(count)
        return counts
    finally:
        copy.close()


def _pg_dump(destination_path: Path, snapshot: str) -> None:
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            "--file",
            str(destination_path),
        ]
    )


def _dump_database(target_dir: Path) -> tuple[str, dict[str, int]]:
    """Copy the database into ``target_dir`` and count the rows *of that copy*.

    The app keeps writing while a backup runs, so counting the live tables after the
    copy could name rows the copy does not hold, and ``linli restore`` would then
    report a mismatch. SQLite: the copy is a file, count it. PostgreSQL: pg_dump reads
    a snapshot exported by a REPEATABLE READ transaction that stays open while the
    dump runs, and the counts are taken inside that same transaction.
    """
    if engine() == "sqlite":
        path = target_dir / "database.sqlite3"
        _copy_sqlite(path)
        return path.name, _sqlite_row_counts(path)
    path = target_dir / "database.pgdump"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _pg_dump(path, str(snapshot))
        return path.name, row_counts()


@dataclass
class BackupResult:
    path: Path
    engine: str
    includes_keys: bool
    warnings: list[str] = field(default_factory=list)


def default_backup_path() -> Path:
    return (
        Path(settings.DATA_DIR) / "backups" / f"linli-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
    )


def backup_create(*, output: Path | None = None, include_keys: bool = True) -> BackupResult:
    path = (output or default_backup_path()).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = engine()
    warnings: list[str] = []
    from_environment = keys_from_environment() or bool(settings.LINLI_HASH_KEY)
    keys_in_file = not (keys_from_environment() and settings.LINLI_HASH_KEY)
    includes_keys = include_keys and keys_in_file
    if keys_in_file:
        crypto.key_ring()  # make sure the development key file exists
    if not includes_keys or from_environment:
        warnings.append(
            "备份中不含加密密钥:加密的身份证号、手机号等没有密钥就无法读取。"
            "请把密钥(LINLI_FIELD_KEYS、LINLI_HASH_KEY 或 keys.json)另行妥善保存。"
        )
    # Recorded first, so that the backup itself holds the record of its making.
    audit_record(
        actor=None,
        action=AuditEvent.Action.BACKUP,
        object_type="database",
        object_id=vendor,
        object_repr=path.name,
        note=f"keys {'included' if includes_keys else 'not included'}",
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        database_name, counts = _dump_database(work)
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": vendor,
            "database": database_name,
            "keys": includes_keys,
            "counts": counts,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        if includes_keys:
            shutil.copy(key_file(), work / "keys.json")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            for name in ("manifest.json", database_name, "keys.json"):
                if (work / name).exists():
                    archive.add(work / name, arcname=name)
    return BackupResult(path, vendor, includes_keys, warnings)


# --- restore ------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    engine: str
    counts_match: bool
    mismatched: dict[str, tuple[int, int]]
    unreadable_values: int
    keys_restored: bool
    warnings: list[str] = field(default_factory=list)


def _member(archive: tarfile.TarFile, name: str) -> bytes | None:
    try:
        member = archive.getmember(name)
    except KeyError:
        return None
    if not member.isfile():
        raise BackupError(f"备份文件中的 {name} 不是普通文件")
    extracted = archive.extractfile(member)
    return extracted.read() if extracted else None


def _restore_keys(data: bytes, warnings: list[str]) -> bool:
    if keys_from_environment():
        warnings.append("密钥来自环境变量,未使用备份中的 keys.json;请确认环境中的密钥与备份一致。")
        return False
    target = key_file()
    if target.exists() and target.read_bytes() != data:
        keep = target.with_name(f"keys.json.before-restore-{timezone.localtime():%Y%m%d-%H%M%S}")
        target.replace(keep)
        warnings.append(f"原有的 keys.json 已另存为 {keep.name}")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    crypto.key_ring.cache_clear()
    return True


def _load_database(name: str, data: bytes) -> None:
    connection.close()
    with tempfile.TemporaryDirectory() as tmp:
        source_path = Path(tmp) / name
        source_path.write_bytes(data)
        if name == "database.sqlite3":
            source = sqlite3.connect(str(source_path))
            destination = sqlite3.connect(str(connection.settings_dict["NAME"]))
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        else:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--dbname",
                    str(connection.settings_dict["NAME"]),
                    str(source_path),
                ]
            )
    connection.close()


def backup_restore(*, path: Path, force: bool = False) -> RestoreResult:
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    if not tarfile.is_tarfile(path):
        raise BackupError(f"{path} 不是 linli backup 生成的备份文件")
    with tarfile.open(path, mode="r:gz") as archive:
        manifest_bytes = _member(archive, "manifest.json")
        if manifest_bytes is None:
            raise BackupError(f"{path} 中没有 manifest.json,不是 linli backup 生成的备份文件")
        manifest = json.loads(manifest_bytes)
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"不认识的备份格式 {manifest.get('format')}")
        vendor = engine()
        if manifest["engine"] != vendor:
            raise BackupError(f"备份来自 {manifest['engine']},当前数据库是 {vendor}")
        if database_in_use() and not force:
            raise BackupError("当前数据库已有数据,恢复会覆盖全部内容。确认要覆盖请加 --force。")
        database = _member(archive, str(manifest["database"]))
        if database is None:
            raise BackupError(f"备份文件缺少 {manifest['database']}")
        keys = _member(archive, "keys.json")
    warnings: list[str] = []
    keys_restored = _restore_keys(keys, warnings) if keys is not None else False
    if keys is None:
        warnings.append("备份中不含密钥:将用当前配置的密钥解密。")
    _load_database(str(manifest["database"]), database)
    counts = row_counts()
    expected: dict[str, int] = manifest["counts"]
    mismatched = {
        label: (count, counts.get(label, 0))
        for label, count in expected.items()
        if counts.get(label, 0) != count
    }
    unreadable = sum(column.unreadable for column in keys_status().columns)
    if unreadable:
        warnings.append(f"有 {unreadable} 个加密值无法用当前密钥解密:请提供备份时的密钥。")
    audit_record(
        actor=None,
        action=AuditEvent.Action.RESTORE,
        object_type="database",
        object_id=vendor,
        object_repr=path.name,
        note=f"from backup of {manifest['created_at']}; unreadable {unreadable}",
    )
    return RestoreResult(vendor, not mismatched, mismatched, unreadable, keys_restored, warnings)
