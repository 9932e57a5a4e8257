"""Request pages: residents report and follow, grid workers handle, dispatchers route.

Views parse input, call services and render; what a user may see comes from the scoped
selectors, and what they may do from the workflow table (``workflow.available``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user, require_capability
from linli.accounts.list_export import (
    Column,
    export_list,
    mask_name,
    may_reveal,
    wants_export,
    when,
)
from linli.accounts.selectors import capabilities_of
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import ancestor_of_kind, area_labels, building_of, grid_picker
from linli.core.errors import Conflict, DomainError
from linli.core.forms import add_service_errors
from linli.core.htmx import render_page_or_fragment
from linli.core.keyset import Cursor, InvalidCursor, KeysetPage, cursor_loads, keyset_page
from linli.core.middleware import client_ip
from linli.core.pagination import count_rows, paginate, querystring_without_page
from linli.core.replica import replica_reads
from linli.core.roles import Capability
from linli.core.throttling import over_any_limit, throttled_message
from linli.people.selectors import household_label_map, visible_residents
from linli.requests.forms import (
    ClearUrgentForm,
    FeedbackForm,
    FileRequestForm,
    FollowUpForm,
    MediationConcludeForm,
    MediationSessionForm,
    MediationStartForm,
    QueueFilterForm,
    ReclassifyForm,
    ReportForm,
    TransitionForm,
)
from linli.requests.locate import resident_of
from linli.requests.models import Category, Channel, Feedback, Mediation, Request
from linli.requests.plain_words import resident_timeline
from linli.requests.reading import pending_suggestion, urgency_reason
from linli.requests.selectors import (
    LIST_RELATED,
    PLACE_HINTS,
    QUEUE_PAGE_RELATED,
    OverdueFirst,
    QueueFilters,
    actor_relations,
    assignable_organisations,
    assignable_users,
    filing_places,
    location_labels,
    mediation_of,
    my_reports,
    my_tasks,
    report_places,
    request_get_for_user,
    request_queue,
    request_queue_parts,
)
from linli.requests.services import (
    DISPUTE_CATEGORY,
    mediation_add_session,
    mediation_conclude,
    mediation_start,
    request_accept_suggestion,
    request_clear_urgent,
    request_feedback,
    request_reclassify,
    request_record_contact,
    request_reveal_reporter_phone,
    request_set_public,
    request_submit,
    request_transition,
)
from linli.requests.workflow import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Actor,
    Status,
    available,
    transition_between,
)

# The dispatch queue's 下一页 / 上一页 links: a cursor signed for this page alone, and kept
# for an hour. The walk judges "overdue" at the moment it began (so no row moves between
# pages); an older link starts again from the first page, where whatever has turned overdue
# since shows first.
QUEUE_CURSOR_SALT = "linli.requests.queue.page"
QUEUE_LINK_MAX_AGE = dt.timedelta(hours=1)

FOLLOW_UP_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
STAFF_RELATIONS = frozenset({Actor.DISPATCHER, Actor.VERIFIER, Actor.ASSIGNEE, Actor.FOLLOW_UP})


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


# --- residents -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    resident = resident_of(user)
    places = report_places(resident) if resident is not None else []
    if resident is None or not places:
        return render(request, "requests/report_unavailable.html", {"resident": resident})
    form = ReportForm(request.POST or None, request.FILES or None, places=places)
    if request.method == "POST":
        wait = over_any_limit(
            [("filing_user", str(user.pk)), ("filing_address", client_ip(request))]
        )
        if wait is not None:
            # The text stays in the form (photos cannot be put back into a file field).
            form.add_error(None, throttled_message(wait))
            response = render(
                request,
                "requests/report.html",
                {"form": form, "place_hints": {key: list(words) for key, words in PLACE_HINTS}},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
    if request.method == "POST" and form.is_valid():
        place = form.chosen_place()
        try:
            created = request_submit(
                submitted_by=user,
                reporter=resident,
                text=form.cleaned_data["text"],
                channel=Channel.RESIDENT_PAGE,
                location=place.area,
                room=place.room,
                urgent=form.cleaned_data["urgent"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已收到您反映的问题(编号 %(number)s),我们会尽快处理,进展会在这里告诉您。")
                % {"number": created.number},
            )
            return redirect("requests:detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "requests/report.html",
        {"form": form, "place_hints": {key: list(words) for key, words in PLACE_HINTS}},
        status=status,
    )


@replica_reads
@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    page = paginate(request, my_reports(request.user))
    rows = list(page.object_list)
    labels = location_labels(rows)
    return render(
        request,
        "requests/mine.html",
        {
            "page": page,
            "rows": [(r, labels[r.pk]) for r in rows],
            "can_report": resident_of(request.user) is not None,
        },
    )


# --- grid workers --------------------------------------------------------------------------


@replica_reads
@login_required
def my_tasks_view(request: HttpRequest) -> HttpResponse:
    page = paginate(request, my_tasks(request.user))
    rows = list(page.object_list)
    labels = location_labels(rows)
    return render(
        request,
        "requests/tasks.html",
        {"page": page, "rows": [(r, labels[r.pk]) for r in rows]},
    )


def _task_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The card of one task after a change, or nothing once it is no longer a task."""
    task = my_tasks(request.user).filter(pk=pk).first()
    if task is None:
        return render(request, "requests/_task_done.html", {})
    return render(
        request,
        "requests/_task_card.html",
        {"r": task, "label": location_labels([task])[task.pk]},
    )


