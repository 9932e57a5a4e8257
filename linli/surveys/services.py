"""Every write about surveys: compose, open (invite households), answer, close, follow up."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind, Grid
from linli.core.audit import audit_record
from linli.core.errors import Conflict, Duplicate
from linli.core.models import AuditEvent
from linli.core.spreadsheets import Cell, Sheet, xlsx_bytes
from linli.core.text import normalise_text
from linli.people.models import Household, Resident
from linli.requests.models import Channel, Request
from linli.requests.services import request_submit
from linli.surveys.models import Answer, Invitation, Question, Response, Survey
from linli.surveys.selectors import survey_results

MAX_TEXT_ANSWER = 1000
MAX_CHOICES = 12
MAX_CHOICE_LENGTH = 100
SCALE_MIN, SCALE_MAX = 1, 5
# Unambiguous characters only: no 0/O, 1/I/L, so a code read aloud or copied from paper works.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    return normalise_text(raw).strip().upper().replace("-", "").replace(" ", "")


# --- composing ---------------------------------------------------------------------------


def _check_audience(
    community: Area, audience_area: Area | None, audience_grid: Grid | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if community.kind != AreaKind.COMMUNITY:
        errors["community"] = [_("调查要归属一个社区。")]
    if audience_area is not None and not audience_area.path.startswith(community.path):
        errors["audience_area"] = [_("调查范围必须在本社区之内。")]
    if audience_area is not None and audience_area.kind not in (
        AreaKind.COMMUNITY,
        AreaKind.COMPOUND,
        AreaKind.BUILDING,
    ):
        errors["audience_area"] = [_("调查范围请选社区、小区或楼栋。")]
    if audience_grid is not None and audience_grid.community_id != community.pk:
        errors["audience_grid"] = [_("调查网格必须属于本社区。")]
    return errors


@transaction.atomic
def survey_create(
    *,
    actor: User,
    community: Area,
    title: str,
    intro: str = "",
    audience_area: Area | None = None,
    audience_grid: Grid | None = None,
    sample_size: int | None = None,
    named: bool = False,
) -> Survey:
    title = title.strip()
    errors = _check_audience(community, audience_area, audience_grid)
    if not title:
        errors["title"] = [_("请填写调查标题。")]
    if sample_size is not None and sample_size < 1:
        errors["sample_size"] = [_("抽样户数至少为 1。")]
    if errors:
        raise ValidationError(errors)
    survey = Survey.objects.create(
        title=title,
        intro=intro.strip(),
        community=community,
        audience_area=audience_area or community,
        audience_grid=audience_grid,
        sample_size=sample_size,
        named=named,
        created_by=actor,
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=survey, fields=["title"])
    return survey


def _check_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise Conflict(_("调查已发布,题目不能再修改。"))


@transaction.atomic
def question_add(
    *,
    actor: User,
    survey: Survey,
    kind: str,
    text: str,
    choices: Sequence[str] = (),
    required: bool = True,
    dimension: str = "",
) -> Question:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_draft(survey)
    text = text.strip()
    cleaned = [c.strip() for c in choices if c.strip()]
    errors: dict[str, list[str]] = {}
    if kind not in Question.Kind.values:
        errors["kind"] = [_("请选择题型。")]
    if not text:
        errors["text"] = [_("请填写题目。")]
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if len(cleaned) < 2:
            errors["choices"] = [_("选择题至少要有两个选项,每行一个。")]
        elif len(cleaned) > MAX_CHOICES:
            errors["choices"] = [_("选项最多 %(n)d 个。") % {"n": MAX_CHOICES}]
        elif any(len(c) > MAX_CHOICE_LENGTH for c in cleaned):
            errors["choices"] = [_("每个选项最多 %(n)d 个字。") % {"n": MAX_CHOICE_LENGTH}]
        elif len(set(cleaned)) != len(cleaned):
            errors["choices"] = [_("选项不能重复。")]
    else:
        cleaned = []
    if errors:
        raise ValidationError(errors)
    last = survey.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question.objects.create(
        survey=survey,
        position=last + 1,
        kind=kind,
        text=text,
        choices=cleaned,
        required=required,
        dimension=dimension.strip(),
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=survey, note=f"添加题目:{text[:50]}"
    )
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _check_draft(survey)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=survey,
        note=f"删除题目:{question.text[:50]}",
    )
    question.delete()


# The built-in questionnaire: the three senses the seed measures success by, and the
# satisfaction with the community's services.
WELLBEING_TEMPLATE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("scale", "获得感", "这一年,您觉得社区为您和家人办成的实事多吗?(1 很少 — 5 很多)", ()),
    ("scale", "获得感", "您反映的问题,解决得及时吗?(1 很慢 — 5 很及时)", ()),
    ("scale", "幸福感", "您在社区生活得开心吗?(1 很不开心 — 5 很开心)", ()),
    ("scale", "幸福感", "邻里之间相处和睦吗?(1 很不和睦 — 5 很和睦)", ()),
    ("scale", "安全感", "晚上在小区里走,您觉得安全吗?(1 很不安全 — 5 很安全)", ()),
    ("scale", "安全感", "家里老人独自在家,您放心吗?(1 很不放心 — 5 很放心)", ()),
    (
        "single",
        "满意度",
        "您对网格员的服务满意吗?",
        ("非常满意", "满意", "一般", "不满意", "没有接触过"),
    ),
    (
        "multiple",
        "",
        "您最希望社区多做哪些事?(可多选)",
        ("环境卫生", "养老助老", "儿童托管", "文体活动", "义诊健康", "治安防范"),
    ),
    ("text", "", "您还有什么意见和建议?", ()),
)


@transaction.atomic
def survey_apply_template(*, actor: User, survey: Survey) -> list[Question]:
    """Add the built-in 获得感 · 幸福感 · 安全感 and service-satisfaction questions."""
    return [
        question_add(
            actor=actor,
            survey=survey,
            kind=kind,
            text=text,
            choices=choices,
            required=kind != "text",
            dimension=dimension,
        )
        for kind, dimension, text, choices in WELLBEING_TEMPLATE
    ]


# --- opening and closing ----------------------------------------------------------------


def audience_households(survey: Survey) -> list[tuple[Household, Grid | None]]:
    """Every household the survey may ask, with the grid of its building."""
    buildings = Area.objects.filter(
        kind=AreaKind.BUILDING, path__startswith=survey.audience_area.path
    )
    if survey.audience_grid_id is not None:
        buildings = buildings.filter(grid_id=survey.audience_grid_id)
    building_grids = dict(buildings.values_list("path", "grid_id"))
    grids = {g.pk: g for g in Grid.objects.filter(pk__in=set(building_grids.values()))}
    households = (
        Household.objects.filter(
            unit__path__startswith=survey.audience_area.path,
            members__anonymised_at__isnull=True,
        )
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )
    result: list[tuple[Household, Grid | None]] = []
    for household in households:
        building_path = household.unit.path[: -Area.steplen]
        if building_path not in building_grids:
            continue
        grid_id = building_grids[building_path]
        result.append((household, grids.get(grid_id) if grid_id is not None else None))
    return result


@transaction.atomic
def survey_open(
    *, actor: User, survey: Survey, seed: int | None = None, at: dt.datetime | None = None
) -> int:
    """Publish the survey and invite its households (all, or a random sample); returns
    how many were invited. ``seed`` makes the sample reproducible (tests, the demo)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_draft(survey)
    if not survey.questions.exists():
        raise ValidationError(_("调查还没有题目,请先添加题目或使用模板。"))
    households = audience_households(survey)
    if not households:
        raise ValidationError(_("调查范围内没有登记的住户。"))
    if survey.sample_size is not None and survey.sample_size < len(households):
        chooser = random.Random(seed) if seed is not None else random.SystemRandom()
        households = sorted(chooser.sample(households, survey.sample_size), key=lambda h: h[0].pk)
    used: set[str] = set()
    invitations = []
    for household, grid in households:
        code = new_code()
        while code in used or Invitation.objects.filter(code=code).exists():
            code = new_code()
        used.add(code)
        invitations.append(Invitation(survey=survey, household=household, grid=grid, code=code))
    Invitation.objects.bulk_create(invitations)
    survey.status = Survey.Status.OPEN
    survey.opened_at = at or timezone.now()
    survey.save(update_fields=["status", "opened_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=survey,
        note=_("发布,邀请 %(n)d 户") % {"n": len(invitations)},
    )
    return len(invitations)


@transaction.atomic
def survey_close(*, actor: User, survey: Survey, at: dt.datetime | None = None) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("只有进行中的调查可以结束。"))
    survey.status = Survey.Status.CLOSED
    survey.closed_at = at or timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=survey, note=_("结束调查"))
    return survey


