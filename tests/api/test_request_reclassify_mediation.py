"""``/api/v1/requests``: the request page's remaining forms — change category and place,
take triage's suggestion, the mediation record of a dispute — through the same services
as the page: 403 for a caller who may see but not change, 404 outside scope, 409 when the
request's state does not allow it, 422 for bad input."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from linli.requests.models import Channel, Mediation, Request
from linli.requests.services import request_submit
from linli.requests.workflow import Status
from linli.triage.models import Correction, Suggestion
from tests.api.support import ApiCase
from tests.requests.support import file_request, waiting

URL = "/api/v1/requests"


class Reclassify(ApiCase):
    def test_a_dispatcher_moves_a_waiting_request_to_a_unit_and_it_is_routed(self) -> None:
        request = waiting(self.cast)
        status, body = self.post(
            self.cast.staff,
            f"{URL}/{request.pk}/reclassify",
            {"category": "sanitation", "location_code": self.cast.unit2.code, "room": "101"},
        )
        assert status == 200, body
        assert (body["category"], body["location"]["code"]) == ("sanitation", self.cast.unit2.code)
        assert body["location"]["room"] == "101"
        stored = Request.objects.get(pk=request.pk)
        assert (stored.status, stored.assignee) == (Status.ASSIGNED, self.cast.worker2)
        assert Correction.objects.get(request=request).category == "sanitation"

    def test_only_the_category_changes_when_only_it_is_given(self) -> None:
        request = file_request(self.cast)
        status, body = self.post(
            self.cast.staff, f"{URL}/{request.pk}/reclassify", {"category": "sanitation"}
        )
        assert status == 200
        assert (body["category"], body["location"]["code"], body["location"]["room"]) == (
            "sanitation",
            self.cast.unit1.code,
            "101",
        )

    def test_refused_out_of_scope_and_for_bad_input(self) -> None:
        request = file_request(self.cast)
        path = f"{URL}/{request.pk}/reclassify"
        assert self.post(self.cast.worker1, path, {"category": "sanitation"})[0] == 403
        assert self.post(self.cast.worker2, path, {"category": "sanitation"})[0] == 404
        assert self.post(self.outsider, path, {"category": "sanitation"})[0] == 404
        status, body = self.post(self.cast.staff, path, {"category": "nonsense"})
        assert (status, list(body["errors"])) == (422, ["category"])
        other = self.cast.other_community.code
        status, body = self.post(self.cast.staff, path, {"location_code": other})
        assert (status, body["errors"]) == (422, {"location_code": ["只能在本社区之内调整位置。"]})
        status, body = self.post(
            self.cast.staff, path, {"location_code": self.cast.compound.code, "room": "101"}
        )
        assert (status, list(body["errors"])) == (422, ["room"])
        assert self.post(self.cast.staff, path, {"note": "x" * 201})[0] == 422
        assert Request.objects.get(pk=request.pk).category.code != "sanitation"

    def test_a_finished_request_cannot_be_reclassified(self) -> None:
        request = file_request(self.cast)
        Request.objects.filter(pk=request.pk).update(status=Status.CLOSED)
        status, body = self.post(
            self.cast.staff, f"{URL}/{request.pk}/reclassify", {"category": "sanitation"}
        )
        assert (status, body["detail"]) == (409, "已办结或关闭的诉求不能再调整类别或位置。")


@override_settings(LINLI_TRIAGE_THRESHOLD=1.01)  # nothing is sure enough: a suggestion waits
class AcceptSuggestion(ApiCase):
    def _unsure(self) -> Request:
        return request_submit(
            submitted_by=self.cast.resident_user,
            reporter=self.cast.elder,
            text="2号楼1单元门口的垃圾堆了好几天了,臭得不行",
            channel=Channel.API,
            location=self.cast.community,
        )

    def test_a_dispatcher_takes_the_suggestion_and_the_request_is_routed(self) -> None:
        request = self._unsure()
        path = f"{URL}/{request.pk}/accept-suggestion"
        assert self.post(self.cast.worker1, path)[0] == 404  # not yet in a grid
        assert self.post(self.outsider, path)[0] == 404
        assert self.post(self.cast.resident_user, path)[0] == 403
        status, body = self.post(self.cast.staff, path)
        assert status == 200, body
        assert (body["category"], body["location"]["code"]) == ("sanitation", self.cast.unit2.code)
        assert body["assignee"] == self.cast.worker2.username
        suggestion = Suggestion.objects.get(request=request)
        assert (suggestion.applied, suggestion.accepted_by) == (True, self.cast.staff)
        status, body = self.post(self.cast.staff, path)
        assert (status, body["detail"]) == (409, "这条诉求没有待采纳的分诊建议。")


class Mediations(ApiCase):
    def _dispute(self) -> Request:
        return file_request(
            self.cast, text="楼上装修太吵,晚上十点还在砸墙", category_code="dispute"
        )

    def test_the_assignee_records_a_mediation_from_parties_to_agreement(self) -> None:
        request = self._dispute()
        path = f"{URL}/{request.pk}/mediation"
        assert self.get(self.cast.worker1, path)[0] == 404  # nothing recorded yet
        status, _body = self.post(
            self.cast.worker1,
            f"{path}/sessions",
            {"held_on": str(timezone.localdate()), "mediators": "刘主任", "notes": "双方到场"},
        )
        assert status == 409
        status, body = self.post(self.cast.worker1, path, {"parties": "张某\n李某"})
        assert (status, body["parties"], body["outcome"]) == (200, ["张某", "李某"], "pending")
        today = timezone.localdate()
        status, body = self.post(
            self.cast.worker1,
            f"{path}/sessions",
            {"held_on": str(today), "mediators": "刘主任", "notes": "双方到场,各退一步"},
        )
        assert status == 200
        assert body["sessions"] == [
            {"held_on": str(today), "mediators": "刘主任", "notes": "双方到场,各退一步"}
        ]
        status, body = self.post(
            self.cast.worker1,
            f"{path}/conclude",
            {"outcome": "agreement", "agreement_text": "晚八点后不施工"},
        )
        assert (status, body["outcome"], body["agreement_text"]) == (
            200,
            "agreement",
            "晚八点后不施工",
        )
        assert self.get(self.cast.staff, path)[1]["outcome_label"] == "达成协议"
        assert Mediation.objects.get(request=request).concluded_at is not None

    def test_refused_out_of_scope_for_others_and_for_bad_input(self) -> None:
        request = self._dispute()
        path = f"{URL}/{request.pk}/mediation"
        assert self.post(self.cast.worker2, path, {"parties": "张某"})[0] == 404
        assert self.post(self.outsider, path, {"parties": "张某"})[0] == 404
        assert self.get(self.outsider, path)[0] == 404
        assert self.post(self.cast.resident_user, path, {"parties": "张某"})[0] == 403
        status, body = self.post(self.cast.worker1, path, {"parties": " "})
        assert (status, list(body["errors"])) == (422, ["parties"])
        assert self.post(self.cast.worker1, path, {"parties": "x" * 2001})[0] == 422
        assert self.post(self.cast.worker1, path, {"parties": "张某"})[0] == 200
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        status, body = self.post(
            self.cast.worker1,
            f"{path}/sessions",
            {"held_on": str(tomorrow), "mediators": "刘主任", "notes": "约了明天"},
        )
        assert (status, list(body["errors"])) == (422, ["held_on"])
        status, body = self.post(self.cast.worker1, f"{path}/conclude", {"outcome": "agreement"})
        assert (status, list(body["errors"])) == (422, ["agreement_text"])
        assert self.post(self.cast.worker1, f"{path}/conclude", {"outcome": "pending"})[0] == 422

    def test_only_a_dispute_has_a_mediation(self) -> None:
        request = file_request(self.cast)
        status, body = self.post(
            self.cast.worker1, f"{URL}/{request.pk}/mediation", {"parties": "张某"}
        )
        assert (status, body["detail"]) == (409, "只有矛盾纠纷类诉求才有调解记录。")
