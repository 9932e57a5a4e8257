from __future__ import annotations

import datetime as dt
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user, require_capability
from linli.accounts.list_export import Column, export_list, wants_export, when
from linli.accounts.selectors import capabilities_of, scope_for
from linli.activities.forms import (
    CLINIC_SERVICES,
    ActivityForm,
    ActivitySearchForm,
    FiguresForm,
    FollowupForm,
    HelperForm,
    PhoneSignupForm,
    ReadingForm,
    ServedForm,
    TransitionForm,
)
from linli.activities.models import TRANSITIONS, Activity, SignupChannel, Status
from linli.activities.selectors import (
    activities_for_resident,
    activity_attendees,
    activity_figures,
    activity_get_for_user,
    activity_helper_choices,
    activity_list,
    activity_residents,
    activity_served,
    activity_signed_up,
    audience_label,
    may_manage,
    own_resident,
    own_signup,
    people_served,
    readings_of,
    resident_activity_get,
    signups_of,
    volunteer_activity_get,
)
from linli.activities.services import (
    activity_create,
    activity_transition,
    checkin,
    checkin_refusal,
    followup_file,
    helper_add,
    reading_record,
    served_record,
    signup_add,
    signup_cancel,
)
from linli.activities.summary import activity_summary, activity_summary_pdf
from linli.areas.models import Area, Grid
from linli.areas.selectors import communities_in_scope, visible_areas
from linli.core.htmx import render_page_or_fragment
from linli.core.numbers import whole_number
from linli.core.outcomes import run_service, submit_form
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.core.scoping import subtree_condition
from linli.core.spreadsheets import Cell, Sheet, xlsx_bytes
from linli.volunteers.models import Team
from linli.volunteers.selectors import own_volunteer_profile


def _is_staff(request: HttpRequest) -> bool:
    return Capability.ACTIVITIES_VIEW in capabilities_of(request.user)


@login_required
def activity_list_view(request: HttpRequest) -> HttpResponse:
    """Staff: the activities in scope. Residents: those coming up that are open to them."""
    if not _is_staff(request):
        resident = own_resident(request.user)
        volunteer = own_volunteer_profile(request.user)
        if resident is None and volunteer is None:
            raise Http404(_("您还没有居民档案。"))
        activities = activities_for_resident(resident) if resident is not None else []
        helping: list[Activity] = []
        if volunteer is not None:
            helping = list(
                Activity.objects.filter(
                    community=volunteer.community,
                    status__in=[Status.PLANNED, Status.OPEN],
                    ends_at__gte=timezone.now(),
                )
                .exclude(helpers__volunteer=volunteer)
                .select_related("kind")
                .order_by("starts_at", "pk")[:50]
            )
        signed = (
            {s.activity_id: s for s in resident.activity_signups.exclude(status="cancelled")}
            if resident is not None
            else {}
        )
        return render(
            request,
            "activities/mine.html",
            {
                "rows": [(a, signed.get(a.pk)) for a in activities],
                "resident": resident,
                "helping": helping,
            },
        )
    form = ActivitySearchForm(request.GET or None)
    query, kind_id, status = "", None, ""
    if form.is_valid():
        query = form.cleaned_data.get("q") or ""
        kind = form.cleaned_data.get("kind")
        kind_id = kind.pk if kind else None
        status = form.cleaned_data.get("status") or ""
    listed = activity_list(user=request.user, query=query, kind_id=kind_id, status=status)
    if wants_export(request):
        return export_list(
            request,
            rows=listed,
            columns=[
                Column(_("活动名称"), lambda a: a.title),
                Column(_("类型"), lambda a: str(a.kind)),
                Column(_("社区"), lambda a: a.community.name),
                Column(_("开始时间"), when("starts_at")),
                Column(_("结束时间"), when("ends_at")),
                Column(
                    _("地点"),
                    lambda a: " ".join(filter(None, [str(a.place or ""), a.place_detail])),
                ),
                Column(_("名额"), lambda a: a.capacity or ""),
                Column(_("已报名"), lambda a: a.confirmed),
                Column(_("状态"), lambda a: a.get_status_display()),
            ],
            title=_("活动"),
            object_type="activities.activity",
            file_name="activities",
        )
    page = paginate(request, listed)
    return render_page_or_fragment(
        request,
        "activities/list.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_create": Capability.ACTIVITIES_MANAGE in capabilities_of(request.user),
        },
        fragment_template="activities/_results.html",
    )


