from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.outcomes import run_service, submit_form
from linli.core.pagination import paginate
from linli.people.selectors import health_processing_allowed
from linli.programmes.forms import (
    PICKUP_ROWS,
    DutyForm,
    EnrolForm,
    IncidentForm,
    MessageForm,
    PhaseForm,
    ProgrammeForm,
    SatisfactionForm,
    SignOutForm,
    SlotForm,
)
from linli.programmes.models import Attendance, Duty, EnrolmentStatus, Phase, Programme, Slot
from linli.programmes.selectors import (
    children_of,
    day_register,
    duties_of,
    duty_get_for_manager,
    enrolment_get_for_user,
    guardian_of,
    my_children_enrolments,
    phase_get_for_manager,
    phase_on,
    programme_for_enrolment,
    programme_get_for_manager,
    programme_get_for_user,
    programme_summary,
    programmes_for_manager,
    programmes_for_team,
    programmes_open_to_guardian,
    register_xlsx,
    rota_days,
    rota_slots,
    satisfaction_comments,
    sites_for_manager,
    slot_get_for_manager,
    slot_volunteer_choices,
    timetable_for,
    volunteers_for_rota,
)
from linli.programmes.services import (
    attendance_sign_in,
    attendance_sign_out,
    duties_credit,
    duty_assign,
    duty_remove,
    enrol,
    guardians_message,
    health_notes_shown,
    incident_record,
    phase_add,
    phase_ended,
    phase_update,
    programme_create,
    programme_update,
    satisfaction_record,
    slot_add,
    slot_remove,
    slot_update,
)
from linli.volunteers.selectors import own_volunteer_profile


@login_required
def programme_list_view(request: HttpRequest) -> HttpResponse:
    team = programmes_for_team(request.user).order_by("-pk")
    page = paginate(request, team)
    open_to_me = list(programmes_open_to_guardian(request.user).order_by("-pk")[:20])
    return render(
        request,
        "programmes/list.html",
        {
            "page": page,
            "open_to_me": open_to_me,
            "today": timezone.localdate(),
            "can_create": sites_for_manager(request.user).exists(),
            "is_volunteer": own_volunteer_profile(request.user) is not None,
        },
    )


@login_required
def my_children_view(request: HttpRequest) -> HttpResponse:
    enrolments = list(my_children_enrolments(request.user).prefetch_related("pickups"))
    today = timezone.localdate()
    rows = []
    for enrolment in enrolments:
        days = list(enrolment.attendances.order_by("-day")[:10])
        rate = (
            SatisfactionForm(
                initial={
                    "score": enrolment.satisfaction,
                    "comment": enrolment.satisfaction_comment,
                },
                prefix=f"e{enrolment.pk}",
            )
            if enrolment.status == EnrolmentStatus.ENROLLED and phase_ended(enrolment.phase, today)
            else None
        )
        rows.append((enrolment, days, health_processing_allowed(enrolment.child), rate))
    return render(request, "programmes/mine.html", {"rows": rows, "today": today})


@login_required
def programme_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_user(user=request.user, pk=pk)
    phases = list(programme.phases.all())
    timetables = [
        (phase, list(phase.slots.select_related("volunteer").order_by("weekday", "starts_at")))
        for phase in phases
    ]
    counts = {
        phase.pk: (
            phase.enrolments.filter(status=EnrolmentStatus.ENROLLED).count(),
            phase.enrolments.filter(status=EnrolmentStatus.WAITING).count(),
        )
        for phase in phases
    }
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "timetables": timetables,
            "counts": counts,
            "summary": programme_summary(programme),
            "incidents": list(programme.incidents.select_related("enrolment__child")[:20]),
            "incident_form": IncidentForm(),
            "message_form": MessageForm(),
            "can_manage": programmes_for_manager(request.user).filter(pk=programme.pk).exists(),
        },
    )


