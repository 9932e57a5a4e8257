"""Writes for summer programmes: validated, atomic, audited, keyword-only.

The one exception to "one atomic function per write" is :func:`attendance_sign_out`:
a refused hand-over must be kept even though the sign-out itself fails, so the refusal
is committed by its own atomic function before the refusal is raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.sweeps import sweep
from linli.core.text import normalise_text
from linli.core.validators import validate_phone
from linli.notifications.models import Kind as NotificationKind
from linli.notifications.services import notify
from linli.people.models import ConsentMethod, ConsentPurpose, Resident, age_on
from linli.people.selectors import consent_active
from linli.people.services import consent_record
from linli.privacy.gate import processable, require_processing
from linli.programmes.models import (
    Attendance,
    Duty,
    Enrolment,
    EnrolmentStatus,
    Incident,
    Phase,
    PickupPerson,
    PickupRefusal,
    Programme,
    Site,
    Slot,
    SlotKind,
)
from linli.volunteers.models import ServiceSource, Volunteer
from linli.volunteers.services import service_record_add


class PickupRefused(ValidationError):
    """Sign-out refused: the person collecting the child is not on the list."""


@dataclass(frozen=True)
class PickupData:
    name: str
    relation: str
    phone: str


def _text(value: str, limit: int) -> str:
    return normalise_text(value).strip()[:limit]


@transaction.atomic
def site_create(
    *, actor: User | None, area: Area, name: str, lead: User | None = None, address: str = ""
) -> Site:
    name = _text(name, 80)
    if not name:
        raise ValidationError({"name": _("请填写站点名称,如“韩村社区党群服务站”。")})
    site = Site.objects.create(area=area, name=name, lead=lead, address=_text(address, 120))
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=site, fields=["name", "area", "lead"]
    )
    return site


@transaction.atomic
def programme_create(
    *,
    actor: User | None,
    site: Site,
    name: str,
    description: str = "",
    team: Iterable[User] = (),
) -> Programme:
    name = _text(name, 80)
    if not name:
        raise ValidationError({"name": _("请填写项目名称,如“候鸟课堂”。")})
    programme = Programme.objects.create(
        site=site, name=name, description=normalise_text(description).strip()
    )
    programme.team.set(list(team))
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=programme, fields=["name", "site", "team"]
    )
    return programme


@transaction.atomic
def programme_update(
    *, actor: User | None, programme: Programme, site: Site, name: str, description: str = ""
) -> Programme:
    name = _text(name, 80)
    if not name:
        raise ValidationError({"name": _("请填写项目名称,如“候鸟课堂”。")})
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    locked.site = site
    locked.name = name
    locked.description = normalise_text(description).strip()
    locked.save(update_fields=["site", "name", "description", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["site", "name", "description"],
    )
    return locked


@dataclass(frozen=True)
class PhaseData:
    name: str
    start_date: dt.date
    end_date: dt.date
    opens_at: dt.time
    closes_at: dt.time
    capacity: int
    weekdays: str = "12345"
    min_age: int = 6
    max_age: int = 14
    fee: Decimal = Decimal(0)


_PHASE_FIELDS = [
    "name",
    "start_date",
    "end_date",
    "weekdays",
    "opens_at",
    "closes_at",
    "capacity",
    "min_age",
    "max_age",
    "fee",
]


def _clean_phase(data: PhaseData, phase: Phase | None = None) -> PhaseData:
    """The phase's fields checked (Chinese messages per field); on an existing phase also
    against what depends on it: enrolled children, timetable slots, the rota."""
    errors: dict[str, list[str]] = {}
    if data.end_date < data.start_date:
        errors["end_date"] = [_("结束日期不能早于开始日期。")]
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = [_("每日结束时间须晚于开始时间。")]
    if data.capacity < 1:
        errors["capacity"] = [_("名额至少为 1 人。")]
    if data.min_age > data.max_age:
        errors["max_age"] = [_("最大年龄不能小于最小年龄。")]
    elif data.max_age > 17:
        errors["max_age"] = [_("托管面向未成年儿童,最大年龄不能超过 17 周岁。")]
    if data.min_age < 3:
        errors["min_age"] = [_("最小年龄不能小于 3 周岁。")]
    if data.fee < 0:
        errors["fee"] = [_("费用不能为负数。")]
    days = "".join(sorted(set(data.weekdays)))
    if not days or any(d not in "1234567" for d in days):
        errors["weekdays"] = [_("请选择开放日(周一到周日)。")]
    if phase is not None and not errors:
        enrolled = phase.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
        if data.capacity < enrolled:
            errors["capacity"] = [
                _("已有 %(n)s 名儿童正式报名,名额不能少于 %(n)s。") % {"n": enrolled}
            ]
        outside = [
            s
            for s in phase.slots.all()
            if s.starts_at < data.opens_at
            or s.ends_at > data.closes_at
            or (s.weekday is not None and str(s.weekday) not in days)
        ]
        if outside:
            errors["opens_at"] = [
                _("课表中有 %(n)s 节课不在新的开放日或开放时间内,请先调整课表。")
                % {"n": len(outside)}
            ]
        if phase.duties.exclude(day__range=(data.start_date, data.end_date)).exists():
            errors["start_date"] = [_("有志愿者值班安排在新的日期范围之外,请先调整值班表。")]
    if errors:
        raise ValidationError(errors)
    return PhaseData(
        name=_text(data.name, 60) or str(_("第一期")),
        start_date=data.start_date,
        end_date=data.end_date,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        capacity=data.capacity,
        weekdays=days,
        min_age=data.min_age,
        max_age=data.max_age,
        fee=data.fee,
    )


@transaction.atomic
def phase_add(
    *,
    actor: User | None,
    programme: Programme,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    opens_at: dt.time,
    closes_at: dt.time,
    capacity: int,
    weekdays: str = "12345",
    min_age: int = 6,
    max_age: int = 14,
    fee: Decimal = Decimal(0),
) -> Phase:
    data = _clean_phase(
        PhaseData(
            name=name,
            start_date=start_date,
            end_date=end_date,
            opens_at=opens_at,
            closes_at=closes_at,
            capacity=capacity,
            weekdays=weekdays,
            min_age=min_age,
            max_age=max_age,
            fee=fee,
        )
    )
    phase = Phase.objects.create(
        programme=programme, **{field: getattr(data, field) for field in _PHASE_FIELDS}
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=phase, fields=_PHASE_FIELDS)
    return phase


@transaction.atomic
def phase_update(*, actor: User | None, phase: Phase, data: PhaseData) -> Phase:
    locked = Phase.objects.select_for_update().get(pk=phase.pk)
    clean = _clean_phase(data, locked)
    changed = [f for f in _PHASE_FIELDS if getattr(locked, f) != getattr(clean, f)]
    for field in changed:
        setattr(locked, field, getattr(clean, field))
    if changed:
        locked.save(update_fields=changed)
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, fields=changed)
    return locked


@dataclass(frozen=True)
class SlotData:
    starts_at: dt.time
    ends_at: dt.time
    kind: str
    title: str = ""
    weekday: int | None = None
    volunteer: Volunteer | None = None
    teacher_name: str = ""


def _clean_slot(phase: Phase, data: SlotData, slot: Slot | None = None) -> SlotData:
    errors: dict[str, list[str]] = {}
    if data.kind not in SlotKind.values:
        errors["kind"] = [_("请选择课程内容。")]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间。")]
    elif data.starts_at < phase.opens_at or data.ends_at > phase.closes_at:
        errors["starts_at"] = [
            _("课程须安排在每日开放时间 %(opens)s—%(closes)s 之内。")
            % {"opens": f"{phase.opens_at:%H:%M}", "closes": f"{phase.closes_at:%H:%M}"}
        ]
    if data.weekday is not None and str(data.weekday) not in phase.weekdays:
        errors["weekday"] = [_("这一天不开放。")]
    teacher_name = _text(data.teacher_name, 50)
    if data.volunteer is None and not teacher_name:
        errors["teacher_name"] = [_("请选择志愿者或填写授课老师。")]
    elif data.volunteer is not None and not data.volunteer.active:
        errors["volunteer"] = [_("该志愿者已不在册。")]
    if not errors:
        # Two slots clash when their days meet (a slot without a weekday is every day)
        # and their times overlap; touching ends (10:00–10:00) do not.
        others = phase.slots.filter(starts_at__lt=data.ends_at, ends_at__gt=data.starts_at)
        if data.weekday is not None:
            others = others.filter(Q(weekday__isnull=True) | Q(weekday=data.weekday))
        if slot is not None:
            others = others.exclude(pk=slot.pk)
        clash = others.order_by("starts_at").first()
        if clash is not None:
            errors["starts_at"] = [
                _("与已有课程“%(slot)s”(%(start)s—%(end)s)时间重叠。")
                % {
                    "slot": clash.title or clash.get_kind_display(),
                    "start": f"{clash.starts_at:%H:%M}",
                    "end": f"{clash.ends_at:%H:%M}",
                }
            ]
    if errors:
        raise ValidationError(errors)
    return SlotData(
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        kind=data.kind,
        title=_text(data.title, 60),
        weekday=data.weekday,
        volunteer=data.volunteer,
        teacher_name=teacher_name,
    )


_SLOT_FIELDS = ["weekday", "starts_at", "ends_at", "kind", "title", "volunteer", "teacher_name"]


@transaction.atomic
def slot_add(
    *,
    actor: User | None,
    phase: Phase,
    starts_at: dt.time,
    ends_at: dt.time,
    kind: str,
    title: str = "",
    weekday: int | None = None,
    volunteer: Volunteer | None = None,
    teacher_name: str = "",
) -> Slot:
    locked = Phase.objects.select_for_update().get(pk=phase.pk)
    data = _clean_slot(
        locked,
        SlotData(
            starts_at=starts_at,
            ends_at=ends_at,
            kind=kind,
            title=title,
            weekday=weekday,
            volunteer=volunteer,
            teacher_name=teacher_name,
        ),
    )
    slot = Slot.objects.create(
        phase=locked, **{field: getattr(data, field) for field in _SLOT_FIELDS}
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=slot, fields=_SLOT_FIELDS)
    return slot


@transaction.atomic
def slot_update(*, actor: User | None, slot: Slot, data: SlotData) -> Slot:
    phase = Phase.objects.select_for_update().get(pk=slot.phase_id)
    locked = Slot.objects.select_for_update().get(pk=slot.pk)
    clean = _clean_slot(phase, data, locked)
    if (
        clean.weekday is not None
        and locked.duties.exclude(day__iso_week_day=clean.weekday).exists()
    ):
        raise ValidationError(
            {"weekday": [_("这节课已有其他日子的志愿者值班安排,请先调整值班表。")]}
        )
    changed = [f for f in _SLOT_FIELDS if getattr(locked, f) != getattr(clean, f)]
    for field in changed:
        setattr(locked, field, getattr(clean, field))
    if changed:
        locked.save(update_fields=changed)
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, fields=changed)
    return locked


@transaction.atomic
def slot_remove(*, actor: User | None, slot: Slot) -> None:
    if slot.duties.filter(service_record__isnull=False).exists():
        raise ValidationError(_("这节课已有记入服务时长的值班,不能删除。"))
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=slot, fields=_SLOT_FIELDS)
    slot.delete()


def _clean_pickups(pickups: Sequence[PickupData]) -> list[PickupData]:
    cleaned: list[PickupData] = []
    errors: list[str] = []
    for pickup in pickups:
        name = _text(pickup.name, 50)
        if not name:
            continue
        relation = _text(pickup.relation, 20)
        if not relation:
            errors.append(_("请填写接送人“%(name)s”与儿童的关系。") % {"name": name})
            continue
        try:
            phone = validate_phone(normalise_text(pickup.phone))
        except ValidationError:
            errors.append(_("接送人“%(name)s”的电话格式不正确。") % {"name": name})
            continue
        cleaned.append(PickupData(name=name, relation=relation, phone=phone))
    if errors:
        raise ValidationError({"pickups": errors})
    if not cleaned:
        raise ValidationError({"pickups": [_("请至少填写一位授权接送人(姓名、关系、电话)。")]})
    return cleaned


@transaction.atomic
def enrol(
    *,
    actor: User | None,
    phase: Phase,
    child: Resident,
    guardian: Resident,
    guardian_relation: str,
    pickups: Sequence[PickupData],
    consent_method: str = ConsentMethod.ONLINE,
    health_consent: bool = False,
    allergies: str = "",
    health_notes: str = "",
    today: dt.date | None = None,
) -> Enrolment:
    """Enrol a child in a phase on the guardian's word.

    A child under 14 needs the guardian's consent (recorded here through the register's
    consent rules if not yet active); allergies and health notes are kept only under the
    child's health consent. A full phase puts the child on the waiting list.
    """
    locked = Phase.objects.select_for_update().get(pk=phase.pk)
    relation = _text(guardian_relation, 20)
    errors: dict[str, list[str]] = {}
    if not relation:
        errors["guardian_relation"] = [_("请填写监护人与儿童的关系,如“母亲”。")]
    if guardian.pk == child.pk:
        errors["guardian"] = [_("监护人不能是儿童本人。")]
    elif guardian.anonymised_at is not None or guardian.age < 18:
        errors["guardian"] = [_("监护人须是年满十八周岁的居民。")]
    age = age_on(child.birth_date, locked.start_date)
    if not locked.min_age <= age <= locked.max_age:
        errors["child"] = [
            _("该项目面向 %(min)s 至 %(max)s 周岁的儿童,%(name)s 开班时 %(age)s 岁。")
            % {"min": locked.min_age, "max": locked.max_age, "name": child.name, "age": age}
        ]
    # ``today`` lets the demo and imports record enrolments of past phases.
    if locked.end_date < (today or timezone.localdate()):
        errors["phase"] = [_("这一期已经结束,不能再报名。")]
    if (
        Enrolment.objects.filter(phase=locked, child=child)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .exists()
    ):
        errors["child"] = [_("%(name)s 已报名这一期。") % {"name": child.name}]
    allergies = normalise_text(allergies).strip()[:500]
    health_notes = normalise_text(health_notes).strip()[:500]
    if (
        (allergies or health_notes)
        and not health_consent
        and not consent_active(resident=child, purpose=ConsentPurpose.HEALTH)
    ):
        errors["allergies"] = [
            _("过敏和健康情况属于健康信息,须监护人勾选健康信息授权同意后才能填写。")
        ]
    if errors:
        raise ValidationError(errors)
    clean_pickups = _clean_pickups(pickups)
    if child.anonymised_at is not None:
        raise ValidationError(_("该居民的信息已匿名化,不能报名。"))
    if child.age < 14 and not consent_active(resident=child, purpose=ConsentPurpose.MINOR):
        consent_record(
            actor=actor,
            resident=child,
            purpose=ConsentPurpose.MINOR,
            guardian=guardian,
            given_by_name=guardian.name,
            given_by_relation=relation,
            method=consent_method,
            note=str(_("暑期托管报名时由监护人同意")),
        )
    require_processing(child, field="child")
    if health_consent and not consent_active(resident=child, purpose=ConsentPurpose.HEALTH):
        consent_record(
            actor=actor,
            resident=child,
            purpose=ConsentPurpose.HEALTH,
            guardian=guardian,
            given_by_name=guardian.name,
            given_by_relation=relation,
            method=consent_method,
            note=str(_("暑期托管报名时由监护人同意(过敏与健康提示)")),
        )
    if allergies or health_notes:
        require_processing(child, purpose=ConsentPurpose.HEALTH, field="allergies")
    taken = locked.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    enrolment = Enrolment.objects.create(
        phase=locked,
        child=child,
        guardian=guardian,
        guardian_relation=relation,
        status=EnrolmentStatus.ENROLLED if taken < locked.capacity else EnrolmentStatus.WAITING,
        allergies=allergies,
        health_notes=health_notes,
        enrolled_by=actor,
    )
    PickupPerson.objects.bulk_create(
        [
            PickupPerson(enrolment=enrolment, name=p.name, relation=p.relation, phone=p.phone)
            for p in clean_pickups
        ]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=enrolment,
        fields=["phase", "child", "guardian", "status", "pickups", "allergies", "health_notes"],
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor: User | None, enrolment: Enrolment) -> Enrolment | None:
    """Withdraw a child; the first on the waiting list takes the place (returned)."""
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.status == EnrolmentStatus.WITHDRAWN:
        raise ValidationError(_("该儿童已退出。"))
    was_enrolled = locked.status == EnrolmentStatus.ENROLLED
    locked.status = EnrolmentStatus.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, fields=["status"])
    if not was_enrolled:
        return None
    waiting = (
        Enrolment.objects.filter(phase=locked.phase, status=EnrolmentStatus.WAITING)
        .order_by("created_at", "pk")
        .first()
    )
    if waiting is None:
        return None
    waiting.status = EnrolmentStatus.ENROLLED
    waiting.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=waiting,
        fields=["status"],
        note="候补转正",
    )
    if waiting.guardian is not None and waiting.guardian.user is not None:
        notify(
            users=[waiting.guardian.user],
            text=_("%(child)s 已从候补转为正式报名:%(phase)s。")
            % {"child": waiting.child.name, "phase": str(waiting.phase)},
            link=reverse("programmes:mine"),
            kind=NotificationKind.PROGRAMME,
        )
    return waiting


def runs_on(phase: Phase, day: dt.date) -> bool:
    return phase.start_date <= day <= phase.end_date and str(day.isoweekday()) in phase.weekdays


@transaction.atomic
def attendance_sign_in(
    *, actor: User | None, enrolment: Enrolment, now: dt.datetime | None = None
) -> Attendance:
    now = now or timezone.now()
    day = timezone.localdate(now)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(_("该儿童不在正式报名名单中(候补或已退出),不能签到。"))
    if not runs_on(enrolment.phase, day):
        raise ValidationError(_("今天不是这一期的开放日。"))
    require_processing(enrolment.child)
    if Attendance.objects.filter(enrolment=enrolment, day=day).exists():
        raise ValidationError(_("%(name)s 今天已经签到。") % {"name": enrolment.child.name})
    attendance = Attendance.objects.create(
        enrolment=enrolment, day=day, signed_in_at=now, signed_in_by=actor
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=attendance, fields=["signed_in_at"]
    )
    return attendance


def authorised_pickup(enrolment: Enrolment, name: str) -> PickupPerson | None:
    """The pick-up person on the child's list with this name, if any."""
    wanted = normalise_text(name).strip().replace(" ", "")
    if not wanted:
        return None
    for pickup in enrolment.pickups.all():
        if pickup.name.replace(" ", "") == wanted:
            return pickup
    return None