# --- answering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RawAnswer:
    """What a form posted for one question: chosen option numbers, a score, or text."""

    choices: Sequence[int] = ()
    scale: int | None = None
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.choices and self.scale is None and not self.text.strip()


def _clean_answer(question: Question, raw: RawAnswer) -> Answer | None:
    """The answer to save, None when skipped; ValidationError when it cannot be right."""
    if raw.empty:
        if question.required:
            raise ValidationError(_("这道题必须回答。"))
        return None
    if question.kind == Question.Kind.SINGLE:
        if len(raw.choices) != 1 or not 0 <= raw.choices[0] < len(question.choices):
            raise ValidationError(_("请选择一个选项。"))
        return Answer(question=question, choices=[raw.choices[0]])
    if question.kind == Question.Kind.MULTIPLE:
        picked = sorted(set(raw.choices))
        if any(not 0 <= i < len(question.choices) for i in picked):
            raise ValidationError(_("选项不存在。"))
        return Answer(question=question, choices=picked)
    if question.kind == Question.Kind.SCALE:
        if raw.scale is None or not SCALE_MIN <= raw.scale <= SCALE_MAX:
            raise ValidationError(_("请打 1 到 5 分。"))
        return Answer(question=question, scale=raw.scale)
    text = normalise_text(raw.text).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise ValidationError(_("请控制在 %(n)d 字以内。") % {"n": MAX_TEXT_ANSWER})
    return Answer(question=question, text=text)


