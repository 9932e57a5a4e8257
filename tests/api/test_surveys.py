"""``/api/v1/surveys`` writes: compose a draft, publish it, answer with a household's
one-time code, close it — through the surveys services, scoped like the pages."""

from __future__ import annotations

from linli.surveys.models import Invitation, Response, Survey
from tests.api.support import ApiCase

URL = "/api/v1/surveys"
SATISFIED = {"kind": "single", "text": "您对网格员的服务满意吗?", "choices": ["满意", "不满意"]}


class ComposeAndPublish(ApiCase):
    def draft(self, **extra: object) -> dict[str, object]:
        status, body = self.post(
            self.cast.staff,
            URL,
            {"community": self.cast.community.pk, "title": "2026 年满意度调查", **extra},
        )
        assert status == 201, body
        assert isinstance(body, dict)
        return body

    def test_compose_publish_and_close(self) -> None:
        survey = self.draft(intro="每户一份")
        assert (survey["status"], survey["questions"], survey["audience"]) == (
            "draft",
            [],
            "和平社区",
        )
        path = f"{URL}/{survey['id']}"
        status, body = self.post(self.cast.staff, f"{path}/open")
        assert (status, body["detail"]) == (422, "调查还没有题目,请先添加题目或使用模板。")
        status, question = self.post(self.cast.staff, f"{path}/questions", SATISFIED)
        assert (status, question["position"], question["choices"]) == (201, 1, ["满意", "不满意"])
        extra = self.post(self.cast.staff, f"{path}/questions", {"kind": "text", "text": "建议?"})
        removed = self.post(self.cast.staff, f"{path}/questions/{extra[1]['id']}/remove")
        assert removed == (204, None)

        status, opened = self.post(self.cast.staff, f"{path}/open")
        assert (status, opened["status"], opened["invited"]) == (200, "open", 2)
        status, again = self.post(self.cast.staff, f"{path}/open")
        assert (status, again["code"], again["detail"]) == (
            409,
            "invalid_transition",
            "调查已发布,题目不能再修改。",
        )
        assert self.post(self.cast.staff, f"{path}/questions", SATISFIED)[0] == 409
        status, closed = self.post(self.cast.staff, f"{path}/close")
        assert (status, closed["status"]) == (200, "closed")
        assert self.post(self.cast.staff, f"{path}/close")[0] == 409

    def test_the_template_adds_the_wellbeing_questions(self) -> None:
        survey = self.draft(use_template=True)
        questions = survey["questions"]
        assert isinstance(questions, list)
        assert {q["dimension"] for q in questions} >= {"获得感", "幸福感", "安全感"}

    def test_scope_permission_and_validation(self) -> None:
        cast = self.cast
        body = {"community": cast.community.pk, "title": "调查"}
        assert self.post(self.outsider, URL, body)[0] == 404
        assert self.post(cast.worker1, URL, body)[0] == 403
        assert self.post(cast.leader, URL, body)[0] == 403
        outside = {**body, "audience_area": cast.other_community.pk}
        assert self.post(cast.staff, URL, outside)[0] == 404
        status, invalid = self.post(cast.staff, URL, {**body, "title": " ", "sample_size": 0})
        assert (status, invalid["errors"]) == (
            422,
            {"title": ["请填写调查标题。"], "sample_size": ["抽样户数至少为 1。"]},
        )
        survey_id = self.draft()["id"]
        status, bad = self.post(
            cast.staff, f"{URL}/{survey_id}/questions", {**SATISFIED, "choices": ["满意"]}
        )
        assert (status, bad["errors"]) == (422, {"choices": ["选择题至少要有两个选项,每行一个。"]})
        # The leader reads surveys but does not manage them; the outsider sees none.
        assert self.post(cast.leader, f"{URL}/{survey_id}/open")[0] == 404
        assert self.post(self.outsider, f"{URL}/{survey_id}/questions", SATISFIED)[0] == 404
        assert self.get(self.outsider, f"{URL}/{survey_id}/questions")[0] == 404
        assert Survey.objects.count() == 1


