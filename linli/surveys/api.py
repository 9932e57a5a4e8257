"""``/api/v1/surveys``: surveys of the caller's communities and their results, scoped like
the pages (a survey outside the caller's scope is a 404; no survey capability is a 403)."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user, require_capability
from linli.accounts.selectors import capabilities_of, scope_for
from linli.areas.models import Area, Grid
from linli.areas.selectors import communities_in_scope
from linli.core.api_pagination import ApiPages, pages_of
from linli.core.api_schemas import ErrorOut
from linli.core.audit import audit_record
from linli.core.errors import Conflict
from linli.core.models import AuditEvent
from linli.core.roles import Capability
from linli.core.spreadsheets import XLSX_CONTENT_TYPE
from linli.people.models import Resident
from linli.surveys.models import Invitation, Question, Survey
from linli.surveys.selectors import (
    answer_get_for_user,
    invitations_for_print,
    own_invitation,
    slip_places,
    survey_get_for_user,
    survey_list,
    survey_results,
)
from linli.surveys.services import (
    CODE_LENGTH,
    MAX_CHOICE_LENGTH,
    MAX_CHOICES,
    MAX_TEXT_ANSWER,
    RawAnswer,
    answer_to_request,
    invitation_for_code,
    question_add,
    question_remove,
    survey_answer,
    survey_apply_template,
    survey_close,
    survey_create,
    survey_export,
    survey_open,
)

router = Router(tags=["surveys"])


ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


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


class SurveyWrittenOut(Schema):
    id: int = Field(..., description="回答编号:`POST /surveys/answers/{answer_id}/request` 用")
    text: str
    request: str | None = Field(..., description="已转成的诉求编号;未转为 null")


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
    written: list[SurveyWrittenOut] = Field(
        default_factory=list,
        description="同上,带回答编号(转为诉求时用)和已转成的诉求编号",
    )


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


class CodeIn(Schema):
    code: str = Field(..., max_length=CODE_LENGTH + 4, description="通知单上的 8 位答题码")


class QuestionOut(Schema):
    id: int
    position: int
    kind: Question.Kind = Field(
        ..., description="single 单选 / multiple 多选 / scale 1–5 分 / text 文字"
    )
    text: str
    choices: list[str] = Field(..., description="选择题的选项(按序号 0、1、2… 作答)")
    required: bool
    dimension: str


class QuestionnaireOut(Schema):
    title: str
    intro: str
    named: bool = Field(..., description="实名调查;默认匿名")
    questions: list[QuestionOut]


class AnswerIn(Schema):
    question: int = Field(..., description="题目编号")
    choices: list[int] = Field(
        default_factory=list, max_length=MAX_CHOICES, description="选择题:选项序号(从 0 起)"
    )
    scale: int | None = Field(None, description="1–5 分题:分值")
    text: str = Field("", max_length=MAX_TEXT_ANSWER, description="文字题:回答")


class AnswersIn(CodeIn):
    answers: list[AnswerIn] = Field(..., max_length=100)


class ReceivedOut(Schema):
    survey: str = Field(..., description="调查标题")
    submitted_at: dt.datetime


def _question_out(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.pk,
        position=question.position,
        kind=Question.Kind(question.kind),
        text=question.text,
        choices=list(question.choices),
        required=question.required,
        dimension=question.dimension,
    )


def _invitation(code: str) -> Any:
    invitation = invitation_for_code(code)
    if invitation is None:
        raise Http404
    return invitation


@router.post(
    "/questionnaire",
    response={200: QuestionnaireOut, **WRITE_ERRORS},
    summary="凭答题码取问卷",
    description="居民小程序等凭通知单上的一次性答题码取题目(码放在请求体里,不进地址)。"
    "答题码不存在为 404;调查已结束或这户已答过为 409。",
)
def questionnaire(request: HttpRequest, payload: CodeIn) -> Any:
    return _questionnaire(_invitation(payload.code))


def _questionnaire(invitation: Invitation) -> QuestionnaireOut:
    survey = invitation.survey
    if invitation.answered_at is not None:
        raise Conflict(_("您家已经答过这份调查了,每户只需回答一次。"))
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("这份调查已经结束,谢谢您的关心。"))
    return QuestionnaireOut(
        title=survey.title,
        intro=survey.intro,
        named=survey.named,
        questions=[_question_out(q) for q in survey.questions.order_by("position")],
    )


@router.post(
    "/answers",
    response={201: ReceivedOut, **WRITE_ERRORS},
    summary="凭答题码提交答卷(每户一次)",
    description="`answers` 每题一项:单选、多选填 `choices`(选项序号),1–5 分题填 `scale`,"
    "文字题填 `text`;未作答的非必答题可省略。校验与答题页面相同,出错时 `errors` 的"
    "字段为 `q<题目编号>`(422)。答题码不存在为 404;调查已结束或这户已答过为 409。"
    "匿名调查不记录是哪一户作答。",
)
def answer(request: HttpRequest, payload: AnswersIn) -> Any:
    return _submit(_invitation(payload.code), payload.answers, None)


def _submit(invitation: Invitation, answers: list[AnswerIn], resident: Resident | None) -> Any:
    raw = {
        a.question: RawAnswer(choices=tuple(a.choices), scale=a.scale, text=a.text) for a in answers
    }
    response = survey_answer(invitation=invitation, answers=raw, resident=resident)
    return Reply(
        201, ReceivedOut(survey=invitation.survey.title, submitted_at=response.submitted_at)
    )


class MyAnswersIn(Schema):
    answers: list[AnswerIn] = Field(..., max_length=100)


@router.get(
    "/{survey_id}/mine",
    response={200: QuestionnaireOut, **WRITE_ERRORS},
    summary="居民本人取问卷(不用答题码)",
    description="与登录后的答题页面相同:令牌所属账号是登记过的居民、本户收到了这份调查时"
    "返回题目,否则为 404;已答过或调查已结束为 409。",
)
def my_questionnaire(request: HttpRequest, survey_id: int) -> Any:
    invitation, _resident = own_invitation(user=request_user(request), survey_id=survey_id)
    return _questionnaire(invitation)


@router.post(
    "/{survey_id}/mine",
    response={201: ReceivedOut, **WRITE_ERRORS},
    summary="居民本人为本户提交答卷(不用答题码)",
    description="`answers` 与 `POST /surveys/answers` 相同;每户一次(再交为 409)。"
    "实名调查记下作答的居民,匿名调查不记录。",
)
def my_answer(request: HttpRequest, survey_id: int, payload: MyAnswersIn) -> Any:
    invitation, resident = own_invitation(user=request_user(request), survey_id=survey_id)
    return _submit(invitation, payload.answers, resident)


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
                written=[
                    SurveyWrittenOut(
                        id=a.pk, text=a.text, request=a.request.number if a.request else None
                    )
                    for a in r.texts
                ],
            )
            for r in results.questions
        ],
    )


# --- composing, publishing, closing (the survey pages of those who manage surveys) ------------


class SurveyIn(Schema):
    community: int = Field(..., description="社区编号(须整个社区由本人负责)")
    title: str = Field(..., max_length=100)
    intro: str = Field("", max_length=2000, description="说明")
    audience_area: int | None = Field(None, description="调查范围:本社区的小区或楼栋;不填为全社区")
    audience_grid: int | None = Field(None, description="只调查本社区的一个网格")
    sample_size: int | None = Field(None, description="随机抽样户数;不填则每户都收到答题码")
    named: bool = Field(False, description="实名调查;默认匿名")
    use_template: bool = Field(
        False, description="加入“获得感·幸福感·安全感”及服务满意度的模板题目"
    )


class QuestionIn(Schema):
    kind: Question.Kind
    text: str = Field(..., max_length=200)
    choices: list[Annotated[str, Field(max_length=MAX_CHOICE_LENGTH)]] = Field(
        default_factory=list,
        max_length=MAX_CHOICES,
        description="选择题的选项,至少两个,每项最多 100 字",
    )
    required: bool = True
    dimension: str = Field("", max_length=20, description="指标,如 获得感、幸福感、安全感")


class DraftOut(SurveyOut):
    intro: str
    sample_size: int | None
    questions: list[QuestionOut]


def _manageable(request: HttpRequest, survey_id: int) -> Survey:
    return survey_get_for_user(
        user=request_user(request), pk=survey_id, capability=Capability.SURVEYS_MANAGE
    )


def _draft_out(survey: Survey) -> DraftOut:
    invited = survey.invitations.count()
    answered = survey.invitations.filter(answered_at__isnull=False).count()
    return DraftOut(
        **_survey_out(survey, invited, answered).dict(),
        intro=survey.intro,
        sample_size=survey.sample_size,
        questions=[_question_out(q) for q in survey.questions.order_by("position")],
    )


@router.post(
    "",
    response={201: DraftOut, **WRITE_ERRORS},
    summary="新建一份调查(草稿)",
    description="与新建调查页面相同:社区须整个由本人负责(否则 404),调查范围须在本社区"
    "之内(422)。草稿可以添加、删除题目,发布后题目不能再改。",
)
def create_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    require_capability(request, Capability.SURVEYS_MANAGE)
    user = request_user(request)
    communities = communities_in_scope(scope_for(user, Capability.SURVEYS_MANAGE), whole_only=True)
    community = get_object_or_404(communities, pk=payload.community)
    audience_area = (
        get_object_or_404(Area, pk=payload.audience_area, path__startswith=community.path)
        if payload.audience_area is not None
        else None
    )
    audience_grid = (
        get_object_or_404(Grid, pk=payload.audience_grid, community=community)
        if payload.audience_grid is not None
        else None
    )
    survey = survey_create(
        actor=user,
        community=community,
        title=payload.title,
        intro=payload.intro,
        audience_area=audience_area,
        audience_grid=audience_grid,
        sample_size=payload.sample_size,
        named=payload.named,
    )
    if payload.use_template:
        survey_apply_template(actor=user, survey=survey)
    return Reply(201, _draft_out(_manageable(request, survey.pk)))


@router.get(
    "/{survey_id}/questions",
    response={200: DraftOut, **ERRORS},
    summary="一份调查的题目",
)
def survey_questions(request: HttpRequest, survey_id: int) -> Any:
    return _draft_out(survey_get_for_user(user=request_user(request), pk=survey_id))


@router.post(
    "/{survey_id}/questions",
    response={201: QuestionOut, **WRITE_ERRORS},
    summary="添加一道题",
    description="只有草稿可以添加题目(已发布为 409);选择题至少两个选项、不能重复(422)。",
)
def add_question(request: HttpRequest, survey_id: int, payload: QuestionIn) -> Any:
    survey = _manageable(request, survey_id)
    question = question_add(
        actor=request_user(request),
        survey=survey,
        kind=payload.kind,
        text=payload.text,
        choices=payload.choices,
        required=payload.required,
        dimension=payload.dimension,
    )
    return Reply(201, _question_out(question))


@router.post(
    "/{survey_id}/questions/{question_id}/remove",
    response={204: None, **WRITE_ERRORS},
    summary="删除一道题",
    description="只有草稿可以删除题目(已发布为 409)。",
)
def remove_question(request: HttpRequest, survey_id: int, question_id: int) -> Any:
    survey = _manageable(request, survey_id)
    question = get_object_or_404(Question, pk=question_id, survey=survey)
    question_remove(actor=request_user(request), question=question)
    return Reply(204, None)


@router.post(
    "/{survey_id}/open",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="发布调查,向调查范围内的住户发出答题码",
    description="只有草稿可以发布(409);还没有题目或范围内没有住户时为 422。"
    "`invited` 为发出答题码的户数;答题码在调查页面打印。",
)
def open_survey(request: HttpRequest, survey_id: int) -> Any:
    survey = _manageable(request, survey_id)
    survey_open(actor=request_user(request), survey=survey)
    return _draft_out(_manageable(request, survey_id))


@router.post(
    "/{survey_id}/close",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="结束调查",
    description="只有进行中的调查可以结束(409)。",
)
def close_survey(request: HttpRequest, survey_id: int) -> Any:
    survey = _manageable(request, survey_id)
    survey_close(actor=request_user(request), survey=survey)
    return _draft_out(_manageable(request, survey_id))


# --- the printable codes, the Excel export, a written answer filed as a request -------------


class SurveyCodeOut(Schema):
    code: str = Field(..., description="一次性答题码")
    place: str = Field(..., description="住户地址(楼栋、单元、房号),印在通知单上")
    grid: str | None = Field(..., description="所属网格;未划网格为 null")
    answered: bool = Field(..., description="这户是否已作答")
    answer_url: str = Field(..., description="答题链接(通知单上的二维码即此链接)")


def _code_outs(request: HttpRequest, invitations: list[Invitation]) -> list[SurveyCodeOut]:
    places = slip_places(invitations)
    return [
        SurveyCodeOut(
            code=i.code,
            place=places[i.pk],
            grid=i.grid.name if i.grid else None,
            answered=i.answered_at is not None,
            answer_url=request.build_absolute_uri(reverse("surveys:answer", args=[i.code])),
        )
        for i in invitations
    ]


@router.get(
    "/{survey_id}/codes",
    response={200: list[SurveyCodeOut], **ERRORS},
    summary="答题码通知单(每户一个答题码)",
    description="与调查页面的「打印答题码」相同:需要管理调查的权限(范围外或草稿为 404),"
    "按楼栋、房号排序分页,每取一页记入审计日志。",
)
@paginate(pages_of(_code_outs), page_size=24, max_page_size=100)
def survey_codes(request: HttpRequest, survey_id: int) -> QuerySet[Invitation]:
    survey = _manageable(request, survey_id)
    if survey.status == Survey.Status.DRAFT:
        raise Http404
    # The page number has passed the paginator's validation (1 to 100 000) by now.
    page = int(request.GET.get("page", "1"))
    audit_record(
        actor=request_user(request),
        action=AuditEvent.Action.VIEW,
        obj=survey,
        note=_("第 %(n)d 页") % {"n": page},
    )
    return invitations_for_print(survey)


@router.get(
    "/{survey_id}/export.xlsx",
    response=ERRORS,
    summary="导出调查结果(Excel)",
    description="与调查页面的「导出 Excel」相同的工作簿:按网格、各题统计、文字回答;"
    "单元格中的公式已中和。每次导出记入审计日志。",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Excel 工作簿",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_get_for_user(user=request_user(request), pk=survey_id)
    response = HttpResponse(
        survey_export(actor=request_user(request), survey=survey), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response


class SurveyAnswerRequestOut(Schema):
    id: int = Field(..., description="诉求编号(内部)")
    number: str = Field(..., description="诉求编号(页面上显示的编号)")


@router.post(
    "/answers/{answer_id}/request",
    response={201: SurveyAnswerRequestOut, **WRITE_ERRORS},
    summary="把一条文字回答转为诉求",
    description="与调查结果页面的「转为诉求」相同:需要管理调查的权限(范围外为 404);"
    "只有文字回答可以转(422),已转过的为 409。诉求的渠道为“民意调查”,匿名调查不带居民。",
)
def answer_to_request_api(request: HttpRequest, answer_id: int) -> Any:
    answer = answer_get_for_user(user=request_user(request), pk=answer_id)
    filed = answer_to_request(actor=request_user(request), answer=answer)
    return Reply(201, SurveyAnswerRequestOut(id=filed.pk, number=filed.number))
