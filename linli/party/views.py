from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linli.accounts.current import request_user, require_capability
from linli.accounts.list_export import Column, export_list, may_reveal, wants_export, when
from linli.accounts.selectors import capabilities_of, scope_for
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_labels
from linli.core.numbers import whole_number
from linli.core.outcomes import run_service, submit_form
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.core.scoping import apply_scope
from linli.organisations.models import Organisation
from linli.party.forms import (
    MemberForm,
    MemberSearchForm,
    PartyDayFilterForm,
    PartyDayPlanForm,
    PartyDayRecordForm,
    PeriodForm,
    PostForm,
)
from linli.party.models import PartyDay, PartyMember
from linli.party.points import point_rules
from linli.party.selectors import (
    branch_ranking,
    concern_places,
    default_period,
    member_get_for_manager,
    member_get_for_user,
    member_grids,
    member_list,
    organisation_get_for_user,
    organisation_tree,
    own_membership,
    party_day_get_for_user,
    party_day_list,
    party_figures,
    place_label,
    post_buildings,
    visible_organisations,
)
from linli.party.services import (
    ConcernEntry,
    member_register,
    organisation_members,
    party_day_plan,
    party_day_record_by_date,
    post_add,
)


def _can(request: HttpRequest, capability: Capability) -> bool:
    return capability in capabilities_of(request.user)


def _org_choices(request: HttpRequest, capability: Capability) -> list[tuple[int, str]]:
    orgs = visible_organisations(request.user, capability).filter(
        kind__in=[Organisation.Kind.PARTY_BRANCH, Organisation.Kind.PARTY_GROUP]
    )
    return [(o.pk, o.name) for o in orgs.order_by("name")]


@login_required
def tree_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.PARTY_VIEW)
    return render(request, "party/tree.html", {"roots": organisation_tree(request.user)})


def _members_export(request: HttpRequest, members: QuerySet[PartyMember]) -> HttpResponse:
    def phone(m: PartyMember, revealed: bool) -> str:
        if m.resident is None:
            return ""
        return str(m.resident.phone) if revealed else m.resident.phone_masked

    return export_list(
        request,
        rows=members,
        columns=[
            Column(_("姓名"), lambda m: m.name),
            Column(_("党员类型"), lambda m: m.get_kind_display()),
            Column(_("所在党组织"), lambda m: m.organisation.name),
            Column(_("职务"), lambda m: m.get_position_display()),
            Column(_("服务网格"), lambda m: m.grid.name if m.grid else ""),
            Column(_("原单位党组织"), lambda m: m.home_organisation),
            Column(_("报到日期"), when("reported_on")),
            Column(
                _("手机号"),
                lambda m: phone(m, False),
                revealed=lambda m: phone(m, True),
                field="phone",
            ),
        ],
        title=_("党员"),
        object_type="party.partymember",
        file_name="party-members",
    )


@login_required
def member_list_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.PARTY_VIEW)
    form = MemberSearchForm(
        request.GET or None, organisations=_org_choices(request, Capability.PARTY_VIEW)
    )
    query, kind, organisation_id = "", "", None
    if form.is_valid():
        query = form.cleaned_data.get("q") or ""
        kind = form.cleaned_data.get("kind") or ""
        organisation_id = form.cleaned_data.get("organisation")
    members = member_list(
        user=request.user, query=query, kind=kind, organisation_id=organisation_id
    )
    if wants_export(request):
        return _members_export(request, members.select_related("resident"))
    page = paginate(request, members)
    return render(
        request,
        "party/members.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_manage": _can(request, Capability.PARTY_MANAGE),
            "can_reveal": may_reveal(request),
        },
    )


@login_required
def member_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for_user(user=request.user, pk=pk)
    posts = member.posts.prefetch_related("buildings")
    days = member.party_days_attended.order_by("-planned_for")[:12]
    can_manage = (
        _can(request, Capability.PARTY_MANAGE)
        and visible_organisations(request.user, Capability.PARTY_MANAGE)
        .filter(pk=member.organisation_id)
        .exists()
    )
    post_form = PostForm(buildings=_member_buildings(member)) if can_manage else None
    return render(
        request,
        "party/member.html",
        {"member": member, "posts": posts, "days": days, "post_form": post_form},
    )