HEALTH_FIELDS = ["allergies", "health_notes"]


@transaction.atomic
def health_notes_shown(
    *, actor: User, programme: Programme, enrolments: Sequence[Enrolment]
) -> None:
    """Record that ``actor`` was shown these children's allergies and health notes (one
    record a child a look, as every reveal of health data is audited)."""
    for enrolment in enrolments:
        if enrolment.allergies or enrolment.health_notes:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.VIEW,
                obj=enrolment.child,
                fields=HEALTH_FIELDS,
                note=f"托管签到页健康提示:{programme.name}"[:300],
            )


@transaction.atomic
def _refusal_record(
    *, actor: User | None, attendance: Attendance, name: str, now: dt.datetime
) -> PickupRefusal:
    refusal = PickupRefusal.objects.create(
        attendance=attendance, name_given=name[:50], at=now, by=actor
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=refusal,
        fields=["name_given"],
        success=False,
        note="拒绝非授权人员接走儿童",
    )
    return refusal


@transaction.atomic
def _sign_out_commit(
    *, actor: User | None, attendance: Attendance, pickup: PickupPerson, now: dt.datetime
) -> Attendance:
    locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if locked.signed_out_at is not None:
        raise ValidationError(_("该儿童今天已经签退。"))
    locked.signed_out_at = now
    locked.signed_out_by = actor
    locked.picked_up_by = pickup
    locked.picked_up_by_name = pickup.name
    locked.save(
        update_fields=["signed_out_at", "signed_out_by", "picked_up_by", "picked_up_by_name"]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["signed_out_at", "picked_up_by"],
    )
    return locked


