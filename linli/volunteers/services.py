"""Writes for volunteers: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind, Grid
from linli.core.audit import audit_record
from linli.core.errors import Conflict, Duplicate
from linli.core.models import AuditEvent
from linli.people.models import Resident
from linli.volunteers.models import (
    Availability,
    DaySlot,
    ServiceCertificate,
    ServiceRecord,
    ServiceSource,
    Skill,
    Team,
    TeamKind,
    TeamMembership,
    Volunteer,
    VolunteerKind,
    VolunteerSkill,
)


@transaction.atomic
def volunteer_create(
    *,
    actor: User | None,
    community: Area,
    name: str = "",
    kind: str = VolunteerKind.RESIDENT,
    user: User | None = None,
    resident: Resident | None = None,
    grid: Grid | None = None,
    joined_on: dt.date | None = None,
) -> Volunteer:
    if user is None and resident is None:
        raise ValidationError(_("志愿者须关联一位居民或一个登录账号。"))
    if community.kind != AreaKind.COMMUNITY:
        raise ValidationError({"community": _("请选择志愿者所属的社区。")})
    name = (
        name.strip()
        or (resident.name if resident else "")
        or (user.get_full_name() if user else "")
    )
    volunteer = Volunteer(
        name=name,
        kind=kind,
        user=user,
        resident=resident,
        community=community,
        grid=grid,
        joined_on=joined_on,
    )
    volunteer.full_clean()
    volunteer.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=volunteer,
        fields=["name", "kind", "user", "resident"],
    )
    return volunteer


@transaction.atomic
def service_record_add(
    *,
    actor: User | None,
    volunteer: Volunteer,
    started_at: dt.datetime,
    minutes: int,
    content: str,
    source: str = ServiceSource.OTHER,
    source_id: str = "",
) -> ServiceRecord:
    """Record service time. Travel is not service time: callers pass time spent serving."""
    if minutes <= 0:
        raise ValidationError({"minutes": _("服务时长须大于 0 分钟。")})
    if minutes > 24 * 60:
        raise ValidationError({"minutes": _("一次服务时长不能超过 24 小时。")})
    record = ServiceRecord(
        volunteer=volunteer,
        started_at=started_at,
        minutes=minutes,
        content=content.strip()[:200],
        source=source,
        source_id=source_id,
        recorded_by=actor,
    )
    record.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=record,
        fields=["volunteer", "started_at", "minutes", "content", "source"],
    )
    return record


@transaction.atomic
def volunteer_update(
    *,
    actor: User | None,
    volunteer: Volunteer,
    kind: str,
    grid: Grid | None,
    active: bool,
    skills: Iterable[str] = (),
    availability: Iterable[tuple[int, str]] = (),
) -> Volunteer:
    """Change a profile: type, grid, whether on the books, skills and weekly slots."""
    if kind not in VolunteerKind.values:
        raise ValidationError({"kind": _("请选择志愿者类型。")})
    if grid is not None and grid.community_id != volunteer.community_id:
        raise ValidationError({"grid": _("网格须属于志愿者所在的社区。")})
    slots = set()
    for weekday, slot in availability:
        if not 0 <= int(weekday) <= 6 or slot not in DaySlot.values:
            raise ValidationError({"availability": _("可服务时段无效。")})
        slots.add((int(weekday), slot))
    skill_names = sorted({name.strip()[:30] for name in skills if name.strip()})

    volunteer.kind = kind
    volunteer.grid = grid
    volunteer.active = active
    volunteer.full_clean()
    volunteer.save(update_fields=["kind", "grid", "active", "updated_at"])

    skill_objects = [Skill.objects.get_or_create(name=name)[0] for name in skill_names]
    VolunteerSkill.objects.filter(volunteer=volunteer).exclude(skill__in=skill_objects).delete()
    for skill in skill_objects:
        VolunteerSkill.objects.get_or_create(volunteer=volunteer, skill=skill)

    Availability.objects.filter(volunteer=volunteer).delete()
    Availability.objects.bulk_create(
        [Availability(volunteer=volunteer, weekday=d, slot=s) for d, s in sorted(slots)]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=volunteer,
        fields=["kind", "grid", "active", "skills", "availability"],
    )
    return volunteer


@transaction.atomic
def team_create(
    *,
    actor: User | None,
    community: Area,
    name: str,
    kind: str = TeamKind.SERVICE,
    description: str = "",
) -> Team:
    if community.kind != AreaKind.COMMUNITY:
        raise ValidationError({"community": _("请选择队伍所属的社区。")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写队伍名称。")})
    if Team.objects.filter(community=community, name=name).exists():
        raise Duplicate({"name": _("本社区已有同名队伍。")})
    team = Team(community=community, name=name, kind=kind, description=description.strip())
    team.full_clean()
    team.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=team, fields=["name", "kind"])
    return team


@transaction.atomic
def team_member_add(
    *,
    actor: User | None,
    team: Team,
    volunteer: Volunteer,
    is_leader: bool = False,
    joined_on: dt.date | None = None,
) -> TeamMembership:
    """Add a volunteer to a team (or make an existing member its leader)."""
    if volunteer.community_id != team.community_id:
        raise ValidationError(_("只能加入本社区的队伍。"))
    membership, created = TeamMembership.objects.get_or_create(
        team=team,
        volunteer=volunteer,
        defaults={"is_leader": is_leader, "joined_on": joined_on},
    )
    if not created and is_leader and not membership.is_leader:
        membership.is_leader = True
        membership.save(update_fields=["is_leader"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=membership,
        fields=["team", "volunteer", "is_leader"],
    )
    return membership


_BRACKETED = re.compile(r"[((]([^()()]*)[))]")


def _items(text: str) -> list[str]:
    for separator in (",", ",", ";", ";"):
        text = text.replace(separator, "、")
    return [item.strip() for item in text.split("、") if item.strip()]


def content_parts(content: str, source: str) -> list[str]:
    """The kinds of service a record's content names, for a certificate's summary.

    Contents read "上门走访:王秀兰(买菜、送药)" (a visit: kind, the person visited,
    the services) or "平安巡逻" / "上门走访:买菜、量血压". A certificate names the
    services, never the people served, so the part after a visit's colon is dropped
    except for the services in brackets.
    """
    bracketed = [item for group in _BRACKETED.findall(content) for item in _items(group)]
    bare = _BRACKETED.sub("", content)
    head, colon, rest = bare.replace(":", ":").partition(":")
    if not colon:
        return [*_items(head), *bracketed]
    if source == ServiceSource.VISIT:
        return [head.strip(), *bracketed] if head.strip() else bracketed
    return (
        [head.strip(), *_items(rest), *bracketed] if head.strip() else [*_items(rest), *bracketed]
    )


def _certificate_number(issuer: Area, issued_on: dt.date) -> str:
    # The random part keeps numbers unguessable, so a number shown is one really issued.
    return f"ZYFW-{issued_on:%Y}-{issuer.code[-6:]}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def certificate_issue(
    *,
    actor: User | None,
    volunteer: Volunteer,
    period_end: dt.date | None = None,
    issued_on: dt.date | None = None,
) -> ServiceCertificate:
    """Issue a 志愿服务证明 for all recorded service up to ``period_end``.

    What it certifies is stored with its number, so the certificate can be verified
    later even after more hours are recorded.
    """
    today = timezone.localdate()
    issued_on = issued_on or today
    period_end = period_end or issued_on
    records = ServiceRecord.objects.filter(volunteer=volunteer, started_at__date__lte=period_end)
    totals = records.aggregate(minutes=Sum("minutes"), first=Min("started_at"))
    minutes = int(totals["minutes"] or 0)
    if minutes <= 0:
        raise Conflict(_("该志愿者还没有服务记录,无法出具证明。"))
    first: dt.datetime | None = totals["first"]
    contents: dict[str, int] = {}
    for content, source in records.values_list("content", "source"):
        for part in content_parts(content, source):
            contents[part] = contents.get(part, 0) + 1
    ranked = sorted(contents, key=lambda c: (-contents[c], c))[:8]
    summary = _("关爱走访等社区志愿服务") if not ranked else "、".join(ranked)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = ServiceCertificate.objects.create(
                    number=_certificate_number(volunteer.community, issued_on),
                    volunteer=volunteer,
                    issuer=volunteer.community,
                    period_start=timezone.localtime(first).date() if first else None,
                    period_end=period_end,
                    minutes=minutes,
                    record_count=records.count(),
                    content_summary=summary[:300],
                    issued_on=issued_on,
                    issued_by=actor,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five collisions of 32 random bits
        raise ValidationError(_("证明编号生成失败,请重试。"))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=certificate,
        fields=["volunteer", "minutes", "number"],
    )
    return certificate


@transaction.atomic
def team_member_remove(*, actor: User | None, membership: TeamMembership) -> None:
    audit_record(
        actor=actor, action=AuditEvent.Action.DELETE, obj=membership, fields=["team", "volunteer"]
    )
    membership.delete()
