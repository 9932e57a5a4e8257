"""Reads about surveys: lists from the user's scope, and results by question and by grid."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area, Grid
from linli.core.roles import Capability
from linli.core.scoping import apply_scope
from linli.people.models import Resident
from linli.surveys.models import Answer, Invitation, Question, Response, Survey


def visible_surveys(
    user: AnyUser, capability: Capability = Capability.SURVEYS_VIEW
) -> QuerySet[Survey]:
    return apply_scope(
        Survey.objects.all(), scope_for(user, capability), area_path="community__path"
    )


def survey_list(*, user: AnyUser, status: str = "") -> QuerySet[Survey]:
    surveys = visible_surveys(user).select_related("community", "audience_area", "audience_grid")
    if status:
        surveys = surveys.filter(status=status)
    return surveys.order_by("-created_at", "-pk").annotate(
        invited=Count("invitations", distinct=True),
        answered=Count(
            "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
        ),
    )


def survey_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.SURVEYS_VIEW
) -> Survey:
    survey = (
        visible_surveys(user, capability)
        .select_related("community", "audience_area", "audience_grid")
        .filter(pk=pk)
        .first()
    )
    if survey is None:
        raise Http404
    return survey


def open_survey_for_household(household_id: int | None) -> list[Invitation]:
    """Open surveys a household is invited to and has not answered (the resident's home)."""
    if household_id is None:
        return []
    return list(
        Invitation.objects.filter(
            household_id=household_id,
            answered_at__isnull=True,
            survey__status=Survey.Status.OPEN,
        ).select_related("survey")
    )


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _mean(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class ChoiceCount:
    label: str
    count: int
    percent: Decimal | None


@dataclass
class QuestionResult:
    question: Question
    answered: int
    choices: list[ChoiceCount] = field(default_factory=list)
    mean: Decimal | None = None
    scale_counts: list[ChoiceCount] = field(default_factory=list)
    texts: list[Answer] = field(default_factory=list)
    texts_total: int = 0


@dataclass
class GridResult:
    grid: Grid | None
    invited: int
    answered: int
    rate: Decimal | None
    dimensions: dict[str, Decimal | None]


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    answered: int
    rate: Decimal | None
    questions: list[QuestionResult]
    grids: list[GridResult]
    dimensions: list[str]
    overall: dict[str, Decimal | None]


TEXTS_SHOWN = 50


def survey_results(survey: Survey) -> SurveyResults:
    """Every figure of a survey in a fixed number of queries."""
    questions = list(survey.questions.order_by("position"))
    answers = list(
        Answer.objects.filter(response__survey=survey)
        .select_related("response", "request")
        .order_by("-response__submitted_at", "-pk")
    )
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_question[answer.question_id].append(answer)

    results: list[QuestionResult] = []
    for question in questions:
        given = by_question.get(question.pk, [])
        result = QuestionResult(question=question, answered=len(given))
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            counts: Counter[int] = Counter(i for a in given for i in a.choices)
            result.choices = [
                ChoiceCount(label, counts[i], _percent(counts[i], len(given)))
                for i, label in enumerate(question.choices)
            ]
        elif question.kind == Question.Kind.SCALE:
            scores = [a.scale for a in given if a.scale is not None]
            result.mean = _mean(sum(scores), len(scores))
            score_counts = Counter(scores)
            result.scale_counts = [
                ChoiceCount(
                    f"{score} 分", score_counts[score], _percent(score_counts[score], len(scores))
                )
                for score in range(5, 0, -1)
            ]
        else:
            written = [a for a in given if a.text]
            result.texts_total = len(written)
            result.texts = written[:TEXTS_SHOWN]
        results.append(result)

    dimensions = list(
        dict.fromkeys(
            q.dimension for q in questions if q.dimension and q.kind == Question.Kind.SCALE
        )
    )
    dimension_of = {q.pk: q.dimension for q in questions if q.kind == Question.Kind.SCALE}

    def dimension_means(selected: list[Answer]) -> dict[str, Decimal | None]:
        totals: dict[str, list[int]] = {d: [] for d in dimensions}
        for a in selected:
            dimension = dimension_of.get(a.question_id, "")
            if dimension in totals and a.scale is not None:
                totals[dimension].append(a.scale)
        return {d: _mean(sum(v), len(v)) for d, v in totals.items()}

    invitations = (
        Invitation.objects.filter(survey=survey)
        .values("grid_id")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    )
    per_grid = {row["grid_id"]: row for row in invitations}
    grids = {g.pk: g for g in Grid.objects.filter(pk__in=[k for k in per_grid if k is not None])}
    answers_by_grid: dict[int | None, list[Answer]] = defaultdict(list)
    for a in answers:
        answers_by_grid[a.response.grid_id].append(a)
    grid_results = [
        GridResult(
            grid=grids.get(grid_id) if grid_id is not None else None,
            invited=row["invited"],
            answered=row["answered"],
            rate=_percent(row["answered"], row["invited"]),
            dimensions=dimension_means(answers_by_grid.get(grid_id, [])),
        )
        for grid_id, row in sorted(
            per_grid.items(), key=lambda item: grids[item[0]].code if item[0] in grids else "~"
        )
    ]
    invited = sum(r.invited for r in grid_results)
    answered = sum(r.answered for r in grid_results)
    return SurveyResults(
        survey=survey,
        invited=invited,
        answered=answered,
        rate=_percent(answered, invited),
        questions=results,
        grids=grid_results,
        dimensions=dimensions,
        overall=dimension_means(answers),
    )


def invitations_for_print(survey: Survey) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(survey=survey)
        .select_related("household__unit", "grid")
        .order_by("household__unit__path", "household__room")
    )


def slip_places(invitations: Iterable[Invitation]) -> dict[int, str]:
    """Invitation id → the address printed on its slip (building, unit, room), in one query
    for a page of slips (the printable sheet and the API's list of codes)."""
    invitations = list(invitations)
    buildings = dict(
        Area.objects.filter(
            path__in={i.household.unit.path[: -Area.steplen] for i in invitations}
        ).values_list("path", "name")
    )
    places: dict[int, str] = {}
    for invitation in invitations:
        unit = invitation.household.unit
        building = buildings.get(unit.path[: -Area.steplen], "")
        places[invitation.pk] = f"{building}{unit.name}{invitation.household.room}室"
    return places


def answer_get_for_user(*, user: AnyUser, pk: int) -> Answer:
    answer = (
        Answer.objects.filter(
            pk=pk,
            response__survey__in=visible_surveys(user, Capability.SURVEYS_MANAGE),
        )
        .select_related("question", "response__survey")
        .first()
    )
    if answer is None:
        raise Http404
    return answer


def responses_of(survey: Survey) -> QuerySet[Response]:
    return survey.responses.select_related("grid").prefetch_related("answers")


def invitation_for_resident(survey: Survey, resident: Resident) -> Invitation | None:
    if resident.household_id is None or resident.anonymised_at is not None:
        return None
    return Invitation.objects.filter(survey=survey, household_id=resident.household_id).first()


def own_invitation(*, user: AnyUser, survey_id: int) -> tuple[Invitation, Resident]:
    """A signed-in resident's invitation to a survey, for their household (no code needed):
    404 when the survey does not exist or did not ask their household."""
    resident = Resident.objects.filter(user_id=user.pk or 0, anonymised_at__isnull=True).first()
    survey = Survey.objects.filter(pk=survey_id).first()
    invitation = (
        invitation_for_resident(survey, resident) if survey and resident is not None else None
    )
    if invitation is None or resident is None:
        raise Http404
    return invitation, resident
