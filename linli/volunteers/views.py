from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user, require_capability
from linli.accounts.list_export import Column, export_list, may_reveal, wants_export, when
from linli.accounts.selectors import scope_for
from linli.areas.models import Area, Grid
from linli.areas.selectors import communities_in_scope
from linli.core.errors import BadInput
from linli.core.forms import add_service_errors
from linli.core.htmx import render_page_or_fragment
from linli.core.numbers import whole_number
from linli.core.outcomes import run_service, submit_form
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.volunteers.certificates import certificate_pdf
from linli.volunteers.forms import (
    HoursClaimForm,
    HoursRejectForm,
    HoursReviewFilterForm,
    TeamForm,
    TeamJoinForm,
    VolunteerForm,
    VolunteerSearchForm,
    slot_choices,
)
from linli.volunteers.models import (
    SLOT_ORDER,
    DaySlot,
    HoursStatus,
    ServiceRecord,
    TeamMembership,
    Volunteer,
    Weekday,
)
from linli.volunteers.selectors import (
    availability_grid,
    certificate_get_for_user,
    certificates_of,
    hours_for_minutes,
    hours_review_queue,
    own_record_get,
    own_volunteer_profile,
    pending_hours_count,
    points_for_minutes,
    service_records_of,
    service_summary,
    visible_teams,
    volunteer_get_for_user,
    volunteer_list,
)
from linli.volunteers.services import (
    certificate_issue,
    service_hours_approve,
    service_hours_correct,
    service_hours_reject,
    service_hours_submit,
    service_hours_withdraw,
    team_create,
    team_member_add,
    team_member_remove,
    volunteer_update,
)


def _week_table(slots: set[tuple[int, str]]) -> list[tuple[str, list[bool]]]:
    """Rows of (slot label, [available on Mon..Sun]) for the availability table."""
    labels = dict(DaySlot.choices)
    return [
        (str(labels[slot]), [(day, slot) in slots for day in Weekday.values]) for slot in SLOT_ORDER
    ]


def _volunteers_export(request: HttpRequest, volunteers: QuerySet[Volunteer]) -> HttpResponse:
    """The volunteers with their hours and points (phone masked unless revealed)."""

    def minutes(v: Volunteer) -> int:
        return int(getattr(v, "total_minutes", 0) or 0)

    def phone(v: Volunteer, revealed: bool) -> str:
        if v.resident is None:
            return ""
        return str(v.resident.phone) if revealed else v.resident.phone_masked

    columns = [
        Column(_("姓名"), lambda v: v.name),
        Column(_("志愿者类型"), lambda v: v.get_kind_display()),
        Column(_("网格"), lambda v: v.grid.name if v.grid else ""),
        Column(_("队伍"), lambda v: "、".join(m.team.name for m in v.team_memberships.all())),
        Column(_("加入日期"), when("joined_on")),
        Column(_("在册"), lambda v: _("是") if v.active else _("否")),
        Column(_("累计服务时长(小时)"), lambda v: float(hours_for_minutes(minutes(v)))),
        Column(_("积分"), lambda v: points_for_minutes(minutes(v))),
        Column(
            _("手机号"),
            lambda v: phone(v, False),
            revealed=lambda v: phone(v, True),
            field="phone",
        ),
    ]
    return export_list(
        request,
        rows=volunteers,
        columns=columns,
        title=_("志愿者"),
        object_type="volunteers.volunteer",
        file_name="volunteers",
    )


@login_required
def volunteer_list_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    teams = list(visible_teams(request.user).order_by("name"))
    form = VolunteerSearchForm(request.GET or None, teams=[(t.pk, t.name) for t in teams])
    query, kind, team_id = "", "", None
    if form.is_valid():
        query = form.cleaned_data.get("q") or ""
        kind = form.cleaned_data.get("kind") or ""
        team_id = form.cleaned_data.get("team")
    volunteers = volunteer_list(user=request.user, query=query, kind=kind, team_id=team_id)
    if wants_export(request):
        return _volunteers_export(request, volunteers.select_related("resident"))
    page = paginate(request, volunteers)
    return render_page_or_fragment(
        request,
        "volunteers/list.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_reveal": may_reveal(request),
            "pending_hours": pending_hours_count(request.user),
        },
        fragment_template="volunteers/_results.html",
    )