@login_required
def my_membership_view(request: HttpRequest) -> HttpResponse:
    member = own_membership(request.user)
    if member is None:
        raise Http404
    return redirect("party:member", pk=member.pk)


@login_required
@require_http_methods(["GET", "POST"])
def party_day_list_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.PARTY_VIEW)
    filters = PartyDayFilterForm(request.GET or None)
    state = filters.cleaned_data.get("state", "") if filters.is_valid() else ""
    can_plan = _can(request, Capability.PARTY_RECORD)
    plan_form = None
    if can_plan:
        plan_form = PartyDayPlanForm(
            request.POST or None,
            organisations=_org_choices(request, Capability.PARTY_RECORD),
            initial={"planned_for": timezone.localdate()},
        )

        def plan() -> PartyDay:
            return party_day_plan(
                actor=request_user(request),
                organisation=organisation_get_for_user(
                    user=request.user,
                    pk=plan_form.cleaned_data["organisation"],
                    capability=Capability.PARTY_RECORD,
                ),
                topic=plan_form.cleaned_data["topic"],
                place=plan_form.cleaned_data["place"],
                planned_for=plan_form.cleaned_data["planned_for"],
            )

        done = submit_form(
            request,
            plan_form,
            plan,
            success=_("已安排主题党日。"),
            then=lambda day: redirect("party:day", pk=day.pk),
        )
        if done is not None:
            return done
    elif request.method == "POST":
        require_capability(request, Capability.PARTY_RECORD)
    page = paginate(request, party_day_list(user=request.user, state=state))
    return render(
        request,
        "party/days.html",
        {
            "filters": filters,
            "page": page,
            "querystring": querystring_without_page(request),
            "plan_form": plan_form,
        },
    )


@login_required
def party_day_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    day = party_day_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "party/day.html",
        {
            "day": day,
            "concerns": list(day.concerns.all()),
            "present": list(day.members_present.all()),
            "can_record": _can(request, Capability.PARTY_RECORD)
            and _record_scope_covers(request, day),
        },
    )


def _record_scope_covers(request: HttpRequest, day: PartyDay) -> bool:
    return (
        visible_organisations(request.user, Capability.PARTY_RECORD)
        .filter(pk=day.organisation_id)
        .exists()
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_day_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_capability(request, Capability.PARTY_RECORD)
    day = party_day_get_for_user(user=request.user, pk=pk, capability=Capability.PARTY_RECORD)
    members = organisation_members(day.organisation)
    places = concern_places(request.user, day.organisation)
    form = PartyDayRecordForm(
        request.POST or None,
        members=[(m.pk, m.name) for m in sorted(members, key=lambda m: (m.name, m.pk))],
        places=[(p.pk, place_label(p)) for p in places],
        initial={
            "held_on": day.held_at.date() if day.held_at else timezone.localdate(),
            "place": day.place,
            "members_present": [m.pk for m in day.members_present.all()],
            "residents_present": day.residents_present,
            "summary": day.summary,
        },
    )
    done = submit_form(
        request,
        form,
        lambda: party_day_record_by_date(
            actor=request_user(request),
            party_day=day,
            held_on=form.cleaned_data["held_on"],
            members_present=form.cleaned_data["members_present"],
            residents_present=form.cleaned_data["residents_present"],
            summary=form.cleaned_data["summary"],
            place=form.cleaned_data["place"],
            concerns=[ConcernEntry(text, place_pk) for text, place_pk in form.concerns()],
        ),
        success=lambda _day: (
            _("已记录主题党日,%(n)d 条群众反映已转为诉求。") % {"n": len(form.concerns())}
        ),
        then=lambda _day: redirect("party:day", pk=day.pk),
        # A date still to come has always been said above the form, not beside the date.
        fields={"held_on": NON_FIELD_ERRORS},
    )
    if done is not None:
        return done
    return render(request, "party/record.html", {"day": day, "form": form})


def _year_to_date() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today.replace(month=1, day=1), today


@login_required
def ranking_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.PARTY_VIEW)
    branches = list(
        visible_organisations(request.user)
        .filter(kind=Organisation.Kind.PARTY_BRANCH)
        .order_by("name")
    )
    chosen: Organisation | None = None
    organisation_id = whole_number(request.GET.get("organisation"))
    if organisation_id is not None:
        chosen = organisation_get_for_user(user=request.user, pk=organisation_id)
    elif branches:
        chosen = branches[0]
    start, end = _year_to_date()
    rows = (
        branch_ranking(user=request.user, organisation=chosen, start=start, end=end)
        if chosen
        else []
    )
    rules = point_rules()
    return render(
        request,
        "party/ranking.html",
        {
            "branches": branches,
            "chosen": chosen,
            "rows": rows,
            "rules": sorted(rules.values(), key=lambda r: r.source),
            "start": start,
            "end": end,
        },
    )


