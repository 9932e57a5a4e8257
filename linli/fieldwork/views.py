from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user, require_capability
from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of, scope_for
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_labels
from linli.core.outcomes import submit_form
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.core.scoping import apply_scope
from linli.fieldwork.forms import (
    FiguresForm,
    FindingForm,
    FinishForm,
    MonthForm,
    PatrolCheckForm,
    PlanForm,
    PostingForm,
    VisitForm,
)
from linli.fieldwork.models import FindingOutcome, Patrol, PatrolFinding, Posting, SinkDownVisit
from linli.fieldwork.selectors import (
    cadres_for_month,
    fieldwork_figures,
    home_block,
    month_bounds,
    my_concerns,
    own_postings,
    patrol_get_for_user,
    patrol_grids,
    patrol_grids_in_scope,
    plans_of,
    posting_buildings,
    posting_choices,
    unpatrolled_grids,
    visible_patrols,
    visible_visits,
    visit_get_for_user,
)
from linli.fieldwork.services import (
    patrol_check,
    patrol_finding_add,
    patrol_finish,
    patrol_start,
    plan_save,
    posting_create,
    sink_down_visit_record,
)
from linli.requests.models import Category


def _posting_choices(postings: list[Posting]) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.get_kind_display()} · {p.place_name}") for p in postings]


def _building_choices(buildings: list[Area]) -> list[tuple[int, str]]:
    return [(b.pk, b.name) for b in buildings]


