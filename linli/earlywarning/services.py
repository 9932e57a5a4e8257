"""Every write about early warnings: the scan that raises, refreshes and clears them, and
the people who acknowledge and close them."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment, User
from linli.areas.models import Area
from linli.areas.selectors import ancestor_paths
from linli.core.audit import audit_record
from linli.core.errors import Conflict
from linli.core.models import AuditEvent
from linli.core.roles import Capability, Role, roles_with
from linli.core.sweeps import sweep
from linli.earlywarning.detectors import (
    CARE_KINDS,
    Detector,
    Finding,
    registered_detectors,
    rule_for,
)
from linli.earlywarning.models import ACTIVE_STATUSES, EarlyWarning, WarningStatus
from linli.notifications.models import Kind as NotificationKind
from linli.notifications.services import notify

logger = logging.getLogger(__name__)

CLEARED_NOTE = "情况已消除(系统复核)"
COOLDOWN_DAYS = 7


def responsible_for(finding: Finding | EarlyWarning) -> list[User]:
    """Who is told: the grid's workers, and whoever dispatches requests (or manages care,
    for care warnings) over the community."""
    community = Area.objects.get(pk=finding.community_id)
    capability = (
        Capability.CARE_MANAGE if finding.kind in CARE_KINDS else Capability.REQUESTS_DISPATCH
    )
    place = Q(
        area__path__in=ancestor_paths(community.path), role__in=sorted(roles_with(capability))
    )
    if finding.grid_id is not None:
        # The grid's own workers answer for everything in it.
        place |= Q(grid_id=finding.grid_id, role=Role.GRID_WORKER)
    assignments = RoleAssignment.objects.filter(place, user__is_active=True).select_related("user")
    users = {a.user_id: a.user for a in assignments.order_by("pk")}
    if finding.assignee_id is not None and finding.assignee_id not in users:
        assignee = User.objects.filter(pk=finding.assignee_id, is_active=True).first()
        if assignee is not None:
            users[assignee.pk] = assignee
    return list(users.values())


def _apply(finding: Finding, now: dt.datetime) -> tuple[EarlyWarning, bool]:
    """Refresh the finding's active warning, or raise it; True when raised. Two scans at
    once may both find none: the one active warning a key may have (a partial unique
    index) makes the second one's insert fail, and it refreshes the first one's instead."""
    fields = {
        "community_id": finding.community_id,
        "area_id": finding.area_id,
        "grid_id": finding.grid_id,
        "category_id": finding.category_id,
        "assignee_id": finding.assignee_id,
        "resident_id": finding.resident_id,
        "title": finding.title[:120],
        "reason": finding.reason[:300],
        "link": finding.link[:300],
        "count": finding.count,
        "last_seen_at": now,
    }
    active = EarlyWarning.objects.select_for_update().filter(
        key=finding.key, status__in=ACTIVE_STATUSES
    )
    warning = active.first()
    if warning is None:
        try:
            with transaction.atomic():
                created = EarlyWarning.objects.create(
                    kind=finding.kind, key=finding.key, raised_at=now, **fields
                )
            return created, True
        except IntegrityError:
            warning = active.get()  # another scan raised it a moment ago
    for name, value in fields.items():
        setattr(warning, name, value)
    warning.save(update_fields=[*fields])
    return warning, False


def warnings_scan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every enabled detector: raise new warnings (and tell the responsible people),
    refresh the figures of those still true, and close those no longer true. Returns how
    many were raised, refreshed and cleared.

    The detectors read outside any transaction; each warning is then raised, refreshed
    or cleared in a transaction of its own (:mod:`linli.core.sweeps`), so a scan over a
    large county never holds the audit chain while the next detector counts."""
    now = now or timezone.now()
    raised = refreshed = cleared = 0
    first_error: Exception | None = None
    for kind, detector in registered_detectors().items():
        # One kind that fails (its detector, or an item) does not stop the other kinds;
        # the first error is raised at the end, as sweep() does for items.
        try:
            outcomes, gone = _scan_kind(kind, detector, now)
        except Exception as error:
            first_error = first_error or error
            logger.exception("warnings scan: kind %s failed; going on with the others", kind)
            continue
        raised += outcomes.count(True)
        refreshed += outcomes.count(False)
        cleared += gone
    if first_error is not None:
        raise first_error
    return {"raised": raised, "refreshed": refreshed, "cleared": cleared}