def _answers(survey: Survey, raw: Mapping[int, RawAnswer]) -> list[Answer]:
    errors: dict[str, list[str]] = {}
    answers: list[Answer] = []
    for question in survey.questions.order_by("position"):
        try:
            answer = _clean_answer(question, raw.get(question.pk, RawAnswer()))
        except ValidationError as error:
            errors[f"q{question.pk}"] = list(error.messages)
            continue
        if answer is not None:
            answers.append(answer)
    if errors:
        raise ValidationError(errors)
    if not answers:
        raise ValidationError(_("请至少回答一道题。"))
    return answers


def invitation_for_code(code: str) -> Invitation | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return Invitation.objects.select_related("survey").filter(code=code).first()


@transaction.atomic
def survey_answer(
    *,
    invitation: Invitation,
    answers: Mapping[int, RawAnswer],
    resident: Resident | None = None,
    at: dt.datetime | None = None,
) -> Response:
    """Save one household's answers. A household answers once: the invitation is claimed
    by one conditional UPDATE, so two phones submitting at the same moment cannot both win.
    """
    at = at or timezone.now()
    survey = invitation.survey
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("这份调查已经结束,谢谢您的关心。"))
    cleaned = _answers(survey, answers)
    claimed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
        answered_at=at
    )
    if not claimed:
        raise Duplicate(_("您家已经答过这份调查了,每户只需回答一次。"))
    response = Response.objects.create(
        survey=survey,
        grid_id=invitation.grid_id,
        via=Response.Via.ACCOUNT if resident is not None else Response.Via.CODE,
        resident=resident if survey.named else None,
        submitted_at=at,
    )
    for answer in cleaned:
        answer.response = response
    Answer.objects.bulk_create(cleaned)
    # The audit trail records that an answer came in, never whose (anonymous surveys).
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        obj=survey,
        actor_name=_("居民"),
        note=_("收到一份答卷"),
    )
    return response


# --- following up ------------------------------------------------------------------------


@transaction.atomic
def answer_to_request(*, actor: User, answer: Answer) -> Request:
    """File a free-text answer as a request (staff read it and think it needs doing)."""
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("question", "response__survey__audience_area", "response__grid")
        .get(pk=answer.pk)
    )
    if answer.question.kind != Question.Kind.TEXT or not answer.text:
        raise ValidationError(_("只有文字回答可以转为诉求。"))
    if answer.request_id is not None:
        raise Conflict(_("这条回答已经转为诉求了。"))
    survey = answer.response.survey
    request = request_submit(
        submitted_by=actor,
        text=answer.text,
        channel=Channel.SURVEY,
        location=survey.audience_area,
        reporter=answer.response.resident,
        reporter_name="" if answer.response.resident else _("调查匿名居民"),
    )
    answer.request = request
    answer.save(update_fields=["request"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=survey,
        note=_("文字回答转为诉求 %(number)s") % {"number": request.number},
    )
    return request


def survey_export(*, actor: User, survey: Survey) -> bytes:
    """The results as a workbook (by grid, per question, the written answers), through the
    one safe spreadsheet writer; audited. The page's 导出 Excel and the API's export."""
    results = survey_results(survey)
    summary = Sheet(
        title=_("按网格"),
        header=[_("网格"), _("邀请户数"), _("作答户数"), _("回收率(%)")]
        + [f"{d}(平均分)" for d in results.dimensions],
        rows=[
            [
                row.grid.name if row.grid else _("未划网格"),
                row.invited,
                row.answered,
                float(row.rate) if row.rate is not None else None,
                *[
                    float(v) if (v := row.dimensions[d]) is not None else None
                    for d in results.dimensions
                ],
            ]
            for row in results.grids
        ],
    )
    questions: list[list[Cell]] = []
    for result in results.questions:
        q = result.question
        if result.choices:
            for choice in result.choices:
                questions.append([q.position, q.text, choice.label, choice.count])
        elif result.scale_counts:
            questions.append([q.position, q.text, _("平均分"), float(result.mean or 0)])
            for choice in result.scale_counts:
                questions.append([q.position, q.text, choice.label, choice.count])
        else:
            questions.append([q.position, q.text, _("文字回答条数"), result.texts_total])
    texts: list[list[Cell]] = [
        [q.question.position, q.question.text, a.text] for q in results.questions for a in q.texts
    ]
    content = xlsx_bytes(
        [
            summary,
            Sheet(
                title=_("各题统计"),
                header=[_("题号"), _("题目"), _("选项"), _("数量")],
                rows=questions,
            ),
            Sheet(title=_("文字回答"), header=[_("题号"), _("题目"), _("回答")], rows=texts),
        ]
    )
    audit_record(actor=actor, action=AuditEvent.Action.EXPORT, obj=survey)
    return content
