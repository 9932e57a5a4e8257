"""linli backup / linli restore: a round trip gives back the same content, keys included.

These tests are transactional: the backup is taken by another connection (SQLite's
backup API) or another process (pg_dump), which only sees committed data.
"""

from __future__ import annotations

import json
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from linli.core import backup, crypto
from linli.core.audit import audit_record, audit_verify
from linli.core.models import AuditEvent
from linli.people.models import Resident
from tests.cast import build_cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

_CHAIN_TABLES = {"core.auditevent", "core.auditchainhead"}


def _content() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, encrypted columns decrypted by the ORM."""
    existing = set(connection.introspection.table_names())
    content = {}
    for model in apps.get_models():
        if model._meta.db_table not in existing or model._meta.proxy:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*names)
        content[model._meta.label_lower] = [tuple(str(v) for v in row) for row in rows]
    return content


def _round_trip(tmp_path: Path, capsys: Any) -> None:
    build_cast()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive))
    assert "含密钥" in capsys.readouterr().out
    before = _content()
    phones = dict(Resident.objects.values_list("pk", "phone"))
    assert any(phones.values())

    call_command("flush", "--no-input")
    assert _content()["accounts.user"] == []
    key_path = tmp_path / "data" / "keys.json"
    key_path.unlink()  # a new machine: the keys come back from the backup
    crypto.key_ring.cache_clear()

    call_command("restore", str(archive))
    assert "各表行数与备份一致" in capsys.readouterr().out
    after = _content()
    for label in before.keys() - _CHAIN_TABLES:
        assert after[label] == before[label], label
    # The trail is the same, plus the record of the restore itself, and still verifies.
    assert after["core.auditevent"][:-1] == before["core.auditevent"]
    assert AuditEvent.objects.order_by("-sequence").first().action == "restore"  # type: ignore[union-attr]
    assert audit_verify().ok
    assert dict(Resident.objects.values_list("pk", "phone")) == phones
    assert key_path.exists()


def test_backup_and_restore_round_trip_gives_back_the_same_content(
    isolated_keys: Path, tmp_path: Path, capsys: Any
) -> None:
    _round_trip(tmp_path, capsys)


def test_restore_refuses_to_overwrite_a_database_in_use_without_force(
    isolated_keys: Path, tmp_path: Path, capsys: Any
) -> None:
    cast = build_cast()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive))
    Resident.objects.filter(pk=cast.elder.pk).update(name="改过的名字")
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    assert Resident.objects.get(pk=cast.elder.pk).name == "改过的名字"
    call_command("restore", str(archive), "--force")
    assert Resident.objects.get(pk=cast.elder.pk).name == cast.elder.name


def test_archive_holds_manifest_database_and_keys_readable_only_by_owner(
    isolated_keys: Path, tmp_path: Path
) -> None:
    build_cast()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive))
    assert archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names == {"manifest.json", manifest["database"], "keys.json"}
    assert manifest["engine"] == connection.vendor
    assert manifest["counts"]["people.resident"] == Resident.objects.count()


def test_backup_without_keys_warns_that_it_cannot_be_read_alone(
    isolated_keys: Path, tmp_path: Path, capsys: Any
) -> None:
    build_cast()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive), "--without-keys")
    assert "无法读取" in capsys.readouterr().err
    with tarfile.open(archive) as tar:
        assert "keys.json" not in tar.getnames()


def test_restoring_without_the_keys_reports_unreadable_values(
    isolated_keys: Path, tmp_path: Path, capsys: Any
) -> None:
    build_cast()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive), "--without-keys")
    call_command("flush", "--no-input")
    (isolated_keys / "keys.json").unlink()  # keys lost: new ones get generated
    crypto.key_ring.cache_clear()
    with pytest.raises(CommandError, match="无法解密"):
        call_command("restore", str(archive))


def test_a_file_that_is_not_a_backup_is_refused(isolated_keys: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "x.tar.gz"
    bogus.write_text("not an archive")
    with pytest.raises(CommandError, match="不是 linli backup"):
        call_command("restore", str(bogus))


def _write_from_another_connection(count: int) -> None:
    """A real write, committed by another connection, as the running app would make."""

    def writer() -> None:
        try:
            for _ in range(count):
                audit_record(actor=None, action="update", note="written during the backup")
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join()


def test_rows_written_while_the_backup_runs_do_not_make_the_manifest_disagree(
    isolated_keys: Path, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_cast()
    # Between taking the copy and counting: the SQLite copy, or pg_dump of the snapshot.
    for name in ("_copy_sqlite", "_pg_dump"):
        original = getattr(backup, name)

        def copy_then_write(*args: Any, _original: Any = original) -> None:
            _original(*args)
            _write_from_another_connection(2)

        monkeypatch.setattr(backup, name, copy_then_write)
    archive = tmp_path / "b.tar.gz"

    call_command("backup", "--output", str(archive))

    assert AuditEvent.objects.filter(note="written during the backup").count() == 2
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["counts"]["core.auditevent"] == AuditEvent.objects.count() - 2
    call_command("restore", str(archive), "--force")
    assert "各表行数与备份一致" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(note="written during the backup").exists()
    assert audit_verify().ok