@login_required
def volunteer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = volunteer_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "volunteers/detail.html",
        {
            "volunteer": volunteer,
            "summary": service_summary(volunteer),
            "records": service_records_of(volunteer)[:10],
            "certificates": certificates_of(volunteer)[:10],
            "week_days": Weekday.labels,
            "week_table": _week_table(availability_grid(volunteer)),
            "skills": [link.skill.name for link in volunteer.skill_links.all()],
            "join_form": _join_form(request, volunteer),
        },
    )


def _join_form(request: HttpRequest, volunteer: Volunteer) -> TeamJoinForm:
    joined = {m.team_id for m in volunteer.team_memberships.all()}
    teams = visible_teams(request.user).filter(community_id=volunteer.community_id)
    return TeamJoinForm(
        request.POST or None,
        teams=[(t.pk, t.name) for t in teams.order_by("name") if t.pk not in joined],
    )


@login_required
@require_POST
def team_join_view(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = volunteer_get_for_user(user=request.user, pk=pk)
    form = _join_form(request, volunteer)
    if form.is_valid():
        team = visible_teams(request.user).filter(pk=form.cleaned_data["team"]).first()
        if team is None:
            raise Http404
        run_service(
            request,
            lambda: team_member_add(
                actor=request_user(request),
                team=team,
                volunteer=volunteer,
                is_leader=form.cleaned_data["is_leader"],
            ),
            success=_("已加入%(team)s。") % {"team": team.name},
        )
    else:
        messages.error(request, _("请选择要加入的队伍。"))
    return redirect("volunteers:detail", pk=volunteer.pk)


@login_required
@require_POST
def team_leave_view(request: HttpRequest, pk: int, team_pk: int) -> HttpResponse:
    volunteer = volunteer_get_for_user(user=request.user, pk=pk)
    membership = volunteer.team_memberships.filter(team_id=team_pk).select_related("team").first()
    if membership is None:
        raise Http404
    team_member_remove(actor=request_user(request), membership=membership)
    messages.success(request, _("已退出%(team)s。") % {"team": membership.team.name})
    return redirect("volunteers:detail", pk=volunteer.pk)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = volunteer_get_for_user(user=request.user, pk=pk)
    grids = Grid.objects.filter(community_id=volunteer.community_id).order_by("code")
    initial = {
        "kind": volunteer.kind,
        "grid": volunteer.grid_id,
        "active": volunteer.active,
        "skills": "、".join(link.skill.name for link in volunteer.skill_links.all()),
        "availability": [f"{d}-{s}" for d, s in sorted(availability_grid(volunteer))],
    }
    form = VolunteerForm(request.POST or None, grids=grids, initial=initial)
    return submit_form(
        request,
        form,
        lambda: volunteer_update(
            actor=request_user(request),
            volunteer=volunteer,
            kind=form.cleaned_data["kind"],
            grid=form.cleaned_data["grid"],
            active=form.cleaned_data["active"],
            skills=form.skill_names(),
            availability=form.slots(),
        ),
        success=_("志愿者信息已保存。"),
        then=lambda saved: redirect("volunteers:detail", pk=volunteer.pk),
    ) or render(
        request,
        "volunteers/edit.html",
        {"volunteer": volunteer, "form": form, "slot_count": len(slot_choices())},
    )


@login_required
@require_POST
def certificate_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = volunteer_get_for_user(user=request.user, pk=pk)
    run_service(
        request,
        lambda: certificate_issue(actor=request_user(request), volunteer=volunteer),
        success=lambda certificate: (
            _("已出具志愿服务证明,编号 %(number)s。") % {"number": certificate.number}
        ),
    )
    return redirect("volunteers:detail", pk=volunteer.pk)


@login_required
def certificate_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    certificate = certificate_get_for_user(user=request.user, number=number)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@login_required
def my_service_view(request: HttpRequest) -> HttpResponse:
    volunteer = own_volunteer_profile(request.user)
    if volunteer is None:
        raise Http404(_("您还没有志愿者档案。"))
    if wants_export(request):
        return export_list(
            request,
            rows=service_records_of(volunteer),
            columns=[
                Column(_("服务时间"), when("started_at")),
                Column(_("服务时长(分钟)"), lambda r: r.minutes),
                Column(_("服务内容"), lambda r: r.content),
                Column(_("服务地点"), lambda r: r.place),
                Column(_("来源"), lambda r: r.get_source_display()),
                Column(_("审核状态"), lambda r: r.get_status_display()),
                Column(_("退回原因"), lambda r: r.reject_reason),
            ],
            title=_("服务记录"),
            object_type="volunteers.servicerecord",
            file_name="service-hours",
        )
    page = paginate(request, service_records_of(volunteer))
    from linli.rosters.selectors import assignments_for_volunteer

    return render(
        request,
        "volunteers/my_service.html",
        {
            "volunteer": volunteer,
            "summary": service_summary(volunteer),
            "page": page,
            "querystring": querystring_without_page(request),
            "certificates": certificates_of(volunteer)[:10],
            "assignments": assignments_for_volunteer(volunteer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_list_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    teams = (
        visible_teams(request.user)
        .select_related("community")
        .annotate(member_count=Count("memberships"))
        .order_by("kind", "name")
    )
    leaders: dict[int, list[str]] = {}
    for membership in TeamMembership.objects.filter(team__in=teams, is_leader=True).select_related(
        "volunteer"
    ):
        leaders.setdefault(membership.team_id, []).append(membership.volunteer.name)
    form = TeamForm(request.POST or None)
    communities = list({t.community for t in teams})
    if request.method == "POST" and form.is_valid():
        own = own_community(request)
        if own is None:
            raise PermissionDenied(_("您没有可以建队的社区。"))
        try:
            team_create(
                actor=request_user(request),
                community=own,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("队伍已创建。"))
            return redirect("volunteers:teams")
    page = paginate(request, teams)
    return render(
        request,
        "volunteers/teams.html",
        {
            "page": page,
            "rows": [(t, leaders.get(t.pk, [])) for t in page.object_list],
            "form": form,
            "can_create": own_community(request) is not None,
            "communities": communities,
        },
    )


def own_community(request: HttpRequest) -> Area | None:
    """The community in which a staff member creates teams: the first one they manage."""
    scope = scope_for(request.user, Capability.VOLUNTEERS_MANAGE)
    return communities_in_scope(scope, whole_only=True).first()


# --- service hours: a volunteer's claims and the managers' review ---------------------------


def _own_profile(request: HttpRequest) -> Volunteer:
    volunteer = own_volunteer_profile(request.user)
    if volunteer is None:
        raise Http404(_("您还没有志愿者档案。"))
    return volunteer


@login_required
@require_http_methods(["GET", "POST"])
def hours_submit_view(request: HttpRequest) -> HttpResponse:
    """A volunteer claims service given outside the system; it waits for review."""
    volunteer = _own_profile(request)
    form = HoursClaimForm(request.POST or None)
    return submit_form(
        request,
        form,
        lambda: service_hours_submit(
            actor=request_user(request),
            volunteer=volunteer,
            started_at=form.started_at(),
            minutes=form.minutes(),
            content=form.cleaned_data["content"],
            place=form.cleaned_data["place"],
        ),
        success=_("已提交,等待社区审核;审核通过后计入累计时长。"),
        then=lambda record: redirect("volunteers:my_service"),
    ) or render(request, "volunteers/hours_form.html", {"form": form, "record": None})


@login_required
@require_http_methods(["GET", "POST"])
def hours_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer corrects a claim that waits or was sent back, and submits it again."""
    record = own_record_get(user=request.user, pk=pk)
    local = timezone.localtime(record.started_at)
    initial = {
        "served_on": local.date(),
        "start": local.time().replace(second=0, microsecond=0),
        "hours": hours_for_minutes(record.minutes),
        "content": record.content,
        "place": record.place,
    }
    form = HoursClaimForm(request.POST or None, initial=initial)
    return submit_form(
        request,
        form,
        lambda: service_hours_correct(
            actor=request_user(request),
            record=record,
            started_at=form.started_at(),
            minutes=form.minutes(),
            content=form.cleaned_data["content"],
            place=form.cleaned_data["place"],
        ),
        success=_("已重新提交,等待社区审核。"),
        then=lambda saved: redirect("volunteers:my_service"),
    ) or render(request, "volunteers/hours_form.html", {"form": form, "record": record})


@login_required
@require_POST
def hours_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer takes back a claim still waiting for review (after confirming)."""
    record = own_record_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: service_hours_withdraw(actor=request_user(request), record=record),
        success=_("已撤回这条服务时长,不会再送审;需要时可以修改后重新提交。"),
    )
    return redirect("volunteers:my_service")


@login_required
def hours_review_view(request: HttpRequest) -> HttpResponse:
    """The review queue: hand-submitted hours of the volunteers the user manages."""
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    scope = scope_for(request.user, Capability.VOLUNTEERS_MANAGE)
    grids = Grid.objects.filter(
        community__in=communities_in_scope(scope, whole_only=False)
    ).order_by("code")
    form = HoursReviewFilterForm(request.GET or None, grids=[(g.pk, g.name) for g in grids])
    status: str = HoursStatus.SUBMITTED
    query, grid_id, since, until = "", None, None, None
    if form.is_valid():
        chosen = form.cleaned_data.get("status") or HoursStatus.SUBMITTED
        status = "" if chosen == "all" else chosen
        query = form.cleaned_data.get("q") or ""
        grid_id = form.cleaned_data.get("grid")
        since = form.cleaned_data.get("since")
        until = form.cleaned_data.get("until")
    records = hours_review_queue(
        user=request.user, status=status, query=query, grid_id=grid_id, since=since, until=until
    )
    page = paginate(request, records)
    return render_page_or_fragment(
        request,
        "volunteers/hours_review.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "reviewing": status == HoursStatus.SUBMITTED,
            "reject_form": HoursRejectForm(),
        },
        fragment_template="volunteers/_hours_queue.html",
    )


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    # Back to the same filters and page; only a query string is taken from the form.
    back = str(request.POST.get("back", ""))
    url = reverse("volunteers:hours_review")
    return redirect(f"{url}?{back}" if back and "/" not in back else url)


def _record_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("ids"):
        pk = whole_number(value)
        if pk is None:
            raise BadInput(_("所选的记录无效。"))
        ids.append(pk)
    return ids


@login_required
@require_POST
def hours_approve_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.VOLUNTEERS_MANAGE)
    ids = _record_ids(request)
    run_service(
        request,
        lambda: service_hours_approve(actor=request_user(request), record_ids=ids),
        success=lambda done: (
            _("已确认 %(count)d 条服务时长,共 %(hours)s 小时。")
            % {"count": len(done.records), "hours": hours_for_minutes(done.minutes)}
            + (
                _("另有 %(count)d 条已由他人审核。") % {"count": done.skipped}
                if done.skipped
                else ""
            )
        ),
    )
    return _back_to_queue(request)


@login_required
@require_POST
def hours_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    # No capability check first: a record outside the user's scope is a 404 (the service).
    form = HoursRejectForm(request.POST)
    reason = str(form.data.get("reason", ""))

    def reject() -> ServiceRecord:
        return service_hours_reject(actor=request_user(request), record_id=pk, reason=reason)

    run_service(
        request,
        reject,
        success=lambda record: (
            _("已退回%(name)s的服务时长,已通知本人。") % {"name": record.volunteer.name}
        ),
    )
    return _back_to_queue(request)
