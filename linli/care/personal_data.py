"""What care holds about a person, for the privacy mechanism (:mod:`linli.privacy`):
their care plan, visits with health readings, and alerts."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.care.models import Alert, AlertStatus, CarePlan, Visit, service_labels
from linli.care.services import alert_link
from linli.notifications.services import notifications_scrub
from linli.people.models import Resident
from linli.privacy.registry import ANONYMOUS_NAME, Row, Sections, format_time
from linli.volunteers.models import ServiceRecord, ServiceSource

ANONYMISED_NOTE = "居民信息已匿名化,关爱计划终止"


def export_care(resident: Resident) -> Sections:
    plan = (
        CarePlan.objects.filter(resident=resident)
        .select_related("primary_volunteer", "backup_volunteer")
        .first()
    )
    plans: list[Row] = []
    if plan is not None:
        plans.append(
            {
                _("每周上门次数"): plan.visits_per_week,
                _("服务内容"): "、".join(plan.service_labels),
                _("主责志愿者"): str(plan.primary_volunteer or ""),
                _("备岗志愿者"): str(plan.backup_volunteer or ""),
                _("注意事项"): plan.notes,
                _("状态"): _("有效") if plan.active else _("已终止"),
                _("建立时间"): format_time(plan.created_at),
            }
        )
    visits: list[Row] = []
    for visit in (
        Visit.objects.filter(resident=resident)
        .select_related("volunteer", "concern_request")
        .order_by("visited_at", "pk")
    ):
        readings = visit.readings
        bp = (
            f"{readings['bp_systolic']}/{readings['bp_diastolic']}"
            if readings.get("bp_systolic") is not None
            else ""
        )
        visits.append(
            {
                _("时间"): format_time(visit.visited_at),
                _("方式"): visit.get_kind_display(),
                _("志愿者"): str(visit.volunteer or ""),
                _("服务内容"): "、".join(service_labels(list(visit.services or []))),
                _("服务时长(分钟)"): visit.duration_minutes,
                _("血压(mmHg)"): bp,
                _("脉搏"): readings.get("pulse"),
                _("血糖(mmol/L)"): str(readings["glucose"]) if readings.get("glucose") else "",
                _("精神状态"): visit.get_mood_display() if visit.mood else "",
                _("走访记录"): visit.note,
                _("反映的困难"): visit.concern,
                _("转成的诉求"): visit.concern_request.number if visit.concern_request else "",
            }
        )
    alerts: list[Row] = [
        {
            _("时间"): format_time(alert.created_at),
            _("类型"): alert.get_kind_display(),
            _("级别"): alert.get_level_display(),
            _("摘要"): alert.summary,
            _("状态"): alert.get_status_display(),
            _("处理说明"): alert.close_note,
        }
        for alert in Alert.objects.filter(resident=resident).order_by("created_at", "pk")
    ]
    return {_("关爱计划"): plans, _("走访记录与健康读数"): visits, _("关爱预警"): alerts}


def anonymise_care(resident: Resident, actor: User | None) -> None:
    """End the plan; keep visits as counts (when, how, what service, how long) without
    notes, concerns or readings; close the alerts without their text; and take the
    person's name out of the service-hour records their visits produced."""
    now = timezone.now()
    CarePlan.objects.filter(resident=resident).update(
        active=False,
        notes="",
        primary_volunteer=None,
        backup_volunteer=None,
        updated_at=now,
    )
    visits = Visit.objects.filter(resident=resident)
    visit_ids = [str(pk) for pk in visits.values_list("pk", flat=True)]
    visits.update(readings_encrypted="", note="", concern="", mood="")
    Alert.objects.filter(resident=resident).exclude(status=AlertStatus.CLOSED).update(
        status=AlertStatus.CLOSED, closed_at=now, closed_by=actor
    )
    alerts = Alert.objects.filter(resident=resident)
    alerts.update(summary="", close_note=ANONYMISED_NOTE)
    names = [n for n in (resident.name, resident.alias) if n]
    notifications_scrub(
        links=[alert_link(alert) for alert in alerts], names=names, replacement=ANONYMOUS_NAME
    )
    records = ServiceRecord.objects.filter(source=ServiceSource.VISIT, source_id__in=visit_ids)
    if names:
        for record in records.filter(
            Q.create([("content__contains", name) for name in names], connector=Q.OR)
        ):
            content = record.content
            for name in names:
                content = content.replace(name, ANONYMOUS_NAME)
            record.content = content
            record.save(update_fields=["content"])
