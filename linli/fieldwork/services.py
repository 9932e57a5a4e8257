"""Writes for field work: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.selectors import roles_of, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import ancestor_of_kind
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.roles import Capability, Role
from linli.core.text import normalise_text
from linli.fieldwork.models import (
    FindingOutcome,
    Patrol,
    PatrolFinding,
    Posting,
    PostingKind,
    SinkDownConcern,
    SinkDownListener,
    SinkDownPlan,
    SinkDownVisit,
)
from linli.people.models import Resident
from linli.requests.models import Category, Channel
from linli.requests.services import clean_photo, request_submit

MAX_CONCERNS = 10
MAX_VISIT_TEXT = 2000
BACKDATE_DAYS = 60


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- postings and plans ----------------------------------------------------------------


@transaction.atomic
def posting_create(
    *,
    actor: User | None,
    cadre: User,
    kind: str,
    compound: Area | None = None,
    grid: Grid | None = None,
) -> Posting:
    """Link a cadre to a compound (包片) or a grid (联点)."""
    if kind not in PostingKind.values:
        raise ValidationError({"kind": _("请选择包片或联点。")})
    if (compound is None) == (grid is None):
        raise ValidationError(_("包片对应一个小区,联点对应一个网格,二者选其一。"))
    if not roles_of(cadre) & {Role.CADRE, Role.LEADER}:
        raise ValidationError({"cadre": _("只有镇街领导或包片/联点干部可以下沉。")})
    if compound is not None:
        if compound.kind != AreaKind.COMPOUND:
            raise ValidationError({"compound": _("请选择一个小区。")})
        community = ancestor_of_kind(compound, AreaKind.COMMUNITY)
        if community is None:
            raise ValidationError({"compound": _("小区必须在某个社区之内。")})
    else:
        assert grid is not None
        community = grid.community
    posting = Posting.objects.create(
        cadre=cadre, kind=kind, community=community, compound=compound, grid=grid
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=posting, fields=["cadre", "kind", "place"]
    )
    return posting


@transaction.atomic
def plan_save(
    *,
    actor: User,
    posting: Posting,
    month: dt.date,
    planned_on: dt.date | None = None,
    note: str = "",
) -> SinkDownPlan:
    """Set (or change) the month's plan for a posting: which day the cadre means to go."""
    if posting.cadre_id != actor.pk:
        raise ValidationError(_("只能安排自己的下沉计划。"))
    month = month_start(month)
    if planned_on is not None and month_start(planned_on) != month:
        raise ValidationError({"planned_on": _("计划日期须在所选月份之内。")})
    plan, created = SinkDownPlan.objects.update_or_create(
        posting=posting,
        month=month,
        defaults={"planned_on": planned_on, "note": normalise_text(note).strip()[:200]},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=plan,
        fields=["month", "planned_on", "note"],
    )
    return plan


# --- sink-down visits ------------------------------------------------------------------


def _concern_location(posting: Posting, building: Area | None) -> Area:
    if building is not None:
        return building
    return posting.compound or posting.community


