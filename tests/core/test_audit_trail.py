"""The audit trail is append-only and tamper-evident, and pruning respects retention."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.signals import user_login_failed
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.core.audit import (
    GENESIS_HASH,
    audit_batch,
    audit_prune,
    audit_record,
    audit_verify,
)
from linli.core.models import AuditChainHead, AuditEvent, AuditTrailError
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _write(n: int, **kwargs: Any) -> list[AuditEvent]:
    return [audit_record(actor=None, action="update", note=f"n{i}", **kwargs) for i in range(n)]


def _raw(sql: str, params: list[Any]) -> None:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_records_are_chained_by_sha256_from_genesis() -> None:
    first, second, third = _write(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [len(e.hash) for e in (first, second, third)] == [64, 64, 64]
    assert audit_verify().ok
    assert audit_verify().checked == 3


def test_verify_command_passes_on_an_intact_chain(capsys: Any) -> None:
    _write(3)
    call_command("audit", "verify")
    assert "已校验 3 条" in capsys.readouterr().out


def test_editing_a_row_with_raw_sql_breaks_the_chain_at_that_record() -> None:
    events = _write(5)
    _raw("UPDATE {table} SET note = %s WHERE id = %s", ["悄悄改了", events[2].pk])
    result = audit_verify()
    assert not result.ok
    assert result.broken_sequence == events[2].sequence
    assert result.checked == 2
    with pytest.raises(CommandError, match=f"#{events[2].sequence}"):
        call_command("audit", "verify")


def test_deleting_a_row_in_the_middle_is_detected() -> None:
    events = _write(4)
    _raw("DELETE FROM {table} WHERE id = %s", [events[1].pk])
    result = audit_verify()
    assert not result.ok
    assert result.broken_sequence == events[2].sequence


def test_deleting_the_newest_row_is_detected_from_the_chain_head() -> None:
    events = _write(3)
    _raw("DELETE FROM {table} WHERE id = %s", [events[2].pk])
    result = audit_verify()
    assert not result.ok
    assert "链尾" in result.reason


def test_recomputing_one_hash_still_breaks_the_next_link() -> None:
    events = _write(3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.note = "伪造"
    from linli.core.audit import event_hash

    _raw(
        "UPDATE {table} SET note = %s, hash = %s WHERE id = %s",
        ["伪造", event_hash(forged), forged.pk],
    )
    result = audit_verify()
    assert not result.ok
    assert result.broken_sequence == events[2].sequence


def test_model_refuses_updates_and_deletes() -> None:
    (event,) = _write(1)
    event.note = "changed"
    with pytest.raises(AuditTrailError):
        event.save()
    with pytest.raises(AuditTrailError):
        event.delete()
    with pytest.raises(AuditTrailError):
        AuditEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(AuditTrailError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).note == "n0"


def test_failed_login_is_recorded_with_the_name_tried_and_source_address(cast: Cast) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    response = client.post(reverse("accounts:login"), {"username": "worker1", "password": "wrong"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login_failed")
    assert (event.actor_name, event.success, event.source_ip) == ("worker1", False, "10.1.2.3")
    assert audit_verify().ok


def test_login_failed_signal_never_stores_the_password() -> None:
    user_login_failed.send(sender=None, credentials={"username": "x", "password": "secret"})
    event = AuditEvent.objects.get(action="login_failed")
    assert "secret" not in str(event.__dict__)


def test_admin_log_entries_go_into_the_trail(cast: Cast) -> None:
    LogEntry.objects.log_actions(
        user_id=cast.admin.pk,
        queryset=[cast.grid1],
        action_flag=ADDITION,
        change_message="[]",
        single_object=True,
    )
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.object_type, event.object_id) == (
        "create",
        "areas.grid",
        str(cast.grid1.pk),
    )
    assert event.actor_name == cast.admin.username
    assert event.note.startswith("admin:")


def test_bulk_deletion_through_the_admin_site_is_audited(cast: Cast) -> None:
    from linli.organisations.models import Organisation

    cast.admin.is_superuser = True
    cast.admin.is_staff = True
    cast.admin.save()
    client = Client()
    client.force_login(cast.admin)
    orgs = [
        Organisation.objects.create(name=name, kind=Organisation.Kind.choices[0][0])
        for name in ("人民医院", "农商银行")
    ]
    response = client.post(
        reverse("admin:organisations_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in orgs], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organisation.objects.exists()
    deleted = AuditEvent.objects.filter(action="delete", object_type="organisations.organisation")
    assert sorted(deleted.values_list("object_repr", flat=True)) == sorted(o.name for o in orgs)
    assert {e.actor_name for e in deleted} == {cast.admin.username}


def test_audit_records_cannot_be_changed_or_deleted_in_the_admin(cast: Cast) -> None:
    cast.admin.is_superuser = True
    cast.admin.is_staff = True
    cast.admin.save()
    client = Client()
    client.force_login(cast.admin)
    (event,) = _write(1)
    change = reverse("admin:core_auditevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    client.post(change, {"note": "edited"})
    assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).note == "n0"


def test_a_permission_denial_is_recorded_as_a_failed_attempt(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.volunteer_user)
    response = client.get(reverse("people:resident_create"))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="denied")
    assert event.success is False
    assert event.actor_name == cast.volunteer_user.username


# --- retention ------------------------------------------------------------------------------


def _age(events: list[AuditEvent], days: int) -> None:
    """Back-date records and re-hash the chain, as if they had been written long ago."""
    from linli.core.audit import event_hash

    when = timezone.now() - dt.timedelta(days=days)
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence"):
        if event.pk in {e.pk for e in events}:
            event.created_at = when
        event.prev_hash = prev
        event.hash = event_hash(event)
        _raw(
            "UPDATE {table} SET created_at = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.created_at, event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def test_prune_refuses_to_delete_records_younger_than_180_days(settings: Any) -> None:
    _write(2)
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("audit", "prune", "--before", timezone.localdate().isoformat())
    settings.LINLI_AUDIT_RETENTION_DAYS = 30  # a shorter setting cannot lower the floor
    recent = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    with pytest.raises(CommandError):
        call_command("audit", "prune", "--before", recent)
    assert AuditEvent.objects.count() == 2


def test_prune_removes_old_records_and_the_rest_still_verifies() -> None:
    old = _write(3)
    _write(2)
    _age(old, days=400)
    assert audit_verify().ok
    before = (timezone.localdate() - dt.timedelta(days=200)).isoformat()
    call_command("audit", "prune", "--before", before)
    remaining = list(AuditEvent.objects.order_by("sequence"))
    assert [e.note for e in remaining][:2] == ["n0", "n1"]
    assert remaining[-1].action == "prune"
    assert len(remaining) == 3
    assert audit_verify().ok
    # Pruning again finds nothing more to delete, and the chain still holds.
    assert audit_prune(before=timezone.now() - dt.timedelta(days=200)).deleted == 0
    assert audit_verify().ok


def test_after_pruning_deleting_the_first_kept_record_is_still_detected() -> None:
    old = _write(2)
    _write(2)
    _age(old, days=400)
    audit_prune(before=timezone.now() - dt.timedelta(days=200))
    first = AuditEvent.objects.order_by("sequence").first()
    assert first is not None
    _raw("DELETE FROM {table} WHERE id = %s", [first.pk])
    assert not audit_verify().ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                audit_record(actor=None, action="update", note="thread")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = sorted(s for s in AuditEvent.objects.values_list("sequence", flat=True) if s)
    assert sequences[-40:] == list(range(sequences[-1] - 39, sequences[-1] + 1))
    assert audit_verify().ok


# --- batches (issue 19: a service's records appended together) ------------------------------


def test_a_batch_appends_its_records_in_order_with_one_insert() -> None:
    before = _write(1)[0]
    with CaptureQueriesContext(connection) as captured, audit_batch():
        first = audit_record(actor=None, action="create", note="first")
        second = audit_record(actor=None, action="update", note="second")
        assert first.sequence is None  # described, not yet appended
        assert not AuditEvent.objects.filter(note__in=["first", "second"]).exists()

    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert (first.sequence, second.sequence) == (before.sequence + 1, before.sequence + 2)  # type: ignore[operator]
    assert (first.prev_hash, second.prev_hash) == (before.hash, first.hash)
    stored = list(AuditEvent.objects.filter(note__in=["first", "second"]).order_by("sequence"))
    assert [(e.note, e.hash) for e in stored] == [("first", first.hash), ("second", second.hash)]
    assert AuditChainHead.objects.get(pk=1).last_hash == second.hash
    assert audit_verify().ok
    assert audit_verify().checked == 3


def test_a_single_record_takes_no_savepoint_inside_a_transaction() -> None:
    _write(1)
    with CaptureQueriesContext(connection) as captured:
        audit_record(actor=None, action="update", note="alone")

    statements = [q["sql"] for q in captured.captured_queries]
    assert not any("SAVEPOINT" in sql for sql in statements)
    assert len(statements) == 3  # the head (locked), the record, the head again
    assert audit_verify().ok


def test_an_error_inside_a_batch_appends_nothing() -> None:
    _write(1)

    def failing_change() -> None:
        with transaction.atomic(), audit_batch():
            audit_record(actor=None, action="update", note="lost")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()

    assert not AuditEvent.objects.filter(note="lost").exists()
    after = audit_record(actor=None, action="update", note="after")
    assert after.sequence == 2
    assert audit_verify().ok


def test_a_batch_inside_a_batch_belongs_to_the_outer_one() -> None:
    with audit_batch():
        audit_record(actor=None, action="update", note="outer")
        with audit_batch():
            inner = audit_record(actor=None, action="update", note="inner")
        assert inner.sequence is None
        audit_record(actor=None, action="update", note="last")

    notes = list(AuditEvent.objects.order_by("sequence").values_list("note", flat=True))
    assert notes == ["outer", "inner", "last"]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_batches_never_interleave_or_fork_the_chain() -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(5):
                with transaction.atomic(), audit_batch():
                    for part in range(3):
                        audit_record(actor=None, action="update", note=f"{name}-{i}-{part}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    notes = list(
        AuditEvent.objects.filter(note__startswith="w")
        .order_by("sequence")
        .values_list("note", flat=True)
    )
    assert len(notes) == 60
    # Each batch's three records are consecutive links.
    for start in range(0, 60, 3):
        prefixes = {note.rsplit("-", 1)[0] for note in notes[start : start + 3]}
        assert len(prefixes) == 1, notes[start : start + 3]
    assert audit_verify().ok


def test_deleting_a_user_keeps_their_records_and_the_chain(cast: Cast) -> None:
    audit_record(actor=cast.worker2, action="update", note="by worker2")
    cast.worker2.delete()
    event = AuditEvent.objects.get(note="by worker2")
    assert event.actor is None
    assert event.actor_name == "worker2"
    assert event.actor_ref is not None  # still covered by the hash
    assert audit_verify().ok


def test_changing_the_actor_of_a_record_with_raw_sql_is_reported(cast: Cast) -> None:
    events = [audit_record(actor=cast.worker1, action="update", note=f"n{i}") for i in range(3)]
    assert events[1].actor_ref == cast.worker1.pk
    assert audit_verify().ok

    _raw("UPDATE {table} SET actor_id = %s WHERE id = %s", [cast.worker2.pk, events[1].pk])

    result = audit_verify()
    assert not result.ok
    assert result.broken_sequence == events[1].sequence
    assert "操作人" in result.reason
    with pytest.raises(CommandError, match=f"#{events[1].sequence}"):
        call_command("audit", "verify")


def test_changing_the_recorded_actor_id_as_well_breaks_the_hash(cast: Cast) -> None:
    events = [audit_record(actor=cast.worker1, action="update", note=f"n{i}") for i in range(3)]
    _raw(
        "UPDATE {table} SET actor_id = %s, actor_ref = %s WHERE id = %s",
        [cast.worker2.pk, cast.worker2.pk, events[1].pk],
    )
    result = audit_verify()
    assert not result.ok
    assert result.broken_sequence == events[1].sequence
    assert "哈希" in result.reason


def test_clearing_the_actor_of_a_user_who_still_exists_is_reported(cast: Cast) -> None:
    event = audit_record(actor=cast.worker1, action="update", note="by worker1")
    _raw("UPDATE {table} SET actor_id = NULL WHERE id = %s", [event.pk])
    result = audit_verify()
    assert not result.ok
    assert result.broken_sequence == event.sequence


def test_giving_a_system_record_an_actor_is_reported(cast: Cast) -> None:
    (event,) = _write(1)
    _raw("UPDATE {table} SET actor_id = %s WHERE id = %s", [cast.worker1.pk, event.pk])
    assert audit_verify().broken_sequence == event.sequence
