"""The group-chat intake page (/requests/intake/): paste, check the drafts, file them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_labels, building_of, buildings_by_number
from linli.core.errors import DomainError
from linli.core.forms import add_service_errors
from linli.core.numbers import whole_number
from linli.core.roles import Capability
from linli.requests.locate import filing_communities, filing_scope
from linli.requests.models import Category, Channel, Request
from linli.requests.selectors import request_get_for_user
from linli.requests.services import request_add_report, request_submit
from linli.triage.chat import ChatMessage, is_chatter, similar_texts, split_chat
from linli.triage.filing import triage_text
from linli.triage.forms import Action, DraftForm, DraftFormSet, PasteForm
from linli.triage.selectors import likely_duplicate, similar_open_request
from linli.triage.services import correction_record_from_intake


class _Rollback(Exception):
    """Raised inside the filing transaction when any draft is refused."""


def _places(user: User, community: Area) -> list[Area]:
    """The community, its compounds and buildings, as far as the user may file there."""
    reach = filing_scope(user)
    inside = Area.objects.filter(
        path__startswith=community.path, kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING]
    ).order_by("path")
    return [a for a in [community, *inside] if reach.covers_path(a.path)]


def _form_kwargs(user: User, community: Area) -> dict[str, Any]:
    places = _places(user, community)
    return {
        "categories": list(Category.objects.filter(is_active=True)),
        "places": places,
        "place_labels": area_labels([p.path for p in places]),
    }


def _unit_number(area: Area) -> int | None:
    digits = "".join(c for c in area.name if c.isdigit())
    return int(digits) if digits else None


def _candidates(user: User, community: Area, building: int | None) -> list[Area]:
    """The buildings numbered ``building`` in the community where the user may file, when
    there is more than one (5号楼 in every compound): the draft asks which one is meant."""
    if building is None:
        return []
    reach = filing_scope(user)
    found = [b for b in buildings_by_number(community, building) if reach.covers_path(b.path)]
    return found if len(found) > 1 else []


def _draft(user: User, community: Area, message: ChatMessage) -> dict[str, Any]:
    """Initial values of one draft: triage's reading, and a likely duplicate."""
    triaged = triage_text(text=message.text, within=community)
    reading, place = triaged.reading, triaged.place
    category = Category.objects.filter(code=reading.category, is_active=True).first()
    area = place.area if place is not None else community
    place_building = building_of(area) if place is not None else None
    start = place_building or area
    candidates = _candidates(user, community, reading.building) if place is None else []
    duplicate = likely_duplicate(
        user=user, category_code=reading.category, location=place.area if place else None
    )
    why = "place" if duplicate is not None else ""
    if duplicate is None and place is None:
        duplicate = similar_open_request(user=user, text=message.text, within=community)
        why = "text" if duplicate is not None else ""
    unit = _unit_number(area) if area.kind == AreaKind.UNIT else None
    room = place.room if place is not None else ""
    if candidates:
        # Which 5号楼? Keep what the message said (the unit and room) for the answer.
        unit, room = reading.unit, reading.room or ""
    return {
        "action": Action.LINK if duplicate is not None else Action.FILE,
        "sender": message.sender[:50],
        "sent_at": message.time[:40],
        "text": message.text[:2000],
        "category": category.pk if category is not None else None,
        "place": "" if candidates else f"a{start.pk}",
        "candidates": ",".join(f"a{b.pk}" for b in candidates),
        "unit": unit,
        "room": room,
        "urgent": reading.urgent,
        "duplicate": duplicate.pk if duplicate is not None else None,
        "duplicate_why": why,
        "confidence": round(reading.confidence, 2),
        "read": f"{reading.category}|{int(reading.urgent)}",
        "building_key": place_building.pk if place_building is not None else None,
    }


def _drafts(user: User, community: Area, messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """One draft per message; a later message about the same building and category as an
    earlier draft of the same paste — or, without a place, saying nearly the same words —
    is marked as its repeat and not filed by default."""
    drafts: list[dict[str, Any]] = []
    first_of: dict[tuple[int, int | None], int] = {}
    for message in messages:
        draft = _draft(user, community, message)
        key_building = draft.pop("building_key")
        if draft["duplicate"] is None:
            if key_building is not None:
                key = (key_building, draft["category"])
                if key in first_of:
                    draft["same_as"] = first_of[key]
                    draft["action"] = Action.SKIP
                else:
                    first_of[key] = len(drafts) + 1
            else:
                for number, earlier in enumerate(drafts, start=1):
                    if earlier["place"] != draft["place"] or earlier.get("same_as"):
                        continue
                    if similar_texts(earlier["text"], draft["text"]):
                        draft["same_as"] = number
                        draft["same_why"] = "text"
                        draft["action"] = Action.SKIP
                        break
        drafts.append(draft)
    return drafts


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
        chat = split_chat(form.cleaned_data["block"])
        actionable = [m for m in chat if not is_chatter(m.text)]
        skipped = [m for m in chat if is_chatter(m.text)]
        if not actionable:
            form.add_error("block", _("没有找到需要登记的消息(只有问候、感谢、表情等)。"))
        else:
            formset = DraftFormSet(
                initial=_drafts(user, community, actionable),
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


def _file(request: HttpRequest, user: User, communities: list[Area]) -> HttpResponse:
    by_pk = {c.pk: c for c in communities}
    community_id = whole_number(request.POST.get("community"))
    community = by_pk.get(community_id) if community_id is not None else None
    if community is None:
        raise Http404
    formset = DraftFormSet(request.POST, form_kwargs=_form_kwargs(user, community))
    if not formset.is_valid():
        return _render_drafts(request, community=community, formset=formset, skipped=[], status=400)
    filed: list[Request] = []
    linked: list[Request] = []
    try:
        with transaction.atomic():
            for form in formset.forms:
                data = form.cleaned_data
                if data["action"] == Action.SKIP:
                    continue
                try:
                    if data["action"] == Action.LINK:
                        target = request_get_for_user(user=user, pk=data["duplicate"])
                        request_add_report(
                            request=target,
                            actor=user,
                            text=data["text"],
                            reporter_name=data["sender"] or "",
                            channel=Channel.CHAT,
                        )
                        linked.append(target)
                    else:
                        created = request_submit(
                            submitted_by=user,
                            text=data["text"],
                            channel=Channel.CHAT,
                            location=data["location"],
                            room=data["room"],
                            category=form.chosen_category(),
                            urgent=data["urgent"],
                            reporter_name=(data["sender"] or _("群聊居民"))[:50],
                            triage=False,  # staff have just confirmed it
                        )
                        read = form.triage_read()
                        if read is not None:
                            correction_record_from_intake(
                                request=created,
                                actor=user,
                                read_category=read[0],
                                read_urgent=read[1],
                            )
                        filed.append(created)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                except (DomainError, Http404) as exc:
                    form.add_error(None, getattr(exc, "message", _("无法并入这条诉求。")))
            if any(form.errors for form in formset.forms):
                raise _Rollback
    except _Rollback:
        return _render_drafts(request, community=community, formset=formset, skipped=[], status=400)
    messages.success(
        request,
        _("已登记 %(filed)d 条新诉求,%(linked)d 条重复反映已并入原诉求。")
        % {"filed": len(filed), "linked": len(linked)},
    )
    return redirect("requests:queue")
