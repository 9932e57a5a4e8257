"""``/api/v1/care``: who is due for a visit, logging visits, alerts — scoped like the pages.

A volunteer sees and logs only the people assigned to them; a grid worker their grid;
staff their community. Someone outside the caller's scope is a 404.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.care.models import Alert, CarePlan, CareService, Visit
from linli.care.selectors import (
    AlertShown,
    alert_get_for_user,
    alerts_list,
    alerts_shown,
    can_see_health,
    care_resident_get,
    due_plans,
    plan_volunteers,
)
from linli.care.services import (
    NO_CONSENT_MESSAGE,
    Readings,
    alert_acknowledge,
    alert_close,
    care_plan_save,
    visit_log,
)
from linli.core.api_pagination import ApiPages
from linli.core.api_schemas import ErrorOut
from linli.core.dates import PlausibleDateTime
from linli.core.roles import Capability
from linli.volunteers.models import Volunteer

router = Router(tags=["care"])


ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 403: ErrorOut, 409: ErrorOut}


class DueOut(Schema):
    person_id: int = Field(..., description="居民编号")
    name: str
    last_visit_at: dt.datetime | None = Field(None, description="最近一次上门走访")
    due_at: dt.datetime = Field(..., description="应走访时间:上次上门 + 7/每周次数 天")
    overdue: bool = Field(..., description="应走访时间已过一天")


class VisitIn(Schema):
    person: int = Field(..., description="居民编号")
    services: list[CareService] = Field(default_factory=list, description="做了哪些服务")
    kind: Literal["home", "phone"] = Field("home", description="home 上门 / phone 电话")
    bp_systolic: int | None = Field(None, description="高压 mmHg")
    bp_diastolic: int | None = Field(None, description="低压 mmHg")
    pulse: int | None = Field(None, description="脉搏 次/分")
    glucose: Decimal | None = Field(None, description="血糖 mmol/L")
    glucose_context: Literal["fasting", "after_meal"] | None = None
    # The limits of the visit form (and of ``Visit.concern``).
    note: str = Field("", max_length=2000, description="情况记录")
    concern: str = Field("", max_length=200, description="老人反映的困难")
    concern_to_request: bool = Field(False, description="把反映的困难转为诉求")
    duration_minutes: int | None = Field(None, description="服务时长(分钟,不含路上)")
    visited_at: PlausibleDateTime | None = Field(
        None,
        description="走访时间,默认现在;最多补记 90 天前的走访。不带时区时按北京时间"
        "(Asia/Shanghai)理解,如 2026-11-01T09:30:00 即 2026-11-01T09:30:00+08:00",
    )


class VisitOut(Schema):
    id: int
    person_id: int
    kind: str
    visited_at: dt.datetime
    services: list[str]
    alerts: list[str] = Field(..., description="这次走访引起的预警类型")
    request_number: str | None = Field(None, description="困难转成的诉求编号")


class AlertOut(Schema):
    id: int
    person_id: int
    name: str
    kind: str = Field(
        ...,
        description="bp / glucose / overdue / repeated_concern;调用者无权查看健康信息"
        "(如镇街领导)或居民未授权时,血压、血糖预警显示为 health",
    )
    level: str = Field(..., description="high / urgent")
    created_at: dt.datetime
    status: str = Field(..., description="open / acknowledged / closed")


class AlertFilters(Schema):
    status: Literal["active", "open", "acknowledged", "closed", "all"] = "active"


def _due_out(plan: CarePlan) -> DueOut:
    annotated: Any = plan
    return DueOut(
        person_id=plan.resident_id,
        name=plan.resident.name,
        last_visit_at=annotated.last_home_visit_at,
        due_at=annotated.due_at,
        overdue=bool(annotated.overdue),
    )


def _alert_out(shown: AlertShown) -> AlertOut:
    alert = shown.alert
    return AlertOut(
        id=alert.pk,
        person_id=alert.resident_id,
        name=alert.resident.name,
        kind=shown.kind,
        level=alert.level,
        created_at=alert.created_at,
        status=alert.status,
    )


class Pages(ApiPages):
    """``?page=N&page_size=M`` (20 a page, at most 100): ``{items, count}``."""

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: PageNumberPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        if items and isinstance(items[0], Alert):
            shown = alerts_shown(request_user(request), items)
            page[self.items_attribute] = [_alert_out(a) for a in shown]
        else:
            page[self.items_attribute] = [_due_out(i) for i in items]
        return page


@router.get(
    "/due",
    response=list[DueOut],
    summary="该走访的老人(最急的在前)",
    description="今天及之前应走访的关爱对象:志愿者只看分给自己的,网格员看本网格,"
    "社区工作人员看本社区。`overdue=true` 只列逾期的。",
)
@paginate(Pages, page_size=20, max_page_size=100)
def list_due(request: HttpRequest, overdue: bool = False) -> QuerySet[CarePlan]:
    return due_plans(request_user(request), now=timezone.now(), overdue_only=overdue)


@router.post(
    "/visits",
    response={201: VisitOut, **ERRORS},
    summary="记录一次走访或电话问候",
    description="健康读数只有在居民签署了健康信息授权同意后才能记录,否则 422。"
    "读数超过预警值时自动通知志愿者、网格员和社区。",
)
def create_visit(request: HttpRequest, payload: VisitIn) -> Reply[VisitOut]:
    user = request_user(request)
    resident = care_resident_get(user=user, pk=payload.person, capability=Capability.CARE_LOG)
    readings = Readings(
        bp_systolic=payload.bp_systolic,
        bp_diastolic=payload.bp_diastolic,
        pulse=payload.pulse,
        glucose=payload.glucose,
        glucose_context=payload.glucose_context or "",
    )
    if not readings.empty and not can_see_health(user, resident):
        raise ValidationError({"readings": [str(NO_CONSENT_MESSAGE)]})
    visit: Visit = visit_log(
        actor=user,
        resident=resident,
        kind=payload.kind,
        services=[str(s) for s in payload.services],
        readings=readings,
        note=payload.note,
        concern=payload.concern,
        concern_to_request=payload.concern_to_request,
        duration_minutes=payload.duration_minutes,
        visited_at=payload.visited_at,
    )
    return Reply(
        201,
        VisitOut(
            id=visit.pk,
            person_id=resident.pk,
            kind=visit.kind,
            visited_at=visit.visited_at,
            services=list(visit.services),
            alerts=[a.kind for a in visit.alerts.all()],
            request_number=visit.concern_request.number if visit.concern_request else None,
        ),
    )


@router.get(
    "/alerts",
    response=list[AlertOut],
    summary="关爱预警(紧急的在前)",
    description="默认列出未关闭的预警;`status` 可选 open、acknowledged、closed、all。",
)
@paginate(Pages, page_size=20, max_page_size=100)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> QuerySet[Alert]:
    return alerts_list(request_user(request), status=filters.status)


class AlertCloseIn(Schema):
    note: str = Field(..., max_length=300, description="处理情况(必填),如:已联系家属,陪同就医")


def _managed_alert(request: HttpRequest, alert_id: int) -> Alert:
    return alert_get_for_user(
        user=request_user(request), pk=alert_id, capability=Capability.CARE_MANAGE
    )


def _alert_shown(request: HttpRequest, alert: Alert) -> AlertOut:
    return _alert_out(alerts_shown(request_user(request), [alert])[0])


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="知悉一条关爱预警",
    description="与预警页面的「知悉」相同:需要管理关爱的权限(范围外为 404);"
    "已有人知悉或已关闭为 409。",
)
def acknowledge_alert(request: HttpRequest, alert_id: int) -> Any:
    alert = alert_acknowledge(alert=_managed_alert(request, alert_id), actor=request_user(request))
    return _alert_shown(request, alert)


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="关闭一条关爱预警",
    description="与预警页面的「关闭」相同:`note` 写明处理情况(空为 422);已关闭为 409。",
)
def close_alert(request: HttpRequest, alert_id: int, payload: AlertCloseIn) -> Any:
    alert = alert_close(
        alert=_managed_alert(request, alert_id), actor=request_user(request), note=payload.note
    )
    return _alert_shown(request, alert)


# --- a person's care plan (the plan page) ------------------------------------------------------


class CarePlanIn(Schema):
    """The whole plan, as the plan page submits it (a person has one plan)."""

    visits_per_week: int = Field(2, description="每周上门次数,1–14")
    services: list[CareService] = Field(default_factory=list, max_length=20)
    primary_volunteer: int | None = Field(None, description="主责志愿者编号(本社区的志愿者)")
    backup_volunteer: int | None = Field(None, description="备岗志愿者编号")
    notes: str = Field("", max_length=2000, description="注意事项(健康信息,只有有权者可见)")
    active: bool = True


class CarePlanOut(Schema):
    person_id: int
    visits_per_week: int
    services: list[str]
    primary_volunteer: int | None
    backup_volunteer: int | None
    active: bool
    notes: str | None = Field(..., description="注意事项;调用者无权查看健康信息时为 null")


@router.post(
    "/people/{resident_id}/plan",
    response={200: CarePlanOut, **WRITE_ERRORS},
    summary="新建或修改一位老人的关爱计划",
    description="与关爱计划页面相同:需要管理关爱的权限(范围外为 404);志愿者须是本社区在岗的"
    "志愿者(否则 404),主责与备岗不能是同一人、每周次数 1–14(422)。提交的是整份计划。",
)
def save_plan(request: HttpRequest, resident_id: int, payload: CarePlanIn) -> Any:
    user = request_user(request)
    resident = care_resident_get(user=user, pk=resident_id, capability=Capability.CARE_MANAGE)
    volunteers = plan_volunteers(resident)

    def volunteer(pk: int | None) -> Volunteer | None:
        return get_object_or_404(volunteers, pk=pk) if pk is not None else None

    plan = care_plan_save(
        actor=user,
        resident=resident,
        visits_per_week=payload.visits_per_week,
        services=[str(s) for s in payload.services],
        primary_volunteer=volunteer(payload.primary_volunteer),
        backup_volunteer=volunteer(payload.backup_volunteer),
        notes=payload.notes,
        active=payload.active,
    )
    return CarePlanOut(
        person_id=resident.pk,
        visits_per_week=plan.visits_per_week,
        services=list(plan.services),
        primary_volunteer=plan.primary_volunteer_id,
        backup_volunteer=plan.backup_volunteer_id,
        active=plan.active,
        notes=plan.notes if can_see_health(user, resident) else None,
    )
