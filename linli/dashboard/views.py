"""The leaders' dashboard (驾驶舱) pages: one per place, its charts as PNG images (drawn by
:mod:`linli.core.charts`) and every table as an Excel workbook."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import capabilities_of
from linli.core import charts
from linli.core.replica import replica_reads
from linli.core.roles import Capability
from linli.core.spreadsheets import Sheet, xlsx_bytes
from linli.dashboard import selectors, snapshots
from linli.dashboard.selectors import Dashboard
from linli.requests.figures import PlaceChoice
from linli.requests.figures_views import quick_ranges

PERIODS = ("month", "last_month", "six_months", "year")
KINDS = ("area", "grid")
CHARTS = ("trend", "status", "rates", "children")
WALL_REFRESH_SECONDS = 300


def _require(request: HttpRequest) -> None:
    if Capability.REQUESTS_VIEW not in capabilities_of(request.user):
        raise PermissionDenied(_("您没有查看驾驶舱的权限。"))


def _period(request: HttpRequest) -> tuple[str, dt.date, dt.date, list[dict[str, Any]]]:
    """The chosen period (key, first day, exclusive end) and the picker's links."""
    today = timezone.localdate()
    ranges = dict(zip(PERIODS, quick_ranges(today), strict=True))
    key = request.GET.get("period") or PERIODS[0]
    if key not in ranges:
        key = PERIODS[0]
    _label, first, last = ranges[key]
    wall = {"wall": "1"} if request.GET.get("wall") else {}
    links = [
        {
            "label": label,
            "query": urlencode({"period": k, **wall}),
            "active": k == key,
        }
        for k, (label, _first, _last) in ranges.items()
    ]
    return key, first, last + dt.timedelta(days=1), links


def _choice(request: HttpRequest, kind: str, pk: int) -> PlaceChoice:
    _require(request)
    if kind not in KINDS:
        raise Http404
    return selectors.dashboard_place_get(user=request.user, kind=kind, pk=pk)


