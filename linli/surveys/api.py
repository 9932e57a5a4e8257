"""``/api/v1/surveys``: surveys of the caller's communities and their results, scoped like
the pages (a survey outside the caller's scope is a 404; no survey capability is a 403)."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from linli.accounts.current import request_user
from linli.accounts.selectors import capabilities_of
from linli.core.api_pagination import ApiPages
from linli.core.api_schemas import ErrorOut
from linli.core.roles import Capability
from linli.surveys.models import Survey
from linli.surveys.selectors import survey_get_for_user, survey_list, survey_results

router = Router(tags=["surveys"])


ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class SurveyOut(Schema):
    id: int
    title: str
    status: str = Field(..., description="draft 草稿 / open 进行中 / closed 已结束")
    community: str
    audience: str = Field(..., description="调查范围(社区、小区、楼栋,或一个网格)")
    named: bool = Field(..., description="实名调查;默认匿名")
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    invited: int = Field(..., description="邀请户数")
    answered: int = Field(..., description="作答户数")


class SurveyChoiceOut(Schema):
    label: str
    count: int
    percent: Decimal | None


class SurveyQuestionOut(Schema):
    position: int
    kind: str = Field(..., description="single 单选 / multiple 多选 / scale 1–5 分 / text 文字")
    text: str
    dimension: str = Field(..., description="获得感、幸福感、安全感等;可为空")
    answered: int
    mean: Decimal | None = Field(None, description="1–5 分题的平均分")
    choices: list[SurveyChoiceOut] = Field(default_factory=list, description="选择题或各分值的人数")
    texts: list[str] = Field(default_factory=list, description="最近 50 条文字回答")


class SurveyGridOut(Schema):
    grid: str | None = Field(..., description="网格名称;未划网格的楼栋为 null")
    invited: int
    answered: int
    rate: Decimal | None = Field(..., description="回收率(%)")
    dimensions: dict[str, Decimal | None] = Field(..., description="各指标平均分")


class ResultsOut(Schema):
    survey: SurveyOut
    rate: Decimal | None = Field(..., description="总回收率(%)")
    overall: dict[str, Decimal | None] = Field(..., description="各指标平均分(满分 5)")
    grids: list[SurveyGridOut]
    questions: list[SurveyQuestionOut]


def _survey_out(survey: Survey, invited: int, answered: int) -> SurveyOut:
    audience = survey.audience_area.name
    if survey.audience_grid is not None:
        audience = f"{audience} · {survey.audience_grid.name}"
    return SurveyOut(
        id=survey.pk,
        title=survey.title,
        status=survey.status,
        community=survey.community.name,
        audience=audience,
        named=survey.named,
        opened_at=survey.opened_at,
        closed_at=survey.closed_at,
        invited=invited,
        answered=answered,
    )


def _require_view(request: HttpRequest) -> None:
    if Capability.SURVEYS_VIEW not in capabilities_of(request_user(request)):
        raise PermissionDenied(_("您没有查看民意调查的权限。"))


class Pages(ApiPages):
    """``?page=N&page_size=M`` (20 a page, at most 100): ``{items, count}``."""

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: PageNumberPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = [
            _survey_out(s, s.invited, s.answered) for s in page[self.items_attribute]
        ]
        return page


@router.get(
    "",
    response={200: list[SurveyOut], **ERRORS},
    summary="民意调查列表(最新的在前)",
    description="调用者所在社区的调查,含邀请户数和作答户数。",
)
@paginate(Pages, page_size=20, max_page_size=100)
def list_surveys(request: HttpRequest) -> QuerySet[Survey]:
    _require_view(request)
    return survey_list(user=request_user(request))


@router.get(
    "/{survey_id}",
    response={200: ResultsOut, **ERRORS},
    summary="一份调查的结果",
    description="按题目和按网格的结果:回收率、各指标平均分、选项人数、最近的文字回答。",
)
def survey_detail(request: HttpRequest, survey_id: int) -> ResultsOut:
    # No capability means an empty scope: a 404, like any object outside the scope.
    survey = survey_get_for_user(user=request_user(request), pk=survey_id)
    results = survey_results(survey)
    return ResultsOut(
        survey=_survey_out(survey, results.invited, results.answered),
        rate=results.rate,
        overall=results.overall,
        grids=[
            SurveyGridOut(
                grid=row.grid.name if row.grid else None,
                invited=row.invited,
                answered=row.answered,
                rate=row.rate,
                dimensions=row.dimensions,
            )
            for row in results.grids
        ],
        questions=[
            SurveyQuestionOut(
                position=r.question.position,
                kind=r.question.kind,
                text=r.question.text,
                dimension=r.question.dimension,
                answered=r.answered,
                mean=r.mean,
                choices=[
                    SurveyChoiceOut(label=c.label, count=c.count, percent=c.percent)
                    for c in (r.choices or r.scale_counts)
                ],
                texts=[a.text for a in r.texts],
            )
            for r in results.questions
        ],
    )
