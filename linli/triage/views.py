"""The group-chat intake page (/requests/intake/): paste, check the drafts, file them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of
from linli.areas.models import Area
from linli.areas.selectors import area_labels
from linli.core.forms import add_service_errors
from linli.core.numbers import whole_number
from linli.core.roles import Capability
from linli.requests.locate import filing_communities
from linli.requests.models import Category, Request
from linli.requests.selectors import request_get_for_user
from linli.triage.chat import ChatMessage
from linli.triage.forms import DraftForm, DraftFormSet, PasteForm
from linli.triage.intake import (
    IntakeDraft,
    IntakeRefused,
    intake_drafts,
    intake_file,
    intake_places,
    intake_split,
)


def _form_kwargs(user: User, community: Area) -> dict[str, Any]:
    places = intake_places(user, community)
    return {
        "categories": list(Category.objects.filter(is_active=True)),
        "places": places,
        "place_labels": area_labels([p.path for p in places]),
    }


def _duplicates(user: User, forms: list[DraftForm]) -> dict[int, Request]:
    ids: set[int] = set()
    for form in forms:
        raw = form["duplicate"].value()
        if raw not in (None, ""):
            try:
                ids.add(int(str(raw)))
            except ValueError:
                continue
    found: dict[int, Request] = {}
    for pk in ids:
        try:
            found[pk] = request_get_for_user(user=user, pk=pk)
        except Http404:
            continue
    return found


def _render_drafts(
    request: HttpRequest,
    *,
    community: Area,
    formset: Any,
    skipped: list[ChatMessage],
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    forms = list(formset.forms)
    duplicates = _duplicates(user, forms)
    rows = []
    for form in forms:
        # The initial value is the number itself, a posted one its text.
        duplicate_id = whole_number(str(form["duplicate"].value() or ""))
        duplicate = duplicates.get(duplicate_id) if duplicate_id is not None else None
        rows.append({"form": form, "duplicate": duplicate})
    return render(
        request,
        "triage/intake_drafts.html",
        {"community": community, "formset": formset, "rows": rows, "skipped": skipped},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if Capability.REQUESTS_FILE not in capabilities_of(request.user):
        raise PermissionDenied(_("您没有这项操作的权限。"))
    user = request_user(request)
    communities = filing_communities(user)
    if request.method == "POST" and request.POST.get("step") == "file":
        return _file(request, user, communities)
    form = PasteForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        community = form.chosen_community()
        actionable, skipped = intake_split(form.cleaned_data["block"])
        if not actionable:
            form.add_error("block", _("没有找到需要登记的消息(只有问候、感谢、表情等)。"))
        else:
            formset = DraftFormSet(
                initial=intake_drafts(user, community, actionable),
                form_kwargs=_form_kwargs(user, community),
            )
            return _render_drafts(request, community=community, formset=formset, skipped=skipped)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "triage/intake.html",
        {"form": form, "has_community": bool(communities)},
        status=status,
    )


def _checked(form: DraftForm) -> IntakeDraft:
    data = form.cleaned_data
    return IntakeDraft(
        action=data["action"],
        text=data["text"],
        sender=data["sender"] or "",
        category=form.chosen_category(),
        location=data["location"],
        room=data["room"],
        urgent=data["urgent"],
        duplicate=data["duplicate"],
        read=form.triage_read(),
    )


def _file(request: HttpRequest, user: User, communities: list[Area]) -> HttpResponse:
    by_pk = {c.pk: c for c in communities}
    community_id = whole_number(request.POST.get("community"))
    community = by_pk.get(community_id) if community_id is not None else None
    if community is None:
        raise Http404
    formset = DraftFormSet(request.POST, form_kwargs=_form_kwargs(user, community))
    if not formset.is_valid():
        return _render_drafts(request, community=community, formset=formset, skipped=[], status=400)
    forms = list(formset.forms)
    try:
        done = intake_file(user=user, drafts=[_checked(form) for form in forms])
    except IntakeRefused as refused:
        for index, error in refused.errors.items():
            add_service_errors(forms[index], error)
        return _render_drafts(request, community=community, formset=formset, skipped=[], status=400)
    filed, linked = done.filed, done.linked
    messages.success(
        request,
        _("已登记 %(filed)d 条新诉求,%(linked)d 条重复反映已并入原诉求。")
        % {"filed": len(filed), "linked": len(linked)},
    )
    return redirect("requests:queue")