def _can_oversee(request: HttpRequest) -> bool:
    return Capability.FIELDWORK_OVERSEE in capabilities_of(request.user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The field-work hub: what the user does (sink down, patrol) and what they oversee."""
    block = home_block(request.user)
    if block is None:
        raise PermissionDenied(_("您没有这项操作的权限。"))
    today = timezone.localdate()
    return render(
        request,
        "fieldwork/index.html",
        {
            "fieldwork": block,
            "plans": list(plans_of(request.user, today)),
            "can_oversee": _can_oversee(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.SINK_DOWN)
    postings = list(own_postings(request.user))
    if not postings:
        raise PermissionDenied(_("您还没有包片或联点,请联系社区安排。"))
    buildings = list(posting_buildings(postings))
    form = VisitForm(
        request.POST or None,
        postings=_posting_choices(postings),
        buildings=_building_choices(buildings),
        initial={"visited_on": timezone.localdate(), "posting": postings[0].pk},
    )

    def record() -> SinkDownVisit:
        building_id = form.cleaned_data["building"]
        return sink_down_visit_record(
            actor=request_user(request),
            posting=next(p for p in postings if p.pk == form.cleaned_data["posting"]),
            visited_on=form.cleaned_data["visited_on"],
            households_count=form.cleaned_data["households_count"],
            households=form.cleaned_data["households"],
            listened_to=form.cleaned_data["listened_to"],
            notes=form.cleaned_data["notes"],
            concerns=form.concern_lines(),
            building=next((b for b in buildings if b.pk == building_id), None),
        )

    def recorded(visit: SinkDownVisit) -> str:
        count = visit.concerns.count()
        return (
            _("下沉走访已记录,%(n)d 条问题已转为诉求。") % {"n": count}
            if count
            else _("下沉走访已记录。")
        )

    return submit_form(
        request,
        form,
        record,
        success=recorded,
        then=lambda visit: redirect("fieldwork:visit_detail", visit.pk),
    ) or render(request, "fieldwork/visit_form.html", {"form": form})


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = visible_visits(request.user).order_by("-visited_on", "-pk")
    return render(
        request,
        "fieldwork/visit_list.html",
        {"page": paginate(request, visits), "querystring": querystring_without_page(request)},
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_get_for_user(user=request.user, pk=pk)
    concerns = list(visit.concerns.select_related("request"))
    return render(request, "fieldwork/visit_detail.html", {"visit": visit, "concerns": concerns})


@login_required
def my_concern_list(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.SINK_DOWN)
    return render(
        request,
        "fieldwork/concerns.html",
        {
            "page": paginate(request, my_concerns(request.user)),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.SINK_DOWN)
    postings = list(own_postings(request.user))
    if not postings:
        raise PermissionDenied(_("您还没有包片或联点,请联系社区安排。"))
    today = timezone.localdate()
    form = PlanForm(
        request.POST or None,
        postings=_posting_choices(postings),
        initial={"month": today.strftime("%Y-%m"), "posting": postings[0].pk},
    )
    return submit_form(
        request,
        form,
        lambda: plan_save(
            actor=request_user(request),
            posting=next(p for p in postings if p.pk == form.cleaned_data["posting"]),
            month=form.cleaned_data["month"],
            planned_on=form.cleaned_data["planned_on"],
            note=form.cleaned_data["note"],
        ),
        success=_("下沉计划已保存。"),
        then=lambda _plan: redirect("fieldwork:index"),
    ) or render(request, "fieldwork/plan_form.html", {"form": form})


@login_required
def not_down(request: HttpRequest) -> HttpResponse:
    """Cadres who have not gone down in a month (this month by default)."""
    require_capability(request, Capability.FIELDWORK_OVERSEE)
    month = timezone.localdate().replace(day=1)
    form = MonthForm(request.GET or None, initial={"month": month.strftime("%Y-%m")})
    if form.is_valid() and form.cleaned_data["month"]:
        month = form.cleaned_data["month"]
    rows = cadres_for_month(request.user, month)
    first, last = month_bounds(month)
    return render(
        request,
        "fieldwork/not_down.html",
        {
            "form": form,
            "month": month,
            "missing": [r for r in rows if not r.went_down],
            "down": [r for r in rows if r.went_down],
            "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
        },
    )


# --- patrols ---------------------------------------------------------------------------


@login_required
def patrol_list(request: HttpRequest) -> HttpResponse:
    """Patrol history, per grid with ``?grid=``; overseers see grids left unpatrolled."""
    grids = list(patrol_grids_in_scope(request.user).order_by("code"))
    if not grids:
        raise PermissionDenied(_("您没有这项操作的权限。"))
    patrols = visible_patrols(request.user).order_by("-started_at", "-pk")
    grid_id = request.GET.get("grid", "")
    selected = next((g for g in grids if str(g.pk) == grid_id), None)
    if selected is not None:
        patrols = patrols.filter(grid=selected)
    return render(
        request,
        "fieldwork/patrol_list.html",
        {
            "grids": grids,
            "selected": selected,
            "unpatrolled": unpatrolled_grids(request.user) if _can_oversee(request) else [],
            "own_grids": list(patrol_grids(request.user)),
            "page": paginate(request, patrols),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_POST
def patrol_start_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.PATROL)
    grids = {str(g.pk): g for g in patrol_grids(request.user)}
    grid = grids.get(request.POST.get("grid", "")) or (
        next(iter(grids.values())) if len(grids) == 1 else None
    )
    if grid is None:
        messages.error(request, _("请选择要巡查的网格。"))
        return redirect("fieldwork:patrols")
    try:
        patrol = patrol_start(actor=request_user(request), grid=grid)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("fieldwork:patrols")
    return redirect("fieldwork:patrol_detail", patrol.pk)


def _patrol_forms(request: HttpRequest, patrol: Patrol, *, bound: str = "") -> dict[str, object]:
    buildings = _building_choices(list(patrol.grid.buildings.order_by("path")))
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    return {
        "check_form": PatrolCheckForm(
            data if bound == "check" else None,
            buildings=buildings,
            initial={
                "buildings": list(patrol.buildings.values_list("pk", flat=True)),
                "places": patrol.places,
            },
        ),
        "finding_form": FindingForm(
            data if bound == "finding" else None,
            files if bound == "finding" else None,
            buildings=buildings,
        ),
        "finish_form": FinishForm(data if bound == "finish" else None),
    }


def _render_patrol(request: HttpRequest, patrol: Patrol, forms: dict[str, object]) -> HttpResponse:
    findings = list(patrol.findings.select_related("category", "building", "request"))
    own = patrol.worker_id == request.user.pk and patrol.is_open
    return render(
        request,
        "fieldwork/patrol_detail.html",
        {
            "patrol": patrol,
            "findings": findings,
            "checked": list(patrol.buildings.order_by("path")),
            "solved": sum(1 for f in findings if f.outcome == FindingOutcome.SOLVED),
            "filed": sum(1 for f in findings if f.outcome == FindingOutcome.FILED),
            "own": own,
            **forms,
        },
    )


@login_required
def patrol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = patrol_get_for_user(user=request.user, pk=pk)
    return _render_patrol(request, patrol, _patrol_forms(request, patrol))


def _own_open_patrol(request: HttpRequest, pk: int) -> Patrol:
    patrol = patrol_get_for_user(user=request.user, pk=pk)
    if patrol.worker_id != request.user.pk:
        raise PermissionDenied(_("只能记录自己的巡查。"))
    return patrol


@login_required
@require_POST
def patrol_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = _own_open_patrol(request, pk)
    forms = _patrol_forms(request, patrol, bound="check")
    form = forms["check_form"]
    assert isinstance(form, PatrolCheckForm)

    def check() -> None:
        chosen = set(form.cleaned_data["buildings"])
        patrol_check(
            actor=request_user(request),
            patrol=patrol,
            buildings=[b for b in patrol.grid.buildings.all() if b.pk in chosen],
            places=form.cleaned_data["places"],
        )

    return submit_form(
        request,
        form,
        check,
        success=_("已记录巡查点位。"),
        then=lambda _none: redirect("fieldwork:patrol_detail", patrol.pk),
    ) or _render_patrol(request, patrol, forms)


@login_required
@require_POST
def patrol_finding_view(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = _own_open_patrol(request, pk)
    forms = _patrol_forms(request, patrol, bound="finding")
    form = forms["finding_form"]
    assert isinstance(form, FindingForm)

    def add() -> PatrolFinding:
        building_id = form.cleaned_data["building"]
        building = patrol.grid.buildings.filter(pk=building_id).first() if building_id else None
        category = Category.objects.filter(pk=form.cleaned_data["category"]).first()
        if category is None:
            raise Http404
        return patrol_finding_add(
            actor=request_user(request),
            patrol=patrol,
            category=category,
            text=form.cleaned_data["text"],
            solved=form.cleaned_data["outcome"] == FindingOutcome.SOLVED,
            building=building,
            photo=form.cleaned_data["photo"],
        )

    return submit_form(
        request,
        form,
        add,
        success=lambda finding: (
            _("已转为诉求 %(number)s,按常规流程派单。") % {"number": finding.request.number}
            if finding.request is not None
            else _("已记录为就地解决。")
        ),
        then=lambda _finding: redirect("fieldwork:patrol_detail", patrol.pk),
    ) or _render_patrol(request, patrol, forms)


@login_required
@require_POST
def patrol_finish_view(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = _own_open_patrol(request, pk)
    forms = _patrol_forms(request, patrol, bound="finish")
    form = forms["finish_form"]
    assert isinstance(form, FinishForm)
    return submit_form(
        request,
        form,
        lambda: patrol_finish(
            actor=request_user(request), patrol=patrol, note=form.cleaned_data["note"]
        ),
        success=_("本次巡查已结束。"),
        then=lambda _finished: redirect("fieldwork:patrol_detail", patrol.pk),
    ) or _render_patrol(request, patrol, forms)


@login_required
def finding_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A finding's photo, only to those who may see the patrol."""
    finding = PatrolFinding.objects.filter(pk=pk, patrol__in=visible_patrols(request.user)).first()
    if finding is None or not finding.photo:
        raise Http404
    try:
        handle = finding.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- figures ---------------------------------------------------------------------------


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.FIELDWORK_OVERSEE)

    areas = list(
        apply_scope(
            Area.objects.filter(kind__in=[AreaKind.TOWN, AreaKind.COMMUNITY, AreaKind.COMPOUND]),
            scope_for(request.user, Capability.FIELDWORK_OVERSEE),
            area_path="path",
        ).order_by("path")
    )
    form = FiguresForm(request.GET or None, areas=[(a.pk, a.name) for a in areas])
    today = timezone.localdate()
    start, end = today.replace(day=1), today
    area: Area | None = None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        area = next((a for a in areas if a.pk == form.cleaned_data["area"]), None)
    result = (
        fieldwork_figures(request.user, start=start, end=end, area=area) if start <= end else None
    )
    return render(request, "fieldwork/figures.html", {"form": form, "figures": result})