# --- dispatchers ---------------------------------------------------------------------------


def _queue_export(request: HttpRequest, rows: list[Request]) -> HttpResponse:
    labels = location_labels(rows)

    def handler(r: Request) -> str:
        return str(r.assignee or r.assignee_organisation or "")

    columns = [
        Column(_("编号"), lambda r: r.number),
        Column(_("提交时间"), when("submitted_at")),
        Column(_("类别"), lambda r: r.category.name),
        Column(_("内容"), lambda r: r.text),
        Column(_("位置"), lambda r: labels[r.pk]),
        Column(_("网格"), lambda r: r.grid.name if r.grid else ""),
        Column(_("来源渠道"), lambda r: r.get_channel_display()),
        Column(_("紧急"), lambda r: _("是") if r.urgent else ""),
        Column(_("状态"), lambda r: r.get_status_display()),
        Column(_("承办人"), handler),
        Column(_("办理时限"), when("due_at")),
        Column(_("办结时间"), when("resolved_at")),
        Column(
            _("反映人"),
            lambda r: mask_name(r.reporter_name),
            revealed=lambda r: r.reporter_name,
            field="reporter_name",
        ),
    ]
    return export_list(
        request,
        rows=rows,
        columns=columns,
        title=_("诉求"),
        object_type="requests.request",
        file_name="requests",
    )


