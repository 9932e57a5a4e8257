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

from linli.accounts.current import request_user, require_capability
from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of
from linli.areas.models import AreaKind, Grid, area_children
from linli.areas.selectors import (
    area_get_for_user,
    area_label,
    area_labels,
    grid_get_for_user,
    register_places,
    visible_communities,
)
from linli.core.htmx import render_page_or_fragment
from linli.core.numbers import whole_number
from linli.core.outcomes import run_service, submit_form
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.people.forms import (
    AnonymiseForm,
    ConsentForm,
    ConsentWithdrawForm,
    EmergencyContactForm,
    HouseholdForm,
    ResidentForm,
    ResidentSearchForm,
)
from linli.people.models import Household, Resident, Tag
from linli.people.selectors import (
    consent_get_for_user,
    consent_history,
    editable_units,
    emergency_contact_get_for_user,
    grid_summaries,
    guardian_candidates,
    household_get_for_user,
    household_label,
    household_label_map,
    processing_blocked_reason,
    resident_filter_offer,
    resident_get_for_user,
    residents_search,
    visible_households,
)
from linli.people.services import (
    consent_record,
    consent_withdraw,
    emergency_contact_add,
    emergency_contact_remove,
    household_create,
    household_update,
    resident_create,
    resident_reveal,
    resident_update,
)
from linli.privacy.registry import registered_sources
from linli.privacy.services import (
    anonymisation_refusals,
    personal_data_export,
    resident_anonymise,
)

