"""The demo's surveys: last month's finished 获得感·幸福感·安全感 survey, answered by most
households with results that differ by grid, and this month's heating survey, still open so
its printed codes and QR links can be tried."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from linli.demo.world import World
from linli.surveys.models import Invitation, Question, Survey
from linli.surveys.services import (
    RawAnswer,
    question_add,
    survey_answer,
    survey_apply_template,
    survey_close,
    survey_create,
    survey_open,
)

SEED = 2026
SUGGESTIONS = (
    "希望小区多装几盏路灯,晚上回家太黑。",
    "网格员很负责,谢谢!",
    "楼道里的杂物希望定期清理。",
    "希望多组织义诊,老人量血压方便。",
    "暑假托管班很好,明年还想报名。",
    "垃圾站的味道夏天太大了。",
    "健身器材坏了好久了,希望修一修。",
    "",
)


def _at(today: dt.date, days_ago: int, hour: int = 10) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _answers(survey: Survey, rng: random.Random, lean: float) -> dict[int, RawAnswer]:
    answers: dict[int, RawAnswer] = {}
    for question in survey.questions.order_by("position"):
        if question.kind == Question.Kind.SCALE:
            score = round(rng.gauss(lean, 0.8))
            answers[question.pk] = RawAnswer(scale=min(5, max(1, score)))
        elif question.kind == Question.Kind.SINGLE:
            weights = [4, 5, 2, 1, 1][: len(question.choices)]
            answers[question.pk] = RawAnswer(
                choices=[rng.choices(range(len(question.choices)), weights)[0]]
            )
        elif question.kind == Question.Kind.MULTIPLE:
            answers[question.pk] = RawAnswer(
                choices=rng.sample(range(len(question.choices)), rng.randint(1, 3))
            )
        else:
            answers[question.pk] = RawAnswer(text=rng.choice(SUGGESTIONS))
    return answers


def build_surveys_world(world: World, *, today: dt.date) -> None:
    rng = random.Random(SEED)
    staff = world.users["staff"]
    finished = survey_create(
        actor=staff,
        community=world.community,
        title=f"{today.year}年居民获得感·幸福感·安全感调查",
        intro="社区想听听您的真实感受。匿名作答,每户一份,约需三分钟。",
    )
    survey_apply_template(actor=staff, survey=finished)
    survey_open(actor=staff, survey=finished, seed=SEED, at=_at(today, 40))
    # Grids answer differently, so the results by grid have something to say.
    grid_lean = {grid.pk: 3.4 + 0.25 * (i % 4) for i, grid in enumerate(world.grids.values())}
    invitations = list(Invitation.objects.filter(survey=finished).order_by("pk"))
    for n, invitation in enumerate(invitations):
        if rng.random() > 0.72:
            continue
        lean = grid_lean.get(invitation.grid_id or 0, 3.8)
        survey_answer(
            invitation=invitation,
            answers=_answers(finished, rng, lean),
            at=_at(today, 39 - n % 25, 9 + n % 10),
        )
    survey_close(actor=staff, survey=finished, at=_at(today, 12))

    heating = survey_create(
        actor=staff,
        community=world.community,
        title="冬季供暖满意度调查",
        intro="供暖季开始了,请告诉我们家里暖不暖和。",
    )
    question_add(
        actor=staff,
        survey=heating,
        kind=Question.Kind.SINGLE,
        text="您家室内温度怎么样?",
        choices=["很暖和", "还可以", "偏冷", "很冷"],
    )
    question_add(
        actor=staff,
        survey=heating,
        kind=Question.Kind.SCALE,
        text="您对今年供暖服务的满意程度?(1 很不满意 — 5 很满意)",
        dimension="满意度",
    )
    question_add(
        actor=staff,
        survey=heating,
        kind=Question.Kind.TEXT,
        text="家里哪里不热?请写上楼号和房间。",
        required=False,
    )
    survey_open(actor=staff, survey=heating, seed=SEED, at=_at(today, 3))