def _managed_communities(request: HttpRequest) -> QuerySet[Area]:
    return communities_in_scope(scope_for(request.user, Capability.ACTIVITIES_MANAGE))


@login_required
@require_http_methods(["GET", "POST"])
def activity_create_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.ACTIVITIES_MANAGE)
    communities = _managed_communities(request)
    places = visible_areas(request.user).filter(
        subtree_condition(communities.values_list("path", flat=True)),
        kind__in=["community", "compound", "building"],
    )
    form = ActivityForm(
        request.POST or None,
        communities=communities,
        places=places.order_by("path"),
        grids=Grid.objects.filter(community__in=communities).order_by("code"),
        teams=Team.objects.filter(community__in=communities).order_by("name"),
        initial={"community": communities.first()},
    )

    def create() -> Activity:
        data = form.cleaned_data
        return activity_create(
            actor=request_user(request),
            community=data["community"],
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            place_detail=data["place_detail"],
            organisers=data["organisers"],
            team=data["team"],
            partners=data["partners"],
            capacity=data["capacity"],
            audience=data["audience"],
            audience_grid=data["audience_grid"],
            description=data["description"],
        )

    return submit_form(
        request,
        form,
        create,
        success=_("活动已创建。"),
        then=lambda activity: redirect("activities:detail", pk=activity.pk),
    ) or render(request, "activities/form.html", {"form": form})


def _checkin_url(request: HttpRequest, activity: Activity) -> str:
    return request.build_absolute_uri(
        reverse("activities:checkin", args=[activity.pk, activity.checkin_token])
    )


@login_required
def activity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not _is_staff(request):
        return _resident_detail(request, pk)
    activity = activity_get_for_user(user=request.user, pk=pk)
    manage = may_manage(request.user, activity)
    signups = list(signups_of(activity))
    context = {
        "activity": activity,
        "audience": audience_label(activity),
        "organisers": list(activity.organisers.all()),
        "partners": list(activity.partners.all()),
        "signups": signups,
        "confirmed": sum(1 for s in signups if s.status == "confirmed"),
        "waiting": sum(1 for s in signups if s.status == "waiting"),
        "checked_in": sum(1 for s in signups if s.checked_in_at),
        "helpers": list(activity.helpers.select_related("volunteer")),
        "served": activity_served(activity),
        "people_served": people_served(activity),
        "readings": activity.readings.count(),
        "manage": manage,
        "next_states": [(s, Status(s).label) for s in sorted(TRANSITIONS[activity.status])],
    }
    if manage:
        context["transition_form"] = TransitionForm()
        context["phone_form"] = PhoneSignupForm(
            residents=activity_residents(request.user, activity)
        )
        context["helper_form"] = HelperForm(
            volunteers=activity_helper_choices(request.user, activity)
        )
        context["checkin_url"] = _checkin_url(request, activity)
        context["followup_form"] = FollowupForm(
            residents=activity_signed_up(request.user, activity)
        )
    return render(request, "activities/detail.html", context)


def _resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = own_resident(request.user)
    if resident is None:
        raise Http404
    activity = resident_activity_get(resident=resident, pk=pk)
    return render(
        request,
        "activities/resident_detail.html",
        {
            "activity": activity,
            "audience": audience_label(activity),
            "signup": own_signup(activity, resident),
            "partners": list(activity.partners.all()),
            "organisers": list(activity.organisers.all()),
        },
    )


