"""Writes for volunteers: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind, Grid
from linli.core.audit import audit_record
from linli.core.errors import Conflict, Duplicate
from linli.core.models import AuditEvent
from linli.core.text import normalise_text
from linli.notifications.models import Kind as NotificationKind
from linli.notifications.services import notifications_retract, notify
from linli.people.models import Resident
from linli.volunteers.models import (
    Availability,
    DaySlot,
    HoursActor,
    HoursStatus,
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
    hours_transition_allowed,
)
from linli.volunteers.selectors import (
    hours_for_minutes,
    hours_review_link,
    hours_reviewers_of,
    is_own_volunteer,
    own_volunteer_profile,
    visible_volunteers,
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
    place: str = "",
) -> ServiceRecord:
    """Record service time from a verified source: a visit logged, an activity marked held,
    a duty credited, or a manager's own entry. Such hours are approved at once (the
    source is the evidence); a volunteer's own claim goes through :func:`service_hours_submit`.
    Travel is not service time: callers pass time spent serving."""
    if minutes <= 0:
        raise ValidationError({"minutes": _("服务时长须大于 0 分钟。")})
    if minutes > 24 * 60:
        raise ValidationError({"minutes": _("一次服务时长不能超过 24 小时。")})
    record = ServiceRecord(
        volunteer=volunteer,
        started_at=started_at,
        minutes=minutes,
        content=content.strip()[:200],
        place=place.strip()[:100],
        source=source,
        source_id=source_id,
        recorded_by=actor,
        status=HoursStatus.APPROVED,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    record.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=record,
        fields=["volunteer", "started_at", "minutes", "content", "source", "status"],
    )
    return record


# A volunteer may claim service of the last three months; older service is certified by
# the community on paper, not claimed in the app.
CLAIM_WINDOW_DAYS = 90
DAY_MINUTES = 24 * 60


def _volunteer_user(volunteer: Volunteer) -> User | None:
    if volunteer.user is not None:
        return volunteer.user
    return volunteer.resident.user if volunteer.resident is not None else None


def _tell_reviewers(record: ServiceRecord, *, again: bool) -> None:
    """A claim waits for review: the people who may review it hear of it (not urgent; by
    default in the staff group's morning digest). ``again``: it was resubmitted."""
    volunteer = record.volunteer
    facts = {
        "name": volunteer.name,
        "day": f"{timezone.localtime(record.started_at):%m-%d}",
        "hours": hours_for_minutes(record.minutes),
        "content": record.content,
    }
    text = (
        _("%(name)s重新提交了服务时长(%(day)s,%(hours)s 小时:%(content)s),待审核。")
        if again
        else _("%(name)s补报了服务时长(%(day)s,%(hours)s 小时:%(content)s),待审核。")
    ) % facts
    notify(
        users=hours_reviewers_of(volunteer),
        text=text,
        link=hours_review_link(record),
        kind=NotificationKind.HOURS_REVIEW,
        community=volunteer.community,
    )


def _checked_claim(
    *,
    volunteer: Volunteer,
    started_at: dt.datetime,
    minutes: int,
    content: str,
    place: str,
    record: ServiceRecord | None = None,
) -> tuple[str, str]:
    """The claim's content and place, normalised; refuses what cannot be true."""
    content = " ".join(normalise_text(content).split())
    place = " ".join(normalise_text(place).split())
    errors: dict[str, list[str]] = {}
    if not content:
        errors["content"] = [_("请填写做了什么服务。")]
    elif len(content) > 200:
        errors["content"] = [_("服务内容最多 200 字。")]
    if len(place) > 100:
        errors["place"] = [_("服务地点最多 100 字。")]
    now = timezone.now()
    day = timezone.localtime(started_at).date()
    if started_at > now + dt.timedelta(minutes=5):
        errors["served_on"] = [_("不能提交还没有发生的服务。")]
    elif day < timezone.localdate(now) - dt.timedelta(days=CLAIM_WINDOW_DAYS):
        errors["served_on"] = [
            _("只能补报 %(days)d 天内的服务;更早的服务请联系社区出具证明。")
            % {"days": CLAIM_WINDOW_DAYS}
        ]
    if minutes <= 0:
        errors["hours"] = [_("服务时长须大于 0。")]
    elif minutes > DAY_MINUTES:
        errors["hours"] = [_("一天的服务时长不能超过 24 小时。")]
    else:
        same_day = ServiceRecord.objects.filter(
            volunteer=volunteer,
            started_at__date=day,
        ).exclude(status__in=[HoursStatus.REJECTED, HoursStatus.WITHDRAWN])
        if record is not None:
            same_day = same_day.exclude(pk=record.pk)
        already = int(same_day.aggregate(m=Sum("minutes"))["m"] or 0)
        if already + minutes > DAY_MINUTES:
            errors["hours"] = [
                _("%(day)s 已记录 %(hours)s 小时,一天合计不能超过 24 小时。")
                % {"day": f"{day:%Y-%m-%d}", "hours": hours_for_minutes(already)}
            ]
    if errors:
        raise ValidationError(errors)
    return content, place


@transaction.atomic
def service_hours_submit(
    *,
    actor: User,
    volunteer: Volunteer,
    started_at: dt.datetime,
    minutes: int,
    content: str,
    place: str = "",
) -> ServiceRecord:
    """A volunteer's own claim for service given outside the system: it waits for review
    (待审核) and counts only once a manager approves it."""
    if not is_own_volunteer(actor, volunteer):
        raise PermissionDenied(_("只能为自己提交服务时长。"))
    if not volunteer.active:
        raise ValidationError(_("您已不在志愿者名册中,不能提交服务时长。"))
    content, place = _checked_claim(
        volunteer=volunteer, started_at=started_at, minutes=minutes, content=content, place=place
    )
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        started_at=started_at,
        minutes=minutes,
        content=content,
        place=place,
        source=ServiceSource.CLAIM,
        recorded_by=actor,
        status=HoursStatus.SUBMITTED,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=record,
        fields=["volunteer", "started_at", "minutes", "content", "place", "status"],
    )
    _tell_reviewers(record, again=False)
    return record