def attendance_sign_out(
    *, actor: User | None, attendance: Attendance, pickup_name: str, now: dt.datetime | None = None
) -> Attendance:
    """Hand the child over, only to a person on the child's pick-up list.

    Anyone else is refused with a clear message (:class:`PickupRefused`) and the refusal
    is kept and audited.
    """
    now = now or timezone.now()
    name = _text(pickup_name, 50)
    if not name:
        raise ValidationError({"pickup_name": [_("请填写来接孩子的人的姓名。")]})
    if attendance.signed_out_at is not None:
        raise ValidationError(_("该儿童今天已经签退。"))
    pickup = authorised_pickup(attendance.enrolment, name)
    if pickup is None:
        _refusal_record(actor=actor, attendance=attendance, name=name, now=now)
        allowed = "、".join(f"{p.name}({p.relation})" for p in attendance.enrolment.pickups.all())
        raise PickupRefused(
            _(
                "不能签退:“%(name)s”不在 %(child)s 的授权接送名单中,请勿交接孩子。"
                "授权接送人:%(allowed)s。如有疑问请联系监护人。"
            )
            % {"name": name, "child": attendance.enrolment.child.name, "allowed": allowed}
        )
    return _sign_out_commit(actor=actor, attendance=attendance, pickup=pickup, now=now)


