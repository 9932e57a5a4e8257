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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area
from linli.core.audit import audit_record
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
from linli.volunteers.models import Volunteer


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
    audit_record(actor=actor, action="create", obj=site, fields=["name", "area", "lead"])
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
    audit_record(actor=actor, action="create", obj=programme, fields=["name", "site", "team"])
    return programme


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
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors["end_date"] = [_("结束日期不能早于开始日期。")]
    if closes_at <= opens_at:
        errors["closes_at"] = [_("每日结束时间须晚于开始时间。")]
    if capacity <= 0:
        errors["capacity"] = [_("名额须大于 0。")]
    if min_age > max_age:
        errors["max_age"] = [_("最大年龄不能小于最小年龄。")]
    if fee < 0:
        errors["fee"] = [_("费用不能为负数。")]
    days = "".join(sorted(set(weekdays)))
    if not days or any(d not in "1234567" for d in days):
        errors["weekdays"] = [_("请选择开放日(周一到周日)。")]
    if errors:
        raise ValidationError(errors)
    phase = Phase.objects.create(
        programme=programme,
        name=_text(name, 60) or str(_("第一期")),
        start_date=start_date,
        end_date=end_date,
        weekdays=days,
        opens_at=opens_at,
        closes_at=closes_at,
        capacity=capacity,
        min_age=min_age,
        max_age=max_age,
        fee=fee,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=phase,
        fields=["start_date", "end_date", "weekdays", "opens_at", "closes_at", "capacity"],
    )
    return phase


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
    errors: dict[str, list[str]] = {}
    if kind not in SlotKind.values:
        errors["kind"] = [_("请选择课程内容。")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间。")]
    elif starts_at < phase.opens_at or ends_at > phase.closes_at:
        errors["starts_at"] = [_("课程须安排在每日开放时间之内。")]
    if weekday is not None and str(weekday) not in phase.weekdays:
        errors["weekday"] = [_("这一天不开放。")]
    teacher_name = _text(teacher_name, 50)
    if volunteer is None and not teacher_name:
        errors["teacher_name"] = [_("请选择志愿者或填写授课老师。")]
    if errors:
        raise ValidationError(errors)
    slot = Slot.objects.create(
        phase=phase,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        title=_text(title, 60),
        volunteer=volunteer,
        teacher_name=teacher_name,
    )
    audit_record(
        actor=actor, action="create", obj=slot, fields=["kind", "starts_at", "ends_at", "volunteer"]
    )
    return slot


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
        action="create",
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
    audit_record(actor=actor, action="update", obj=locked, fields=["status"])
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
    audit_record(actor=actor, action="update", obj=waiting, fields=["status"], note="候补转正")
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
    audit_record(actor=actor, action="create", obj=attendance, fields=["signed_in_at"])
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


@transaction.atomic
def _refusal_record(
    *, actor: User | None, attendance: Attendance, name: str, now: dt.datetime
) -> PickupRefusal:
    refusal = PickupRefusal.objects.create(
        attendance=attendance, name_given=name[:50], at=now, by=actor
    )
    audit_record(
        actor=actor,
        action="create",
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
    audit_record(actor=actor, action="update", obj=locked, fields=["signed_out_at", "picked_up_by"])
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


@transaction.atomic
def raise_not_picked_up_alerts(*, now: dt.datetime | None = None) -> int:
    """Alert the site lead (and the programme's team) about each child signed in but not
    signed out by the phase's closing time. Once per child and day; returns how many."""
    now = now or timezone.now()
    candidates = processable(
        Attendance.objects.filter(
            signed_out_at__isnull=True,
            alert_raised_at__isnull=True,
            day__lte=timezone.localdate(now),
        )
    ).select_related("enrolment__child", "enrolment__phase__programme__site__lead")
    raised = 0
    for attendance in candidates.select_for_update(of=("self",)):
        if _closing_moment(attendance) > now:
            continue
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
        audit_record(actor=None, action="update", obj=attendance, fields=["alert_raised_at"])
        raised += 1
    return raised


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
    audit_record(actor=actor, action="create", obj=incident, fields=["description", "action_taken"])
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
        actor=actor, action="notify", obj=programme, fields=["text"], note=f"{len(sent)} 位家长"
    )
    return len(sent)


@transaction.atomic
def satisfaction_record(*, actor: User | None, enrolment: Enrolment, score: int) -> Enrolment:
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("满意度请选择 1 到 5 分。")]})
    enrolment.satisfaction = score
    enrolment.save(update_fields=["satisfaction", "updated_at"])
    audit_record(actor=actor, action="update", obj=enrolment, fields=["satisfaction"])
    return enrolment