@transaction.atomic
def service_hours_correct(
    *,
    actor: User,
    record: ServiceRecord,
    started_at: dt.datetime,
    minutes: int,
    content: str,
    place: str = "",
) -> ServiceRecord:
    """The volunteer corrects a claim still waiting or sent back; it waits for review again."""
    locked = (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .get(pk=record.pk)
    )
    if not is_own_volunteer(actor, locked.volunteer) or locked.source != ServiceSource.CLAIM:
        raise PermissionDenied(_("只能修改自己提交的服务时长。"))
    if not hours_transition_allowed(locked.status, HoursStatus.SUBMITTED, HoursActor.VOLUNTEER):
        raise Conflict(_("这条服务时长已确认,不能再修改。"))
    content, place = _checked_claim(
        volunteer=locked.volunteer,
        started_at=started_at,
        minutes=minutes,
        content=content,
        place=place,
        record=locked,
    )
    before = locked.status
    locked.started_at = started_at
    locked.minutes = minutes
    locked.content = content
    locked.place = place
    locked.status = HoursStatus.SUBMITTED
    locked.reviewed_by = None
    locked.reviewed_at = None
    locked.reject_reason = ""
    locked.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["started_at", "minutes", "content", "place", "status"],
        note=(
            _("退回后重新提交")
            if before == HoursStatus.REJECTED
            else _("撤回后重新提交")
            if before == HoursStatus.WITHDRAWN
            else _("修改待审核的服务时长")
        ),
    )
    if before != HoursStatus.SUBMITTED:
        # Back in the queue: the reviewers hear again. A claim corrected while it still
        # waits is the one they were already told of.
        _tell_reviewers(locked, again=True)
    return locked


@transaction.atomic
def service_hours_withdraw(*, actor: User, record: ServiceRecord) -> ServiceRecord:
    """The volunteer takes back a claim still waiting for review (撤回): it leaves the
    queue, never counts, and the reviewers' messages about it are taken back. It can be
    corrected and submitted again like one sent back."""
    locked = (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .get(pk=record.pk)
    )
    if not is_own_volunteer(actor, locked.volunteer) or locked.source != ServiceSource.CLAIM:
        raise PermissionDenied(_("只能撤回自己提交的服务时长。"))
    if not hours_transition_allowed(locked.status, HoursStatus.WITHDRAWN, HoursActor.VOLUNTEER):
        raise Conflict(
            _("这条服务时长已经撤回了。")
            if locked.status == HoursStatus.WITHDRAWN
            else _("这条服务时长已经审核过了,不能撤回。")
        )
    # Conditional on the status, like a review: a reviewer deciding at the same moment
    # and the withdrawal cannot both succeed.
    changed = ServiceRecord.objects.filter(pk=locked.pk, status=HoursStatus.SUBMITTED).update(
        status=HoursStatus.WITHDRAWN
    )
    if not changed:  # pragma: no cover - the row is locked above on PostgreSQL
        raise Conflict(_("这条服务时长已经审核过了,不能撤回。"))
    locked.status = HoursStatus.WITHDRAWN
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["status"],
        note=_("撤回待审核的服务时长"),
    )
    notifications_retract(kind=NotificationKind.HOURS_REVIEW, links=[hours_review_link(locked)])
    return locked


def _reviewable(actor: User, record_ids: Iterable[int]) -> list[ServiceRecord]:
    """The records ``actor`` may review, all of them or a 404 (nothing outside scope is
    confirmed to exist); their own hours are refused."""
    ids = sorted(set(record_ids))
    if not ids:
        raise ValidationError(_("请先选择要审核的服务时长。"))
    if not all(0 < pk < 2**63 for pk in ids):
        raise Http404  # no such key can exist
    records = list(
        ServiceRecord.objects.filter(pk__in=ids, volunteer__in=visible_volunteers(actor))
        .select_related("volunteer__user", "volunteer__resident__user")
        .order_by("pk")
    )
    if len(records) != len(ids):
        raise Http404
    own = own_volunteer_profile(actor)
    if own is not None and any(r.volunteer_id == own.pk for r in records):
        raise PermissionDenied(_("不能审核自己的服务时长,请由其他工作人员审核。"))
    return records


