"""``/api/v1/reports``: the work report pages (工作报告) over the API — the draft of an
area or grid for a month, quarter or year (figures and paragraphs), filing it with the
paragraphs as edited, the filed reports, and their Word, PDF and Excel files — through
the same selectors and services as the pages (``linli.reports.views``).

As on the pages: without the reporting capability it is a 403; an area, grid or filed
report outside the caller's reporting scope is a 404.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user, require_capability
from linli.areas.models import Area, Grid
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut
from linli.core.roles import Capability
from linli.reports.content import ReportContent, build_report
from linli.reports.models import FiledReport
from linli.reports.periods import Period, parse_period
from linli.reports.selectors import (
    report_get_for_user,
    report_place_get,
    report_places,
    visible_reports,
)
from linli.reports.services import FORMATS, MAX_SECTION_CHARS, report_download, report_file

router = Router(tags=["reports"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 422: ErrorOut}

AREA_DESCRIPTION = (
    "区域编码,或 `grid:` 加网格编码(见 `GET /reports/places`),须在本人的报告范围内;"
    "不带前缀的编码先找区域,再找网格"
)
PERIOD_DESCRIPTION = "报告期:月 2026-11,季度 2026-Q4,年 2026"


class ReportPlaceOut(Schema):
    code: str = Field(
        ..., description="区域编码;网格为 `grid:` 加网格编码(网格编码可能与小区编码相同)"
    )
    name: str


class FigureRowOut(Schema):
    label: str
    current: str = Field(..., description="本期")
    previous: str = Field(..., description="上期")
    change: str = Field(..., description="变化(文字,如“增加2件”)")


class FigureTableOut(Schema):
    key: str
    title: str
    rows: list[FigureRowOut]


class SectionOut(Schema):
    key: str = Field(..., description="段落的键:存档时 `sections` 用它改写这一段")
    title: str
    text: str


class CategoryCountOut(Schema):
    label: str
    count: int


class ReportContentOut(Schema):
    title: str
    area_name: str
    period_key: str
    period_label: str = Field(..., description="如“2026年11月”")
    previous_label: str = Field(..., description="比较的上一期")
    tables: list[FigureTableOut] = Field(..., description="各项数字(不可改写)")
    sections: list[SectionOut] = Field(..., description="各段文字(存档前可改写)")
    by_category: list[CategoryCountOut] = Field(..., description="本期诉求按类别的件数")


class FiledReportOut(Schema):
    id: int
    title: str
    area: str = Field(..., description="区域编码(网格报告为网格所在社区)")
    area_name: str
    grid: str | None = Field(..., description="网格编码;不是网格报告为 null")
    period_kind: str = Field(..., description="month 月 / quarter 季度 / year 年")
    period_key: str
    filed_by: str | None
    filed_at: dt.datetime


class FiledReportDetailOut(FiledReportOut):
    content: ReportContentOut


def _content_out(content: ReportContent) -> ReportContentOut:
    return ReportContentOut(
        title=content.title,
        area_name=content.area_name,
        period_key=content.period_key,
        period_label=content.period_label,
        previous_label=content.previous_label,
        tables=[
            FigureTableOut(
                key=t.key,
                title=t.title,
                rows=[
                    FigureRowOut(
                        label=r.label, current=r.current, previous=r.previous, change=r.change
                    )
                    for r in t.rows
                ],
            )
            for t in content.tables
        ],
        sections=[SectionOut(key=s.key, title=s.title, text=s.text) for s in content.sections],
        by_category=[CategoryCountOut(label=label, count=n) for label, n in content.by_category],
    )


def _report_fields(report: FiledReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "title": report.title,
        "area": report.area.code,
        "area_name": report.area.name,
        "grid": report.grid.code if report.grid else None,
        "period_kind": report.period_kind,
        "period_key": report.period_key,
        "filed_by": str(report.filed_by) if report.filed_by else None,
        "filed_at": report.filed_at,
    }


def _report_outs(request: HttpRequest, reports: list[FiledReport]) -> list[FiledReportOut]:
    return [FiledReportOut(**_report_fields(r)) for r in reports]


def _detail(report: FiledReport) -> FiledReportDetailOut:
    return FiledReportDetailOut(
        **_report_fields(report),
        content=_content_out(ReportContent.from_dict(report.content_data)),
    )


def _period(value: str) -> Period:
    try:
        return parse_period(value)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from error


def _draft(request: HttpRequest, code: str, period_key: str) -> tuple[Area | Grid, Period]:
    """The place and period of a draft, checked as the draft page checks them."""
    require_capability(request, Capability.REPORTS_FILE)
    period = _period(period_key)
    return report_place_get(user=request_user(request), code=code), period


@router.get(
    "/places",
    response={200: list[ReportPlaceOut], **ERRORS},
    summary="可以写报告的区域和网格",
    description="与工作报告页面的区域选择相同:本人报告范围内的街道、社区、小区和网格。"
    "需要报告的权限。",
)
def report_places_api(request: HttpRequest) -> Any:
    require_capability(request, Capability.REPORTS_FILE)
    return [ReportPlaceOut(code=c, name=n) for c, n in report_places(request_user(request))]


class DraftQuery(Schema):
    area: str = Field(..., max_length=50, description=AREA_DESCRIPTION)
    period: str = Field(..., max_length=10, description=PERIOD_DESCRIPTION)


@router.get(
    "/draft",
    response={200: ReportContentOut, **WRITE_ERRORS},
    summary="工作报告草稿:数字与各段文字",
    description="与「工作报告草稿」页面相同:按本人能看到的数据计算该区域(或网格)本期与上期的"
    "数字,并写出各段文字。草稿不保存;改写文字后用 `POST /reports` 存档。需要报告的权限;"
    "区域不在范围内为 404,报告期格式不对为 422。",
)
def report_draft(request: HttpRequest, query: Query[DraftQuery]) -> Any:
    place, period = _draft(request, query.area, query.period)
    return _content_out(build_report(request_user(request), place, period))


class ReportFileIn(Schema):
    area: str = Field(..., max_length=50, description=AREA_DESCRIPTION)
    period: str = Field(..., max_length=10, description=PERIOD_DESCRIPTION)
    sections: dict[
        Annotated[str, Field(max_length=30)], Annotated[str, Field(max_length=MAX_SECTION_CHARS)]
    ] = Field(
        default_factory=dict,
        max_length=20,
        description="改写的段落:段落的键 → 文字(每段不能为空,最多 "
        f"{MAX_SECTION_CHARS} 字);没有给出的段落保留草稿的文字",
    )


@router.post(
    "",
    response={201: FiledReportDetailOut, **WRITE_ERRORS},
    summary="存档工作报告(可改写各段文字)",
    description="与「工作报告草稿」页面的「存档」相同:重新计算数字,用 `sections` 中改写的文字"
    "替换相应段落后存档;存档后可下载 Word、PDF 或 Excel。需要报告的权限;区域不在范围内为 "
    "404;报告期格式不对、段落的键不存在、文字为空或过长为 422(`errors` 以段落的键指明)。"
    "存档记入审计日志。",
)
def report_file_api(request: HttpRequest, payload: ReportFileIn) -> Any:
    place, period = _draft(request, payload.area, payload.period)
    content = build_report(request_user(request), place, period)
    known = {s.key for s in content.sections}
    unknown = sorted(set(payload.sections) - known)
    if unknown:
        raise ValidationError(
            {
                "sections": [
                    _("没有这一段:%(keys)s;可以改写的段落:%(known)s。")
                    % {"keys": "、".join(unknown), "known": "、".join(sorted(known))}
                ]
            }
        )
    report = report_file(
        actor=request_user(request),
        area=place.community if isinstance(place, Grid) else place,
        grid=place if isinstance(place, Grid) else None,
        period=period,
        content=content,
        texts=payload.sections,
    )
    return Reply(201, _detail(report_get_for_user(user=request_user(request), pk=report.pk)))


@router.get(
    "",
    response={200: list[FiledReportOut], **ERRORS},
    summary="已存档的工作报告(最近的在前)",
    description="与工作报告页面的列表相同:本人报告范围内的报告。",
)
@paginate(pages_of(_report_outs), page_size=20, max_page_size=100)
def reports_list(request: HttpRequest) -> Any:
    require_capability(request, Capability.REPORTS_FILE)
    return visible_reports(request_user(request)).select_related("grid")


@router.get(
    "/{report_id}",
    response={200: FiledReportDetailOut, **ERRORS},
    summary="一份已存档的工作报告",
    description="存档时的数字与文字。范围外为 404。",
)
def report_detail(request: HttpRequest, report_id: int) -> Any:
    return _detail(report_get_for_user(user=request_user(request), pk=report_id))


@router.get(
    "/{report_id}/report.{fmt}",
    response={**ERRORS, 422: ErrorOut},
    summary="下载已存档的工作报告(Word、PDF 或 Excel)",
    description="与报告页面的下载相同:`fmt` 为 `docx`、`pdf` 或 `xlsx`,文件名为区域(或网格)"
    "编码加报告期。范围外为 404;每次下载记入审计日志。",
    openapi_extra={
        "responses": {
            "200": {
                "description": "报告文件(附件)",
                "content": {
                    mime: {"schema": {"type": "string", "format": "binary"}}
                    for _writer, mime in FORMATS.values()
                },
            }
        }
    },
)
def report_download_api(
    request: HttpRequest, report_id: int, fmt: Literal["docx", "pdf", "xlsx"]
) -> HttpResponse:
    report = report_get_for_user(user=request_user(request), pk=report_id)
    body, mime, filename = report_download(actor=request_user(request), report=report, fmt=fmt)
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