def _closing_moment(attendance: Attendance) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(attendance.day, attendance.enrolment.phase.closes_at)
    )


def raise_not_picked_up_alerts(*, now: dt.datetime | None = None) -> int:
    """Alert the site lead (and the programme's team) about each child signed in but not
    signed out by the phase's closing time. Once per child and day; returns how many.
    Each child's alert commits on its own (:mod:`linli.core.sweeps`)."""
    now = now or timezone.now()
    candidates = list(
        processable(
            Attendance.objects.filter(
                signed_out_at__isnull=True,
                alert_raised_at__isnull=True,
                day__lte=timezone.localdate(now),
            )
        ).values_list("pk", flat=True)
    )
    return sum(sweep(candidates, lambda pk: _alert_not_picked_up(pk, now), name="pick-up"))


def _alert_not_picked_up(pk: int, now: dt.datetime) -> bool:
    attendance = (
        processable(
            Attendance.objects.filter(
                pk=pk, signed_out_at__isnull=True, alert_raised_at__isnull=True
            )
        )
        .select_related("enrolment__child", "enrolment__phase__programme__site__lead")
        .select_for_update(of=("self",))
        .first()
    )
    if attendance is None or _closing_moment(attendance) > now:
        return False
    programme = attendance.enrolment.phase.programme
    recipients = [programme.site.lead, *programme.team.all()]
    notify(
        users=[u for u in recipients if u is not None],
        text=_("%(site)s:%(child)s 已过结束时间 %(time)s 仍未签退接走,请立即联系监护人。")
        % {
            "site": programme.site.name,
            "child": attendance.enrolment.child.name,
            "time": f"{attendance.enrolment.phase.closes_at:%H:%M}",
        },
        link=reverse("programmes:day", kwargs={"pk": programme.pk}),
        urgent=True,
        kind=NotificationKind.PROGRAMME,
    )
    attendance.alert_raised_at = now
    attendance.save(update_fields=["alert_raised_at"])
    audit_record(
        actor=None, action=AuditEvent.Action.UPDATE, obj=attendance, fields=["alert_raised_at"]
    )
    return True