@login_required
def figures_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.PARTY_VIEW)
    areas = apply_scope(
        Area.objects.filter(kind__in=[AreaKind.TOWN, AreaKind.COMMUNITY, AreaKind.COMPOUND]),
        scope_for(request.user, Capability.PARTY_VIEW),
        area_path="path",
    ).order_by("path")
    form = PeriodForm(request.GET or None, areas=[(a.pk, a.name) for a in areas])
    today = timezone.localdate()
    (start, end), area = default_period(today), None
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        if form.cleaned_data.get("area"):
            area = areas.filter(pk=form.cleaned_data["area"]).first()
            if area is None:
                raise Http404
    figures = party_figures(user=request.user, area=area, start=start, end=end)
    return render(
        request,
        "party/figures.html",
        {"form": form, "figures": figures, "start": start, "end": end, "area": area},
    )


# --- registering members and their 先锋岗 (party.manage) -------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_new_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.PARTY_MANAGE)
    user = request_user(request)
    grids = member_grids(user)
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        organisations=_org_choices(request, Capability.PARTY_MANAGE),
        grids=[(g.pk, f"{g.community.name}{g.name}") for g in grids],
    )

    def register() -> PartyMember:
        data = form.cleaned_data
        return member_register(
            actor=user,
            organisation=organisation_get_for_user(
                user=user, pk=data["organisation"], capability=Capability.PARTY_MANAGE
            ),
            kind=data["kind"],
            id_number=data["id_number"],
            username=data["username"],
            position=data["position"],
            grid=grids.filter(pk=data["grid"]).first() if data["grid"] else None,
            home_organisation=data["home_organisation"],
            reported_on=data["reported_on"],
        )

    return submit_form(
        request,
        form,
        register,
        success=lambda member: _("已登记党员 %(name)s。") % {"name": member.name},
        then=lambda member: redirect("party:member", pk=member.pk),
    ) or render(request, "party/member_new.html", {"form": form})


@login_required
@require_http_methods(["POST"])
def post_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_get_for_manager(user=request.user, pk=pk)
    form = PostForm(request.POST, buildings=_member_buildings(member))
    if form.is_valid():
        buildings = post_buildings(member, form.cleaned_data["buildings"])
        run_service(
            request,
            lambda: post_add(
                actor=request_user(request),
                member=member,
                kind=form.cleaned_data["kind"],
                buildings=buildings,
                note=form.cleaned_data["note"],
            ),
            success=_("已设立先锋岗。"),
        )
    else:
        messages.error(request, _("请选择先锋岗。"))
    return redirect("party:member", pk=member.pk)


def _member_buildings(member: PartyMember) -> list[tuple[int, str]]:
    buildings = Area.objects.filter(kind=AreaKind.BUILDING, path__startswith=member.community.path)
    if member.grid_id is not None:
        buildings = buildings.filter(grid_id=member.grid_id)
    labels = area_labels(b.path for b in buildings)
    return [(b.pk, labels.get(b.path, b.name)) for b in buildings.order_by("path")]
