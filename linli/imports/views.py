from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user, require_capability
from linli.accounts.selectors import capabilities_of
from linli.core.numbers import whole_number
from linli.core.outcomes import submit_form
from linli.core.roles import Capability
from linli.imports import exports, services, tasks
from linli.imports.forms import UploadForm
from linli.imports.kinds import ImportKind
from linli.imports.models import ImportJob
from linli.people.selectors import (
    ResidentFilters,
    resident_filter_offer,
    residents_search,
    visible_households,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _kinds_for(request: HttpRequest) -> list[ImportKind]:
    return services.import_kinds_for(request_user(request))


@login_required
def template_view(request: HttpRequest) -> HttpResponse:
    """The template of ``?kind=`` (residents when absent)."""
    kinds = {k.key: k for k in _kinds_for(request)}
    kind = kinds.get(request.GET.get("kind", "residents"))
    if kind is None:
        raise Http404
    return _xlsx(exports.template_bytes(kind), f"linli-{kind.key}-template.xlsx")


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    return services.import_job_get_for_user(user=request_user(request), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def upload_view(request: HttpRequest) -> HttpResponse:
    kinds = _kinds_for(request)
    user = request_user(request)
    communities = sorted(
        {c for kind in kinds for c in services.import_communities(user, kind.capability)},
        key=lambda c: c.path,
    )
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") else None
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        communities=communities,
        kinds=[(k.key, str(k.label)) for k in kinds],
    )

    def create() -> ImportJob:
        upload = form.cleaned_data["file"]
        return services.import_job_create(
            actor=user,
            community=form.cleaned_data["community"],
            file_name=upload.name,
            content=upload.read(),
            update_existing=form.cleaned_data["update_existing"],
            kind=form.cleaned_data["kind"],
        )

    def check(job: ImportJob) -> HttpResponse:
        tasks.check_import(job.pk)
        return redirect("imports:job", pk=job.pk)

    # The job's page tells how the upload went: nothing is flashed.
    done = submit_form(request, form, create, success=None, then=check)
    if done is not None:
        return done
    jobs = ImportJob.objects.filter(
        community__in=communities, kind__in=[k.key for k in kinds]
    ).select_related("community")[:10]
    return render(request, "imports/upload.html", {"form": form, "jobs": jobs, "kinds": kinds})


@login_required
def job_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Out of scope (or without the import capability, whose scope is then empty) is a 404.
    job = _job_for(request, pk)
    template = (
        "imports/_job_status.html" if request.headers.get("HX-Request") else "imports/job.html"
    )
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_run_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        services.import_job_start(job=job, actor=request_user(request))
    except ValidationError:
        return redirect("imports:job", pk=job.pk)
    tasks.run_import(job.pk)
    return redirect("imports:job", pk=job.pk)


def _filters_from(request: HttpRequest) -> tuple[ResidentFilters, str]:
    """The residents list's filters as the page reads them (``resident_filter_offer``),
    and what the export's audit note says of them."""
    offer = resident_filter_offer(request_user(request), request.GET)
    filters = offer.filters(query=request.GET.get("q", "")[:50])
    described = offer.described()
    if filters.query:
        described += ",含搜索"
    return filters, described


@login_required
def residents_export_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REGISTER_VIEW)
    user = request_user(request)
    filters, described = _filters_from(request)
    reveal = request.GET.get("reveal") == "1" and Capability.SENSITIVE_REVEAL in capabilities_of(
        user
    )
    data = exports.residents_xlsx(
        actor=user,
        residents=residents_search(user=user, filters=filters),
        reveal=reveal,
        filters=described,
    )
    return _xlsx(data, f"residents-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def households_export_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.REGISTER_VIEW)
    user = request_user(request)
    households = visible_households(user).order_by("unit__path", "room")
    # The households list filters by building only: so does its export, and its note.
    described = ""
    building = whole_number(request.GET.get("building"))
    if building is not None:
        from linli.areas.selectors import visible_areas

        area = visible_areas(user).filter(pk=building).first()
        if area is None:
            raise Http404
        households = households.filter(unit__path__startswith=area.path)
        described = f"building={area.pk}"
    data = exports.households_xlsx(actor=user, households=households, filters=described)
    return _xlsx(data, f"households-{timezone.localdate():%Y%m%d}.xlsx")
