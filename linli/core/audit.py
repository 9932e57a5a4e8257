"""The audit trail: append-only, hash-chained records of writes and of looks at sensitive data.

Services call :func:`audit_record` inside their transaction. Every record carries
``hash = SHA-256(canonical serialisation)``, and the serialisation includes the hash of
the record before it, so editing, inserting or deleting any record breaks the chain
from that record on; :func:`audit_verify` (``linli audit verify``) walks the chain and
names the first broken record.

Appending is serialised on :class:`~linli.core.models.AuditChainHead`: PostgreSQL
locks the row with ``SELECT … FOR UPDATE``; SQLite runs every transaction IMMEDIATE
(see settings), so the database write lock is already held. ``sequence`` is unique,
so even a writer that slipped past the lock could not fork the chain.

Who acted: the hash covers ``actor_name`` (the username) and, from hash version 2,
``actor_ref``, the acting user's id. The ``actor`` foreign key, which pages and the
admin show, must equal ``actor_ref``; it may only be empty when that user no longer
exists (``SET_NULL`` clears it on deletion). So changing the attribution of a record
with SQL is caught by :func:`audit_verify`. Records written before version 2 (see
migration ``core.0003``) keep verifying as they were hashed: their ``actor`` link is
not covered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from linli.core.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from linli.accounts.models import User

GENESIS_HASH = "0" * 64
# The canonical form new records are hashed in; see ``canonical_bytes``.
HASH_VERSION = 2
MINIMUM_RETENTION_DAYS = 180

# The fields the hash covers, in the order they are written out.
HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "fields",
    "success",
    "source_ip",
    "note",
    "prev_hash",
)


@dataclass(frozen=True)
class RequestContext:
    source_ip: str | None


# Set by ``RequestContextMiddleware`` for the duration of a web request, so that
# services can record where a change came from without every signature carrying it.
current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


def canonical_bytes(event: AuditEvent) -> bytes:
    """The record as sorted, compact JSON: the same bytes on SQLite and PostgreSQL."""
    created = event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data: dict[str, Any] = {
        "sequence": event.sequence,
        "created_at": created,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "fields": list(event.fields or []),
        "success": bool(event.success),
        "source_ip": event.source_ip or None,
        "note": event.note,
        "prev_hash": event.prev_hash,
    }
    # Historical models in migrations have no version: they are version 1.
    version = getattr(event, "hash_version", 1) or 1
    if version >= 2:
        data["version"] = version
        data["actor_id"] = event.actor_ref
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_bytes(event)).hexdigest()


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # No head yet (a fresh or flushed database): start it from the last record, if any.
    last = AuditEvent.objects.exclude(sequence=None).order_by("-sequence").first()
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(
                pk=1,
                last_sequence=(last.sequence or 0) if last else 0,
                last_hash=last.hash if last else GENESIS_HASH,
            )
    except IntegrityError:
        pass  # another writer created it first; take its lock below
    return AuditChainHead.objects.select_for_update().get(pk=1)


def _normalised_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    # Store and hash the form the database will give back (IPv6 is normalised).
    prepared = AuditEvent._meta.get_field("source_ip").get_prep_value(ip)
    return str(prepared) if prepared else None


def audit_record(
    *,
    actor: User | None,
    action: AuditEvent.Action | str,
    obj: models.Model | None = None,
    fields: Iterable[str] = (),
    success: bool = True,
    note: str = "",
    actor_name: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    source_ip: str | None = None,
) -> AuditEvent:
    """Append one record to the chain.

    ``actor_name`` names someone who is not a user object (the username tried in a
    failed login); ``object_type``/``object_id``/``object_repr`` describe an object
    that is not at hand as a model instance (an admin log entry, an export).
    ``action`` must be a member of ``AuditEvent.Action``: anything else is a ``ValueError``,
    so an action the audit page cannot name or filter never enters the chain.

    Inside :func:`audit_batch` the record is described now and appended when the batch
    ends (its ``sequence``, ``hash`` and ``created_at`` are set then).
    """
    action = AuditEvent.Action(action)
    context = current_request.get()
    name = actor_name or ""
    if not name and actor is not None:
        name = str(getattr(actor, "username", "") or actor)
    if source_ip is None and context is not None:
        source_ip = context.source_ip
    actor_user = actor if actor is not None and actor.pk else None
    event = AuditEvent(
        actor=actor_user,
        actor_ref=actor_user.pk if actor_user is not None else None,
        hash_version=HASH_VERSION,
        actor_name=name[:150],
        action=action,
        object_type=(
            object_type
            if object_type is not None
            else (obj._meta.label_lower if obj is not None else "")
        )[:100],
        object_id=(
            object_id
            if object_id is not None
            else (str(obj.pk) if obj is not None and obj.pk is not None else "")
        )[:64],
        object_repr=(
            object_repr if object_repr is not None else (str(obj) if obj is not None else "")
        )[:200],
        fields=sorted(fields),
        success=success,
        source_ip=_normalised_ip(source_ip),
        note=note[:300],
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
    else:
        _append([event])
    return event


# Records described inside ``audit_batch``, appended together when it ends.
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Append the records made inside the block to the chain together, in the order they
    were made, when the block ends without an error: one lock of the chain head, one
    INSERT and one update of the head instead of that for each record. Use it inside the
    transaction that makes the changes (a service's ``transaction.atomic``), so that the
    changes and their records commit or roll back together; an error inside the block
    drops its records with the rest of the transaction. A batch inside a batch belongs to
    the outer one."""
    if _pending.get() is not None:
        yield
        return
    pending: list[AuditEvent] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        _append(pending)