@login_required
@require_POST
def signup_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident signs themselves up."""
    resident = own_resident(request.user)
    if resident is None:
        raise Http404
    activity = resident_activity_get(resident=resident, pk=pk)
    run_service(
        request,
        lambda: signup_add(
            actor=request_user(request), activity=activity, resident=resident, channel="self"
        ),
        success=lambda signup: (
            _("名额已满,您已进入候补名单;有人取消时会自动递补。")
            if signup.status == "waiting"
            else _("报名成功。")
        ),
        level=lambda signup: messages.INFO if signup.status == "waiting" else messages.SUCCESS,
    )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = own_resident(request.user)
    if resident is None:
        raise Http404
    activity = resident_activity_get(resident=resident, pk=pk)
    signup = own_signup(activity, resident)
    if signup is None:
        raise Http404
    run_service(
        request,
        lambda: signup_cancel(actor=request_user(request), signup=signup),
        success=_("已取消报名。"),
    )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def phone_signup_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff sign a resident up who called."""
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    form = PhoneSignupForm(request.POST, residents=activity_residents(request.user, activity))
    if not form.is_valid():
        messages.error(request, _("请选择要报名的居民。"))
        return redirect("activities:detail", pk=activity.pk)
    resident = form.cleaned_data["resident"]
    run_service(
        request,
        lambda: signup_add(
            actor=request_user(request),
            activity=activity,
            resident=resident,
            channel=SignupChannel.STAFF,
        ),
        success=lambda signup: (
            _("已为%(name)s报名(%(status)s)。")
            % {"name": resident.name, "status": signup.get_status_display()}
        ),
    )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def staff_cancel_view(request: HttpRequest, pk: int, signup_pk: int) -> HttpResponse:
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    signup = activity.signups.filter(pk=signup_pk).first()
    if signup is None:
        raise Http404
    run_service(
        request,
        lambda: signup_cancel(actor=request_user(request), signup=signup),
        success=lambda promoted: (
            _("已取消报名。")
            + (_("候补的%(name)s已递补。") % {"name": promoted.resident.name} if promoted else "")
        ),
    )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def helper_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    form = HelperForm(request.POST, volunteers=activity_helper_choices(request.user, activity))
    if not form.is_valid():
        messages.error(request, _("请选择志愿者。"))
        return redirect("activities:detail", pk=activity.pk)
    run_service(
        request,
        lambda: helper_add(
            actor=request_user(request),
            activity=activity,
            volunteer=form.cleaned_data["volunteer"],
            role=form.cleaned_data["role"],
        ),
        success=_("已添加服务志愿者。"),
    )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def volunteer_join_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer signs up to help at an activity of their community."""
    volunteer, activity = volunteer_activity_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: helper_add(actor=request_user(request), activity=activity, volunteer=volunteer),
        success=_("已报名参加志愿服务,活动举办后自动计入服务时长。"),
    )
    return redirect("activities:list")


@login_required
@require_POST
def transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择新的状态。"))
        return redirect("activities:detail", pk=activity.pk)
    run_service(
        request,
        lambda: activity_transition(
            actor=request_user(request),
            activity=activity,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            summary=form.cleaned_data["summary"],
        ),
        success=lambda changed: _("活动状态已改为“%(s)s”。") % {"s": changed.get_status_display()},
    )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_http_methods(["GET", "POST"])
def served_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    existing = [(row.service, row.count) for row in activity.served.all()]
    if not existing and activity.kind.code == "clinic":
        existing = [(name, 0) for name in CLINIC_SERVICES]
    form = ServedForm(request.POST or None, initial_rows=existing)
    return submit_form(
        request,
        form,
        lambda: served_record(actor=request_user(request), activity=activity, counts=form.counts()),
        success=_("服务人数已登记。"),
        then=lambda _served: redirect("activities:detail", pk=activity.pk),
    ) or render(
        request,
        "activities/served.html",
        {"activity": activity, "form": form, "measured": _measured(activity)},
    )


def _measured(activity: Activity) -> list[tuple[str, int]]:
    """Per service, how many readings were recorded one by one (added to the typed counts)."""
    counts: dict[str, int] = {}
    for services in activity.readings.values_list("services", flat=True):
        for service in services or []:
            counts[service] = counts.get(service, 0) + 1
    return sorted(counts.items())


@login_required
@require_http_methods(["GET", "POST"])
def readings_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Readings at a free clinic, one attendee at a time, on a phone."""
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    require_capability(request, Capability.HEALTH_VIEW)
    form = ReadingForm(request.POST or None, residents=activity_attendees(request.user, activity))
    done = submit_form(
        request,
        form,
        lambda: reading_record(
            actor=request_user(request),
            activity=activity,
            resident=form.cleaned_data["resident"],
            readings=form.readings(),
        ),
        success=lambda reading: (
            (
                _("%(name)s 的读数超过预警值,已向关爱团队发出预警。")
                if reading.alerted
                else _("%(name)s 的读数已记入关爱档案。")
            )
            % {"name": form.cleaned_data["resident"].name}
        ),
        level=lambda reading: messages.WARNING if reading.alerted else messages.SUCCESS,
        then=lambda _reading: redirect("activities:readings", pk=activity.pk),
    )
    if done is not None:
        return done
    page = paginate(request, readings_of(activity), per_page=30)
    return render(
        request,
        "activities/readings.html",
        {"activity": activity, "form": form, "page": page, "measured": _measured(activity)},
    )