@dataclass(frozen=True)
class Approved:
    records: list[ServiceRecord]
    # Already reviewed by someone else meanwhile: left as they are.
    skipped: int

    @property
    def minutes(self) -> int:
        return sum(r.minutes for r in self.records)


def _hours_link() -> str:
    return reverse("volunteers:my_service")


@transaction.atomic
def service_hours_approve(*, actor: User, record_ids: Iterable[int]) -> Approved:
    """Approve the selected claims (one or many). Each is changed by a conditional UPDATE,
    so of two reviewers at once exactly one approves a record; the records someone else
    reviewed meanwhile are skipped, and if none is left to approve that is a conflict."""
    now = timezone.now()
    approved: list[ServiceRecord] = []
    skipped = 0
    for record in _reviewable(actor, record_ids):
        if not hours_transition_allowed(record.status, HoursStatus.APPROVED, HoursActor.REVIEWER):
            skipped += 1
            continue
        changed = ServiceRecord.objects.filter(pk=record.pk, status=record.status).update(
            status=HoursStatus.APPROVED, reviewed_by=actor, reviewed_at=now
        )
        if not changed:
            skipped += 1
            continue
        record.status, record.reviewed_by, record.reviewed_at = HoursStatus.APPROVED, actor, now
        audit_record(actor=actor, action=AuditEvent.Action.APPROVE, obj=record, fields=["status"])
        approved.append(record)
    if not approved:
        raise Conflict(_("所选的服务时长已经审核过了。"))
    # Decided: the other reviewers' "waiting for review" messages are moot.
    notifications_retract(
        kind=NotificationKind.HOURS_REVIEW, links=[hours_review_link(r) for r in approved]
    )
    by_volunteer: dict[int, list[ServiceRecord]] = {}
    for record in approved:
        by_volunteer.setdefault(record.volunteer_id, []).append(record)
    for records in by_volunteer.values():
        volunteer = records[0].volunteer
        minutes = sum(r.minutes for r in records)
        notify(
            users=[u for u in [_volunteer_user(volunteer)] if u is not None],
            text=ngettext(
                "您提交的 %(count)d 条服务时长(共 %(hours)s 小时)已确认,已计入累计时长。",
                "您提交的 %(count)d 条服务时长(共 %(hours)s 小时)已确认,已计入累计时长。",
                len(records),
            )
            % {"count": len(records), "hours": hours_for_minutes(minutes)},
            link=_hours_link(),
            community=volunteer.community,
        )
    return Approved(records=approved, skipped=skipped)


@transaction.atomic
def service_hours_reject(*, actor: User, record_id: int, reason: str) -> ServiceRecord:
    """Send a claim back with the reason; the volunteer may correct it and submit again."""
    (record,) = _reviewable(actor, [record_id])
    reason = " ".join(normalise_text(reason).split())
    if not reason:
        raise ValidationError({"reason": [_("请写明退回原因,志愿者会看到它。")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("退回原因最多 200 字。")]})
    if not hours_transition_allowed(record.status, HoursStatus.REJECTED, HoursActor.REVIEWER):
        raise Conflict(_("这条服务时长已经审核过了。"))
    now = timezone.now()
    changed = ServiceRecord.objects.filter(pk=record.pk, status=record.status).update(
        status=HoursStatus.REJECTED, reviewed_by=actor, reviewed_at=now, reject_reason=reason
    )
    if not changed:
        raise Conflict(_("这条服务时长已经审核过了。"))
    record.status, record.reviewed_by, record.reviewed_at = HoursStatus.REJECTED, actor, now
    record.reject_reason = reason
    audit_record(
        actor=actor,
        action=AuditEvent.Action.REJECT,
        obj=record,
        fields=["status", "reject_reason"],
        note=reason[:300],
    )
    notifications_retract(kind=NotificationKind.HOURS_REVIEW, links=[hours_review_link(record)])
    user = _volunteer_user(record.volunteer)
    if user is not None:
        notify(
            users=[user],
            text=_("您提交的服务时长(%(day)s,%(hours)s 小时)被退回:%(reason)s。可修改后重新提交。")
            % {
                "day": f"{timezone.localtime(record.started_at):%m-%d}",
                "hours": hours_for_minutes(record.minutes),
                "reason": reason,
            },
            link=reverse("volunteers:hours_edit", args=[record.pk]),
            community=record.volunteer.community,
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
    records = ServiceRecord.objects.counted().filter(
        volunteer=volunteer, started_at__date__lte=period_end
    )
    totals = records.aggregate(minutes=Sum("minutes"), first=Min("started_at"))
    minutes = int(totals["minutes"] or 0)
    if minutes <= 0:
        raise Conflict(_("该志愿者还没有已确认的服务时长,无法出具证明。"))
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