def _append(events: list[AuditEvent]) -> None:
    """Chain ``events`` after the head, in order, under the head's lock. Inside a
    transaction no savepoint is taken: a failure here fails the caller's transaction
    (a change is never committed without its record)."""
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        sequence, prev_hash = head.last_sequence, head.last_hash or GENESIS_HASH
        for event in events:
            sequence += 1
            event.sequence = sequence
            event.prev_hash = prev_hash
            event.created_at = timezone.now()
            event.hash = prev_hash = event_hash(event)
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events)
        head.last_sequence = sequence
        head.last_hash = prev_hash
        head.save(update_fields=["last_sequence", "last_hash"])


# --- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_sequence: int | None = None
    broken_id: int | None = None
    reason: str = ""


def _chain(batch_size: int = 2000) -> Iterator[AuditEvent]:
    after: int | None = None
    while True:
        query = AuditEvent.objects.exclude(sequence=None).order_by("sequence")
        if after is not None:
            query = query.filter(sequence__gt=after)
        batch = list(query[:batch_size])
        if not batch:
            return
        yield from batch
        after = batch[-1].sequence


def _actor_link_intact(event: AuditEvent, user_exists: dict[int, bool]) -> bool:
    """The ``actor`` shown for a record is the one its hash covers, or empty because
    that user was deleted."""
    if (event.hash_version or 1) < 2 or event.actor_id == event.actor_ref:
        return True
    if event.actor_id is not None or event.actor_ref is None:
        return False
    if event.actor_ref not in user_exists:
        user_model = AuditEvent._meta.get_field("actor").related_model
        assert isinstance(user_model, type)
        user_exists[event.actor_ref] = user_model._default_manager.filter(
            pk=event.actor_ref
        ).exists()
    return not user_exists[event.actor_ref]


