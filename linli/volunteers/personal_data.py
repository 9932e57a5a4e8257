"""What volunteering holds about a person, for the privacy mechanism (:mod:`linli.privacy`):
their volunteer profile, teams, weekly availability, service hours and certificates."""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.notifications.services import notifications_scrub
from linli.people.models import Resident
from linli.privacy.registry import ANONYMOUS_NAME, Row, Sections, format_date, format_time
from linli.volunteers.models import (
    Availability,
    ServiceCertificate,
    ServiceRecord,
    ServiceSource,
    TeamMembership,
    Volunteer,
    VolunteerSkill,
)
from linli.volunteers.selectors import hours_review_link


def _volunteer_of(resident: Resident) -> Volunteer | None:
    return Volunteer.objects.filter(resident=resident).select_related("community", "grid").first()


def export_volunteering(resident: Resident) -> Sections:
    volunteer = _volunteer_of(resident)
    if volunteer is None:
        return {}
    profile: Row = {
        _("姓名"): volunteer.name,
        _("志愿者类型"): volunteer.get_kind_display(),
        _("所属社区"): volunteer.community.name,
        _("所在网格"): volunteer.grid.name if volunteer.grid else "",
        _("加入日期"): format_date(volunteer.joined_on),
        _("在册"): _("是") if volunteer.active else _("否"),
        _("技能"): "、".join(
            link.skill.name for link in VolunteerSkill.objects.filter(volunteer=volunteer)
        ),
        _("可服务时段"): "、".join(
            f"{a.get_weekday_display()}{a.get_slot_display()}"
            for a in Availability.objects.filter(volunteer=volunteer).order_by("weekday", "slot")
        ),
    }
    teams: list[Row] = [
        {
            _("队伍"): m.team.name,
            _("队长"): _("是") if m.is_leader else _("否"),
            _("入队日期"): format_date(m.joined_on),
        }
        for m in TeamMembership.objects.filter(volunteer=volunteer).select_related("team")
    ]
    hours: list[Row] = [
        {
            _("服务时间"): format_time(r.started_at),
            _("服务时长(分钟)"): r.minutes,
            _("服务内容"): r.content,
            _("服务地点"): r.place,
            _("来源"): r.get_source_display(),
            _("审核状态"): r.get_status_display(),
            _("退回原因"): r.reject_reason,
        }
        for r in ServiceRecord.objects.filter(volunteer=volunteer).order_by("started_at", "pk")
    ]
    certificates: list[Row] = [
        {
            _("证明编号"): c.number,
            _("服务起始日期"): format_date(c.period_start),
            _("服务截止日期"): format_date(c.period_end),
            _("服务时长(分钟)"): c.minutes,
            _("服务次数"): c.record_count,
            _("服务内容"): c.content_summary,
            _("出具日期"): format_date(c.issued_on),
        }
        for c in ServiceCertificate.objects.filter(volunteer=volunteer).order_by("issued_on", "pk")
    ]
    return {
        _("志愿者档案"): [profile],
        _("所在队伍"): teams,
        _("志愿服务记录"): hours,
        _("志愿服务证明"): certificates,
    }


def anonymise_volunteering(resident: Resident, actor: User | None) -> None:
    """A volunteer who asks to be forgotten leaves the roll: the profile keeps only its
    hours (the community's totals still add up) under 「已匿名」, without teams, skills,
    availability or the link to the person and their login."""
    volunteer = _volunteer_of(resident)
    if volunteer is None:
        return
    TeamMembership.objects.filter(volunteer=volunteer).delete()
    VolunteerSkill.objects.filter(volunteer=volunteer).delete()
    Availability.objects.filter(volunteer=volunteer).delete()
    # The reviewers were told of the volunteer's claims by name.
    notifications_scrub(
        links=[
            hours_review_link(r)
            for r in ServiceRecord.objects.filter(volunteer=volunteer, source=ServiceSource.CLAIM)
        ],
        names=[volunteer.name],
        replacement=ANONYMOUS_NAME,
    )
    volunteer.name = ANONYMOUS_NAME
    volunteer.active = False
    volunteer.user = None
    volunteer.save(update_fields=["name", "active", "user", "updated_at"])
