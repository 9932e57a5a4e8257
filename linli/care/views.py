"""Care pages: the due list, a person's care page, the visit form, plans and alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user, require_capability
from linli.accounts.list_export import Column, export_list, may_reveal, wants_export
from linli.accounts.selectors import capabilities_of
from linli.care.forms import AlertCloseForm, CarePlanForm, VisitForm
from linli.care.models import AlertStatus, CarePlan, Visit, VisitKind
from linli.care.selectors import (
    alert_get_for_user,
    alerts_list,
    alerts_shown,
    can_see_care_notes,
    can_see_health,
    care_gaps,
    care_resident_get,
    due_plans,
    loggable_ids,
    may_manage,
    plan_volunteers,
    visit_get,
    visit_told,
    visits_of,
    with_due,
)
from linli.care.services import (
    NO_CONSENT_MESSAGE,
    alert_acknowledge,
    alert_close,
    care_plan_save,
    visit_log,
    visit_readings_reveal,
)
from linli.core.outcomes import run_service, submit_form
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.dashboard import snapshots
from linli.people.models import ConsentPurpose, Resident
from linli.people.selectors import consent_active, household_label, household_label_map


def _address(resident: Resident) -> str:
    return household_label(resident.household) if resident.household else _("未登记住址")


T = TypeVar("T")


def _with_addresses(rows: list[tuple[T, Resident]]) -> list[tuple[T, str]]:
    """Each row with its person's address, labelled in one query for the whole page."""
    labels = household_label_map([r.household for _, r in rows if r.household is not None])
    return [
        (
            item,
            labels.get(r.household_id or 0, _("未登记住址")) if r.household_id else _("未登记住址"),
        )
        for item, r in rows
    ]


def _local(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _export_people(
    request: HttpRequest,
    rows: list[tuple[Any, Resident]],
    extra: list[Column],
    *,
    title: str,
    object_type: str,
    file_name: str,
) -> HttpResponse:
    """A care list as a sheet: the person (phone masked unless revealed), then ``extra``."""
    addresses = {id(item): label for item, label in _with_addresses(rows)}
    columns = [
        Column(_("姓名"), lambda row: row[1].name),
        Column(_("性别"), lambda row: row[1].get_gender_display()),
        Column(_("年龄"), lambda row: row[1].age),
        Column(_("住址"), lambda row: addresses[id(row[0])]),
        Column(
            _("手机号"),
            lambda row: row[1].phone_masked,
            revealed=lambda row: row[1].phone,
            field="phone",
        ),
        *extra,
    ]
    return export_list(
        request,
        rows=rows,
        columns=columns,
        title=title,
        object_type=object_type,
        file_name=file_name,
    )


SHOWS = {
    "due": _("待走访"),
    "overdue": _("已逾期"),
    "all": _("全部计划"),
}


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.CARE_VIEW)
    user = request_user(request)
    show = request.GET.get("show", "due")
    if show not in SHOWS:
        show = "due"
    now = timezone.now()
    plans = due_plans(user, now=now, only_due=show == "due", overdue_only=show == "overdue")
    if wants_export(request):
        return _export_people(
            request,
            [(p, p.resident) for p in plans],
            [
                Column(_("下次走访"), lambda row: _local(row[0].due_at)),
                Column(_("每周上门次数"), lambda row: row[0].visits_per_week),
                Column(_("主责志愿者"), lambda row: str(row[0].primary_volunteer or "")),
                Column(_("备岗志愿者"), lambda row: str(row[0].backup_volunteer or "")),
            ],
            title=SHOWS[show],
            object_type="care.careplan",
            file_name="care-due",
        )
    page = paginate(request, plans)
    caps = capabilities_of(user)
    figures, figures_at = snapshots.care_figures(user, now=now)
    return render(
        request,
        "care/due_list.html",
        {
            "page": page,
            "rows": _with_addresses([(p, p.resident) for p in page]),
            "show": show,
            "shows": SHOWS,
            "figures": figures,
            "figures_at": figures_at,
            "figures_recounting": snapshots.is_stale(figures_at, now),
            "querystring": querystring_without_page(request),
            "can_manage": Capability.CARE_MANAGE in caps,
            "loggable": loggable_ids(user, [p.resident_id for p in page]),
            "can_reveal": Capability.SENSITIVE_REVEAL in caps,
            "now": now,
        },
    )


