"""Records written before the hash chain existed are chained by the migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from linli.core.audit import audit_record, audit_verify
from linli.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor


def test_existing_records_are_chained_oldest_first_and_verify() -> None:
    executor = _migrate([("core", "0001_initial")])
    old_event = executor.loader.project_state([("core", "0001_initial")]).apps.get_model(
        "core", "AuditEvent"
    )
    for note in ("first", "second"):
        old_event.objects.create(action="update", note=note, created_at=timezone.now())
    leaf = executor.loader.graph.leaf_nodes("core")
    _migrate(leaf)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [(e.sequence, e.note) for e in events] == [(1, "first"), (2, "second")]
    assert audit_verify().ok
    # New records continue the chain.
    assert audit_record(actor=None, action="update").sequence == 3
    assert audit_verify().ok