def _cooldown(kind: str, now: dt.datetime) -> dt.datetime:
    """A warning a person closed is not raised again while its situation lasts, for the
    rule's window (at least a week): they have looked at it."""
    return now - dt.timedelta(days=max(rule_for(kind).window_days, COOLDOWN_DAYS))


def _closed_by_people(kind: str, now: dt.datetime) -> QuerySet[EarlyWarning]:
    return EarlyWarning.objects.filter(
        kind=kind,
        status=WarningStatus.CLOSED,
        closed_by__isnull=False,
        closed_at__gte=_cooldown(kind, now),
    )


def _scan_kind(kind: str, detector: Detector, now: dt.datetime) -> tuple[list[bool | None], int]:
    """Raise or refresh the kind's findings and clear its warnings no longer found: per
    finding handled, raised (True), refreshed (False) or left (None); and how many were
    cleared."""
    rule = rule_for(kind)
    findings = list(detector(rule, now)) if rule.enabled else []
    closed = set(_closed_by_people(kind, now).values_list("key", flat=True))
    seen = {finding.key for finding in findings}
    fresh = [f for f in findings if f.key not in closed]
    outcomes = sweep(
        fresh,
        lambda f: _raise_or_refresh(f, now),
        name=f"warnings {kind}",
        key=lambda f: f.key,
    )
    gone = list(
        EarlyWarning.objects.filter(kind=kind, status__in=ACTIVE_STATUSES)
        .exclude(key__in=seen)
        .values_list("pk", flat=True)
    )
    return outcomes, sum(sweep(gone, lambda pk: _clear(pk, now), name=f"warnings {kind}"))


def _raise_or_refresh(finding: Finding, now: dt.datetime) -> bool | None:
    """Raise the finding's warning (True) or refresh the one already active (False);
    nothing (None) when a person closed it since the scan's list was read (the cooldown)."""
    if _closed_by_people(finding.kind, now).filter(key=finding.key).exists():
        return None
    warning, new = _apply(finding, now)
    if new:
        audit_record(actor=None, action=AuditEvent.Action.CREATE, obj=warning, note="预警")
        notify(
            users=responsible_for(finding),
            text=_("预警:%(title)s。%(reason)s")
            % {"title": warning.title, "reason": warning.reason},
            link=warning.link,
            urgent=finding.kind in CARE_KINDS,
            kind=NotificationKind.WARNING,
            grid=warning.grid,
            community=warning.community,
        )
    return new


def _clear(pk: int, now: dt.datetime) -> bool:
    """Close a warning whose situation is over, unless someone closed it meanwhile."""
    warning = (
        EarlyWarning.objects.select_for_update().filter(pk=pk, status__in=ACTIVE_STATUSES).first()
    )
    if warning is None:
        return False
    warning.status = WarningStatus.CLOSED
    warning.closed_at = now
    warning.close_note = CLEARED_NOTE
    warning.save(update_fields=["status", "closed_at", "close_note"])
    audit_record(actor=None, action=AuditEvent.Action.UPDATE, obj=warning, note=CLEARED_NOTE)
    return True


@transaction.atomic
def warning_acknowledge(*, actor: User, warning: EarlyWarning) -> EarlyWarning:
    warning = EarlyWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != WarningStatus.OPEN:
        raise Conflict(_("这条预警已经有人知悉或已关闭。"))
    warning.status = WarningStatus.ACKNOWLEDGED
    warning.acknowledged_by = actor
    warning.acknowledged_at = timezone.now()
    warning.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=warning, note="知悉")
    return warning


MAX_NOTE = 300


@transaction.atomic
def warning_close(*, actor: User, warning: EarlyWarning, note: str = "") -> EarlyWarning:
    warning = EarlyWarning.objects.select_for_update().get(pk=warning.pk)
    note = note.strip()
    if warning.status == WarningStatus.CLOSED:
        raise Conflict(_("这条预警已经关闭。"))
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("处理说明请控制在 %(n)d 字以内。") % {"n": MAX_NOTE}]})
    warning.status = WarningStatus.CLOSED
    warning.closed_by = actor
    warning.closed_at = timezone.now()
    warning.close_note = note
    if warning.acknowledged_at is None:
        warning.acknowledged_by, warning.acknowledged_at = actor, warning.closed_at
    warning.save(
        update_fields=[
            "status",
            "closed_by",
            "closed_at",
            "close_note",
            "acknowledged_by",
            "acknowledged_at",
        ]
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=warning, note=f"关闭:{note[:50]}"
    )
    return warning