@transaction.atomic
def incident_record(
    *,
    actor: User | None,
    programme: Programme,
    happened_at: dt.datetime,
    description: str,
    action_taken: str = "",
    enrolment: Enrolment | None = None,
) -> Incident:
    description = normalise_text(description).strip()
    if not description:
        raise ValidationError({"description": [_("请填写事件经过。")]})
    if enrolment is not None and enrolment.phase.programme_id != programme.pk:
        raise ValidationError({"enrolment": [_("该儿童不在这个项目中。")]})
    incident = Incident.objects.create(
        programme=programme,
        enrolment=enrolment,
        happened_at=happened_at,
        description=description[:2000],
        action_taken=normalise_text(action_taken).strip()[:2000],
        reported_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=incident,
        fields=["description", "action_taken"],
    )
    if enrolment is not None and enrolment.guardian and enrolment.guardian.user:
        notify(
            users=[enrolment.guardian.user],
            text=_("%(site)s 记录了与 %(child)s 有关的情况,请查看或联系站点。")
            % {"site": programme.site.name, "child": enrolment.child.name},
            link=reverse("programmes:mine"),
            kind=NotificationKind.PROGRAMME,
        )
    return incident


@transaction.atomic
def guardians_message(*, actor: User | None, programme: Programme, text: str) -> int:
    """Send an in-app message to the guardians of every child enrolled; returns how many."""
    text = normalise_text(text).strip()
    if not text:
        raise ValidationError({"text": [_("请填写要发给家长的内容。")]})
    guardians = (
        User.objects.filter(
            resident__programme_enrolments_as_guardian__phase__programme=programme,
            resident__programme_enrolments_as_guardian__status=EnrolmentStatus.ENROLLED,
        )
        .distinct()
        .order_by("pk")
    )
    sent = notify(
        users=list(guardians),
        text=f"{programme.name}:{text}"[:300],
        link=reverse("programmes:mine"),
        kind=NotificationKind.PROGRAMME,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.NOTIFY,
        obj=programme,
        fields=["text"],
        note=f"{len(sent)} 位家长",
    )
    return len(sent)


