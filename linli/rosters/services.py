"""Writing a week's roster: gather plans and volunteers, run the planner, replace the week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import ancestor_paths
from linli.care.models import CarePlan, Visit
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.scoping import subtree_condition
from linli.privacy.gate import processable
from linli.rosters.models import RosterAssignment, RosterGap
from linli.rosters.planner import PlanNeed, VolunteerOffer, plan_week
from linli.volunteers.models import Availability, Volunteer


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def next_week_start(today: dt.date | None = None) -> dt.date:
    return week_start_of(today or timezone.localdate()) + dt.timedelta(days=7)


@dataclass(frozen=True)
class RosterResult:
    week_start: dt.date
    assignments: int
    gaps: int
    missing_visits: int


@transaction.atomic
def roster_generate(
    *,
    actor: User | None,
    week_start: dt.date,
    communities: Iterable[Area],
    max_load: int | None = None,
) -> RosterResult:
    """(Re)build the roster of ``week_start``'s week for the active plans of ``communities``."""
    if week_start.weekday() != 0:
        raise ValidationError({"week": _("排班周须从周一开始。")})
    community_list = [c for c in communities if c.kind == AreaKind.COMMUNITY]
    if not community_list:
        raise ValidationError(_("请选择要排班的社区。"))
    limit = int(
        max_load if max_load is not None else settings.LINLI_ROSTER_MAX_VISITS_PER_VOLUNTEER
    )
    if limit < 1:
        raise ValidationError({"max_load": _("每人每周最多走访次数须至少为 1。")})

    needs, offers = roster_inputs(community_list)
    roster = plan_week(needs, offers, max_load=limit)
    in_communities = subtree_condition([c.path for c in community_list], "resident__area__path")

    plan_ids = [n.plan_id for n in needs]
    RosterAssignment.objects.filter(week_start=week_start, plan_id__in=plan_ids).delete()
    RosterGap.objects.filter(week_start=week_start, plan_id__in=plan_ids).delete()
    # Plans that are gone or inactive leave nothing behind in these communities' week.
    RosterAssignment.objects.filter(week_start=week_start).filter(
        Q(plan__active=False) | Q(volunteer__active=False)
    ).filter(in_communities).delete()
    RosterAssignment.objects.bulk_create(
        [
            RosterAssignment(
                week_start=week_start,
                plan_id=p.plan_id,
                resident_id=p.resident_id,
                volunteer_id=p.volunteer_id,
                day=week_start + dt.timedelta(days=p.weekday),
                slot=p.slot,
            )
            for p in roster.placements
        ]
    )
    RosterGap.objects.bulk_create(
        [
            RosterGap(
                week_start=week_start,
                plan_id=g.plan_id,
                resident_id=g.resident_id,
                missing=g.missing,
                reason=g.reason,
            )
            for g in roster.gaps
        ]
    )
    for community in community_list:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.ROSTER_GENERATE,
            obj=community,
            note=f"{week_start:%Y-%m-%d}: {len(roster.placements)} visits, {len(roster.gaps)} gaps",
        )
    return RosterResult(
        week_start=week_start,
        assignments=len(roster.placements),
        gaps=len(roster.gaps),
        missing_visits=sum(g.missing for g in roster.gaps),
    )


def roster_inputs(community_list: list[Area]) -> tuple[list[PlanNeed], list[VolunteerOffer]]:
    """The planner's plain data for the active plans and volunteers of these communities."""
    community_paths = [c.path for c in community_list]
    in_communities = subtree_condition(community_paths, "resident__area__path")
    plans = list(
        processable(CarePlan.objects.filter(in_communities, active=True))
        .select_related("resident__area")
        .order_by("pk")
    )
    building_grids: dict[str, int] = dict(
        Area.objects.filter(
            subtree_condition(community_paths), kind=AreaKind.BUILDING, grid__isnull=False
        ).values_list("path", "grid_id")
    )
    community_by_path = {c.path: c.pk for c in community_list}

    last_visitor = _last_visitors([p.resident_id for p in plans])
    needs: list[PlanNeed] = []
    for plan in plans:
        area = plan.resident.area
        if area is None:
            continue
        paths = ancestor_paths(area.path)
        community_id = next((community_by_path[p] for p in paths if p in community_by_path), None)
        if community_id is None:
            continue
        grid_id = next((building_grids[p] for p in paths if p in building_grids), None)
        preferred = [
            v
            for v in (
                plan.primary_volunteer_id,
                last_visitor.get(plan.resident_id),
                plan.backup_volunteer_id,
            )
            if v is not None
        ]
        needs.append(
            PlanNeed(
                plan_id=plan.pk,
                resident_id=plan.resident_id,
                community_id=community_id,
                grid_id=grid_id,
                visits_per_week=plan.visits_per_week,
                preferred=preferred,
            )
        )

    volunteers = list(
        Volunteer.objects.filter(active=True, community__in=community_list).order_by("pk")
    )
    slots: dict[int, set[tuple[int, str]]] = {}
    for volunteer_id, weekday, slot in Availability.objects.filter(
        volunteer__in=volunteers
    ).values_list("volunteer_id", "weekday", "slot"):
        slots.setdefault(volunteer_id, set()).add((weekday, slot))
    offers = [
        VolunteerOffer(
            volunteer_id=v.pk,
            community_id=v.community_id,
            grid_id=v.grid_id,
            slots=frozenset(slots.get(v.pk, set())),
        )
        for v in volunteers
        if slots.get(v.pk)
    ]
    return needs, offers


def _last_visitors(resident_ids: list[int]) -> dict[int, int]:
    """The volunteer of each person's latest visit that had one."""
    latest: dict[int, int] = {}
    rows = (
        Visit.objects.filter(resident_id__in=resident_ids, volunteer__isnull=False)
        .order_by("resident_id", "-visited_at", "-pk")
        .values_list("resident_id", "volunteer_id")
    )
    for resident_id, volunteer_id in rows:
        if volunteer_id is not None:
            latest.setdefault(resident_id, volunteer_id)
    return latest
