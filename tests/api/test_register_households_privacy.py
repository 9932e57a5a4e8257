"""``/api/v1/register``: a household edited, and a person's data exported or anonymised —
what the household and 「个人信息导出与匿名化」 pages do, through the same services, with
the same capabilities (404 outside them) and the same audit records."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.people.models import Resident
from tests.api.support import ApiCase
from tests.requests.support import file_request

URL = "/api/v1/register"


class HouseholdEdits(ApiCase):
    def test_room_and_notes_change_and_the_rest_is_kept(self) -> None:
        household = self.cast.household1
        path = f"{URL}/households/{household.pk}"
        status, body = self.post(self.cast.worker1, path, {"room": "102", "notes": "独居老人"})
        assert status == 200, body
        assert (body["room"], body["notes"], body["unit_id"]) == (
            "102",
            "独居老人",
            household.unit_id,
        )
        assert body["label"].endswith("102室")
        # Members stay masked, as everywhere in the register API.
        assert "****" in body["members"][0]["phone"]
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(household.pk))
        assert sorted(event.fields) == ["notes", "room"]

    def test_a_household_moved_to_another_unit_takes_its_members(self) -> None:
        household, unit2 = self.cast.household1, self.cast.unit2
        status, body = self.post(
            self.cast.staff, f"{URL}/households/{household.pk}", {"unit": unit2.pk, "room": "301"}
        )
        assert (status, body["unit_id"]) == (200, unit2.pk)
        assert Resident.objects.get(pk=self.cast.elder.pk).area_id == unit2.pk

    def test_scope_permission_and_validation(self) -> None:
        household = self.cast.household1
        path = f"{URL}/households/{household.pk}"
        assert self.post(self.cast.worker2, path, {"room": "102"})[0] == 404
        assert self.post(self.outsider, path, {"room": "102"})[0] == 404
        assert self.post(self.cast.leader, path, {"room": "102"})[0] == 404
        assert self.post(self.cast.resident_user, path, {"room": "102"})[0] == 404
        assert self.post(self.cast.worker1, path, {"unit": self.cast.other_community.pk})[0] == 404
        status, taken = self.post(
            self.cast.staff, path, {"unit": self.cast.unit2.pk, "room": "502"}
        )
        assert (status, taken["errors"]) == (422, {"room": ["该房号已登记为另一户。"]})
        status, long = self.post(self.cast.staff, path, {"room": "1" * 11})
        assert (status, list(long["errors"])) == (422, ["room"])
        assert self.get(self.cast.staff, f"{URL}/households/{household.pk}")[1]["room"] == "101"


class PersonalData(ApiCase):
    def test_what_is_held_and_whether_it_may_be_anonymised(self) -> None:
        file_request(self.cast)  # 王秀兰's open request holds her anonymisation back
        status, body = self.get(
            self.cast.staff, f"{URL}/residents/{self.cast.elder.pk}/personal-data"
        )
        assert status == 200, body
        assert {"people", "requests", "care"} <= set(body["sources"])
        assert len(body["refusals"]) == 1
        neighbour = self.get(
            self.cast.staff, f"{URL}/residents/{self.cast.neighbour.pk}/personal-data"
        )
        assert neighbour[1]["refusals"] == []

    def test_export_as_json_and_as_excel_is_audited(self) -> None:
        path = f"{URL}/residents/{self.cast.elder.pk}/personal-data"
        response = self.raw(self.cast.staff, "post", path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        document = json.loads(response.content)
        assert document["name"] == "王秀兰"
        register = next(iter(document["sections"].values()))
        # Decrypted, as the page's export: it is the person's own data.
        assert self.cast.elder.id_number in json.dumps(register, ensure_ascii=False)

        response = self.raw(self.cast.staff, "post", path, {"format": "xlsx"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "说明"
        notes = AuditEvent.objects.filter(
            action=AuditEvent.Action.EXPORT, object_id=str(self.cast.elder.pk)
        ).values_list("note", flat=True)
        assert sorted(notes) == ["导出个人信息(json)", "导出个人信息(xlsx)"]

    def test_export_is_for_those_who_manage_personal_data_in_scope(self) -> None:
        path = f"{URL}/residents/{self.cast.elder.pk}/personal-data"
        for user in (self.cast.worker1, self.cast.leader, self.outsider, self.cast.resident_user):
            assert self.post(user, path)[0] == 404
            assert self.get(user, path)[0] == 404
        status, body = self.post(self.cast.staff, path, {"format": "pdf"})
        assert (status, list(body["errors"])) == (422, ["format"])
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()

    def test_anonymise_needs_confirmation_and_then_the_person_is_gone(self) -> None:
        neighbour = self.cast.neighbour
        path = f"{URL}/residents/{neighbour.pk}/anonymise"
        status, body = self.post(self.cast.staff, path, {"confirm": False})
        assert (status, body["errors"]) == (
            422,
            {"confirm": ["匿名化不可撤销,请勾选确认后再提交。"]},
        )
        assert self.post(self.cast.staff, path, {})[0] == 422
        assert self.post(self.cast.staff, path, {"confirm": True}) == (204, None)
        anonymised = Resident.objects.get(pk=neighbour.pk)
        assert (anonymised.name, anonymised.anonymised_at is not None) == ("已匿名", True)
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.ANONYMISE, object_id=str(neighbour.pk)
        ).exists()
        assert self.get(self.cast.staff, f"{URL}/residents/{neighbour.pk}")[0] == 404

    def test_an_open_request_holds_anonymisation_back_with_a_conflict(self) -> None:
        file_request(self.cast)
        path = f"{URL}/residents/{self.cast.elder.pk}/anonymise"
        status, body = self.post(self.cast.staff, path, {"confirm": True})
        assert (status, body["code"]) == (409, "invalid_transition")
        assert "诉求" in body["detail"]
        assert Resident.objects.get(pk=self.cast.elder.pk).anonymised_at is None
        for user in (self.cast.worker1, self.cast.leader, self.outsider):
            assert self.post(user, path, {"confirm": True})[0] == 404
