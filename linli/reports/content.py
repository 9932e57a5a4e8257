"""What a work report says, computed from the records through the apps' own selectors.

Nothing here counts anything itself: the figures come from ``figures_for_user``
(linli.requests.figures), ``activity_figures`` (linli.activities), ``party_figures``
(linli.party) and ``fieldwork_figures`` (linli.fieldwork) for the period and the one
before it (环比). The notable cases are read from the records in the user's scope and
written without naming anyone: a place is told at building level (「向阳花园3号楼」),
a person not at all.

The result is plain data (:class:`ReportContent`, JSON-serialisable through
:meth:`ReportContent.as_dict`) so a filed report keeps exactly what was filed and can be
rendered again as .docx, PDF or Excel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import AnyUser
from linli.activities.models import Status as ActivityStatus
from linli.activities.selectors import activities_in, activity_figures, people_served
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import ancestor_paths
from linli.dashboard.selectors import care_period, survey_rows
from linli.earlywarning.selectors import visible_warnings
from linli.fieldwork.selectors import fieldwork_figures
from linli.party.models import PartyDayConcern
from linli.party.selectors import party_figures, visible_party_days
from linli.reports.periods import Period
from linli.requests.figures import (
    DISPUTE_CATEGORY,
    Rate,
    figures_for_user,
    local_day_start,
    place_condition,
)
from linli.requests.models import Mediation
from linli.requests.selectors import visible_requests
from linli.requests.workflow import Status as RequestStatus

RESOLVED = (RequestStatus.RESOLVED, RequestStatus.CLOSED)


@dataclass(frozen=True)
class FigureRow:
    """One line of a figures table: the value now, before, and the change in words."""

    label: str
    current: str
    previous: str
    change: str


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[FigureRow]


@dataclass
class Section:
    key: str
    title: str
    text: str


@dataclass
class ReportContent:
    title: str
    area_name: str
    period_key: str
    period_label: str
    previous_label: str
    tables: list[Table]
    sections: list[Section]
    # Numbers behind the charts: category counts of the requests this period.
    by_category: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "area_name": self.area_name,
            "period_key": self.period_key,
            "period_label": self.period_label,
            "previous_label": self.previous_label,
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "rows": [[r.label, r.current, r.previous, r.change] for r in t.rows],
                }
                for t in self.tables
            ],
            "sections": [{"key": s.key, "title": s.title, "text": s.text} for s in self.sections],
            "by_category": [[label, count] for label, count in self.by_category],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportContent:
        return cls(
            title=str(data["title"]),
            area_name=str(data["area_name"]),
            period_key=str(data["period_key"]),
            period_label=str(data["period_label"]),
            previous_label=str(data["previous_label"]),
            tables=[
                Table(
                    key=str(t["key"]),
                    title=str(t["title"]),
                    rows=[FigureRow(*(str(v) for v in row)) for row in t["rows"]],
                )
                for t in data["tables"]
            ],
            sections=[
                Section(key=str(s["key"]), title=str(s["title"]), text=str(s["text"]))
                for s in data["sections"]
            ],
            by_category=[(str(label), int(count)) for label, count in data.get("by_category", [])],
        )

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# --- comparisons (环比) --------------------------------------------------------------------


def percent_text(rate: Rate) -> str:
    return str(rate)


def rate_change(current: Rate, previous: Rate, previous_label: str) -> str:
    """「较10月上升3.2个百分点」, 「与10月持平」, or "" when either has nothing to judge."""
    now, before = current.percent, previous.percent
    if now is None or before is None:
        return ""
    delta = now - before
    if delta == 0:
        return _("与%(p)s持平") % {"p": previous_label}
    word = _("上升") if delta > 0 else _("下降")
    return _("较%(p)s%(word)s%(d)s个百分点") % {"p": previous_label, "word": word, "d": abs(delta)}


def count_change(current: int, previous: int, previous_label: str, unit: str) -> str:
    """「较10月增加5件(+6.1%)」, 「与10月持平」."""
    delta = current - previous
    if delta == 0:
        return _("与%(p)s持平") % {"p": previous_label}
    word = _("增加") if delta > 0 else _("减少")
    text = _("较%(p)s%(word)s%(d)s%(unit)s") % {
        "p": previous_label,
        "word": word,
        "d": abs(delta),
        "unit": unit,
    }
    if previous:
        share = (Decimal(delta) * 100 / Decimal(previous)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        sign = "+" if share > 0 else ""
        text += f"({sign}{share}%)"
    return text


def _count_row(label: str, now: int, before: int, previous_label: str, unit: str) -> FigureRow:
    return FigureRow(label, str(now), str(before), count_change(now, before, previous_label, unit))


def _rate_row(label: str, now: Rate, before: Rate, previous_label: str) -> FigureRow:
    return FigureRow(
        label,
        f"{now}({now.fraction})" if now.denominator else str(now),
        str(before),
        rate_change(now, before, previous_label),
    )


# --- places, told without people ------------------------------------------------------------


def building_label(area: Area | None) -> str:
    """The building (or the nearest place above it) of a location, with its compound:
    「向阳花园3号楼」. Never a room."""
    if area is None:
        return _("辖区内")
    paths = ancestor_paths(area.path)
    chain = {a.path: a for a in Area.objects.filter(path__in=paths)}
    ordered = [chain[p] for p in paths if p in chain]
    kept = [a for a in ordered if a.kind in (AreaKind.COMPOUND, AreaKind.BUILDING)]
    if not kept:
        kept = [a for a in ordered if a.kind == AreaKind.COMMUNITY]
    return "".join(a.name for a in kept) or _("辖区内")


def _hours(delta: dt.timedelta) -> str:
    hours = Decimal(delta.total_seconds()) / Decimal(3600)
    if hours < 1:
        return _("%(m)s分钟") % {"m": max(1, int(delta.total_seconds() // 60))}
    return _("%(h)s小时") % {"h": hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)}


def place_name(place: Area | Grid) -> str:
    """「和平社区」, or 「和平社区第1网格」 for a grid."""
    return f"{place.community.name}{place.name}" if isinstance(place, Grid) else place.name


def notable_cases(
    user: AnyUser, place: Area | Grid, period: Period, *, limit: int = 3
) -> list[str]:
    """Short sentences about the period's notable cases, no resident named. A grid's
    activities and party days are its community's."""
    since, until = local_day_start(period.start), local_day_start(period.end)
    requests = visible_requests(user).filter(place_condition(place))
    area = place.community if isinstance(place, Grid) else place
    cases: list[str] = []

    mediations = (
        Mediation.objects.filter(
            request__in=requests.filter(category__code=DISPUTE_CATEGORY).values("pk"),
            concluded_at__gte=since,
            concluded_at__lt=until,
            outcome=Mediation.Outcome.AGREEMENT,
            request__status=RequestStatus.CLOSED,
        )
        .select_related("request__location")
        .order_by("concluded_at", "pk")[:limit]
    )
    for mediation in mediations:
        sessions = mediation.sessions.count()
        cases.append(
            _("%(place)s一起邻里纠纷,经%(n)s次调解达成协议,%(day)s结案。")
            % {
                "place": building_label(mediation.request.location),
                "n": max(sessions, 1),
                "day": _date(mediation.concluded_at),
            }
        )

    urgent = (
        requests.filter(urgent=True, resolved_at__gte=since, resolved_at__lt=until)
        .filter(status__in=RESOLVED)
        .annotate(took=F("resolved_at") - F("submitted_at"))
        .select_related("location", "category")
        .order_by("took", "pk")[:limit]
    )
    for item in urgent:
        assert item.resolved_at is not None
        cases.append(
            _("%(place)s%(category)s紧急诉求,从受理到办结用时%(took)s。")
            % {
                "place": building_label(item.location),
                "category": item.category.name,
                "took": _hours(item.resolved_at - item.submitted_at),
            }
        )

    held = (
        activities_in(user=user, area=area, start=period.start, end=period.last_day)
        .filter(status__in=[ActivityStatus.HELD, ActivityStatus.SUMMARISED])
        .prefetch_related("served")
        .order_by("starts_at", "pk")
    )
    served = sorted(
        ((n, a) for a in held if (n := people_served(a)) > 0), key=lambda pair: -pair[0]
    )[:limit]
    for count, activity in sorted(served, key=lambda pair: (pair[1].starts_at, pair[1].pk)):
        cases.append(
            _("%(day)s举办「%(title)s」,服务群众%(n)s人。")
            % {"day": _date(activity.starts_at), "title": activity.title, "n": count}
        )

    days = visible_party_days(user).filter(
        planned_for__gte=period.start,
        planned_for__lte=period.last_day,
        organisation__area__path__startswith=area.path,
    )
    for day in days.order_by("planned_for", "pk")[:limit]:
        concerns = PartyDayConcern.objects.filter(party_day=day).select_related("request")
        raised = concerns.count()
        if not raised:
            continue
        done = sum(1 for c in concerns if c.request.status in RESOLVED)
        cases.append(
            _("「%(topic)s」主题党日收集群众意见%(n)s条,已转为诉求办理,办结%(done)s条。")
            % {"topic": day.topic, "n": raised, "done": done}
        )
    return cases


