from __future__ import annotations

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of
from linli.areas.models import AreaKind, Grid, area_children
from linli.areas.selectors import (
    area_get_for_user,
    area_labels,
    grid_get_for_user,
    visible_communities,
)
from linli.core.forms import add_service_errors
from linli.core.htmx import render_page_or_fragment
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.people.forms import EmergencyContactForm, HouseholdForm, ResidentForm, ResidentSearchForm
from linli.people.models import Household, Resident, Tag
from linli.people.selectors import (
    ResidentFilters,
    editable_units,
    emergency_contact_get_for_user,
    filter_choices_for,
    grid_summaries,
    household_get_for_user,
    household_label,
    household_label_map,
    resident_get_for_user,
    residents_search,
    visible_households,
)
from linli.people.services import (
    emergency_contact_add,
    emergency_contact_remove,
    household_create,
    household_update,
    resident_create,
    resident_reveal,
    resident_update,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _require(request: HttpRequest, capability: Capability) -> None:
    if capability not in capabilities_of(request.user):
        raise PermissionDenied(_("您没有这项操作的权限。"))


# --- residents ---------------------------------------------------------------------------


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.REGISTER_VIEW)
    grids, buildings, tags = filter_choices_for(request.user)
    grid_list = list(grids)
    building_list = list(buildings)
    building_labels = area_labels([b.path for b in building_list])
    form = ResidentSearchForm(
        request.GET or None,
        grids=[(g.pk, g.name) for g in grid_list],
        buildings=[(b.pk, building_labels[b.path]) for b in building_list],
        tags=[(t.pk, t.name) for t in tags],
    )
    filters = ResidentFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = ResidentFilters(
            query=data.get("q") or "",
            grid=next((g for g in grid_list if g.pk == data.get("grid")), None),
            building=next((b for b in building_list if b.pk == data.get("building")), None),
            tag=next((t for t in tags if t.pk == data.get("tag")), None),
        )
    page = paginate(request, residents_search(user=request.user, filters=filters))
    rows = list(page.object_list)
    labels = household_label_map([r.household for r in rows if r.household])
    context = {
        "form": form,
        "page": page,
        "rows": [(r, labels.get(r.household_id) if r.household_id else None) for r in rows],
        "querystring": querystring_without_page(request),
        "can_edit": Capability.REGISTER_EDIT in capabilities_of(request.user),
    }
    return render_page_or_fragment(
        request,
        "people/resident_list.html",
        context,
        fragment_template="people/_resident_results.html",
    )


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk)
    user = _user(request)
    can_edit = resident_get_for_user_or_none(user, pk, Capability.REGISTER_EDIT) is not None
    can_reveal = resident_get_for_user_or_none(user, pk, Capability.SENSITIVE_REVEAL) is not None
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "household_label": household_label(resident.household) if resident.household else "",
            "can_edit": can_edit,
            "can_reveal": can_reveal,
            "contact_form": EmergencyContactForm(),
        },
    )


def resident_get_for_user_or_none(user: User, pk: int, capability: Capability) -> Resident | None:
    try:
        return resident_get_for_user(user=user, pk=pk, capability=capability)
    except Http404:
        return None


