"""A sweep commits item by item: the audit chain is free between items.

Appending to the audit trail locks the chain's head until the transaction commits. A
sweep that audited thousands of items inside one transaction made every login, filing
and transition wait behind it (docs/scaling.md, the load test at 3 M residents).
"""

from __future__ import annotations

import pytest
from django.db import connection

from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.sweeps import sweep
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _record(note: str) -> None:
    audit_record(actor=None, action=AuditEvent.Action.UPDATE, note=note)


def test_a_failing_item_neither_stops_nor_undoes_the_others() -> None:
    def handle(item: str) -> str:
        _record(item)
        if item == "b":
            raise ValueError("b is broken")
        return item.upper()

    with pytest.raises(ValueError, match="b is broken"):
        sweep(["a", "b", "c"], handle, name="test")

    notes = list(AuditEvent.objects.order_by("sequence").values_list("note", flat=True))
    assert notes[-2:] == ["a", "c"]
    assert "b" not in notes


def test_the_results_are_those_of_the_items_in_order() -> None:
    assert sweep([3, 1, 2], lambda n: n * 10, name="test") == [30, 10, 20]
    assert sweep([], lambda n: n, name="test") == []


@pytest.mark.postgres
def test_someone_else_can_append_to_the_audit_trail_while_a_sweep_goes_on() -> None:
    """On PostgreSQL the head's row lock is what would make others wait: between one
    item's commit and the next item's first record, a login elsewhere gets through."""
    outside: list[object] = []

    def login_elsewhere() -> None:
        with connection.cursor() as cursor:  # fail fast instead of hanging the test
            cursor.execute("SET lock_timeout = '3s'")
        _record("login")
        outside.append("done")

    def handle(item: str) -> None:
        if item == "second":
            outside.extend(run_in_threads(login_elsewhere, timeout=10))
        _record(item)

    sweep(["first", "second"], handle, name="test")

    assert outside == ["done"]
    notes = list(AuditEvent.objects.order_by("sequence").values_list("note", flat=True))
    assert notes[-3:] == ["first", "login", "second"]