# --- residents ---------------------------------------------------------------------------


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REGISTER_VIEW)
    data = request.GET.copy()
    offer = resident_filter_offer(request.user, data)
    picker = offer.picker
    # What the request sent but was not offered (a grid or building of another place,
    # the place was just changed; one past the list) is dropped; the rest still applies.
    if data.get("grid") and picker.grid is None:
        del data["grid"]
    if data.get("building") and offer.building is None:
        del data["building"]
    if data.get("tag") and offer.tag is None:
        del data["tag"]
    building_list = offer.buildings or []
    building_labels = area_labels([b.path for b in building_list])
    form = ResidentSearchForm(
        data or None,
        picker=picker,
        buildings=[(b.pk, building_labels[b.path]) for b in building_list],
        tags=[(t.pk, t.name) for t in offer.tags],
        buildings_by_grid=offer.buildings is None,
    )
    filters = offer.filters()
    if form.is_valid():
        filters = offer.filters(query=form.cleaned_data.get("q") or "")
    page = paginate(request, residents_search(user=request.user, filters=filters))
    rows = list(page.object_list)
    labels = household_label_map([r.household for r in rows if r.household])
    context = {
        "form": form,
        "page": page,
        "rows": [(r, labels.get(r.household_id) if r.household_id else None) for r in rows],
        "picker": picker,
        "querystring": querystring_without_page(request),
        "can_edit": Capability.REGISTER_EDIT in capabilities_of(request.user),
        "can_import": Capability.REGISTER_IMPORT in capabilities_of(request.user),
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
    return render(request, "people/resident_detail.html", _detail_context(request, resident))


def _detail_context(
    request: HttpRequest,
    resident: Resident,
    *,
    contact_form: EmergencyContactForm | None = None,
    consent_form: ConsentForm | None = None,
) -> dict[str, object]:
    user = request_user(request)
    pk = resident.pk
    can_consent = resident_get_for_user_or_none(user, pk, Capability.CONSENT_RECORD) is not None
    consents = list(consent_history(resident)) if can_consent else []
    return {
        "resident": resident,
        "household_label": household_label(resident.household) if resident.household else "",
        "area_label": area_label(resident.area, top_kind=AreaKind.COMMUNITY)
        if resident.area and not resident.household
        else "",
        "can_edit": resident_get_for_user_or_none(user, pk, Capability.REGISTER_EDIT) is not None,
        "can_reveal": resident_get_for_user_or_none(user, pk, Capability.SENSITIVE_REVEAL)
        is not None,
        "can_consent": can_consent,
        "can_personal_data": resident_get_for_user_or_none(user, pk, Capability.PERSONAL_DATA)
        is not None,
        "blocked_reason": processing_blocked_reason(resident),
        "active_consents": [c for c in consents if c.is_active],
        "consent_count": len(consents),
        "consent_form": consent_form
        or ConsentForm(guardians=guardian_candidates(resident), prefix="consent"),
        "withdraw_form": ConsentWithdrawForm(),
        "contact_form": contact_form or EmergencyContactForm(),
    }


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
        places=list(register_places(request.user)),
        tags=list(Tag.objects.all()),
        existing=existing,
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_create_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REGISTER_EDIT)
    initial: dict[str, object] = {}
    if (household_id := whole_number(request.GET.get("household"))) is not None:
        household = household_get_for_user(
            user=request.user, pk=household_id, capability=Capability.REGISTER_EDIT
        )
        initial = {"household": household.pk, "relation_to_head": "other"}
    form = _resident_form(request, initial=initial)
    return submit_form(
        request,
        form,
        lambda: resident_create(
            actor=request_user(request),
            data=form.resident_data(),
            tags=form.chosen_tags(),
            guardian_consent=form.guardian_consent(),
        ),
        success=lambda resident: _("已登记居民 %(name)s。") % {"name": resident.name},
        then=lambda resident: redirect("people:resident_detail", pk=resident.pk),
    ) or render(request, "people/resident_form.html", {"form": form, "creating": True})


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
        "area": None if resident.household_id else resident.area_id,
        "relation_to_head": resident.relation_to_head,
        "notes": resident.notes,
        "tags": [str(link.tag_id) for link in links],
        **{f"tag_detail_{link.tag_id}": link.detail for link in links},
    }
    form = _resident_form(request, initial=initial, existing=resident)
    return submit_form(
        request,
        form,
        lambda: resident_update(
            resident=resident,
            actor=request_user(request),
            data=form.resident_data(),
            tags=form.chosen_tags(),
        ),
        success=lambda _saved: _("已保存 %(name)s 的信息。") % {"name": resident.name},
        then=lambda _saved: redirect("people:resident_detail", pk=resident.pk),
    ) or render(
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
        value = resident_reveal(resident=resident, actor=request_user(request), field=field)
    except ValidationError as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    return render(request, "people/_revealed.html", {"value": value or _("未登记")})


# --- consent -----------------------------------------------------------------------------


@login_required
@require_POST
def consent_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk, capability=Capability.CONSENT_RECORD)
    form = ConsentForm(request.POST, guardians=guardian_candidates(resident), prefix="consent")
    # The service names the guardian fields of the register form; this form calls them
    # ``given_by_*`` (the person consenting may also be an adult's representative).
    return submit_form(
        request,
        form,
        lambda: consent_record(
            actor=request_user(request),
            resident=resident,
            purpose=form.cleaned_data["purpose"],
            guardian=form.chosen_guardian(),
            given_by_name=form.cleaned_data["given_by_name"],
            given_by_relation=form.cleaned_data["given_by_relation"],
            method=form.cleaned_data["method"],
            note=form.cleaned_data["note"],
        ),
        success=_("已记录授权同意。"),
        then=lambda _consent: redirect("people:resident_detail", pk=resident.pk),
        fields={"guardian_name": "given_by_name", "guardian_relation": "given_by_relation"},
    ) or render(
        request,
        "people/resident_detail.html",
        _detail_context(request, resident, consent_form=form),
        status=400,
    )


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    consent = consent_get_for_user(user=request.user, pk=pk)
    form = ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤回授权须填写原因。"))
    else:
        run_service(
            request,
            lambda: consent_withdraw(
                actor=request_user(request), consent=consent, note=form.cleaned_data["note"]
            ),
            success=_("已撤回“%(purpose)s”授权,相关信息已停止处理并隐藏。")
            % {"purpose": consent.get_purpose_display()},
        )
    return redirect("people:resident_detail", pk=consent.resident_id)