def audit_verify() -> VerifyResult:
    """Walk the chain from the pruning anchor (or the start) to the head."""
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_sequence = (head.anchor_sequence if head else 0) + 1
    expected_prev = (head.anchor_hash if head and head.anchor_sequence else "") or GENESIS_HASH
    checked = 0
    last: AuditEvent | None = None
    user_exists: dict[int, bool] = {}
    unchained = AuditEvent.objects.filter(sequence=None).order_by("id").first()
    if unchained is not None:
        return VerifyResult(False, 0, None, unchained.pk, "记录没有序号(不在哈希链中)")
    for event in _chain():
        assert event.sequence is not None
        if event.sequence != expected_sequence:
            reason = (
                f"序号不连续:应为 {expected_sequence},实为 {event.sequence}(有记录被删除或插入)"
            )
            return VerifyResult(False, checked, event.sequence, event.pk, reason)
        if event.prev_hash != expected_prev:
            return VerifyResult(
                False, checked, event.sequence, event.pk, "上一条哈希不符(前一条记录被改动或删除)"
            )
        if event_hash(event) != event.hash:
            return VerifyResult(
                False, checked, event.sequence, event.pk, "内容与哈希不符(记录被改动)"
            )
        if not _actor_link_intact(event, user_exists):
            return VerifyResult(
                False, checked, event.sequence, event.pk, "操作人与哈希中的不符(记录被改动)"
            )
        checked += 1
        expected_sequence += 1
        expected_prev = event.hash
        last = event
    if head is not None:
        if (
            head.anchor_sequence
            and not AuditEvent.objects.filter(
                action=AuditEvent.Action.PRUNE,
                sequence__gt=head.anchor_sequence,
                note__contains=f"anchor {head.anchor_sequence} {head.anchor_hash}",
            ).exists()
        ):
            return VerifyResult(False, checked, None, None, "清理锚点没有对应的清理记录")
        last_sequence = last.sequence if last else head.anchor_sequence
        if head.last_sequence != last_sequence:
            return VerifyResult(
                False,
                checked,
                last_sequence,
                last.pk if last else None,
                f"链尾缺失:链头记录到 #{head.last_sequence},表中只到 #{last_sequence}",
            )
    return VerifyResult(True, checked)


# --- retention ----------------------------------------------------------------------------


class RetentionError(Exception):
    """Pruning would remove records younger than the retention period."""


def retention_days() -> int:
    days = int(getattr(settings, "LINLI_AUDIT_RETENTION_DAYS", MINIMUM_RETENTION_DAYS))
    return max(days, MINIMUM_RETENTION_DAYS)


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    anchor_sequence: int
    anchor_hash: str


def audit_prune(*, before: dt.datetime, actor: User | None = None) -> PruneResult:
    """Delete records older than ``before``, never younger than the retention period.

    Only a prefix of the chain is removed (up to the first record at or after
    ``before``), and the hash of the last removed record becomes the anchor that the
    first remaining record must point to, so the rest still verifies.
    """
    earliest_allowed = timezone.now() - dt.timedelta(days=retention_days())
    if before > earliest_allowed:
        raise RetentionError(
            f"审计记录至少保留 {retention_days()} 天:只能清理 "
            f"{timezone.localtime(earliest_allowed):%Y-%m-%d %H:%M} 之前的记录"
        )
    with transaction.atomic():
        head = _locked_head()
        first_kept = (
            AuditEvent.objects.exclude(sequence=None)
            .filter(created_at__gte=before)
            .order_by("sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        last_removed = (first_kept or head.last_sequence + 1) - 1
        if last_removed <= head.anchor_sequence:
            return PruneResult(0, head.anchor_sequence, head.anchor_hash)
        anchor = AuditEvent.objects.get(sequence=last_removed)
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        with connection.cursor() as cursor:
            # The model refuses deletes on purpose; pruning is the one way out.
            cursor.execute(f"DELETE FROM {table} WHERE sequence <= %s", [last_removed])
            deleted = cursor.rowcount
        head.anchor_sequence = last_removed
        head.anchor_hash = anchor.hash
        head.save(update_fields=["anchor_sequence", "anchor_hash"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.PRUNE,
        object_type=AuditEvent._meta.label_lower,
        object_id="",
        object_repr=f"≤ #{last_removed}",
        note=f"deleted {deleted} before {before.isoformat()}; anchor {last_removed} {anchor.hash}",
    )
    return PruneResult(deleted, last_removed, anchor.hash)
