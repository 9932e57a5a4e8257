"""``/api/v1/imports``: the register import page (名册导入) over the API — the template,
the upload with its dry run, the job's progress and problems, and the all-or-nothing
import — through the same services and tasks as the page (``linli.imports.views``).

Who may import what is the page's rule: each kind needs its own capability (none at all
is a 403), and a community or job outside the caller's scope is a 404.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.areas.models import Area
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut, RecordId
from linli.core.spreadsheets import XLSX_CONTENT_TYPE
from linli.imports import exports, services, tasks
from linli.imports.kinds import ImportKind
from linli.imports.models import ImportJob

router = Router(tags=["imports"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


class ImportJobOut(Schema):
    id: int
    kind: str = Field(
        ..., description="导入内容:residents 居民 / volunteers 志愿者 / party_members 党员"
    )
    kind_label: str
    community: int = Field(..., description="导入到的社区(区域编号)")
    community_name: str
    file_name: str
    update_existing: bool = Field(..., description="是否按身份证号更新已登记居民(上传时选择)")
    status: str = Field(
        ...,
        description="queued 排队中 / checking 检查中 / checked 检查通过,待导入 / "
        "invalid 检查发现问题 / importing 导入中 / done 导入完成 / failed 导入失败,未导入任何数据",
    )
    status_label: str
    running: bool = Field(..., description="检查或导入仍在进行(可隔几秒再读取)")
    total: int = Field(..., description="数据行数")
    processed: int = Field(..., description="已处理的行数")
    percent: int = Field(..., description="进度(0–100)")
    problem_count: int = Field(
        ..., description="发现的问题数(逐条见 `GET /imports/jobs/{job_id}/problems`)"
    )
    created_count: int = Field(..., description="新增")
    updated_count: int = Field(..., description="更新")
    households_created: int = Field(..., description="新增住户")
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportProblemOut(Schema):
    row: int = Field(..., description="表中的行号(表头为第 1 行)")
    column: str = Field(..., description="列名(与整个文件有关的问题为空)")
    message: str
    value: str = Field(..., description="单元格内容(已脱敏,不含完整姓名、身份证号、手机号)")


def _job_out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut(
        id=job.pk,
        kind=job.kind,
        kind_label=job.kind_label,
        community=job.community_id,
        community_name=job.community.name,
        file_name=job.file_name,
        update_existing=job.update_existing,
        status=job.status,
        status_label=str(job.get_status_display()),
        running=job.running,
        total=job.total,
        processed=job.processed,
        percent=job.percent,
        problem_count=len(job.errors),
        created_count=job.created_count,
        updated_count=job.updated_count,
        households_created=job.households_created,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _job_outs(request: HttpRequest, jobs: list[ImportJob]) -> list[ImportJobOut]:
    return [_job_out(job) for job in jobs]


def _kind_of(request: HttpRequest, key: str) -> ImportKind:
    """The kind ``key`` if the caller may import it (no kind at all is a 403)."""
    kinds = {k.key: k for k in services.import_kinds_for(request_user(request))}
    kind = kinds.get(key)
    if kind is None:
        raise ValidationError(  # 422, as the page's form refuses a kind it does not offer
            {"kind": [_("请选择您可以导入的内容:%(kinds)s。") % {"kinds": "、".join(kinds)}]}
        )
    return kind


class TemplateQuery(Schema):
    kind: str = Field("residents", max_length=30, description="导入内容,默认 residents")


@router.get(
    "/template.xlsx",
    response=ERRORS,
    summary="下载导入模板(Excel)",
    description="与名册导入页面的「下载模板」相同:中文列名和一行示例。需要该内容的导入权限;"
    "没有该内容的导入权限或没有这种内容为 404,完全没有导入权限为 403。",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Excel 工作簿",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def import_template(request: HttpRequest, query: Query[TemplateQuery]) -> HttpResponse:
    kinds = {k.key: k for k in services.import_kinds_for(request_user(request))}
    kind = kinds.get(query.kind)
    if kind is None:
        raise Http404
    response = HttpResponse(exports.template_bytes(kind), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="linli-{kind.key}-template.xlsx"'
    return response


@router.get(
    "/jobs",
    response={200: list[ImportJobOut], **ERRORS},
    summary="导入任务列表(最近的在前)",
    description="本人可导入的内容、范围内社区的导入任务,与名册导入页面的「最近的导入」相同。",
)
@paginate(pages_of(_job_outs), page_size=20, max_page_size=100)
def import_jobs(request: HttpRequest) -> Any:
    user = request_user(request)
    kinds = services.import_kinds_for(user)
    communities = {c for kind in kinds for c in services.import_communities(user, kind.capability)}
    return ImportJob.objects.filter(
        community__in=communities, kind__in=[k.key for k in kinds]
    ).select_related("community")


class ImportUploadIn(Schema):
    community: RecordId = Field(..., description="导入到的社区(区域编号,须在本人的导入范围内)")
    kind: str = Field("residents", max_length=30, description="导入内容,默认 residents")
    update_existing: bool = Field(
        False,
        description="更新已登记居民:按身份证号匹配,用本表内容覆盖(只对居民有效;"
        "不选时已登记的居民在检查中报为重复)",
    )


@router.post(
    "",
    response={201: ImportJobOut, **WRITE_ERRORS},
    summary="上传名册文件并检查(试导入)",
    description="与名册导入页面的上传相同:`multipart/form-data`,字段 `file`(.xlsx,或 UTF-8、"
    "GB18030 编码的 .csv,不超过 20 MB、50 000 行)、`community`、`kind`、`update_existing`。"
    "建立导入任务,由后台检查每一行(状态 `checking`);检查完毕后状态为 `checked`(可导入)"
    "或 `invalid`(问题逐行逐列见 `GET /imports/jobs/{job_id}/problems`,不导入任何数据)。"
    "社区不在范围内为 404;文件类型不对、太大为 422。上传记入审计日志。",
)
def import_upload(
    request: HttpRequest, payload: Form[ImportUploadIn], file: File[UploadedFile]
) -> Any:
    user = request_user(request)
    kind = _kind_of(request, payload.kind)
    community = get_object_or_404(
        Area.objects.filter(
            pk__in=[c.pk for c in services.import_communities(user, kind.capability)]
        ),
        pk=payload.community,
    )
    job = services.import_job_create(
        actor=user,
        community=community,
        file_name=file.name or "",
        content=file.read(),
        update_existing=payload.update_existing,
        kind=kind.key,
    )
    tasks.check_import(job.pk)
    return Reply(201, _job_out(services.import_job_get_for_user(user=user, pk=job.pk)))


@router.get(
    "/jobs/{job_id}",
    response={200: ImportJobOut, **ERRORS},
    summary="一个导入任务:状态、进度与结果",
    description="与导入任务页面相同;检查或导入进行中时 `running` 为 true,`percent` 为进度。"
    "范围外为 404。",
)
def import_job(request: HttpRequest, job_id: int) -> Any:
    return _job_out(services.import_job_get_for_user(user=request_user(request), pk=job_id))


def _problem_outs(request: HttpRequest, problems: list[dict[str, Any]]) -> list[ImportProblemOut]:
    return [
        ImportProblemOut(
            row=int(p.get("row", 0)),
            column=str(p.get("column", "")),
            message=str(p.get("message", "")),
            value=str(p.get("value", "")),
        )
        for p in problems
    ]


@router.get(
    "/jobs/{job_id}/problems",
    response={200: list[ImportProblemOut], **ERRORS},
    summary="检查或导入发现的问题(逐行逐列)",
    description="与导入任务页面的问题表相同,按行号排列;最多保留前 2000 条。范围外为 404。",
)
@paginate(pages_of(_problem_outs), page_size=100, max_page_size=500)
def import_job_problems(request: HttpRequest, job_id: int) -> Any:
    job = services.import_job_get_for_user(user=request_user(request), pk=job_id)
    return list(job.errors)


@router.post(
    "/jobs/{job_id}/run",
    response={202: ImportJobOut, **WRITE_ERRORS},
    summary="导入检查通过的文件(全部导入或全部不导入)",
    description="与导入任务页面的「确认导入」相同:由后台在一个事务中导入全部行,"
    "任何一行出错则不导入任何数据(状态 `failed`,问题逐行列出)。是否更新已登记居民"
    "在上传时选定(`update_existing`)。只有状态为 `checked` 的任务可以导入,否则为 409。"
    "范围外为 404。每条新增或更新的记录与本次导入都记入审计日志。",
)
def import_job_run(request: HttpRequest, job_id: int) -> Any:
    user = request_user(request)
    job = services.import_job_get_for_user(user=user, pk=job_id)
    services.import_job_start(job=job, actor=user)
    tasks.run_import(job.pk)
    return Reply(202, _job_out(services.import_job_get_for_user(user=user, pk=job.pk)))
