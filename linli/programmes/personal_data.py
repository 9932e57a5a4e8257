"""What summer programmes hold about a person, for the privacy mechanism
(:mod:`linli.privacy`): a child's enrolments (health notes, pick-up list, attendance,
incidents), and for a guardian the enrolments they made."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.people.models import Resident
from linli.privacy.registry import ANONYMOUS_NAME, Row, Sections, format_date, format_time
from linli.programmes.models import (
    Attendance,
    Duty,
    Enrolment,
    Incident,
    PickupPerson,
    PickupRefusal,
    Slot,
)


def export_programmes(resident: Resident) -> Sections:
    enrolments = (
        Enrolment.objects.filter(Q(child=resident) | Q(guardian=resident))
        .select_related("child", "guardian", "phase__programme__site")
        .order_by("created_at", "pk")
    )
    rows: list[Row] = []
    pickups: list[Row] = []
    days: list[Row] = []
    for e in enrolments:
        rows.append(
            {
                _("项目"): e.phase.programme.name,
                _("阶段"): e.phase.name,
                _("站点"): e.phase.programme.site.name,
                _("儿童"): e.child.name,
                _("监护人"): e.guardian.name if e.guardian else "",
                _("与儿童关系"): e.guardian_relation,
                _("状态"): e.get_status_display(),
                _("过敏情况"): e.allergies,
                _("健康提示"): e.health_notes,
                _("家长满意度(1-5)"): e.satisfaction or "",
                _("家长评价"): e.satisfaction_comment,
            }
        )
        pickups.extend(
            {_("儿童"): e.child.name, _("姓名"): p.name, _("关系"): p.relation, _("电话"): p.phone}
            for p in e.pickups.all()
        )
        days.extend(
            {
                _("儿童"): e.child.name,
                _("日期"): format_date(a.day),
                _("签到时间"): format_time(a.signed_in_at),
                _("签退时间"): format_time(a.signed_out_at),
                _("接走人"): a.picked_up_by_name,
            }
            for a in e.attendances.all().order_by("day")
        )
    duties: list[Row] = [
        {
            _("日期"): format_date(d.day),
            _("项目"): d.phase.programme.name,
            _("课程"): d.slot.get_kind_display() if d.slot else _("全天值班"),
            _("时长(分钟)"): d.minutes,
        }
        for d in Duty.objects.filter(volunteer__resident=resident)
        .select_related("phase__programme", "slot")
        .order_by("day", "pk")
    ]
    return {
        _("暑期托管报名"): rows,
        _("授权接送人"): pickups,
        _("签到签退"): days,
        _("托管志愿值班"): duties,
    }


def anonymise_programmes(resident: Resident, actor: User | None) -> None:
    """A child forgotten: health notes, pick-up list, refusals and incident links go; the
    attendance rows stay (the programme's counts) without a name. A guardian forgotten:
    their link and their entry on the pick-up lists go."""
    as_child = Enrolment.objects.filter(child=resident)
    PickupPerson.objects.filter(enrolment__in=as_child).delete()
    PickupRefusal.objects.filter(attendance__enrolment__in=as_child).delete()
    Attendance.objects.filter(enrolment__in=as_child).update(picked_up_by_name=ANONYMOUS_NAME)
    Incident.objects.filter(enrolment__in=as_child).update(enrolment=None)
    as_child.update(allergies="", health_notes="")
    as_guardian = Enrolment.objects.filter(guardian=resident)
    PickupPerson.objects.filter(enrolment__in=as_guardian, name=resident.name).delete()
    Attendance.objects.filter(enrolment__in=as_guardian, picked_up_by_name=resident.name).update(
        picked_up_by_name=ANONYMOUS_NAME
    )
    as_guardian.update(guardian=None, satisfaction_comment="")
    # A volunteer forgotten no longer leads timetable slots by name.
    Slot.objects.filter(volunteer__resident=resident).update(volunteer=None)
    # Their rota ahead goes; duties already credited stay with the anonymised profile.
    Duty.objects.filter(volunteer__resident=resident, service_record__isnull=True).delete()