@login_required
def summary_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-page A4 summary of an activity for the community's files."""
    activity = activity_get_for_user(user=request.user, pk=pk)
    content = activity_summary_pdf(activity_summary(activity))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="activity-{activity.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def qr_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code for the door: an SVG of the check-in address."""
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    buffer = io.BytesIO()
    segno.make(_checkin_url(request, activity), error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, title=activity.title
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def checkin_view(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """What the door's QR code opens: a signed-in resident checks in with one tap."""
    resident = own_resident(request.user)
    if resident is None:
        raise Http404(_("请用居民账号登录后再扫码签到。"))
    activity = resident_activity_get(resident=resident, pk=pk)
    if token != activity.checkin_token:
        raise Http404
    signup = own_signup(activity, resident)
    error = ""
    if request.method == "POST":
        try:
            signup = checkin(
                actor=request_user(request), activity=activity, resident=resident, token=token
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("签到成功,欢迎参加!"))
            return redirect("activities:checkin", pk=activity.pk, token=token)
    return render(
        request,
        "activities/checkin.html",
        {
            "activity": activity,
            "signup": signup,
            "error": error or checkin_refusal(activity, timezone.now()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff check-in list on a phone: tap a name to check them in."""
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    if request.method == "POST":
        signup_id = whole_number(request.POST.get("signup"))
        signup = activity.signups.filter(pk=signup_id).first() if signup_id is not None else None
        if signup is None:
            raise Http404
        run_service(
            request,
            lambda: checkin(
                actor=request_user(request), activity=activity, resident=signup.resident
            ),
            success=_("%(name)s 已签到。") % {"name": signup.resident.name},
        )
        return redirect("activities:attendance", pk=activity.pk)
    signups = list(signups_of(activity))
    return render(
        request,
        "activities/attendance.html",
        {
            "activity": activity,
            "signups": signups,
            "checked_in": sum(1 for s in signups if s.checked_in_at),
        },
    )


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@login_required
def export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign-up and attendance lists as one workbook."""
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    signups = list(signups_of(activity))
    header = [_("序号"), _("姓名"), _("报名方式"), _("报名状态"), _("报名时间"), _("签到时间")]
    rows: list[list[Cell]] = [
        [
            i,
            s.resident.name,
            s.get_channel_display(),
            s.get_status_display(),
            _when(s.signed_up_at),
            _when(s.checked_in_at),
        ]
        for i, s in enumerate(signups, start=1)
    ]
    attended = [r for r, s in zip(rows, signups, strict=True) if s.checked_in_at]
    content = xlsx_bytes(
        [
            Sheet(title=_("报名名单"), header=header, rows=rows, empty_text=_("暂无报名")),
            Sheet(title=_("签到名单"), header=header, rows=attended, empty_text=_("暂无签到")),
        ]
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="activity-{activity.pk}.xlsx"'
    return response


@login_required
def figures_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.ACTIVITIES_VIEW)
    areas = (
        visible_areas(request.user)
        .filter(kind__in=["county", "town", "community"])
        .order_by("path")
    )
    form = FiguresForm(request.GET or None, areas=areas)
    today = timezone.localdate()
    area = None
    start, end = today.replace(month=1, day=1), today
    if form.is_valid():
        area = form.cleaned_data.get("area")
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    area = area or areas.first()
    figures = (
        activity_figures(user=request.user, area=area, start=start, end=end)
        if area is not None and start <= end
        else None
    )
    return render(
        request,
        "activities/figures.html",
        {"form": form, "figures": figures, "start": start, "end": end, "area": area},
    )


@login_required
@require_POST
def followup_view(request: HttpRequest, pk: int) -> HttpResponse:
    """File a follow-up request from the activity in one step."""
    activity = activity_get_for_user(
        user=request.user, pk=pk, capability=Capability.ACTIVITIES_MANAGE
    )
    form = FollowupForm(request.POST, residents=activity_signed_up(request.user, activity))
    if not form.is_valid():
        messages.error(request, _("请描述需要跟进的问题。"))
        return redirect("activities:detail", pk=activity.pk)
    run_service(
        request,
        lambda: followup_file(
            actor=request_user(request),
            activity=activity,
            text=form.cleaned_data["text"],
            resident=form.cleaned_data["resident"],
        ),
        success=lambda filed: _("已登记诉求 %(n)s。") % {"n": filed.number},
    )
    return redirect("activities:detail", pk=activity.pk)