@login_required
def day_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page of the day: each child, signed in or not, and the sign-out form."""
    programme = programme_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    phase = phase_on(programme, today)
    rows = day_register(programme, today)
    health_notes_shown(
        actor=request_user(request),
        programme=programme,
        enrolments=[row.enrolment for row in rows if row.health and row.health_noted],
    )
    return render(
        request,
        "programmes/day.html",
        {
            "programme": programme,
            "phase": phase,
            "rows": rows,
            "slots": timetable_for(phase, today) if phase else [],
            "today": today,
            "now": timezone.localtime(),
            "signed_in": sum(1 for r in rows if r.attendance),
            "signed_out": sum(1 for r in rows if r.attendance and r.attendance.signed_out_at),
        },
    )


def _today_attendance(enrolment_pk: int, request: HttpRequest) -> Attendance:
    enrolment = enrolment_get_for_user(user=request.user, pk=enrolment_pk)
    programme_get_for_user(user=request.user, pk=enrolment.phase.programme_id)
    attendance = Attendance.objects.filter(enrolment=enrolment, day=timezone.localdate()).first()
    if attendance is None:
        raise Http404
    return attendance


@login_required
@require_POST
def sign_in_view(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = enrolment_get_for_user(user=request.user, pk=pk)
    # Only the site team signs children in; a guardian sees their child's days only.
    programme = programme_get_for_user(user=request.user, pk=enrolment.phase.programme_id)
    run_service(
        request,
        lambda: attendance_sign_in(actor=request_user(request), enrolment=enrolment),
        success=_("%(name)s 已签到。") % {"name": enrolment.child.name},
    )
    return redirect("programmes:day", pk=programme.pk)


@login_required
@require_POST
def sign_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = _today_attendance(pk, request)
    programme_pk = attendance.enrolment.phase.programme_id
    form = SignOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写来接孩子的人的姓名。"))
        return redirect("programmes:day", pk=programme_pk)
    run_service(
        request,
        lambda: attendance_sign_out(
            actor=request_user(request),
            attendance=attendance,
            pickup_name=form.cleaned_data["pickup_name"],
        ),
        success=lambda done: (
            _("%(child)s 已由 %(name)s 接走,%(time)s 签退。")
            % {
                "child": attendance.enrolment.child.name,
                "name": done.picked_up_by_name,
                "time": f"{timezone.localtime(done.signed_out_at):%H:%M}",
            }
        ),
    )
    return redirect("programmes:day", pk=programme_pk)


@login_required
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A guardian enrols their own child (a child of their household)."""
    programme = programme_for_enrolment(user=request.user, pk=pk)
    guardian = guardian_of(request.user)
    children = children_of(guardian) if guardian else []
    phases = Phase.objects.filter(programme=programme, end_date__gte=timezone.localdate())
    form = EnrolForm(
        request.POST or None,
        phases=phases,
        children=[(c.pk, f"{c.name}({c.age}岁)") for c in children],
    )
    if guardian is not None:
        done = submit_form(
            request,
            form,
            lambda: enrol(
                actor=request_user(request),
                phase=form.cleaned_data["phase"],
                child=next(c for c in children if str(c.pk) == form.cleaned_data["child"]),
                guardian=guardian,
                guardian_relation=form.cleaned_data["guardian_relation"],
                pickups=form.pickups(),
                consent_method=form.consent_method,
                health_consent=form.cleaned_data["health_consent"],
                allergies=form.cleaned_data["allergies"],
                health_notes=form.cleaned_data["health_notes"],
            ),
            success=lambda enrolment: (
                (
                    _("名额已满,%(name)s 已列入候补名单。")
                    if enrolment.status == EnrolmentStatus.WAITING
                    else _("%(name)s 报名成功。")
                )
                % {"name": enrolment.child.name}
            ),
            level=lambda enrolment: (
                messages.WARNING
                if enrolment.status == EnrolmentStatus.WAITING
                else messages.SUCCESS
            ),
            then=lambda _enrolment: redirect("programmes:mine"),
        )
        if done is not None:
            return done
    return render(
        request,
        "programmes/enrol.html",
        {
            "programme": programme,
            "form": form,
            "guardian": guardian,
            "has_children": bool(children),
            "pickup_rows": range(1, PICKUP_ROWS + 1),
        },
    )


@login_required
def register_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_user(user=request.user, pk=pk)
    phases = list(programme.phases.all())
    wanted = request.GET.get("phase", "")
    phase = next((p for p in phases if str(p.pk) == wanted), phases[0] if phases else None)
    if phase is None:
        raise Http404
    content = register_xlsx(programme, phase)
    audit_record(
        actor=request_user(request),
        action=AuditEvent.Action.EXPORT,
        obj=programme,
        note=f"每日签到表 {phase.name}",
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = f"{phase.start_date:%Y%m%d}"
    response["Content-Disposition"] = (
        f'attachment; filename="programme-{programme.pk}-{stamp}.xlsx"'
    )
    return response


@login_required
@require_POST
def incident_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_user(user=request.user, pk=pk)
    form = IncidentForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: incident_record(
                actor=request_user(request),
                programme=programme,
                happened_at=timezone.now(),
                description=form.cleaned_data["description"],
                action_taken=form.cleaned_data["action_taken"],
            ),
            success=_("已记录。"),
        )
    else:
        messages.error(request, _("请填写事件经过。"))
    return redirect("programmes:detail", pk=programme.pk)


