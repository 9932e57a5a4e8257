"""What activities hold about a person: their sign-ups and check-ins, and the
activities at which they helped as a volunteer."""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.activities.models import Helper, Signup
from linli.people.models import Resident
from linli.privacy.registry import Row, Sections, format_time


def export_activities(resident: Resident) -> Sections:
    signups: list[Row] = [
        {
            _("活动"): s.activity.title,
            _("开始时间"): format_time(s.activity.starts_at),
            _("报名方式"): s.get_channel_display(),
            _("报名状态"): s.get_status_display(),
            _("报名时间"): format_time(s.signed_up_at),
            _("签到时间"): format_time(s.checked_in_at),
        }
        for s in Signup.objects.filter(resident=resident)
        .select_related("activity")
        .order_by("signed_up_at", "pk")
    ]
    helps: list[Row] = [
        {
            _("活动"): h.activity.title,
            _("开始时间"): format_time(h.activity.starts_at),
            _("分工"): h.role,
        }
        for h in Helper.objects.filter(volunteer__resident=resident)
        .select_related("activity")
        .order_by("pk")
    ]
    return {_("活动报名"): signups, _("活动志愿服务"): helps}


def anonymise_activities(resident: Resident, actor: User | None) -> None:
    """Sign-ups say who came where: they go. The activity's attendance totals are the
    people-served counts, which name no one."""
    Signup.objects.filter(resident=resident).delete()
    Helper.objects.filter(volunteer__resident=resident).delete()