@login_required
def gap_list(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.CARE_VIEW)
    user = request_user(request)
    if wants_export(request):
        return _export_people(
            request,
            [(r, r) for r in care_gaps(user)],
            [],
            title=_("独居老人(无关爱计划)"),
            object_type="people.resident",
            file_name="care-gaps",
        )
    page = paginate(request, care_gaps(user))
    return render(
        request,
        "care/gap_list.html",
        {
            "page": page,
            "rows": _with_addresses([(r, r) for r in page]),
            "can_reveal": may_reveal(request),
            "can_manage": Capability.CARE_MANAGE in capabilities_of(user),
        },
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    resident = care_resident_get(user=user, pk=pk)
    plan = (
        with_due(CarePlan.objects.filter(resident=resident))
        .select_related("primary_volunteer", "backup_volunteer")
        .first()
    )
    visits = visits_of(user=user, resident=resident)
    show_health = can_see_health(user, resident)
    if show_health:
        visit_readings_reveal(actor=user, resident=resident, visits=visits)
    alerts = alerts_shown(user, alerts_list(user, status="all").filter(resident=resident)[:10])
    return render(
        request,
        "care/person.html",
        {
            "resident": resident,
            "address": _address(resident),
            "plan": plan,
            "visits": visits,
            "show_health": show_health,
            "show_notes": can_see_care_notes(user, resident),
            "alerts": alerts,
            "can_manage": may_manage(user, resident),
            "can_log": resident.pk in loggable_ids(user, [resident.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    resident = care_resident_get(user=user, pk=pk, capability=Capability.CARE_LOG)
    plan = CarePlan.objects.filter(resident=resident, active=True).first()
    consent = consent_active(resident=resident, purpose=ConsentPurpose.HEALTH)
    readings_allowed = can_see_health(user, resident)
    if request.method == "POST":
        form = VisitForm(request.POST)

        def log() -> Visit:
            data = form.cleaned_data
            readings = form.readings()
            if not readings_allowed and not readings.empty:
                raise ValidationError({"readings": [str(NO_CONSENT_MESSAGE)]})
            return visit_log(
                actor=user,
                resident=resident,
                kind=data["kind"],
                services=data["services"],
                readings=readings,
                mood=data.get("mood") or "",
                note=data.get("note") or "",
                concern=data.get("concern") or "",
                concern_to_request="to_request" in request.POST,
                duration_minutes=data.get("duration_minutes"),
            )

        done = submit_form(
            request,
            form,
            log,
            success=lambda visit: (
                _("已记录对 %(name)s 的%(kind)s。")
                % {"name": resident, "kind": VisitKind(visit.kind).label}
            ),
            then=lambda visit: redirect("care:visit_detail", pk=visit.pk),
        )
        if done is not None:
            return done
    else:
        # Nothing is pre-ticked: the volunteer taps what was done (the plan is shown as a hint).
        form = VisitForm(initial={"kind": VisitKind.HOME})
    return render(
        request,
        "care/visit_form.html",
        {
            "form": form,
            "resident": resident,
            "address": _address(resident),
            "plan": plan,
            "readings_allowed": readings_allowed,
            "consent": consent,
        },
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit as saved: what was recorded and who was told (shown right after saving)."""
    user = request_user(request)
    visit = visit_get(user=user, pk=pk)
    resident = visit.resident
    show_health = can_see_health(user, resident)
    if show_health:
        visit_readings_reveal(actor=user, resident=resident, visits=[visit])
    return render(
        request,
        "care/visit_detail.html",
        {
            "v": visit,
            "resident": resident,
            "address": _address(resident),
            "show_health": show_health,
            "show_notes": can_see_care_notes(user, resident),
            "told": visit_told(visit),
            "can_log": Capability.CARE_LOG in capabilities_of(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    resident = care_resident_get(user=user, pk=pk, capability=Capability.CARE_MANAGE)
    plan = CarePlan.objects.filter(resident=resident).first()
    volunteers = plan_volunteers(resident)
    if request.method == "POST":
        form = CarePlanForm(request.POST, volunteers=volunteers)
        done = submit_form(
            request,
            form,
            lambda: care_plan_save(
                actor=user,
                resident=resident,
                visits_per_week=form.cleaned_data["visits_per_week"],
                services=form.cleaned_data["services"],
                primary_volunteer=form.cleaned_data["primary_volunteer"],
                backup_volunteer=form.cleaned_data["backup_volunteer"],
                notes=form.cleaned_data["notes"],
                active=form.cleaned_data["active"],
            ),
            success=_("关爱计划已保存。"),
            then=lambda _plan: redirect("care:person", pk=resident.pk),
        )
        if done is not None:
            return done
    else:
        initial = (
            {
                "visits_per_week": plan.visits_per_week,
                "services": plan.services,
                "primary_volunteer": plan.primary_volunteer,
                "backup_volunteer": plan.backup_volunteer,
                "notes": plan.notes,
                "active": plan.active,
            }
            if plan
            else {"visits_per_week": 2, "active": True}
        )
        form = CarePlanForm(initial=initial, volunteers=volunteers)
    return render(
        request,
        "care/plan_form.html",
        {
            "form": form,
            "resident": resident,
            "address": _address(resident),
            "plan": plan,
        },
    )


ALERT_STATUSES = {
    "active": _("待处理"),
    AlertStatus.CLOSED.value: _("已关闭"),
    "all": _("全部"),
}


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.CARE_VIEW)
    user = request_user(request)
    status = request.GET.get("status", "active")
    if status not in ALERT_STATUSES:
        status = "active"
    if wants_export(request):
        return export_list(
            request,
            rows=alerts_shown(user, alerts_list(user, status=status)),
            columns=[
                Column(_("时间"), lambda a: _local(a.alert.created_at)),
                Column(_("姓名"), lambda a: a.alert.resident.name),
                Column(_("类型"), lambda a: a.kind_label),
                Column(_("级别"), lambda a: a.alert.get_level_display()),
                Column(_("状态"), lambda a: a.alert.get_status_display()),
                Column(_("摘要"), lambda a: a.summary),
                Column(_("关闭时间"), lambda a: _local(a.alert.closed_at)),
            ],
            title=_("关爱预警"),
            object_type="care.alert",
            file_name="care-alerts",
        )
    page = paginate(request, alerts_list(user, status=status))
    return render(
        request,
        "care/alert_list.html",
        {
            "page": page,
            "alerts": alerts_shown(user, page),
            "status": status,
            "statuses": ALERT_STATUSES,
            "querystring": querystring_without_page(request),
            "close_form": AlertCloseForm(),
            "can_manage": Capability.CARE_MANAGE in capabilities_of(user),
        },
    )


@login_required
@require_POST
def alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    alert = alert_get_for_user(user=user, pk=pk, capability=Capability.CARE_MANAGE)
    run_service(
        request,
        lambda: alert_acknowledge(alert=alert, actor=user),
        success=_("已知悉,请尽快跟进。"),
    )
    return redirect("care:alert_list")


@login_required
@require_POST
def alert_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    alert = alert_get_for_user(user=user, pk=pk, capability=Capability.CARE_MANAGE)
    form = AlertCloseForm(request.POST)
    note = form.data.get("note", "")
    run_service(
        request,
        lambda: alert_close(alert=alert, actor=user, note=str(note)),
        success=_("预警已关闭。"),
    )
    return redirect("care:alert_list")