@replica_reads
@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(request)
    choice = selectors.default_place(selectors.dashboard_places(request.user))
    if choice is None:
        return render(request, "dashboard/empty.html")
    url = selectors.place_url(choice.place)
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@replica_reads
@login_required
def place(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    choice = _choice(request, kind, pk)
    period, start, end, links = _period(request)
    now = timezone.now()
    dashboard = selectors.dashboard_for_user(request.user, choice, start=start, end=end, now=now)
    wall = bool(request.GET.get("wall"))
    base = reverse("dashboard:place", args=[kind, pk])
    context = {
        "d": dashboard,
        "rate_rows": [
            [label, *[values[i] for values in dashboard.trend.rates.values()]]
            for i, label in enumerate(dashboard.trend.labels)
        ],
        "period": period,
        "period_links": links,
        "wall": wall,
        "refresh_seconds": WALL_REFRESH_SECONDS,
        "chart_query": urlencode({"period": period}),
        "export_url": reverse("dashboard:export", args=[kind, pk]) + f"?period={period}",
        "wall_url": f"{base}?{urlencode({'period': period, 'wall': '1'})}",
        "normal_url": f"{base}?{urlencode({'period': period})}",
        "kind": kind,
        "pk": pk,
        "recounting": snapshots.is_stale(dashboard.counted_at, now),
    }
    return render(request, "dashboard/place.html", context)


@replica_reads
@login_required
def chart(request: HttpRequest, kind: str, pk: int, name: str) -> HttpResponse:
    """One chart of the page, drawn from the same selectors as its table."""
    choice = _choice(request, kind, pk)
    if name not in CHARTS:
        raise Http404
    _period_key, start, end, _links = _period(request)
    allowed = set(selectors.dashboard_place_keys(request.user))
    blocks = snapshots.request_blocks(
        choice.place, allowed, start=start, end=end, now=timezone.now()
    ).blocks
    if name == "trend":
        trend = blocks.trend
        png = charts.bar_chart(_("诉求件数(按类别)"), trend.labels, trend.counts, stacked=True)
    elif name == "rates":
        png = charts.line_chart(_("三率与按期办结率(%)"), blocks.trend.labels, blocks.trend.rates)
    elif name == "status":
        rows = [r for r in blocks.figures.by_status if r.count]
        png = charts.bar_chart(
            _("诉求状态"), [r.label for r in rows], {_("件数"): [r.count for r in rows]}
        )
    else:
        children = blocks.children
        png = charts.bar_chart(
            _("下级诉求与超期"),
            [c.label for c in children],
            {
                _("本期诉求"): [c.total for c in children],
                _("在办"): [c.open_now for c in children],
                _("超期未办结"): [c.overdue_now for c in children],
            },
        )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _sheets(d: Dashboard) -> list[Sheet]:
    f = d.figures
    sheets = [
        Sheet(
            title=_("三率与件数"),
            header=[_("指标"), _("数值"), _("分子/分母")],
            rows=[
                [_("响应率"), str(f.response), f.response.fraction],
                [_("解决率"), str(f.resolution), f.resolution.fraction],
                [_("满意率"), str(f.satisfaction), f.satisfaction.fraction],
                [_("按期办结率"), str(f.on_time), f.on_time.fraction],
                [_("诉求总数"), f.total, ""],
                [_("超期未办结(此刻)"), f.overdue_open, ""],
                [_("超期上报在办(此刻)"), d.escalated_now, ""],
            ],
        ),
        Sheet(
            title=_("下级区域"),
            header=[_("名称"), _("层级"), _("本期诉求"), _("在办"), _("超期未办结"), _("超期上报")],
            rows=[
                [c.label, c.kind_label, c.total, c.open_now, c.overdue_now, c.escalated_now]
                for c in d.children
            ],
            empty_text=_("没有下级区域。"),
        ),
        Sheet(
            title=_("诉求趋势"),
            header=[_("时间"), *d.trend.categories, _("合计")],
            rows=[[label, *counts, total] for label, counts, total in d.trend.rows],
            empty_text=_("这段时间没有诉求。"),
        ),
        Sheet(
            title=_("诉求状态"),
            header=[_("状态"), _("件数")],
            rows=[[r.label, r.count] for r in f.by_status],
        ),
        Sheet(
            title=_("楼栋热力表"),
            header=[_("楼栋"), *d.heat.categories, _("合计")],
            rows=[[label, *counts, total] for label, counts, total in d.heat.rows],
            empty_text=_("这段时间没有落到楼栋的诉求。"),
        ),
    ]
    if d.trend.rates:
        sheets.append(
            Sheet(
                title=_("三率趋势"),
                header=[_("月份"), *d.trend.rates],
                rows=[
                    [label, *[values[i] for values in d.trend.rates.values()]]
                    for i, label in enumerate(d.trend.labels)
                ],
            )
        )
    if d.care is not None:
        c = d.care
        sheets.append(
            Sheet(
                title=_("关爱覆盖"),
                header=[_("指标"), _("数量")],
                rows=[
                    [_("有关爱计划的老人"), c.plans],
                    [_("本周已走访"), c.visits_this_week],
                    [_("本周应走访"), c.visits_due_this_week],
                    [_("未关闭的关爱预警"), c.open_alerts],
                    [_("独居老人尚无关爱计划"), c.living_alone_without_plan],
                ],
            )
        )
    other: list[list[str | int | float | None]] = []
    if d.volunteers is not None:
        other += [
            [_("在册志愿者"), d.volunteers.volunteers],
            [_("本期服务的志愿者"), d.volunteers.serving],
            [_("本期服务时长(小时)"), float(str(d.volunteers.hours))],
        ]
    if d.activities is not None:
        other += [
            [_("活动场次(不含取消)"), d.activities.total],
            [_("已举办"), d.activities.held],
            [_("签到人次"), d.activities.participants],
            [_("服务人次"), d.activities.people_served],
        ]
    if d.party is not None:
        other += [
            [_("主题党日(计划)"), d.party.days_planned],
            [_("主题党日(已开展)"), d.party.days_held],
            [_("党日收集的问题(提出)"), d.party.concerns_raised],
            [_("党日收集的问题(已解决)"), d.party.concerns_resolved],
        ]
    if d.fieldwork is not None:
        other += [
            [_("下沉干部"), d.fieldwork.cadres],
            [_("已下沉"), d.fieldwork.cadres_down],
            [_("下沉走访"), d.fieldwork.visits],
            [_("网格巡查"), d.fieldwork.patrols if d.grid_patrols is None else d.grid_patrols],
        ]
    sheets.append(
        Sheet(
            title=_("志愿活动党建下沉"),
            header=[_("指标"), _("数量")],
            rows=other,
            empty_text=_("没有可查看的数据。"),
        )
    )
    if d.surveys is not None:
        sheets.append(
            Sheet(
                title=_("民意调查"),
                header=[
                    _("调查"),
                    _("状态"),
                    _("邀请户数"),
                    _("答卷"),
                    _("答卷率(%)"),
                    _("平均分(1–5)"),
                ],
                rows=[
                    [
                        s.title,
                        s.status,
                        s.invited,
                        s.answered,
                        None if s.rate is None else str(s.rate),
                        ";".join(f"{n} {'—' if v is None else v}" for n, v in s.dimensions),
                    ]
                    for s in d.surveys
                ],
                empty_text=_("还没有民意调查。"),
            )
        )
    sheets.append(
        Sheet(
            title=_("预警"),
            header=[_("类型"), _("预警"), _("数量")],
            rows=[[w.kind, w.title, w.count] for w in d.warnings],
            empty_text=_("没有未处理的预警。"),
        )
    )
    return sheets


@replica_reads
@login_required
def export(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Every table of the dashboard as one .xlsx workbook, one sheet per table."""
    choice = _choice(request, kind, pk)
    _period_key, start, end, _links = _period(request)
    dashboard = selectors.dashboard_for_user(request.user, choice, start=start, end=end)
    data = xlsx_bytes(_sheets(dashboard))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"dashboard-{kind}-{pk}-{start.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