@replica_reads
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REQUESTS_VIEW)
    user = request_user(request)
    categories = list(Category.objects.filter(is_active=True))
    params = request.GET.copy()
    picker = grid_picker(user, params)
    if params.get("grid") and picker.grid is None:
        del params["grid"]  # of another place (the place was just changed) or not offered
    form = QueueFilterForm(params or None, categories=categories, picker=picker)
    filters = QueueFilters(place=picker.place)
    if form.is_valid():
        data = form.cleaned_data
        filters = QueueFilters(
            status=data["status"] or "",
            category=form.categories.get(data["category"]) if data["category"] else None,
            place=picker.place,
            grid=picker.grid,
            channel=data["channel"] or "",
            overdue_only=data["overdue"],
            query=(data["q"] or "").strip(),
        )
    # A page link (下一页 / 上一页) carries a signed cursor: the row to continue from, the
    # moment the walk began and the filters it was made for (linli.core.keyset).
    filters_key = filters.fingerprint()
    cursor, stale_link = None, False
    if "cursor" in request.GET:
        try:
            cursor = cursor_loads(
                request.GET["cursor"],
                salt=QUEUE_CURSOR_SALT,
                filters=filters_key,
                max_age=QUEUE_LINK_MAX_AGE,
            )
        except InvalidCursor:
            stale_link = True
    now = cursor.began if cursor is not None else timezone.now()
    if wants_export(request):
        exported = request_queue(
            user=user, filters=filters, now=now, related=(*LIST_RELATED, "assignee_organisation")
        )
        return _queue_export(request, list(exported))
    queue = OverdueFirst(
        request_queue(user=user, filters=filters, now=now, related=QUEUE_PAGE_RELATED),
        now,
        counted_in=request_queue_parts(user=user, filters=filters, now=now),
    )

    def read(cursor: Cursor | None) -> KeysetPage[Request]:
        return keyset_page(
            queue,
            cursor=cursor,
            size=settings.LINLI_PAGE_SIZE,
            counted=lambda: count_rows(queue),
            began=now,
            filters=filters_key,
            salt=QUEUE_CURSOR_SALT,
        )

    try:
        page = read(cursor)
    except InvalidCursor:
        page, stale_link = read(None), True
    rows = page.rows
    labels = location_labels(rows)
    return render_page_or_fragment(
        request,
        "requests/queue.html",
        {
            "form": form,
            "picker": picker,
            "page": page,
            "rows": [(r, labels[r.pk]) for r in rows],
            "querystring": querystring_without_page(request),
            "filtered": (form.is_bound and form.has_changed()) or picker.place is not None,
            "stale_link": stale_link,
            "can_file": Capability.REQUESTS_FILE in capabilities_of(user),
            "can_reveal": may_reveal(request),
        },
        fragment_template="requests/_queue_results.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REQUESTS_FILE)
    user = request_user(request)
    communities, buildings = filing_places(user)
    residents = list(
        visible_residents(user).select_related("household__unit").order_by("name", "pk")
    )
    household_labels = household_label_map([r.household for r in residents if r.household])
    form = FileRequestForm(
        request.POST or None,
        request.FILES or None,
        communities=communities,
        buildings=buildings,
        building_labels=area_labels([b.path for b in buildings]),
        residents=[(r, household_labels.get(r.household_id or 0, "")) for r in residents],
        categories=list(Category.objects.filter(is_active=True)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reporter = form.chosen_reporter()
        try:
            created = request_submit(
                submitted_by=user,
                reporter=reporter,
                reporter_name=(data["reporter_name"] or "").strip(),
                text=data["text"],
                channel=data["channel"],
                location=data["location"],
                room=data["room"],
                category=form.chosen_category(),
                urgent=data["urgent"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记诉求 %(number)s。") % {"number": created.number})
            return redirect("requests:detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "requests/file.html", {"form": form}, status=status)


# --- one request ---------------------------------------------------------------------------


def _transition_form(
    req: Request, data: Any = None, files: Any = None, *, initial: dict[str, Any] | None = None
) -> TransitionForm:
    wants_assignee = (data or initial or {}).get("to") == Status.ASSIGNED
    return TransitionForm(
        data,
        files,
        initial=initial,
        assignees=list(assignable_users(req)) if wants_assignee else [],
        organisations=list(assignable_organisations(req)) if wants_assignee else [],
    )


def _latest_reporter_feedback_is_current(req: Request, feedback: list[Feedback]) -> bool:
    """Whether the reporter has already rated the latest resolution."""
    return any(
        f.via == Feedback.Via.REPORTER
        and req.resolved_at is not None
        and f.created_at >= req.resolved_at
        for f in feedback
    )


def _detail_context(
    request: HttpRequest, req: Request, *, overrides: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    user = request_user(request)
    overrides = overrides or {}
    relations = actor_relations(user, req)
    status = Status(req.status)
    actions = []
    for transition in available(status, relations):
        form = overrides.get(f"action:{transition.name}") or _transition_form(
            req, initial={"to": transition.target}
        )
        actions.append({"transition": transition, "form": form})
    feedback = list(req.feedback.select_related("recorded_by"))
    can_rate = (
        Actor.REPORTER in relations
        and status in FOLLOW_UP_STATUSES
        and not _latest_reporter_feedback_is_current(req, feedback)
    )
    can_follow_up = Actor.FOLLOW_UP in relations and status in FOLLOW_UP_STATUSES
    events = list(req.events.select_related("actor"))
    show_reporter = bool(relations & STAFF_RELATIONS)
    context: dict[str, Any] = {
        "req": req,
        "location_label": location_labels([req])[req.pk],
        "relations": relations,
        "actions": actions,
        "events": events,
        "photos": list(req.photos.all()),
        "feedback": feedback,
        "feedback_form": (overrides.get("feedback") or FeedbackForm()) if can_rate else None,
        "follow_up_form": (overrides.get("follow_up") or FollowUpForm()) if can_follow_up else None,
        "is_overdue": status in OPEN_STATUSES and req.due_at < timezone.now(),
        "is_finished": status in FINISHED_STATUSES,
        "show_reporter": show_reporter,
        # Residents read the timeline in plain words, not the office's status names.
        "resident_events": [] if show_reporter else resident_timeline(events),
        "is_dispute": req.category.code == DISPUTE_CATEGORY,
        "can_contact": Actor.ASSIGNEE in relations and status in OPEN_STATUSES,
        "urgency_reason": urgency_reason(req) if req.urgent and relations & STAFF_RELATIONS else "",
        "can_set_public": Actor.DISPATCHER in relations,
        "clear_urgent_form": (
            overrides.get("clear_urgent") or ClearUrgentForm()
            if req.urgent and Actor.DISPATCHER in relations and status in OPEN_STATUSES
            else None
        ),
    }
    if Actor.DISPATCHER in relations and status in OPEN_STATUSES:
        context |= _reclassify_context(req, overrides.get("reclassify"))
    if context["is_dispute"]:
        mediation = Mediation.objects.filter(request=req).prefetch_related("sessions").first()
        can_mediate = bool(relations & {Actor.DISPATCHER, Actor.ASSIGNEE})
        context |= {
            "mediation": mediation,
            "can_mediate": can_mediate,
            "mediation_start_form": overrides.get("mediation_start")
            or MediationStartForm(initial={"parties": mediation.parties if mediation else ""}),
            "mediation_session_form": overrides.get("mediation_session")
            or MediationSessionForm(initial={"held_on": timezone.localdate()}),
            "mediation_conclude_form": overrides.get("mediation_conclude")
            or MediationConcludeForm(
                initial={
                    "outcome": mediation.outcome if mediation else "",
                    "agreement_text": mediation.agreement_text if mediation else "",
                }
            ),
        }
    return context


def _reclassify_form(req: Request, data: Any = None) -> ReclassifyForm:
    community = req.community
    places = list(
        Area.objects.filter(
            path__startswith=community.path, kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING]
        ).order_by("path")
    )
    places = [community, *places]
    building = building_of(req.location)
    unit_number = None
    if req.location.kind == AreaKind.UNIT:
        digits = "".join(c for c in req.location.name if c.isdigit())
        unit_number = int(digits) if digits else None
    start = building or ancestor_of_kind(req.location, AreaKind.COMPOUND) or community
    return ReclassifyForm(
        data,
        categories=list(Category.objects.filter(is_active=True)),
        places=places,
        place_labels=area_labels([p.path for p in places]),
        initial={
            "category": req.category_id,
            "place": f"a{start.pk}",
            "unit": unit_number,
            "room": req.room,
        },
    )


def _reclassify_context(req: Request, form: forms.Form | None) -> dict[str, Any]:
    suggestion = pending_suggestion(req)
    suggested_category = None
    suggestion_label = ""
    if suggestion is not None:
        suggested_category = Category.objects.filter(code=suggestion.category).first()
        if suggestion.location is not None:
            suggestion_label = area_labels([suggestion.location.path])[suggestion.location.path]
            suggestion_label += suggestion.room
    return {
        "reclassify_form": form or _reclassify_form(req),
        "suggestion": suggestion,
        "suggested_category": suggested_category,
        "suggestion_label": suggestion_label,
    }


def _render_detail(
    request: HttpRequest,
    req: Request,
    *,
    status: int = 200,
    overrides: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    return render(
        request,
        "requests/detail.html",
        _detail_context(request, req, overrides=overrides),
        status=status,
    )


def _refused(request: HttpRequest, req: Request, exc: DomainError) -> HttpResponse:
    """An invalid (409) or not permitted (403) change: say why in Chinese, change nothing."""
    messages.error(request, exc.message)
    if _is_htmx(request):
        # htmx does not swap an error response; reload the page to show the message.
        response = HttpResponse(status=exc.status_code)
        response["HX-Refresh"] = "true"
        return response
    fresh = request_get_for_user(user=request.user, pk=req.pk)
    return _render_detail(request, fresh, status=exc.status_code)


def _back_to(request: HttpRequest, req: Request) -> str:
    """Where to go after a change: back to the task list when it came from there."""
    if request.POST.get("next") == "tasks":
        return reverse("requests:tasks")
    return reverse("requests:detail", args=[req.pk])


@login_required
@require_POST
def reclassify(request: HttpRequest, pk: int) -> HttpResponse:
    """A dispatcher corrects the category or place (recorded as a triage correction)."""
    req = request_get_for_user(user=request.user, pk=pk)
    form = _reclassify_form(req, request.POST)
    if form.is_valid():
        try:
            request_reclassify(
                request=req,
                actor=request_user(request),
                category=form.chosen_category(),
                location=form.cleaned_data["location"],
                room=form.cleaned_data["room"],
                note=form.cleaned_data["note"] or "",
            )
        except DomainError as exc:
            return _refused(request, req, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已更新类别和位置。"))
            return redirect("requests:detail", pk=req.pk)
    fresh = request_get_for_user(user=request.user, pk=req.pk)
    return _render_detail(request, fresh, status=400, overrides={"reclassify": form})


@login_required
@require_POST
def accept_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: take triage's suggestion for a request that waited for a dispatcher."""
    req = request_get_for_user(user=request.user, pk=pk)
    try:
        request_accept_suggestion(request=req, actor=request_user(request))
    except DomainError as exc:
        return _refused(request, req, exc)
    except Conflict as exc:
        messages.info(request, exc.messages[0])
        return redirect("requests:detail", pk=req.pk)
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("requests:detail", pk=req.pk)
    messages.success(request, _("已采纳分诊建议。"))
    return redirect("requests:detail", pk=req.pk)


@login_required
@require_POST
def clear_urgent(request: HttpRequest, pk: int) -> HttpResponse:
    """A dispatcher clears a false alarm with one click and a reason."""
    req = request_get_for_user(user=request.user, pk=pk)
    form = ClearUrgentForm(request.POST)
    if form.is_valid():
        try:
            request_clear_urgent(
                request=req, actor=request_user(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            return _refused(request, req, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已解除紧急,办理时限恢复为普通时限。"))
            return redirect("requests:detail", pk=req.pk)
    fresh = request_get_for_user(user=request.user, pk=req.pk)
    return _render_detail(request, fresh, status=400, overrides={"clear_urgent": form})


@login_required
@require_POST
def set_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A dispatcher lets Open311 readers without a key read the text, or stops them."""
    req = request_get_for_user(user=request.user, pk=pk)
    public = request.POST.get("public") == "1"
    try:
        request_set_public(request=req, actor=request_user(request), public=public)
    except DomainError as exc:
        return _refused(request, req, exc)
    messages.success(
        request,
        _("已公开:Open311 可看到诉求内容(不含姓名、电话和房号)。") if public else _("已取消公开。"),
    )
    return redirect("requests:detail", pk=req.pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, pk=pk)
    return _render_detail(request, req)


@login_required
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A request's photo, only to those who may see the request."""
    req = request_get_for_user(user=request.user, pk=pk)
    found = req.photos.filter(pk=photo_pk).first()
    if found is None:
        raise Http404
    try:
        handle = found.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, pk=pk)
    form = _transition_form(req, request.POST, request.FILES)
    to = request.POST.get("to", "")
    move = transition_between(Status(req.status), Status(to)) if to in Status.values else None
    key = f"action:{move.name}" if move else "action:"
    if form.is_valid():
        data = form.cleaned_data
        try:
            request_transition(
                request=req,
                to=data["to"],
                actor=request_user(request),
                note=data["note"] or "",
                assignee=form.chosen_assignee(),
                organisation=form.chosen_organisation(),
                photo=data.get("photo"),
            )
        except DomainError as exc:
            return _refused(request, req, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            label = move.label if move else _("办理")
            messages.success(
                request,
                _("已%(action)s:%(number)s") % {"action": label, "number": req.number},
            )
            if _is_htmx(request) and request.POST.get("next") == "tasks":
                return _task_card(request, req.pk)
            return redirect(_back_to(request, req))
    if _is_htmx(request):
        reasons = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(reasons) or _("请检查填写的内容。"))
        response = HttpResponse(status=400)
        response["HX-Refresh"] = "true"
        return response
    return _render_detail(request, req, status=400, overrides={key: form})


@login_required
@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, pk=pk)
    by_staff = request.POST.get("via") in {Feedback.Via.PHONE, Feedback.Via.VISIT}
    form: FeedbackForm = FollowUpForm(request.POST) if by_staff else FeedbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recorded = request_feedback(
                request=req,
                actor=request_user(request),
                resolved=data["resolved"],
                satisfaction=data["satisfaction"],
                comment=data["comment"] or "",
                via=data["via"] or Feedback.Via.REPORTER,
            )
        except DomainError as exc:
            return _refused(request, req, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if recorded.resolved:
                messages.success(request, _("谢谢您的评价!"))
            else:
                messages.success(request, _("已记录。问题还没解决,已退回重新办理。"))
            return redirect("requests:detail", pk=req.pk)
    return _render_detail(
        request, req, status=400, overrides={"follow_up" if by_staff else "feedback": form}
    )


@login_required
@require_POST
def mediation(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, pk=pk)
    form = MediationStartForm(request.POST)
    if form.is_valid():
        try:
            mediation_start(
                request=req, actor=request_user(request), parties=form.cleaned_data["parties"]
            )
        except DomainError as exc:
            return _refused(request, req, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记调解当事人。"))
            return redirect("requests:detail", pk=req.pk)
    return _render_detail(request, req, status=400, overrides={"mediation_start": form})


@login_required
@require_POST
def mediation_session(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, pk=pk)
    form = MediationSessionForm(request.POST)
    if form.is_valid():
        found = mediation_of(req)
        if found is None:
            form.add_error(None, _("请先登记当事人,再记录调解经过。"))
        else:
            data = form.cleaned_data
            try:
                mediation_add_session(
                    mediation=found,
                    actor=request_user(request),
                    held_on=data["held_on"],
                    mediators=data["mediators"],
                    notes=data["notes"],
                )
            except DomainError as exc:
                return _refused(request, req, exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已记录本次调解。"))
                return redirect("requests:detail", pk=req.pk)
    return _render_detail(request, req, status=400, overrides={"mediation_session": form})


@login_required
@require_POST
def mediation_conclude_view(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, pk=pk)
    form = MediationConcludeForm(request.POST)
    if form.is_valid():
        found = mediation_of(req)
        if found is None:
            form.add_error(None, _("请先登记当事人,再记录调解结果。"))
        else:
            try:
                mediation_conclude(
                    mediation=found,
                    actor=request_user(request),
                    outcome=form.cleaned_data["outcome"],
                    agreement_text=form.cleaned_data["agreement_text"] or "",
                )
            except DomainError as exc:
                return _refused(request, req, exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已记录调解结果。"))
                return redirect("requests:detail", pk=req.pk)
    return _render_detail(request, req, status=400, overrides={"mediation_conclude": form})


# --- calling the reporter -------------------------------------------------------------------


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The assignee taps 「打电话」: the reporter's number, revealed and audited, as a
    tel: link (a fragment for htmx, the request page otherwise)."""
    req = request_get_for_user(user=request.user, pk=pk)
    try:
        phone = request_reveal_reporter_phone(request=req, actor=request_user(request))
    except DomainError as exc:
        return _refused(request, req, exc)
    next_ = "tasks" if request.POST.get("next") == "tasks" else ""
    if _is_htmx(request):
        return render(
            request,
            "requests/_contact.html",
            {"r": req, "phone": phone, "phone_revealed": True, "next": next_},
        )
    context = _detail_context(request, req)
    context |= {"phone": phone, "phone_revealed": True}
    return render(request, "requests/detail.html", context)


@login_required
@require_POST
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """「已联系」: the assignee has called or spoken to the reporter (the first response)."""
    req = request_get_for_user(user=request.user, pk=pk)
    try:
        request_record_contact(
            request=req, actor=request_user(request), note=request.POST.get("note", "")
        )
    except DomainError as exc:
        return _refused(request, req, exc)
    messages.success(request, _("已记录:已与反映人联系(%(number)s)") % {"number": req.number})
    return redirect(_back_to(request, req))
