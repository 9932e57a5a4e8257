"""``/api/v1/surveys``: the printable one-time codes, the Excel export and a written answer
filed as a request — what the survey pages do, through the same selectors and services."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.requests.models import Channel, Request
from linli.surveys.models import Answer, Invitation, Survey
from linli.surveys.services import (
    RawAnswer,
    question_add,
    survey_answer,
    survey_create,
    survey_open,
)
from tests.api.support import ApiCase

URL = "/api/v1/surveys"


class SurveySheets(ApiCase):
    survey: Survey
    written: Answer
    chosen: Answer

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        staff = cls.cast.staff
        cls.survey = survey_create(actor=staff, community=cls.cast.community, title="满意度")
        single = question_add(
            actor=staff,
            survey=cls.survey,
            kind="single",
            text="满意吗?",
            choices=["满意", "不满意"],
        )
        text = question_add(actor=staff, survey=cls.survey, kind="text", text="有什么建议?")
        survey_open(actor=staff, survey=cls.survey, seed=1)
        invitation = Invitation.objects.get(survey=cls.survey, household=cls.cast.household1)
        survey_answer(
            invitation=invitation,
            answers={
                single.pk: RawAnswer(choices=(0,), scale=None, text=""),
                text.pk: RawAnswer(choices=(), scale=None, text="=1+1 楼道灯坏了"),
            },
        )
        cls.written = Answer.objects.get(question=text)
        cls.chosen = Answer.objects.get(question=single)

    def test_the_codes_of_every_invited_household_are_listed_and_audited(self) -> None:
        status, body = self.get(self.cast.staff, f"{URL}/{self.survey.pk}/codes")
        assert status == 200, body
        codes = {i.code: i for i in Invitation.objects.filter(survey=self.survey)}
        assert body["count"] == 2
        assert {item["code"] for item in body["items"]} == set(codes)
        first = next(i for i in body["items"] if codes[i["code"]].household == self.cast.household1)
        assert first["answered"] is True
        assert first["place"].endswith("101室")
        assert first["answer_url"] == f"http://testserver/surveys/a/{first['code']}/"
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW, object_id=str(self.survey.pk), note="第 1 页"
        ).exists()

    def test_codes_are_for_those_who_manage_the_survey_once_it_is_published(self) -> None:
        path = f"{URL}/{self.survey.pk}/codes"
        assert self.get(self.outsider, path)[0] == 404
        assert self.get(self.cast.leader, path)[0] == 404  # reads surveys, does not manage
        assert self.get(self.cast.worker1, path)[0] == 404
        draft = survey_create(actor=self.cast.staff, community=self.cast.community, title="草稿")
        assert self.get(self.cast.staff, f"{URL}/{draft.pk}/codes")[0] == 404
        status, body = self.get(self.cast.staff, path, page=0)
        assert (status, body["code"]) == (422, "invalid")

    def test_the_results_export_through_the_safe_writer_and_is_audited(self) -> None:
        response = self.raw(self.cast.staff, "get", f"{URL}/{self.survey.pk}/export.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["按网格", "各题统计", "文字回答"]
        # The written answer's formula is neutralised, as on the page's export.
        assert book["文字回答"]["C2"].value == "'=1+1 楼道灯坏了"
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.EXPORT, object_id=str(self.survey.pk)
        ).exists()
        # The leader reads results (the page lets them export too); the outsider sees none.
        assert (
            self.raw(self.cast.leader, "get", f"{URL}/{self.survey.pk}/export.xlsx").status_code
            == 200
        )
        assert self.get(self.outsider, f"{URL}/{self.survey.pk}/export.xlsx")[0] == 404
        assert self.get(self.cast.staff, f"{URL}/nine/export.xlsx")[0] == 422

    def test_a_written_answer_is_filed_as_a_request_once(self) -> None:
        path = f"{URL}/answers/{self.written.pk}/request"
        assert self.post(self.outsider, path)[0] == 404
        assert self.post(self.cast.leader, path)[0] == 404
        status, filed = self.post(self.cast.staff, path)
        assert status == 201, filed
        request = Request.objects.get(pk=filed["id"])
        assert (request.number, request.channel, request.text) == (
            filed["number"],
            Channel.SURVEY,
            "=1+1 楼道灯坏了",
        )
        status, again = self.post(self.cast.staff, path)
        assert (status, again["code"], again["detail"]) == (
            409,
            "invalid_transition",
            "这条回答已经转为诉求了。",
        )
        results = self.get(self.cast.staff, f"{URL}/{self.survey.pk}")[1]
        written = results["questions"][1]["written"]
        assert written == [
            {"id": self.written.pk, "text": "=1+1 楼道灯坏了", "request": filed["number"]}
        ]

    def test_only_a_written_answer_can_become_a_request(self) -> None:
        status, body = self.post(self.cast.staff, f"{URL}/answers/{self.chosen.pk}/request")
        assert (status, body["detail"]) == (422, "只有文字回答可以转为诉求。")
        assert not Request.objects.exists()
