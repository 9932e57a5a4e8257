from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.current import request_user
from linli.accounts.list_export import Column, export_list, wants_export, when
from linli.core.outcomes import run_service
from linli.core.pagination import paginate, querystring_without_page
from linli.earlywarning.models import WarningKind, WarningStatus
from linli.earlywarning.selectors import warning_get_for_user, warning_list
from linli.earlywarning.services import warning_acknowledge, warning_close

STATUS_FILTERS = [("active", _("未关闭")), *WarningStatus.choices, ("all", _("全部"))]


@login_required
def warning_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    if status not in {value for value, _label in STATUS_FILTERS}:
        status = "active"
    kind = request.GET.get("kind", "")
    if kind not in WarningKind.values:
        kind = ""
    warnings = warning_list(user=request.user, status=status, kind=kind)
    if wants_export(request):
        return export_list(
            request,
            rows=warnings.select_related("grid"),
            columns=[
                Column(_("预警时间"), when("raised_at")),
                Column(_("类型"), lambda w: w.get_kind_display()),
                Column(_("预警"), lambda w: w.title),
                Column(_("原因"), lambda w: w.reason),
                Column(_("网格"), lambda w: w.grid.name if w.grid else ""),
                Column(_("数量"), lambda w: w.count),
                Column(_("状态"), lambda w: w.get_status_display()),
                Column(_("处理说明"), lambda w: w.close_note),
            ],
            title=_("预警"),
            object_type="earlywarning.earlywarning",
            file_name="early-warnings",
        )
    page = paginate(request, warnings)
    return render(
        request,
        "earlywarning/list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "status_filters": STATUS_FILTERS,
            "kinds": WarningKind.choices,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_POST
def warning_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    warning = warning_get_for_user(user=request.user, pk=pk)
    run_service(
        request,
        lambda: warning_acknowledge(actor=request_user(request), warning=warning),
        success=_("已知悉:%(title)s") % {"title": warning.title},
    )
    return redirect("earlywarning:list")


@login_required
@require_POST
def warning_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    warning = warning_get_for_user(user=request.user, pk=pk)
    run_service(
        request,
        lambda: warning_close(
            actor=request_user(request), warning=warning, note=request.POST.get("note", "")
        ),
        success=_("已关闭:%(title)s") % {"title": warning.title},
    )
    return redirect("earlywarning:list")
