"""Surveys: composing, inviting households, one anonymous answer per household, results by
grid, the public answer page, scope, and turning a written answer into a request."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.requests.models import Channel
from linli.surveys.models import Answer, Invitation, Question, Response, Survey
from linli.surveys.selectors import survey_results
from linli.surveys.services import (
    WELLBEING_TEMPLATE,
    RawAnswer,
    answer_to_request,
    invitation_for_code,
    question_add,
    survey_answer,
    survey_apply_template,
    survey_close,
    survey_create,
    survey_open,
)
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _survey(cast: Cast, **kwargs: Any) -> Survey:
    survey = survey_create(actor=cast.staff, community=cast.community, title="社区满意度", **kwargs)
    survey_apply_template(actor=cast.staff, survey=survey)
    return survey


def _full_answers(survey: Survey, score: int, text: str = "") -> dict[int, RawAnswer]:
    answers: dict[int, RawAnswer] = {}
    for q in survey.questions.all():
        if q.kind == Question.Kind.SCALE:
            answers[q.pk] = RawAnswer(scale=score)
        elif q.kind == Question.Kind.SINGLE:
            answers[q.pk] = RawAnswer(choices=[0])
        elif q.kind == Question.Kind.MULTIPLE:
            answers[q.pk] = RawAnswer(choices=[1, 2])
        else:
            answers[q.pk] = RawAnswer(text=text)
    return answers


def test_template_holds_the_three_senses_and_satisfaction(cast: Cast) -> None:
    survey = _survey(cast)
    questions = list(survey.questions.order_by("position"))
    assert len(questions) == len(WELLBEING_TEMPLATE)
    assert [q.position for q in questions] == list(range(1, len(questions) + 1))
    dimensions = {q.dimension for q in questions if q.kind == Question.Kind.SCALE}
    assert dimensions == {"获得感", "幸福感", "安全感"}
    assert any(q.kind == Question.Kind.TEXT and not q.required for q in questions)


def test_open_invites_every_household_of_the_audience_with_its_grid(cast: Cast) -> None:
    survey = _survey(cast)
    assert survey_open(actor=cast.staff, survey=survey) == 2
    invitations = {i.household_id: i for i in Invitation.objects.filter(survey=survey)}
    assert invitations[cast.household1.pk].grid == cast.grid1
    assert invitations[cast.household2.pk].grid == cast.grid2
    codes = [i.code for i in invitations.values()]
    assert len(set(codes)) == 2
    assert all(len(c) == 8 for c in codes)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert survey.opened_at is not None
    assert AuditEvent.objects.filter(action="update", note__startswith="发布").count() == 1


def test_a_grid_survey_asks_only_that_grid(cast: Cast) -> None:
    survey = _survey(cast, audience_grid=cast.grid2)
    survey_open(actor=cast.staff, survey=survey)
    assert list(survey.invitations.values_list("household_id", flat=True)) == [cast.household2.pk]


def test_a_sample_invites_that_many_households_reproducibly(cast: Cast) -> None:
    first = _survey(cast, sample_size=1)
    second = _survey(cast, sample_size=1)
    survey_open(actor=cast.staff, survey=first, seed=7)
    survey_open(actor=cast.staff, survey=second, seed=7)
    assert first.invitations.count() == 1
    assert list(first.invitations.values_list("household_id", flat=True)) == list(
        second.invitations.values_list("household_id", flat=True)
    )


def test_audience_outside_the_community_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        survey_create(
            actor=cast.staff,
            community=cast.community,
            title="越界",
            audience_area=cast.other_community,
        )
    assert "本社区" in str(error.value)


def test_cannot_open_without_questions_or_edit_after_opening(cast: Cast) -> None:
    empty = survey_create(actor=cast.staff, community=cast.community, title="空")
    with pytest.raises(ValidationError, match="还没有题目"):
        survey_open(actor=cast.staff, survey=empty)
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    with pytest.raises(ValidationError, match="不能再修改"):
        question_add(actor=cast.staff, survey=survey, kind="text", text="再加一题")


def test_choice_questions_need_two_distinct_options(cast: Cast) -> None:
    survey = survey_create(actor=cast.staff, community=cast.community, title="选项")
    with pytest.raises(ValidationError, match="至少要有两个选项"):
        question_add(actor=cast.staff, survey=survey, kind="single", text="?", choices=["是"])
    with pytest.raises(ValidationError, match="不能重复"):
        question_add(
            actor=cast.staff, survey=survey, kind="multiple", text="?", choices=["是", "是"]
        )


def test_one_anonymous_answer_per_household(cast: Cast) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household1)
    response = survey_answer(
        invitation=invitation, answers=_full_answers(survey, 4), resident=cast.elder
    )
    # Anonymous: the answer knows its grid, not the household or the person.
    assert response.grid == cast.grid1
    assert response.resident is None
    assert {f.name for f in Response._meta.get_fields()} & {"household", "invitation"} == set()
    with pytest.raises(ValidationError, match="每户只需回答一次"):
        survey_answer(invitation=invitation, answers=_full_answers(survey, 1))
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_named_survey_keeps_the_resident_who_answered_signed_in(cast: Cast) -> None:
    survey = _survey(cast, named=True)
    survey_open(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household1)
    response = survey_answer(
        invitation=invitation, answers=_full_answers(survey, 5), resident=cast.elder
    )
    assert response.resident == cast.elder


def test_answers_are_validated_per_question(cast: Cast) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household1)
    answers = _full_answers(survey, 4)
    scale = survey.questions.filter(kind=Question.Kind.SCALE).first()
    single = survey.questions.filter(kind=Question.Kind.SINGLE).first()
    assert scale is not None
    assert single is not None
    answers[scale.pk] = RawAnswer(scale=9)
    answers[single.pk] = RawAnswer(choices=[99])
    with pytest.raises(ValidationError) as error:
        survey_answer(invitation=invitation, answers=answers)
    messages = error.value.message_dict
    assert messages[f"q{scale.pk}"] == ["请打 1 到 5 分。"]
    assert messages[f"q{single.pk}"] == ["请选择一个选项。"]
    invitation.refresh_from_db()
    assert invitation.answered_at is None  # nothing was claimed


def test_a_closed_survey_takes_no_answers(cast: Cast) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    survey_close(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household1)
    with pytest.raises(ValidationError, match="已经结束"):
        survey_answer(invitation=invitation, answers=_full_answers(survey, 4))


def test_results_by_question_and_grid(cast: Cast) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    one = Invitation.objects.get(survey=survey, household=cast.household1)
    survey_answer(invitation=one, answers=_full_answers(survey, 4, "路灯坏了"))
    results = survey_results(survey)
    assert (results.invited, results.answered, str(results.rate)) == (2, 1, "50.0")
    by_grid = {r.grid: r for r in results.grids}
    assert (by_grid[cast.grid1].answered, str(by_grid[cast.grid1].rate)) == (1, "100.0")
    assert (by_grid[cast.grid2].answered, str(by_grid[cast.grid2].rate)) == (0, "0.0")
    assert by_grid[cast.grid1].dimensions == {
        d: results.overall[d] for d in ("获得感", "幸福感", "安全感")
    }
    assert str(results.overall["安全感"]) == "4.00"
    assert by_grid[cast.grid2].dimensions["安全感"] is None
    single = next(r for r in results.questions if r.question.kind == Question.Kind.SINGLE)
    assert [c.count for c in single.choices] == [1, 0, 0, 0, 0]
    text = next(r for r in results.questions if r.question.kind == Question.Kind.TEXT)
    assert [a.text for a in text.texts] == ["路灯坏了"]


def test_a_written_answer_becomes_a_request_once(cast: Cast) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household1)
    survey_answer(invitation=invitation, answers=_full_answers(survey, 3, "1号楼路灯不亮"))
    answer = Answer.objects.get(question__kind=Question.Kind.TEXT)
    request = answer_to_request(actor=cast.staff, answer=answer)
    assert request.channel == Channel.SURVEY
    assert request.text == "1号楼路灯不亮"
    assert request.reporter is None
    with pytest.raises(ValidationError, match="已经转为诉求"):
        answer_to_request(actor=cast.staff, answer=answer)


def test_codes_are_read_forgivingly(cast: Cast) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    code = Invitation.objects.filter(survey=survey).first()
    assert code is not None
    spaced = f" {code.code[:4].lower()}-{code.code[4:]} "
    found = invitation_for_code(spaced)
    assert found is not None
    assert found.pk == code.pk
    assert invitation_for_code("nonsense") is None


# --- pages ------------------------------------------------------------------------------


def test_a_resident_answers_by_link_without_an_account(cast: Cast, client: Client) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household2)
    url = reverse("surveys:answer", args=[invitation.code])
    page = client.get(url)
    assert page.status_code == 200
    assert "晚上在小区里走" in page.content.decode()
    data: dict[str, Any] = {}
    for q in survey.questions.all():
        if q.kind == Question.Kind.SCALE:
            data[f"q{q.pk}"] = "5"
        elif q.kind == Question.Kind.SINGLE:
            data[f"q{q.pk}"] = "1"
        elif q.kind == Question.Kind.MULTIPLE:
            data[f"q{q.pk}"] = ["0", "3"]
    done = client.post(url, data)
    assert "提交成功" in done.content.decode()
    again = client.get(url)
    assert "已经答过" in again.content.decode()
    assert Response.objects.get(survey=survey).grid == cast.grid2


def test_a_missing_answer_is_shown_on_the_question(cast: Cast, client: Client) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household2)
    page = client.post(reverse("surveys:answer", args=[invitation.code]), {})
    assert page.status_code == 200
    assert (
        page.content.decode().count("这道题必须回答")
        == survey.questions.filter(required=True).count()
    )


def test_an_unknown_code_is_a_404_and_the_code_page_says_so(cast: Cast, client: Client) -> None:
    assert client.get(reverse("surveys:answer", args=["ZZZZZZZZ"])).status_code == 404
    page = client.post(reverse("surveys:enter_code"), {"code": "ZZZZZZZZ"})
    assert "没有找到这个答题码" in page.content.decode()


def test_a_signed_in_resident_answers_for_their_household(cast: Cast, client_for: Any) -> None:
    survey = _survey(cast, named=True)
    survey_open(actor=cast.staff, survey=survey)
    client = client_for("resident")
    url = reverse("surveys:my_answer", args=[survey.pk])
    assert client.get(url).status_code == 200
    data = {f"q{q.pk}": "4" for q in survey.questions.filter(kind=Question.Kind.SCALE)}
    for q in survey.questions.exclude(kind__in=[Question.Kind.SCALE, Question.Kind.TEXT]):
        data[f"q{q.pk}"] = "0"
    client.post(url, data)
    assert Response.objects.get(survey=survey).resident == cast.elder


def test_staff_compose_publish_and_read_results(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    created = client.post(
        reverse("surveys:create"),
        {"community": cast.community.pk, "title": "冬季供暖满意度", "use_template": "on"},
    )
    survey = Survey.objects.get(title="冬季供暖满意度")
    assert created.status_code == 302
    client.post(
        reverse("surveys:detail", args=[survey.pk]),
        {"kind": "single", "text": "暖气热吗?", "choices": "热\n不热", "required": "on"},
    )
    assert survey.questions.filter(text="暖气热吗?").exists()
    client.post(reverse("surveys:open", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    codes = client.get(reverse("surveys:codes", args=[survey.pk]))
    assert codes.content.decode().count("<svg") == 2
    detail = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert "回收率" in detail.content.decode()
    export = client.get(reverse("surveys:export", args=[survey.pk]))
    workbook = load_workbook(io.BytesIO(export.content))
    rows = list(workbook["按网格"].iter_rows(values_only=True))
    assert rows[0][:4] == ("网格", "邀请户数", "作答户数", "回收率(%)")
    assert [r[1] for r in rows[1:]] == [1, 1]


@pytest.mark.parametrize("username", ["worker1", "resident", "volunteer"])
def test_who_may_not_see_surveys(cast: Cast, client_for: Any, username: str) -> None:
    survey = _survey(cast)
    client = client_for(username)
    assert client.get(reverse("surveys:list")).status_code == 403
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 404


def test_a_leader_reads_but_does_not_manage(cast: Cast, client_for: Any) -> None:
    survey = _survey(cast)
    client = client_for("leader")
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 200
    assert client.post(reverse("surveys:open", args=[survey.pk])).status_code == 404
    assert client.get(reverse("surveys:create")).status_code == 403


# --- API ---------------------------------------------------------------------------------


def _api(client: Client, user: Any, path: str) -> Any:
    from linli.accounts.services import api_token_create

    _token, secret = api_token_create(user=user, name="test")
    return client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_api_lists_surveys_and_their_results_by_grid(cast: Cast, client: Client) -> None:
    survey = _survey(cast)
    survey_open(actor=cast.staff, survey=survey)
    invitation = Invitation.objects.get(survey=survey, household=cast.household1)
    survey_answer(invitation=invitation, answers=_full_answers(survey, 5, "修路灯"))
    listing = _api(client, cast.leader, "/surveys").json()
    assert listing["count"] == 1
    assert listing["items"][0] | {"opened_at": None} == {
        "id": survey.pk,
        "title": "社区满意度",
        "status": "open",
        "community": "和平社区",
        "audience": "和平社区",
        "named": False,
        "opened_at": None,
        "closed_at": None,
        "invited": 2,
        "answered": 1,
    }
    results = _api(client, cast.staff, f"/surveys/{survey.pk}").json()
    assert results["rate"] == "50.0"
    grids = {g["grid"]: g for g in results["grids"]}
    assert grids["第1网格"]["dimensions"]["安全感"] == "5.00"
    assert grids["第2网格"]["answered"] == 0
    text = next(q for q in results["questions"] if q["kind"] == "text")
    assert text["texts"] == ["修路灯"]


def test_api_refuses_who_may_not_see_surveys(cast: Cast, client: Client) -> None:
    survey = _survey(cast)
    assert _api(client, cast.worker1, "/surveys").status_code == 403
    assert _api(client, cast.worker1, f"/surveys/{survey.pk}").status_code == 404
    outsider = survey_create(
        actor=cast.admin,
        community=cast.other_community,
        title="别的社区",
    )
    assert _api(client, cast.staff, f"/surveys/{outsider.pk}").status_code == 404