def phase_ended(phase: Phase, today: dt.date | None = None) -> bool:
    """Whether guardians may rate the phase: from its last day on."""
    return phase.end_date <= (today or timezone.localdate())


@transaction.atomic
def satisfaction_record(
    *,
    actor: User | None,
    enrolment: Enrolment,
    score: int,
    comment: str = "",
    today: dt.date | None = None,
) -> Enrolment:
    """The guardian's rating of a phase their child attended (1–5, optional comment),
    from the phase's last day on; rating again replaces the earlier answer."""
    locked = Enrolment.objects.select_for_update().select_related("phase").get(pk=enrolment.pk)
    errors: dict[str, list[str]] = {}
    if not 1 <= score <= 5:
        errors["score"] = [_("满意度请选择 1 到 5 分。")]
    if locked.status != EnrolmentStatus.ENROLLED:
        errors["score"] = [_("只有正式参加托管的孩子的家长可以评价。")]
    elif not phase_ended(locked.phase, today):
        errors["score"] = [
            _("托管结束后才能评价(这一期 %(end)s 结束)。")
            % {"end": f"{locked.phase.end_date:%Y-%m-%d}"}
        ]
    if errors:
        raise ValidationError(errors)
    locked.satisfaction = score
    locked.satisfaction_comment = normalise_text(comment).strip()[:500]
    locked.save(update_fields=["satisfaction", "satisfaction_comment", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["satisfaction", "satisfaction_comment"],
    )
    return locked


def _moment(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@transaction.atomic
def duty_assign(
    *,
    actor: User | None,
    phase: Phase,
    day: dt.date,
    volunteer: Volunteer,
    slot: Slot | None = None,
) -> Duty:
    """Put a volunteer on the rota for a day of the phase: one slot, or the whole day.

    The day must be an open day, the slot one of that day's timetable, and the volunteer
    in register and free at that time (no other duty overlapping, in any programme).
    """
    locked = Phase.objects.select_for_update().get(pk=phase.pk)
    errors: dict[str, list[str]] = {}
    if not runs_on(locked, day):
        errors["day"] = [_("%(day)s 不是这一期的开放日。") % {"day": f"{day:%Y-%m-%d}"}]
    if slot is not None and (
        slot.phase_id != locked.pk or slot.weekday not in (None, day.isoweekday())
    ):
        errors["slot"] = [_("这节课不在当天的课表中。")]
    if not volunteer.active:
        errors["volunteer"] = [_("该志愿者已不在册。")]
    if errors:
        raise ValidationError(errors)
    duty = Duty(phase=locked, day=day, slot=slot, volunteer=volunteer, assigned_by=actor)
    for other in Duty.objects.filter(volunteer=volunteer, day=day).select_related(
        "slot", "phase__programme"
    ):
        if other.starts_at < duty.ends_at and duty.starts_at < other.ends_at:
            raise ValidationError(
                {
                    "volunteer": [
                        _("%(name)s 当天 %(start)s—%(end)s 已在“%(programme)s”值班。")
                        % {
                            "name": volunteer.name,
                            "start": f"{other.starts_at:%H:%M}",
                            "end": f"{other.ends_at:%H:%M}",
                            "programme": other.phase.programme.name,
                        }
                    ]
                }
            )
    duty.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=duty, fields=["day", "slot", "volunteer"]
    )
    user = volunteer.user or (volunteer.resident.user if volunteer.resident else None)
    if user is not None and day >= timezone.localdate():
        notify(
            users=[user],
            text=_("您被安排在 %(day)s %(start)s—%(end)s 到%(site)s“%(programme)s”值班。")
            % {
                "day": f"{day:%m-%d}",
                "start": f"{duty.starts_at:%H:%M}",
                "end": f"{duty.ends_at:%H:%M}",
                "site": locked.programme.site.name,
                "programme": locked.programme.name,
            },
            link=reverse("programmes:duties"),
        )
    return duty


@transaction.atomic
def duty_remove(*, actor: User | None, duty: Duty) -> None:
    if duty.service_record_id is not None:
        raise ValidationError(_("这次值班已记入服务时长,不能删除。"))
    audit_record(
        actor=actor, action=AuditEvent.Action.DELETE, obj=duty, fields=["day", "slot", "volunteer"]
    )
    duty.delete()


@transaction.atomic
def duties_credit(*, actor: User | None, phase: Phase, now: dt.datetime | None = None) -> int:
    """Credit the volunteers with the time of every duty of the phase already served (its
    end has passed) and not yet credited: one service record in the volunteers app each,
    with source id ``programme:<programme>:duty:<duty>``. Returns how many."""
    now = now or timezone.now()
    programme = phase.programme
    duties = (
        Duty.objects.select_for_update(of=("self",))
        .filter(phase=phase, service_record__isnull=True, day__lte=timezone.localdate(now))
        .select_related("slot", "volunteer", "phase")
        .order_by("day", "pk")
    )
    credited = 0
    for duty in duties:
        if _moment(duty.day, duty.ends_at) > now or not duty.volunteer.active:
            continue
        what = (duty.slot.title or duty.slot.get_kind_display()) if duty.slot else _("托管值班")
        duty.service_record = service_record_add(
            actor=actor,
            volunteer=duty.volunteer,
            started_at=_moment(duty.day, duty.starts_at),
            minutes=duty.minutes,
            content=f"{programme.name}:{what}",
            source=ServiceSource.PROGRAMME,
            source_id=f"programme:{programme.pk}:duty:{duty.pk}",
        )
        duty.save(update_fields=["service_record"])
        credited += 1
    return credited
