from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.audit.forms import AuditSearchForm
from linli.audit.selectors import AuditFilters, audit_events_search, can_view_audit
from linli.audit.services import audit_trail_export, audit_trail_viewed
from linli.core.errors import BadInput
from linli.core.htmx import render_page_or_fragment
from linli.core.pagination import paginate, querystring_without_page

_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filters(form: AuditSearchForm) -> AuditFilters | None:
    """The search asked for: no filters when nothing was asked, ``None`` when the form
    cannot be used (an impossible date): an unfiltered list would pass for the answer."""
    if not form.is_bound:
        return AuditFilters()
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return AuditFilters(
        user=data.get("user") or "",
        action=data.get("action") or "",
        obj=data.get("obj") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        result=data.get("result") or "",
    )


def _errors_text(form: AuditSearchForm) -> str:
    """「结束日期:日期应在 1900 年到 2100 年之间。」 for each refused field."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        field = form.fields.get(name)
        parts.append(f"{field.label}:{text}" if field is not None else text)
    return " ".join(parts)


def _auditor(request: HttpRequest) -> User:
    """The signed-in user, if they may read the trail; a 404 for anyone else."""
    user = request_user(request)
    if not can_view_audit(user):
        raise Http404
    return user


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user = _auditor(request)
    form = AuditSearchForm(request.GET or None)
    filters = _filters(form)
    if filters is None:
        page = paginate(request, audit_events_search(user=user, filters=AuditFilters()).none())
    else:
        page = paginate(request, audit_events_search(user=user, filters=filters))
        audit_trail_viewed(actor=user, filters=filters)
    querystring = querystring_without_page(request)
    return render_page_or_fragment(
        request,
        "audit/list.html",
        {"form": form, "page": page, "querystring": querystring},
        fragment_template="audit/_results.html",
    )


@login_required
def audit_export(request: HttpRequest, file_format: str) -> HttpResponse:
    user = _auditor(request)
    if file_format not in _CONTENT_TYPES:
        raise Http404
    form = AuditSearchForm(request.GET or None)
    filters = _filters(form)
    if filters is None:
        raise BadInput(_errors_text(form))
    events = audit_events_search(user=user, filters=filters)
    content, _count = audit_trail_export(
        actor=user, filters=filters, events=events, file_format=file_format
    )
    response = HttpResponse(content, content_type=_CONTENT_TYPES[file_format])
    name = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