@login_required
@require_POST
def message_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_user(user=request.user, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        sent = guardians_message(
            actor=request_user(request), programme=programme, text=form.cleaned_data["text"]
        )
        messages.success(request, _("已发送给 %(n)s 位家长。") % {"n": sent})
    else:
        messages.error(request, _("请填写要发给家长的内容。"))
    return redirect("programmes:detail", pk=programme.pk)


# --- Staff set-up: programme, phases, timetable (``programmes.manage`` over the site) ---


def _form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    title: str,
    back: str,
    submit: str,
    programme: Programme | None = None,
) -> HttpResponse:
    return render(
        request,
        "programmes/form.html",
        {"form": form, "title": title, "back": back, "submit": submit, "programme": programme},
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_new_view(request: HttpRequest) -> HttpResponse:
    sites = sites_for_manager(request.user).order_by("name", "pk")
    if not sites.exists():
        raise Http404
    form = ProgrammeForm(request.POST or None, sites=sites)
    return submit_form(
        request,
        form,
        lambda: programme_create(
            actor=request_user(request),
            site=form.cleaned_data["site"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        ),
        success=_("项目已创建,请添加阶段和课表。"),
        then=lambda programme: redirect("programmes:phase_new", pk=programme.pk),
    ) or _form_page(
        request,
        form=form,
        title=_("新建托管项目"),
        back=reverse("programmes:list"),
        submit=_("创建"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_manager(user=request.user, pk=pk)
    sites = sites_for_manager(request.user).order_by("name", "pk")
    form = ProgrammeForm(
        request.POST or None,
        sites=sites,
        initial={
            "site": programme.site_id,
            "name": programme.name,
            "description": programme.description,
        },
    )
    return submit_form(
        request,
        form,
        lambda: programme_update(
            actor=request_user(request),
            programme=programme,
            site=form.cleaned_data["site"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        ),
        success=_("已保存。"),
        then=lambda saved: redirect("programmes:detail", pk=saved.pk),
    ) or _form_page(
        request,
        form=form,
        title=_("修改项目"),
        back=reverse("programmes:detail", kwargs={"pk": programme.pk}),
        submit=_("保存"),
        programme=programme,
    )


@login_required
@require_http_methods(["GET", "POST"])
def phase_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_manager(user=request.user, pk=pk)
    form = PhaseForm(request.POST or None)
    return submit_form(
        request,
        form,
        lambda: phase_add(
            actor=request_user(request), programme=programme, **vars(form.data_for_service())
        ),
        success=lambda phase: _("已添加“%(name)s”,请安排课表。") % {"name": phase.name},
        then=lambda phase: redirect("programmes:slot_new", pk=phase.pk),
    ) or _form_page(
        request,
        form=form,
        title=_("添加阶段"),
        back=reverse("programmes:detail", kwargs={"pk": programme.pk}),
        submit=_("添加"),
        programme=programme,
    )


@login_required
@require_http_methods(["GET", "POST"])
def phase_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    phase = phase_get_for_manager(user=request.user, pk=pk)
    form = PhaseForm(request.POST or None, initial=PhaseForm.initial_for(phase))
    return submit_form(
        request,
        form,
        lambda: phase_update(
            actor=request_user(request), phase=phase, data=form.data_for_service()
        ),
        success=_("已保存。"),
        then=lambda saved: redirect("programmes:detail", pk=saved.programme_id),
    ) or _form_page(
        request,
        form=form,
        title=_("修改阶段 · %(name)s") % {"name": phase.name},
        back=reverse("programmes:detail", kwargs={"pk": phase.programme_id}),
        submit=_("保存"),
        programme=phase.programme,
    )


@login_required
@require_http_methods(["GET", "POST"])
def slot_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    phase = phase_get_for_manager(user=request.user, pk=pk)
    volunteers = volunteers_for_rota(request.user, phase.programme)
    form = SlotForm(
        request.POST or None,
        volunteers=volunteers,
        initial={"starts_at": phase.opens_at},
    )
    return submit_form(
        request,
        form,
        lambda: slot_add(actor=request_user(request), phase=phase, **vars(form.data_for_service())),
        success=lambda slot: (
            _("已添加 %(time)s %(slot)s。")
            % {"time": f"{slot.starts_at:%H:%M}", "slot": slot.get_kind_display()}
        ),
        then=lambda slot: (
            redirect("programmes:slot_new", pk=phase.pk)
            if "another" in request.POST
            else redirect("programmes:detail", pk=phase.programme_id)
        ),
    ) or render(
        request,
        "programmes/slot_form.html",
        {"form": form, "phase": phase, "slots": _timetable(phase), "editing": None},
    )


def _timetable(phase: Phase) -> list[Slot]:
    return list(phase.slots.select_related("volunteer").order_by("weekday", "starts_at", "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def slot_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    slot = slot_get_for_manager(user=request.user, pk=pk)
    phase = slot.phase
    volunteers = slot_volunteer_choices(request.user, slot)
    form = SlotForm(request.POST or None, volunteers=volunteers, initial=SlotForm.initial_for(slot))
    return submit_form(
        request,
        form,
        lambda: slot_update(actor=request_user(request), slot=slot, data=form.data_for_service()),
        success=_("已保存。"),
        then=lambda saved: redirect("programmes:detail", pk=phase.programme_id),
    ) or render(
        request,
        "programmes/slot_form.html",
        {"form": form, "phase": phase, "slots": _timetable(phase), "editing": slot},
    )


@login_required
@require_POST
def slot_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    slot = slot_get_for_manager(user=request.user, pk=pk)
    run_service(
        request,
        lambda: slot_remove(actor=request_user(request), slot=slot),
        success=_("已删除这节课。"),
    )
    return redirect("programmes:detail", pk=slot.phase.programme_id)


# --- Volunteer rota ---


@login_required
@require_http_methods(["GET", "POST"])
def rota_view(request: HttpRequest, pk: int) -> HttpResponse:
    phase = phase_get_for_manager(user=request.user, pk=pk)
    days = rota_days(phase)
    form = DutyForm(
        request.POST or None,
        days=[day for day, _duties in days],
        slots=rota_slots(phase),
        volunteers=volunteers_for_rota(request.user, phase.programme),
        initial={"day": request.GET.get("day", "")},
    )
    done = submit_form(
        request,
        form,
        lambda: duty_assign(
            actor=request_user(request),
            phase=phase,
            day=form.cleaned_data["day"],
            slot=form.cleaned_data["slot"],
            volunteer=form.cleaned_data["volunteer"],
        ),
        success=lambda duty: (
            _("已安排 %(name)s %(day)s 值班。")
            % {"name": duty.volunteer.name, "day": f"{duty.day:%m-%d}"}
        ),
        then=lambda duty: redirect("programmes:rota", pk=phase.pk),
    )
    if done is not None:
        return done
    # A phase has tens of open days, not thousands: a plain paginator over the list.
    page = Paginator(days, 14).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/rota.html",
        {"phase": phase, "programme": phase.programme, "form": form, "page": page},
    )


@login_required
@require_POST
def duty_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    duty = duty_get_for_manager(user=request.user, pk=pk)
    run_service(
        request,
        lambda: duty_remove(actor=request_user(request), duty=duty),
        success=_("已取消这次值班。"),
    )
    return redirect("programmes:rota", pk=duty.phase_id)


@login_required
@require_POST
def duties_credit_view(request: HttpRequest, pk: int) -> HttpResponse:
    phase = phase_get_for_manager(user=request.user, pk=pk)
    credited = duties_credit(actor=request_user(request), phase=phase)
    if credited:
        messages.success(request, _("已为 %(n)s 次值班记入志愿服务时长。") % {"n": credited})
    else:
        messages.info(request, _("没有需要记入的值班(未到结束时间的值班不记)。"))
    return redirect("programmes:rota", pk=phase.pk)


@login_required
def my_duties_view(request: HttpRequest) -> HttpResponse:
    """A volunteer's programme duties: coming ones first, then the past ones."""
    volunteer = own_volunteer_profile(request.user)
    today = timezone.localdate()
    duties = duties_of(volunteer) if volunteer else Duty.objects.none()
    coming = sorted(duties.filter(day__gte=today), key=lambda d: (d.day, d.starts_at))
    past = duties.filter(day__lt=today)
    return render(
        request,
        "programmes/duties.html",
        {
            "volunteer": volunteer,
            "coming": coming,
            "page": paginate(request, past),
            "today": today,
        },
    )


# --- Guardians' satisfaction and the end-of-programme summary ---


@login_required
@require_POST
def satisfaction_view(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = my_children_enrolments(request.user).filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    form = SatisfactionForm(request.POST, prefix=f"e{enrolment.pk}")
    if not form.is_valid():
        messages.error(request, _("满意度请选择 1 到 5 分。"))
        return redirect("programmes:mine")
    run_service(
        request,
        lambda: satisfaction_record(
            actor=request_user(request),
            enrolment=enrolment,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        ),
        success=_("谢谢您的评价!"),
    )
    return redirect("programmes:mine")


@login_required
def summary_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_user(user=request.user, pk=pk)
    summary = programme_summary(programme)
    answers = max(summary.satisfaction_answers, 1)
    return render(
        request,
        "programmes/summary.html",
        {
            "programme": programme,
            "summary": summary,
            "phases": list(programme.phases.all()),
            "distribution": [
                (score, n, round(n * 100 / answers)) for score, n in summary.satisfaction_counts
            ],
            "page": paginate(request, satisfaction_comments(programme)),
        },
    )