@transaction.atomic
def sink_down_visit_record(
    *,
    actor: User,
    posting: Posting,
    visited_on: dt.date,
    households_count: int,
    households: str = "",
    listened_to: str = "",
    notes: str = "",
    concerns: Sequence[str] = (),
    residents: Sequence[Resident] = (),
    building: Area | None = None,
    today: dt.date | None = None,
) -> SinkDownVisit:
    """Record a visit; each concern becomes a request (channel ``sink_down``), routed as
    any other, located at ``building`` when given, else the posting's compound or community."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if posting.cadre_id != actor.pk or not posting.active:
        raise ValidationError(_("只能记录自己包片/联点的下沉走访。"))
    if visited_on > today:
        errors["visited_on"] = [_("下沉日期不能晚于今天。")]
    elif visited_on < today - dt.timedelta(days=BACKDATE_DAYS):
        errors["visited_on"] = [_("最多补记 %(n)d 天内的下沉走访。") % {"n": BACKDATE_DAYS}]
    if households_count < 0 or households_count > 500:
        errors["households_count"] = [_("走访户数应在 0 到 500 之间。")]
    texts = {
        "households": normalise_text(households).strip(),
        "listened_to": normalise_text(listened_to).strip(),
        "notes": normalise_text(notes).strip(),
    }
    for field, value in texts.items():
        if len(value) > MAX_VISIT_TEXT:
            errors[field] = [_("内容太长了,请控制在 %(n)d 字以内。") % {"n": MAX_VISIT_TEXT}]
    cleaned = [c for c in (normalise_text(c).strip() for c in concerns) if c]
    if len(cleaned) > MAX_CONCERNS:
        errors["concerns"] = [_("一次最多记录 %(n)d 条问题。") % {"n": MAX_CONCERNS}]
    if any(len(c) > 500 for c in cleaned):
        errors.setdefault("concerns", []).append(_("每条问题请控制在 500 字以内。"))
    if building is not None:
        inside = building.kind == AreaKind.BUILDING and (
            building.grid_id == posting.grid_id
            if posting.grid_id
            else posting.compound is not None and building.path.startswith(posting.compound.path)
        )
        if not inside:
            errors["building"] = [_("请选择本包片/联点范围内的楼栋。")]
    if errors:
        raise ValidationError(errors)
    visit = SinkDownVisit.objects.create(
        posting=posting,
        cadre=actor,
        community=posting.community,
        grid=posting.grid,
        visited_on=visited_on,
        households_count=households_count,
        **texts,
    )
    for resident in residents:
        SinkDownListener.objects.get_or_create(visit=visit, resident=resident)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=visit,
        fields=["posting", "visited_on", "households_count", "households", "listened_to"],
    )
    location = _concern_location(posting, building)
    for text in cleaned:
        request = request_submit(
            submitted_by=actor, text=text, channel=Channel.SINK_DOWN, location=location
        )
        concern = SinkDownConcern.objects.create(visit=visit, text=text, request=request)
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=concern, fields=["text", "request"]
        )
    return visit


# --- patrols ---------------------------------------------------------------------------


def _check_patrol_grid(actor: User, grid: Grid) -> None:
    if grid.pk not in scope_for(actor, Capability.PATROL).grid_ids:
        raise ValidationError({"grid": _("只能巡查自己负责的网格。")})


def _check_open(actor: User, patrol: Patrol) -> None:
    if patrol.worker_id != actor.pk:
        raise ValidationError(_("只能记录自己的巡查。"))
    if not patrol.is_open:
        raise ValidationError(_("这次巡查已经结束。"))


@transaction.atomic
def patrol_start(*, actor: User, grid: Grid, at: dt.datetime | None = None) -> Patrol:
    """Start a patrol of the worker's grid; an unfinished one of theirs is carried on."""
    _check_patrol_grid(actor, grid)
    open_patrol = Patrol.objects.filter(worker=actor, grid=grid, finished_at=None).first()
    if open_patrol is not None:
        return open_patrol
    patrol = Patrol.objects.create(grid=grid, worker=actor, started_at=at or timezone.now())
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=patrol, fields=["grid", "started_at"]
    )
    return patrol


@transaction.atomic
def patrol_check(
    *, actor: User, patrol: Patrol, buildings: Sequence[Area], places: str = ""
) -> Patrol:
    """Tick the buildings (of the patrol's grid) and other places checked so far."""
    _check_open(actor, patrol)
    if any(b.kind != AreaKind.BUILDING or b.grid_id != patrol.grid_id for b in buildings):
        raise ValidationError({"buildings": _("只能勾选本网格的楼栋。")})
    places = normalise_text(places).strip()
    if len(places) > 200:
        raise ValidationError({"places": _("其他点位请控制在 200 字以内。")})
    patrol.buildings.set(buildings)
    patrol.places = places
    patrol.save(update_fields=["places"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=patrol, fields=["buildings", "places"]
    )
    return patrol


@transaction.atomic
def patrol_finding_add(
    *,
    actor: User,
    patrol: Patrol,
    category: Category,
    text: str,
    solved: bool,
    building: Area | None = None,
    photo: UploadedFile[bytes] | None = None,
    at: dt.datetime | None = None,
) -> PatrolFinding:
    """Record a finding: solved on the spot (就地解决, kept and counted) or filed as a
    request (channel ``patrol``) at the building, routed as usual."""
    _check_open(actor, patrol)
    at = at or timezone.now()
    text = normalise_text(text).strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("请描述发现的问题。")]
    elif len(text) > 500:
        errors["text"] = [_("内容太长了,请控制在 %(n)d 字以内。") % {"n": 500}]
    if building is not None and (
        building.kind != AreaKind.BUILDING or building.grid_id != patrol.grid_id
    ):
        errors["building"] = [_("请选择本网格的楼栋。")]
    if not category.is_active:
        errors["category"] = [_("该类别已停用。")]
    if errors:
        raise ValidationError(errors)
    finding = PatrolFinding(
        patrol=patrol,
        category=category,
        text=text,
        building=building,
        outcome=FindingOutcome.SOLVED if solved else FindingOutcome.FILED,
        created_at=at,
    )
    if solved:
        if photo is not None:
            finding.photo.save("photo.jpg", clean_photo(photo), save=False)
    else:
        finding.request = request_submit(
            submitted_by=actor,
            text=text,
            channel=Channel.PATROL,
            location=building or patrol.grid.community,
            category=category,
            photos=[photo] if photo is not None else [],
            at=at,
        )
    finding.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=finding,
        fields=["text", "category", "outcome"],
    )
    return finding


@transaction.atomic
def patrol_finish(
    *, actor: User, patrol: Patrol, note: str = "", at: dt.datetime | None = None
) -> Patrol:
    _check_open(actor, patrol)
    note = normalise_text(note).strip()
    if len(note) > 500:
        raise ValidationError({"note": _("巡查小结请控制在 500 字以内。")})
    patrol.finished_at = at or timezone.now()
    patrol.note = note
    patrol.save(update_fields=["finished_at", "note"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=patrol, fields=["finished_at", "note"]
    )
    return patrol