def _date(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return _("%(m)s月%(d)s日") % {"m": local.month, "d": local.day}


# --- the report -----------------------------------------------------------------------------


def build_report(
    user: AnyUser, place: Area | Grid, period: Period, *, now: dt.datetime | None = None
) -> ReportContent:
    """The draft report of ``place`` (a town, community, compound or grid) for ``period``
    as ``user`` may see it. A grid's activities, party days and sink-down are its
    community's (the report says so)."""
    area = place.community if isinstance(place, Grid) else place
    before = period.previous()
    prev = before.label_after(period)
    label = period.short_label

    req = figures_for_user(user, place, period.start, period.end, now=now)
    req_before = figures_for_user(user, place, before.start, before.end, now=now)
    resolved_now = sum(r.count for r in req.by_status if r.key in RESOLVED)
    resolved_before = sum(r.count for r in req_before.by_status if r.key in RESOLVED)

    act = activity_figures(user=user, area=area, start=period.start, end=period.last_day)
    act_before = activity_figures(user=user, area=area, start=before.start, end=before.last_day)
    party = party_figures(user=user, area=area, start=period.start, end=period.last_day)
    party_before = party_figures(user=user, area=area, start=before.start, end=before.last_day)
    field_now = fieldwork_figures(user, start=period.start, end=period.last_day, area=area)
    field_before = fieldwork_figures(user, start=before.start, end=before.last_day, area=area)
    warnings = _warnings_raised(user, place, period)
    warnings_before = _warnings_raised(user, place, before)
    care = care_period(user, place, start=period.start, end=period.end)
    care_before = care_period(user, place, start=before.start, end=before.end)
    surveys = survey_rows(user, place, start=period.start, end=period.end)

    unit_req, unit_times, unit_people = _("件"), _("次"), _("人")
    tables = [
        Table(
            "requests",
            _("居民诉求办理"),
            [
                _count_row(_("受理诉求"), req.total, req_before.total, prev, unit_req),
                _count_row(_("办结"), resolved_now, resolved_before, prev, unit_req),
                _rate_row(_("响应率"), req.response, req_before.response, prev),
                _rate_row(_("按期办结率"), req.on_time, req_before.on_time, prev),
                _rate_row(_("解决率"), req.resolution, req_before.resolution, prev),
                _rate_row(_("满意率"), req.satisfaction, req_before.satisfaction, prev),
                _count_row(
                    _("矛盾纠纷化解"),
                    req.disputes_resolved,
                    req_before.disputes_resolved,
                    prev,
                    unit_req,
                ),
                FigureRow(_("当前超期未办结"), str(req.overdue_open), "", ""),
            ],
        ),
        Table(
            "activities",
            _("活动与志愿服务"),
            [
                _count_row(_("开展活动"), act.held, act_before.held, prev, unit_times),
                _count_row(
                    _("服务群众"), act.people_served, act_before.people_served, prev, unit_people
                ),
                _count_row(
                    _("参与志愿者"), act.volunteers, act_before.volunteers, prev, unit_people
                ),
                FigureRow(
                    _("志愿服务时长(小时)"),
                    str(act.volunteer_hours),
                    str(act_before.volunteer_hours),
                    "",
                ),
            ],
        ),
        Table(
            "party",
            _("党建引领与干部下沉"),
            [
                _count_row(
                    _("主题党日"), party.days_held, party_before.days_held, prev, unit_times
                ),
                _count_row(
                    _("党日收集意见"),
                    party.concerns_raised,
                    party_before.concerns_raised,
                    prev,
                    _("条"),
                ),
                _count_row(
                    _("干部下沉走访"), field_now.visits, field_before.visits, prev, unit_times
                ),
                _count_row(
                    _("网格巡查"), field_now.patrols, field_before.patrols, prev, unit_times
                ),
                _count_row(_("预警"), warnings, warnings_before, prev, _("条")),
            ],
        ),
    ]
    care_text = _("无权查看关爱数据,本节从略。")
    if care is not None and care_before is not None:
        tables.append(
            Table(
                "care",
                _("关爱走访"),
                [
                    _count_row(
                        _("有关爱计划的老人"), care.plans, care_before.plans, prev, unit_people
                    ),
                    _count_row(
                        _("已走访"), care.visits_done, care_before.visits_done, prev, unit_times
                    ),
                    FigureRow(
                        _("应走访(按计划)"), str(care.visits_due), str(care_before.visits_due), ""
                    ),
                    _count_row(
                        _("关爱预警"), care.alerts_raised, care_before.alerts_raised, prev, _("条")
                    ),
                    FigureRow(_("当前未关闭的关爱预警"), str(care.alerts_open), "", ""),
                    FigureRow(
                        _("独居老人尚无关爱计划"), str(care.living_alone_without_plan), "", ""
                    ),
                ],
            )
        )
        care_text = _(
            "%(label)s共有%(plans)s位老人纳入关爱计划,按计划应走访%(due)s次,实际走访%(done)s次"
            "%(change)s;新发关爱预警%(raised)s条,目前未关闭%(open)s条。"
        ) % {
            "label": label,
            "plans": care.plans,
            "due": care.visits_due,
            "done": care.visits_done,
            "change": _comma(
                count_change(care.visits_done, care_before.visits_done, prev, unit_times)
            ),
            "raised": care.alerts_raised,
            "open": care.alerts_open,
        }
        if care.living_alone_without_plan:
            care_text += _("另有%(n)s位独居老人尚无关爱计划。") % {
                "n": care.living_alone_without_plan
            }
    surveys_text = _("无权查看民意调查,本节从略。")
    if surveys is not None:
        rows = []
        sentences = []
        for survey in surveys:
            rate = "—" if survey.rate is None else f"{survey.rate}%"
            scores = [(d, v) for d, v in survey.dimensions if v is not None]
            score_text = "、".join(f"{d}{v}" for d, v in scores)
            rows.append(
                FigureRow(
                    survey.title,
                    _("%(answered)s/%(invited)s户,答卷率%(rate)s")
                    % {"answered": survey.answered, "invited": survey.invited, "rate": rate},
                    score_text,
                    survey.status,
                )
            )
            sentence = _(
                "「%(title)s」邀请%(invited)s户,收回答卷%(answered)s份(答卷率%(rate)s)"
            ) % {
                "title": survey.title,
                "invited": survey.invited,
                "answered": survey.answered,
                "rate": rate,
            }
            if scores:
                sentence += _(",平均得分(满分5分):%(scores)s") % {"scores": score_text}
            sentences.append(sentence + _("。"))
        if rows:
            tables.append(Table("surveys", _("民意调查(答卷/得分/状态)"), rows))
        surveys_text = "".join(sentences) if sentences else _("本期没有进行中的民意调查。")

    summary = _(
        "%(label)s共受理居民诉求%(total)s件,办结%(resolved)s件,按期办结率%(on_time)s%(on_time_change)s;"
        "响应率%(response)s,满意率%(satisfaction)s%(satisfaction_change)s。"
        "目前超期未办结%(overdue)s件。"
    ) % {
        "label": label,
        "total": req.total,
        "resolved": resolved_now,
        "on_time": req.on_time,
        "on_time_change": _comma(rate_change(req.on_time, req_before.on_time, prev)),
        "response": req.response,
        "satisfaction": req.satisfaction,
        "satisfaction_change": _comma(rate_change(req.satisfaction, req_before.satisfaction, prev)),
        "overdue": req.overdue_open,
    }
    top = sorted((r for r in req.by_category if r.count), key=lambda r: -r.count)[:3]
    if top:
        summary += _("诉求主要集中在%(cats)s。") % {
            "cats": "、".join(f"{r.label}({r.count}件)" for r in top)
        }
    if req.disputes_resolved:
        summary += _("化解矛盾纠纷%(n)s件。") % {"n": req.disputes_resolved}

    activities_text = _(
        "%(label)s开展活动%(held)s次%(change)s,服务群众%(served)s人,"
        "%(volunteers)s名志愿者参与,服务时长%(hours)s小时。"
    ) % {
        "label": label,
        "held": act.held,
        "change": _comma(count_change(act.held, act_before.held, prev, unit_times)),
        "served": act.people_served,
        "volunteers": act.volunteers,
        "hours": act.volunteer_hours,
    }
    party_text = _(
        "%(label)s召开主题党日%(days)s次,收集群众意见%(raised)s条,办结%(resolved)s条;"
        "干部下沉走访%(visits)s次、入户%(households)s户,网格巡查%(patrols)s次;"
        "预警%(warnings)s条。"
    ) % {
        "label": label,
        "days": party.days_held,
        "raised": party.concerns_raised,
        "resolved": party.concerns_resolved,
        "visits": field_now.visits,
        "households": field_now.households,
        "patrols": field_now.patrols,
        "warnings": warnings,
    }
    cases = notable_cases(user, place, period)
    cases_text = "\n".join(cases) if cases else _("本期无典型案例。")

    return ReportContent(
        title=_("%(area)s%(period)s工作报告") % {"area": place_name(place), "period": period.label},
        area_name=place_name(place),
        period_key=period.key,
        period_label=period.label,
        previous_label=prev,
        tables=tables,
        sections=[
            Section("summary", _("一、诉求办理"), summary),
            Section("activities", _("二、活动与志愿服务"), activities_text),
            Section("party", _("三、党建引领与干部下沉"), party_text),
            Section("care", _("四、关爱走访"), care_text),
            Section("surveys", _("五、民意调查"), surveys_text),
            Section("cases", _("六、典型案例"), cases_text),
        ],
        by_category=[(r.label, r.count) for r in req.by_category],
    )


def _comma(change: str) -> str:
    return f",{change}" if change else ""


def _warnings_raised(user: AnyUser, place: Area | Grid, period: Period) -> int:
    """Early warnings raised in the period at places within ``place``."""
    since, until = local_day_start(period.start), local_day_start(period.end)
    inside = (
        Q(grid=place) | Q(area__grid=place)
        if isinstance(place, Grid)
        else Q(area__path__startswith=place.path)
    )
    return visible_warnings(user).filter(inside, raised_at__gte=since, raised_at__lt=until).count()
