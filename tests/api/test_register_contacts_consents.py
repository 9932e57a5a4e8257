"""``/api/v1/register``: a resident's emergency contacts and consents, through the people
services — scoped (404 outside), audited, and refused once a person's consent is
withdrawn — like the resident page."""

from __future__ import annotations

from linli.core.models import AuditEvent
from linli.people.models import Consent, EmergencyContact
from tests.api.support import ApiCase

URL = "/api/v1/register"


class EmergencyContacts(ApiCase):
    def test_add_list_and_delete_a_contact(self) -> None:
        elder = self.cast.elder
        contact = {"name": "王强", "relation": "儿子", "phone": "13911112222", "note": "在太原"}
        status, body = self.post(self.cast.worker1, f"{URL}/residents/{elder.pk}/contacts", contact)
        assert status == 201, body
        assert (body["name"], body["phone"]) == ("王强", "139****2222")
        shown = self.get(self.cast.worker1, f"{URL}/residents/{elder.pk}")[1]
        assert [c["id"] for c in shown["emergency_contacts"]] == [body["id"]]

        assert self.post(self.cast.worker2, f"{URL}/contacts/{body['id']}/delete")[0] == 404
        status, nothing = self.post(self.cast.worker1, f"{URL}/contacts/{body['id']}/delete")
        assert (status, nothing) == (204, None)
        assert not EmergencyContact.objects.exists()
        assert AuditEvent.objects.filter(action="delete", object_id=str(body["id"])).exists()

    def test_scope_permission_and_validation(self) -> None:
        elder = self.cast.elder
        path = f"{URL}/residents/{elder.pk}/contacts"
        contact = {"name": "王强", "relation": "儿子", "phone": "13911112222"}
        assert self.post(self.cast.worker2, path, contact)[0] == 404
        assert self.post(self.outsider, path, contact)[0] == 404
        # The resident sees their own record but may not edit the register.
        assert self.post(self.cast.resident_user, path, contact)[0] == 404
        status, body = self.post(self.cast.worker1, path, {**contact, "relation": " "})
        assert (status, list(body["errors"])) == (422, ["relation"])
        assert body["errors"]["relation"] == ["请填写与居民的关系,如“儿子”。"]
        status, body = self.post(self.cast.worker1, path, {**contact, "phone": "123"})
        assert (status, list(body["errors"])) == (422, ["phone"])
        assert not EmergencyContact.objects.exists()


class Consents(ApiCase):
    def test_record_list_and_withdraw(self) -> None:
        elder = self.cast.elder
        path = f"{URL}/residents/{elder.pk}/consents"
        status, body = self.post(self.cast.worker1, path, {"purpose": "health", "note": "纸质 01"})
        assert status == 201, body
        assert (body["given_by_name"], body["given_by_relation"], body["active"]) == (
            "王秀兰",
            "本人",
            True,
        )
        # The same purpose again while the first is in force: a conflict, not bad input.
        status, again = self.post(self.cast.worker1, path, {"purpose": "health"})
        assert (status, again["code"], again["detail"]) == (
            409,
            "duplicate",
            "该居民已有此用途的有效授权。",
        )
        listing = self.get(self.cast.worker1, path)[1]
        assert [c["id"] for c in listing["items"]] == [body["id"]]

        withdraw = f"{URL}/consents/{body['id']}/withdraw"
        status, invalid = self.post(self.cast.worker1, withdraw, {"note": " "})
        assert (status, invalid["errors"]) == (
            422,
            {"note": ["请填写撤回原因,如“监护人书面要求撤回”。"]},
        )
        status, withdrawn = self.post(self.cast.worker1, withdraw, {"note": "本人口头要求撤回"})
        assert (status, withdrawn["active"]) == (200, False)
        status, twice = self.post(self.cast.worker1, withdraw, {"note": "再撤一次"})
        assert (status, twice["code"], twice["detail"]) == (
            409,
            "invalid_transition",
            "该授权已撤回。",
        )
        assert Consent.objects.get().withdrawal_note == "本人口头要求撤回"

    def test_scope_permission_and_validation(self) -> None:
        elder = self.cast.elder
        path = f"{URL}/residents/{elder.pk}/consents"
        assert self.post(self.cast.worker2, path, {"purpose": "health"})[0] == 404
        assert self.post(self.outsider, path, {"purpose": "health"})[0] == 404
        assert self.get(self.cast.worker2, path)[0] == 404
        # A leader reads the register but records no consent.
        assert self.post(self.cast.leader, path, {"purpose": "health"})[0] == 404
        status, body = self.post(self.cast.worker1, path, {"purpose": "everything"})
        assert (status, list(body["errors"])) == (422, ["purpose"])
        status, body = self.post(
            self.cast.worker1, path, {"purpose": "health", "guardian": self.cast.neighbour.pk}
        )
        assert (status, body["errors"]) == (422, {"guardian": ["监护人须是本户的成年人。"]})
        consent = Consent.objects.create(
            resident=elder, purpose="health", given_by_name="王秀兰", method="written"
        )
        assert (
            self.post(self.cast.worker2, f"{URL}/consents/{consent.pk}/withdraw", {"note": "x"})[0]
            == 404
        )
