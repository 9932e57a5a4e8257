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


def test_records_hashed_before_the_actor_was_covered_still_verify() -> None:
    from linli.core.audit import GENESIS_HASH, event_hash

    executor = _migrate([("core", "0002_audit_chain")])
    state_apps = executor.loader.project_state([("core", "0002_audit_chain")]).apps
    old_event = state_apps.get_model("core", "AuditEvent")
    old_head = state_apps.get_model("core", "AuditChainHead")
    prev, sequence = GENESIS_HASH, 0
    for note in ("first", "second"):
        sequence += 1
        event = old_event(
            action="update", note=note, created_at=timezone.now(), sequence=sequence, prev_hash=prev
        )
        event.hash = event_hash(event)
        event.save()
        prev = event.hash
    old_head.objects.update_or_create(pk=1, defaults={"last_sequence": sequence, "last_hash": prev})
    _migrate(executor.loader.graph.leaf_nodes("core"))

    assert list(AuditEvent.objects.order_by("sequence").values_list("hash_version", flat=True)) == [
        1,
        1,
    ]
    assert audit_verify().ok
    newer = audit_record(actor=None, action="update")
    assert (newer.sequence, newer.hash_version) == (3, 2)
    assert audit_verify().ok