def _resident_form(
    request: HttpRequest, *, initial: Mapping[str, object], existing: Resident | None = None
) -> ResidentForm:
    households = list(
        visible_households(request.user, Capability.REGISTER_EDIT).select_related("unit")
    )
    return ResidentForm(
        request.POST or None,
        households=households,
        tags=list(Tag.objects.all()),
        existing=existing,
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.REGISTER_EDIT)
    initial: dict[str, object] = {}
    if (household_id := request.GET.get("household")) and household_id.isdigit():
        household = household_get_for_user(
            user=request.user, pk=int(household_id), capability=Capability.REGISTER_EDIT
        )
        initial = {"household": household.pk, "relation_to_head": "other"}
    form = _resident_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resident = resident_create(
                actor=_user(request), data=form.resident_data(), tags=form.chosen_tags()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记居民 %(name)s。") % {"name": resident.name})
            return redirect("people:resident_detail", pk=resident.pk)
    return render(request, "people/resident_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk, capability=Capability.REGISTER_EDIT)
    links = list(resident.tag_links.all())
    initial = {
        "name": resident.name,
        "alias": resident.alias,
        "gender": resident.gender,
        "birth_date": resident.birth_date,
        "household": resident.household_id,
        "relation_to_head": resident.relation_to_head,
        "notes": resident.notes,
        "tags": [str(link.tag_id) for link in links],
        **{f"tag_detail_{link.tag_id}": link.detail for link in links},
    }
    form = _resident_form(request, initial=initial, existing=resident)
    if request.method == "POST" and form.is_valid():
        try:
            resident_update(
                resident=resident,
                actor=_user(request),
                data=form.resident_data(),
                tags=form.chosen_tags(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(name)s 的信息。") % {"name": resident.name})
            return redirect("people:resident_detail", pk=resident.pk)
    return render(
        request,
        "people/resident_form.html",
        {"form": form, "creating": False, "resident": resident},
    )


@login_required
@require_POST
def resident_reveal_view(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    resident = resident_get_for_user(
        user=request.user, pk=pk, capability=Capability.SENSITIVE_REVEAL
    )
    try:
        value = resident_reveal(resident=resident, actor=_user(request), field=field)
    except ValidationError as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    return render(request, "people/_revealed.html", {"value": value or _("未登记")})


@login_required
@require_POST
def emergency_contact_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk, capability=Capability.REGISTER_EDIT)
    form = EmergencyContactForm(request.POST)
    if form.is_valid():
        try:
            emergency_contact_add(resident=resident, actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加紧急联系人。"))
            return redirect("people:resident_detail", pk=resident.pk)
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "household_label": household_label(resident.household) if resident.household else "",
            "can_edit": True,
            "can_reveal": resident_get_for_user_or_none(
                _user(request), pk, Capability.SENSITIVE_REVEAL
            )
            is not None,
            "contact_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def emergency_contact_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = emergency_contact_get_for_user(user=request.user, pk=pk)
    resident_pk = contact.resident_id
    emergency_contact_remove(contact=contact, actor=_user(request))
    messages.success(request, _("已删除紧急联系人。"))
    return redirect("people:resident_detail", pk=resident_pk)


# --- households --------------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.REGISTER_VIEW)
    households = visible_households(request.user).select_related("unit")
    building_id = request.GET.get("building", "")
    building = None
    if building_id.isdigit():
        building = area_get_for_user(user=request.user, pk=int(building_id), kind=AreaKind.BUILDING)
        households = households.filter(unit__path__startswith=building.path)
    # An aggregate drops Meta.ordering, and pages need a stable order.
    households = households.annotate(member_count=Count("members")).order_by("unit__path", "room")
    page = paginate(request, households)
    rows = list(page.object_list)
    labels = household_label_map(rows)
    return render_page_or_fragment(
        request,
        "people/household_list.html",
        {
            "page": page,
            "rows": [(h, labels[h.pk]) for h in rows],
            "building": building,
            "querystring": querystring_without_page(request),
            "can_edit": Capability.REGISTER_EDIT in capabilities_of(request.user),
        },
        fragment_template="people/_household_results.html",
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_get_for_user(user=request.user, pk=pk)
    can_edit = visible_households(request.user, Capability.REGISTER_EDIT).filter(pk=pk).exists()
    return render(
        request,
        "people/household_detail.html",
        {"household": household, "label": household_label(household), "can_edit": can_edit},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.REGISTER_EDIT)
    form = HouseholdForm(request.POST or None, units=list(editable_units(request.user)))
    if request.method == "POST" and form.is_valid():
        try:
            household = household_create(
                actor=_user(request),
                unit=form.chosen_unit(),
                room=form.cleaned_data["room"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记住户,请添加成员。"))
            return redirect("people:household_detail", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    household: Household = household_get_for_user(
        user=request.user, pk=pk, capability=Capability.REGISTER_EDIT
    )
    form = HouseholdForm(
        request.POST or None,
        units=list(editable_units(request.user)),
        initial={"unit": household.unit_id, "room": household.room, "notes": household.notes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            household_update(
                household=household,
                actor=_user(request),
                unit=form.chosen_unit(),
                room=form.cleaned_data["room"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存住户信息。"))
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request,
        "people/household_form.html",
        {"form": form, "creating": False, "household": household},
    )


# --- grids -------------------------------------------------------------------------------


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.AREAS_VIEW)
    communities = list(visible_communities(request.user).order_by("path"))
    if len(communities) == 1:
        return redirect("people:community_grids", pk=communities[0].pk)
    labels = area_labels([c.path for c in communities], top_kind=AreaKind.COUNTY)
    return render(
        request,
        "people/community_list.html",
        {"communities": [(c, labels[c.path]) for c in communities]},
    )


@login_required
def community_grids(request: HttpRequest, pk: int) -> HttpResponse:
    community = visible_communities(request.user).filter(pk=pk).first()
    if community is None:
        raise Http404
    summaries = grid_summaries(user=request.user, grids=Grid.objects.filter(community=community))
    return render(
        request,
        "people/community_grids.html",
        {
            "community": community,
            "summaries": summaries,
            "community_label": area_labels([community.path], top_kind=AreaKind.COUNTY)[
                community.path
            ],
        },
    )


@login_required
def grid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grid = grid_get_for_user(user=request.user, pk=pk)
    summaries = grid_summaries(user=request.user, grids=Grid.objects.filter(pk=grid.pk))
    return render(request, "people/grid_detail.html", {"grid": grid, "summary": summaries[0]})


@login_required
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    building = area_get_for_user(user=request.user, pk=pk, kind=AreaKind.BUILDING)
    units = list(area_children(building).order_by("code"))
    households = (
        visible_households(request.user)
        .filter(unit__path__startswith=building.path)
        .annotate(member_count=Count("members"))
        .order_by("room")
    )
    by_unit: dict[int, list[Household]] = {u.pk: [] for u in units}
    for household in households:
        by_unit.setdefault(household.unit_id, []).append(household)
    return render(
        request,
        "people/building_detail.html",
        {
            "building": building,
            "label": area_labels([building.path])[building.path],
            "units": [(u, by_unit.get(u.pk, [])) for u in units],
            "can_edit": Capability.REGISTER_EDIT in capabilities_of(request.user),
        },
    )
