"""Every write about early warnings: the scan that raises, refreshes and clears them, and
the people who acknowledge and close them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
from linli.earlywarning.detectors import CARE_KINDS, Finding, registered_detectors, rule_for
from linli.earlywarning.models import ACTIVE_STATUSES, EarlyWarning, WarningStatus
from linli.notifications.models import Kind as NotificationKind
from linli.notifications.services import notify

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
    warning = (
        EarlyWarning.objects.select_for_update()
        .filter(key=finding.key, status__in=ACTIVE_STATUSES)
        .first()
    )
    if warning is not None:
        for name, value in fields.items():
            setattr(warning, name, value)
        warning.save(update_fields=[*fields])
        return warning, False
    warning = EarlyWarning.objects.create(
        kind=finding.kind, key=finding.key, raised_at=now, **fields
    )
    return warning, True


def warnings_scan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every enabled detector: raise new warnings (and tell the responsible people),
    refresh the figures of those still true, and close those no longer true. Returns how
    many were raised, refreshed and cleared.

    The detectors read outside any transaction; each warning is then raised, refreshed
    or cleared in a transaction of its own (:mod:`linli.core.sweeps`), so a scan over a
    large county never holds the audit chain while the next detector counts."""
    now = now or timezone.now()
    raised = refreshed = cleared = 0
    for kind, detector in registered_detectors().items():
        rule = rule_for(kind)
        findings = list(detector(rule, now)) if rule.enabled else []
        # A warning a person closed is not raised again while its situation lasts, for
        # the rule's window (at least a week): they have looked at it.
        cooldown = now - dt.timedelta(days=max(rule.window_days, COOLDOWN_DAYS))
        closed_by_people = set(
            EarlyWarning.objects.filter(
                kind=kind,
                status=WarningStatus.CLOSED,
                closed_by__isnull=False,
                closed_at__gte=cooldown,
            ).values_list("key", flat=True)
        )
        seen = {finding.key for finding in findings}
        fresh = [f for f in findings if f.key not in closed_by_people]
        outcomes = sweep(fresh, lambda f: _raise_or_refresh(f, now), name=f"warnings {kind}")
        raised += sum(outcomes)
        refreshed += len(outcomes) - sum(outcomes)
        gone = list(
            EarlyWarning.objects.filter(kind=kind, status__in=ACTIVE_STATUSES)
            .exclude(key__in=seen)
            .values_list("pk", flat=True)
        )
        cleared += sum(sweep(gone, lambda pk: _clear(pk, now), name=f"warnings {kind}"))
    return {"raised": raised, "refreshed": refreshed, "cleared": cleared}


def _raise_or_refresh(finding: Finding, now: dt.datetime) -> bool:
    """Raise the finding's warning or refresh the one already active; True if raised."""
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