@login_required
def consent_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk, capability=Capability.CONSENT_RECORD)
    page = paginate(request, consent_history(resident))
    return render(
        request,
        "people/consent_history.html",
        {"resident": resident, "page": page, "querystring": querystring_without_page(request)},
    )


# --- a person's data: export and anonymisation --------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def personal_data_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk, capability=Capability.PERSONAL_DATA)
    if request.method == "POST":
        file_format = request.POST.get("format", "xlsx")
        if file_format not in ("xlsx", "json"):
            file_format = "xlsx"
        export = personal_data_export(
            actor=request_user(request), resident=resident, file_format=file_format
        )
        content, content_type, filename = export.as_file(file_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "people/personal_data.html",
        {
            "resident": resident,
            "sources": [s.app for s in registered_sources()],
            "refusals": anonymisation_refusals(resident),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def anonymise_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk, capability=Capability.PERSONAL_DATA)
    form = AnonymiseForm(request.POST or None)
    refusals = anonymisation_refusals(resident)
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            resident_anonymise(actor=request_user(request), resident=resident, confirmed=True)
        except ValidationError as exc:
            refusals = exc.messages
        else:
            messages.success(request, _("已匿名化,该居民的身份信息已不可恢复地删除。"))
            return redirect("people:resident_list")
    return render(
        request,
        "people/anonymise.html",
        {"resident": resident, "form": form, "refusals": refusals},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def emergency_contact_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get_for_user(user=request.user, pk=pk, capability=Capability.REGISTER_EDIT)
    form = EmergencyContactForm(request.POST)
    return submit_form(
        request,
        form,
        lambda: emergency_contact_add(
            resident=resident, actor=request_user(request), **form.cleaned_data
        ),
        success=_("已添加紧急联系人。"),
        then=lambda _contact: redirect("people:resident_detail", pk=resident.pk),
    ) or render(
        request,
        "people/resident_detail.html",
        _detail_context(request, resident, contact_form=form),
        status=400,
    )


@login_required
@require_POST
def emergency_contact_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = emergency_contact_get_for_user(user=request.user, pk=pk)
    resident_pk = contact.resident_id
    emergency_contact_remove(contact=contact, actor=request_user(request))
    messages.success(request, _("已删除紧急联系人。"))
    return redirect("people:resident_detail", pk=resident_pk)


# --- households --------------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REGISTER_VIEW)
    households = visible_households(request.user).select_related("unit")
    building_id = whole_number(request.GET.get("building"))
    building = None
    if building_id is not None:
        building = area_get_for_user(user=request.user, pk=building_id, kind=AreaKind.BUILDING)
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
    require_capability(request, Capability.REGISTER_EDIT)
    form = HouseholdForm(request.POST or None, units=list(editable_units(request.user)))
    return submit_form(
        request,
        form,
        lambda: household_create(
            actor=request_user(request),
            unit=form.chosen_unit(),
            room=form.cleaned_data["room"],
            notes=form.cleaned_data["notes"],
        ),
        success=_("已登记住户,请添加成员。"),
        then=lambda household: redirect("people:household_detail", pk=household.pk),
    ) or render(request, "people/household_form.html", {"form": form, "creating": True})


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
    return submit_form(
        request,
        form,
        lambda: household_update(
            household=household,
            actor=request_user(request),
            unit=form.chosen_unit(),
            room=form.cleaned_data["room"],
            notes=form.cleaned_data["notes"],
        ),
        success=_("已保存住户信息。"),
        then=lambda _saved: redirect("people:household_detail", pk=household.pk),
    ) or render(
        request,
        "people/household_form.html",
        {"form": form, "creating": False, "household": household},
    )


# --- grids -------------------------------------------------------------------------------


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.AREAS_VIEW)
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
