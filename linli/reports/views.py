"""The reports page: choose an area and a period, edit the draft's text, file it, download."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linli.accounts.current import request_user, require_capability
from linli.areas.models import Grid
from linli.core.outcomes import submit_form
from linli.core.pagination import paginate
from linli.core.roles import Capability
from linli.reports.content import ReportContent, build_report
from linli.reports.forms import ReportChoiceForm, ReportTextForm
from linli.reports.periods import month_of
from linli.reports.selectors import (
    report_get_for_user,
    report_place_get,
    report_places,
    visible_reports,
)
from linli.reports.services import FORMATS, report_download, report_file


@login_required
def report_index_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REPORTS_FILE)
    places = report_places(request.user)
    last_month = month_of(timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    form = ReportChoiceForm(
        initial={"area": places[0][0] if places else "", "period": last_month.key},
        places=places,
    )
    page = paginate(request, visible_reports(request.user))
    return render(request, "reports/index.html", {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def report_draft_view(request: HttpRequest) -> HttpResponse:
    """GET: the draft (figures and editable paragraphs). POST: file it with the edits."""
    require_capability(request, Capability.REPORTS_FILE)
    choice = ReportChoiceForm(request.GET, places=report_places(request.user))
    if not choice.is_valid():
        if "area" in choice.errors and request.GET.get("area"):
            raise Http404(_("没有这个区域"))
        page = paginate(request, visible_reports(request.user))
        return render(request, "reports/index.html", {"form": choice, "page": page})
    place = report_place_get(user=request.user, code=choice.cleaned_data["area"])
    grid = place if isinstance(place, Grid) else None
    area = place.community if isinstance(place, Grid) else place
    period = choice.cleaned_data["period"]
    content = build_report(request.user, place, period)
    form = ReportTextForm(request.POST or None, content=content)
    # The service names a section by its key, the form by section_<key>: its refusals stand
    # above the form.
    return submit_form(
        request,
        form,
        lambda: report_file(
            actor=request_user(request),
            area=area,
            grid=grid,
            period=period,
            content=content,
            texts=form.texts(),
        ),
        success=_("报告已存档,可下载 Word、PDF 或 Excel。"),
        then=lambda report: redirect("reports:detail", pk=report.pk),
    ) or render(
        request,
        "reports/draft.html",
        {"content": content, "form": form, "area": place, "period": period},
    )


@login_required
def report_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Scoped by REPORTS_FILE: without it nothing is visible, so any report is a 404.
    report = report_get_for_user(user=request.user, pk=pk)
    content = ReportContent.from_dict(report.content_data)
    return render(request, "reports/detail.html", {"report": report, "content": content})


@login_required
def report_download_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(_("没有这种格式"))
    report = report_get_for_user(user=request.user, pk=pk)
    body, mime, filename = report_download(actor=request_user(request), report=report, fmt=fmt)
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
