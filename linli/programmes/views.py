from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user
from linli.core.audit import audit_record
from linli.core.forms import add_service_errors
from linli.core.pagination import paginate
from linli.people.selectors import health_processing_allowed
from linli.programmes.forms import PICKUP_ROWS, EnrolForm, IncidentForm, MessageForm, SignOutForm
from linli.programmes.models import Attendance, EnrolmentStatus, Phase
from linli.programmes.selectors import (
    children_of,
    day_register,
    enrolment_get_for_user,
    guardian_of,
    my_children_enrolments,
    phase_on,
    programme_for_enrolment,
    programme_get_for_user,
    programme_summary,
    programmes_for_team,
    programmes_open_to_guardian,
    register_xlsx,
    timetable_for,
)
from linli.programmes.services import (
    attendance_sign_in,
    attendance_sign_out,
    enrol,
    guardians_message,
    incident_record,
)


@login_required
def programme_list_view(request: HttpRequest) -> HttpResponse:
    team = programmes_for_team(request.user).order_by("-pk")
    page = paginate(request, team)
    open_to_me = list(programmes_open_to_guardian(request.user).order_by("-pk")[:20])
    return render(
        request,
        "programmes/list.html",
        {"page": page, "open_to_me": open_to_me, "today": timezone.localdate()},
    )


@login_required
def my_children_view(request: HttpRequest) -> HttpResponse:
    enrolments = list(my_children_enrolments(request.user).prefetch_related("pickups"))
    today = timezone.localdate()
    rows = []
    for enrolment in enrolments:
        days = list(enrolment.attendances.order_by("-day")[:10])
        rows.append((enrolment, days, health_processing_allowed(enrolment.child)))
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
        },
    )


@login_required
def day_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page of the day: each child, signed in or not, and the sign-out form."""
    programme = programme_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    phase = phase_on(programme, today)
    rows = day_register(programme, today)
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
    try:
        attendance_sign_in(actor=request_user(request), enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s 已签到。") % {"name": enrolment.child.name})
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
    try:
        done = attendance_sign_out(
            actor=request_user(request),
            attendance=attendance,
            pickup_name=form.cleaned_data["pickup_name"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(child)s 已由 %(name)s 接走,%(time)s 签退。")
            % {
                "child": attendance.enrolment.child.name,
                "name": done.picked_up_by_name,
                "time": f"{timezone.localtime(done.signed_out_at):%H:%M}",
            },
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
    if request.method == "POST" and form.is_valid() and guardian is not None:
        child = next(c for c in children if str(c.pk) == form.cleaned_data["child"])
        try:
            enrolment = enrol(
                actor=request_user(request),
                phase=form.cleaned_data["phase"],
                child=child,
                guardian=guardian,
                guardian_relation=form.cleaned_data["guardian_relation"],
                pickups=form.pickups(),
                consent_method=form.consent_method,
                health_consent=form.cleaned_data["health_consent"],
                allergies=form.cleaned_data["allergies"],
                health_notes=form.cleaned_data["health_notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if enrolment.status == EnrolmentStatus.WAITING:
                messages.warning(
                    request, _("名额已满,%(name)s 已列入候补名单。") % {"name": child.name}
                )
            else:
                messages.success(request, _("%(name)s 报名成功。") % {"name": child.name})
            return redirect("programmes:mine")
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
        action="export",
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
        try:
            incident_record(
                actor=request_user(request),
                programme=programme,
                happened_at=timezone.now(),
                description=form.cleaned_data["description"],
                action_taken=form.cleaned_data["action_taken"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已记录。"))
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