# --- postings: who goes down where (fieldwork.oversee) ---------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def posting_new(request: HttpRequest) -> HttpResponse:
    """Link a town leader or an organ cadre to a compound (包片) or a grid (联点)."""
    require_capability(request, Capability.FIELDWORK_OVERSEE)
    choices = posting_choices(request.user)
    compounds, grids, cadres = choices.compounds, choices.grids, choices.cadres
    labels = area_labels(c.path for c in compounds)
    form = PostingForm(
        request.POST if request.method == "POST" else None,
        cadres=cadres,
        compounds=[(c.pk, labels.get(c.path, c.name)) for c in compounds],
        grids=[(g.pk, f"{g.community.name}{g.name}") for g in grids],
    )

    def create() -> Posting:
        data = form.cleaned_data
        return posting_create(
            actor=request_user(request),
            cadre=User.objects.get(pk=data["cadre"]),
            kind=data["kind"],
            compound=compounds.filter(pk=data["compound"]).first() if data["compound"] else None,
            grid=grids.filter(pk=data["grid"]).first() if data["grid"] else None,
        )

    return submit_form(
        request,
        form,
        create,
        success=lambda posting: (
            _("已安排 %(cadre)s %(kind)s %(place)s。")
            % {
                "cadre": posting.cadre,
                "kind": posting.get_kind_display(),
                "place": posting.place_name,
            }
        ),
        then=lambda _posting: redirect("fieldwork:not_down"),
    ) or render(request, "fieldwork/posting_form.html", {"form": form})
