"""What surveys hold about a person, for the privacy mechanism (:mod:`linli.privacy`).

Answers are anonymous: a response keeps its grid, not its household. Only a named
(实名) survey keeps the resident who answered while signed in; that link is the person's
data. Invitations name a household (a dwelling), not a person.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.people.models import Resident
from linli.privacy.registry import (
    Row,
    Sections,
    declare_not_personal,
    format_time,
    register_personal_data,
)
from linli.surveys.models import Answer, Response, Survey


def export_surveys(resident: Resident) -> Sections:
    rows: list[Row] = []
    for response in Response.objects.filter(resident=resident).select_related("survey"):
        for answer in response.answers.select_related("question").order_by("question__position"):
            question = answer.question
            if answer.scale is not None:
                value = str(answer.scale)
            elif answer.choices:
                value = "、".join(
                    question.choices[i] for i in answer.choices if i < len(question.choices)
                )
            else:
                value = answer.text
            rows.append(
                {
                    _("调查"): response.survey.title,
                    _("提交时间"): format_time(response.submitted_at),
                    _("题目"): question.text,
                    _("回答"): value,
                }
            )
    return {_("实名调查的回答"): rows} if rows else {}


def anonymise_surveys(resident: Resident, actor: User | None) -> None:
    # The answers stay in the figures; only the link to the person goes.
    Response.objects.filter(resident=resident).update(resident=None)


def register() -> None:
    register_personal_data(
        "surveys",
        subjects={Response: "resident", Answer: "response__resident"},
        kept=[Response, Answer],
        export=export_surveys,
        anonymise=anonymise_surveys,
    )
    declare_not_personal(Survey, reason="the staff member who composed a survey")
