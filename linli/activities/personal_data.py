"""What activities hold about a person: their sign-ups and check-ins, the readings taken
for them at free clinics (the values are in care's record), and the activities at which
they helped as a volunteer."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.activities.models import ClinicReading, Helper, ServedCount, Signup
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
    readings: list[Row] = [
        {
            _("活动"): r.activity.title,
            _("记录时间"): format_time(r.recorded_at),
            _("服务项目"): "、".join(r.services or []),
        }
        for r in ClinicReading.objects.filter(resident=resident)
        .select_related("activity")
        .order_by("recorded_at", "pk")
    ]
    return {_("活动报名"): signups, _("义诊读数"): readings, _("活动志愿服务"): helps}


@transaction.atomic
def anonymise_activities(resident: Resident, actor: User | None) -> None:
    """Sign-ups say who came where: they go. The activity's attendance totals are the
    people-served counts, which name no one: a clinic reading becomes one more in them."""
    for reading in ClinicReading.objects.filter(resident=resident):
        for service in reading.services or []:
            row, _created = ServedCount.objects.get_or_create(
                activity_id=reading.activity_id, service=service, defaults={"count": 0}
            )
            ServedCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
    ClinicReading.objects.filter(resident=resident).delete()
    Signup.objects.filter(resident=resident).delete()
    Helper.objects.filter(volunteer__resident=resident).delete()