class AnswerWithACode(ApiCase):
    survey: Survey

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from linli.surveys.services import question_add, survey_create, survey_open

        staff = cls.cast.staff
        cls.survey = survey_create(actor=staff, community=cls.cast.community, title="满意度")
        question_add(actor=staff, survey=cls.survey, **SATISFIED)  # type: ignore[arg-type]
        question_add(actor=staff, survey=cls.survey, kind="scale", text="安全吗?")
        survey_open(actor=staff, survey=cls.survey, seed=1)

    def code(self) -> str:
        return Invitation.objects.get(survey=self.survey, household=self.cast.household1).code

    def test_fetch_the_questions_and_answer_once(self) -> None:
        code = self.code()
        # Any account may carry the household's code (a residents' mini-program, say).
        status, form = self.post(self.cast.resident_user, f"{URL}/questionnaire", {"code": code})
        assert (status, form["title"], len(form["questions"])) == (200, "满意度", 2)
        single, scale = (q["id"] for q in form["questions"])
        answers = [{"question": single, "choices": [0]}, {"question": scale, "scale": 4}]
        lower = code.lower()[:4] + "-" + code.lower()[4:]  # typed as printed, in lower case
        status, body = self.post(
            self.cast.resident_user, f"{URL}/answers", {"code": lower, "answers": answers}
        )
        assert (status, body["survey"]) == (201, "满意度")
        assert Response.objects.get().resident is None  # anonymous
        status, twice = self.post(
            self.cast.resident_user, f"{URL}/answers", {"code": code, "answers": answers}
        )
        assert (status, twice["code"], twice["detail"]) == (
            409,
            "duplicate",
            "您家已经答过这份调查了,每户只需回答一次。",
        )
        assert self.post(self.cast.resident_user, f"{URL}/questionnaire", {"code": code})[0] == 409
        results = self.get(self.cast.staff, f"{URL}/{self.survey.pk}")[1]
        assert (results["survey"]["answered"], results["questions"][1]["mean"]) == (1, "4.00")

    def test_invalid_answers_unknown_codes_and_a_closed_survey(self) -> None:
        questions = list(self.survey.questions.order_by("position"))
        bad = [{"question": questions[0].pk, "choices": [5]}, {"question": questions[1].pk}]
        status, body = self.post(
            self.cast.staff, f"{URL}/answers", {"code": self.code(), "answers": bad}
        )
        assert (status, body["errors"]) == (
            422,
            {
                f"q{questions[0].pk}": ["请选择一个选项。"],
                f"q{questions[1].pk}": ["这道题必须回答。"],
            },
        )
        unknown = {"code": "ZZZZZZZZ", "answers": []}
        assert self.post(self.cast.staff, f"{URL}/answers", unknown)[0] == 404
        assert self.post(self.cast.staff, f"{URL}/questionnaire", {"code": "ZZZZ"})[0] == 404
        self.post(self.cast.staff, f"{URL}/{self.survey.pk}/close")
        status, closed = self.post(self.cast.staff, f"{URL}/questionnaire", {"code": self.code()})
        assert (status, closed["detail"]) == (409, "这份调查已经结束,谢谢您的关心。")
        assert not Response.objects.exists()

    def test_a_signed_in_resident_answers_for_their_household_without_a_code(self) -> None:
        path = f"{URL}/{self.survey.pk}/mine"
        status, form = self.get(self.cast.resident_user, path)
        assert (status, form["title"], len(form["questions"])) == (200, "满意度", 2)
        single, scale = (q["id"] for q in form["questions"])
        answers = [{"question": single, "choices": [1]}, {"question": scale, "scale": 5}]
        status, bad = self.post(self.cast.resident_user, path, {"answers": answers[:1]})
        assert (status, bad["errors"]) == (422, {f"q{scale}": ["这道题必须回答。"]})
        status, body = self.post(self.cast.resident_user, path, {"answers": answers})
        assert (status, body["survey"]) == (201, "满意度")
        assert Invitation.objects.get(
            survey=self.survey, household=self.cast.household1
        ).answered_at
        assert Response.objects.get().resident is None  # an anonymous survey keeps no one
        status, twice = self.post(self.cast.resident_user, path, {"answers": answers})
        assert (status, twice["code"]) == (409, "duplicate")
        assert self.get(self.cast.resident_user, path)[0] == 409
        # Staff are no household of the survey; nor is a survey that does not exist.
        assert self.get(self.cast.staff, path)[0] == 404
        assert self.post(self.cast.staff, path, {"answers": answers})[0] == 404
        assert self.get(self.cast.resident_user, f"{URL}/{self.survey.pk + 99}/mine")[0] == 404
