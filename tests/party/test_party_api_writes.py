"""``/api/v1/party``: registering a party member and recording a theme party day, as on the
pages (``party:member_new``, ``party:record``) and through the same services: 403 without
the capability, 404 for an organisation or party day outside the caller's scope, 422 for
what the page would refuse — an ID number not in the caller's register, a member of
another organisation, a place not offered, a date still to come."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.areas.services import grid_create
from linli.core.models import AuditEvent
from linli.party.models import MemberKind, PartyDayState, PartyMember
from linli.requests.models import Channel
from tests.api.support import ApiCase
from tests.party.support import PartyCast, build_party

URL = "/api/v1/party"


class RegisterMember(ApiCase):
    def _party(self) -> PartyCast:
        return build_party(self.cast)

    def test_staff_register_a_resident_by_id_number_and_a_login_by_username(self) -> None:
        party = self._party()
        cast = self.cast
        status, member = self.post(
            cast.staff,
            f"{URL}/members",
            {
                "organisation": party.group1.pk,
                "id_number": f" {cast.elder.id_number.lower()} ",
                "grid": cast.grid1.pk,
            },
        )
        assert status == 201, member
        assert (member["name"], member["kind"], member["grid"], member["position"]) == (
            "王秀兰",
            "direct",
            "第1网格",
            "member",
        )
        registered = PartyMember.objects.get(pk=member["id"])
        assert (registered.resident, registered.community) == (cast.elder, cast.community)
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.CREATE,
            object_type="party.partymember",
            object_id=member["id"],
        ).exists()

        status, member = self.post(
            cast.staff,
            f"{URL}/members",
            {"organisation": party.branch.pk, "username": cast.worker2.username},
        )
        assert status == 201, member
        assert PartyMember.objects.get(pk=member["id"]).user == cast.worker2

    def test_only_party_managers_register_and_only_in_their_organisations(self) -> None:
        party = self._party()
        body = {"organisation": party.group1.pk, "id_number": self.cast.elder.id_number}
        before = PartyMember.objects.count()
        # A grid worker records party days but does not manage members; a leader only views.
        for user in (self.cast.worker1, self.cast.leader, self.cast.resident_user):
            status, answer = self.post(user, f"{URL}/members", body)
            assert (status, answer["code"]) == (403, "not_permitted"), user
        status, answer = self.post(self.outsider, f"{URL}/members", body)
        assert (status, answer["code"]) == (404, "not_found")
        assert PartyMember.objects.count() == before

    def test_what_the_page_would_refuse_is_a_422_in_chinese(self) -> None:
        party = self._party()
        cast = self.cast
        path = f"{URL}/members"
        group1 = party.group1.pk
        before = PartyMember.objects.count()

        status, answer = self.post(
            cast.staff, path, {"organisation": group1, "id_number": "110101199003070000"}
        )
        assert (status, answer["errors"]) == (
            422,
            {"id_number": ["本社区登记在册的居民中没有这个身份证号。"]},
        )
        status, answer = self.post(cast.staff, path, {"organisation": group1})
        assert (status, answer["errors"]) == (
            422,
            {"__all__": ["请填写身份证号或登录账号,二者选其一。"]},
        )
        status, answer = self.post(cast.staff, path, {"organisation": group1, "username": "nobody"})
        assert (status, answer["errors"]) == (422, {"username": ["没有这个登录账号。"]})
        # The neighbour is already a member (a dual-report one of group 2).
        status, answer = self.post(
            cast.staff, path, {"organisation": group1, "id_number": cast.neighbour.id_number}
        )
        assert (status, answer["errors"]) == (422, {"resident": ["这位居民已登记为党员。"]})
        # Members are registered into a branch or a grid group, as on the page.
        status, answer = self.post(
            cast.staff,
            path,
            {"organisation": party.committee.pk, "id_number": cast.elder.id_number},
        )
        assert (status, answer["errors"]) == (422, {"organisation": ["请选择党支部或网格党小组。"]})
        status, answer = self.post(
            cast.staff,
            path,
            {
                "organisation": group1,
                "id_number": cast.elder.id_number,
                "kind": MemberKind.DUAL_REPORT,
            },
        )
        assert (status, sorted(answer["errors"])) == (
            422,
            ["grid", "home_organisation", "reported_on"],
        )
        elsewhere = grid_create(
            actor=None, community=cast.other_community, code="141181200002001", name="友谊1网格"
        )
        status, answer = self.post(
            cast.staff,
            path,
            {"organisation": group1, "id_number": cast.elder.id_number, "grid": elsewhere.pk},
        )
        assert (status, answer["errors"]) == (422, {"grid": ["请选择本人范围内的网格。"]})
        for bad in (
            {"organisation": group1, "username": "x", "kind": "honorary"},
            {"organisation": group1, "username": "x", "position": "chief"},
            {"organisation": 2**63, "username": "x"},
            {"organisation": group1, "id_number": "1" * 31},
            {"organisation": group1, "username": "x", "reported_on": "1066-10-14"},
        ):
            assert self.post(cast.staff, path, bad)[0] == 422, bad
        assert PartyMember.objects.count() == before


class RecordPartyDay(ApiCase):
    def _party(self) -> PartyCast:
        return build_party(self.cast)

    def test_a_grid_worker_records_the_day_and_the_concerns_become_requests(self) -> None:
        party = self._party()
        cast = self.cast
        day = f"{URL}/days/{party.planned.pk}"
        status, places = self.get(cast.worker2, f"{day}/places")
        assert status == 200, places
        assert places[0] == {"id": cast.building2.pk, "name": "和平小区2号楼"}

        status, body = self.post(
            cast.worker2,
            f"{day}/record",
            {
                "held_on": timezone.localdate().isoformat(),
                "place": "2号楼前",
                "members_present": [party.dual.pk],
                "residents_present": 9,
                "summary": "走访独居老人三户",
                "concerns": [
                    {"text": "2号楼门口的路灯不亮", "place": cast.building2.pk},
                    {"text": "楼道里堆了纸箱"},  # no place: the first one offered
                ],
            },
        )
        assert status == 200, body
        assert (body["state"], body["place"], body["members_present"]) == ("held", "2号楼前", 1)
        assert body["residents_present"] == 9
        texts = sorted(c["text"] for c in body["concerns"])
        assert texts == ["2号楼门口的路灯不亮", "楼道里堆了纸箱"]
        party.planned.refresh_from_db()
        assert party.planned.state == PartyDayState.HELD
        requests = [c.request for c in party.planned.concerns.select_related("request")]
        assert {(r.channel, r.assignee, r.location) for r in requests} == {
            (Channel.PARTY_DAY, cast.worker2, cast.building2)
        }
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.UPDATE,
            object_type="party.partyday",
            object_id=party.planned.pk,
        ).exists()

    def test_who_may_not_record_gets_403_and_a_day_out_of_scope_404(self) -> None:
        party = self._party()
        day = f"{URL}/days/{party.planned.pk}"  # group 2's
        body = {"held_on": timezone.localdate().isoformat()}
        for user in (self.cast.leader, self.cast.resident_user, self.cast.volunteer_user):
            assert self.post(user, f"{day}/record", body)[0] == 403, user
            assert self.get(user, f"{day}/places")[0] == 403, user
        for user in (self.cast.worker1, self.outsider):  # grid 1's worker, another community
            assert self.post(user, f"{day}/record", body)[0] == 404, user
            assert self.get(user, f"{day}/places")[0] == 404, user
        party.planned.refresh_from_db()
        assert party.planned.state == PartyDayState.PLANNED

    def test_what_the_page_would_refuse_is_a_422(self) -> None:
        party = self._party()
        cast = self.cast
        path = f"{URL}/days/{party.planned.pk}/record"
        today = timezone.localdate()
        body = {"held_on": today.isoformat()}

        tomorrow = {**body, "held_on": (today + dt.timedelta(days=1)).isoformat()}
        status, answer = self.post(cast.worker2, path, tomorrow)
        assert (status, answer["errors"]) == (422, {"held_on": ["举办时间不能晚于现在。"]})
        # Group 1's leader is not a member of group 2.
        status, answer = self.post(
            cast.worker2, path, {**body, "members_present": [party.leader1.pk]}
        )
        assert (status, answer["errors"]) == (422, {"members_present": ["只能勾选本组织的党员。"]})
        # Building 1 is grid 1's: not a place grid 2's worker may file at.
        status, answer = self.post(
            cast.worker2,
            path,
            {**body, "concerns": [{"text": "路灯不亮", "place": cast.building1.pk}]},
        )
        assert (status, answer["errors"]) == (422, {"concerns": ["请选择可以登记诉求的位置。"]})
        for bad in (
            {**body, "residents_present": -1},
            {**body, "concerns": [{"text": ""}]},
            {**body, "concerns": [{"text": "路灯"}] * 6},
            {**body, "members_present": [0]},
            {"held_on": "1066-10-14"},
            {},
        ):
            assert self.post(cast.worker2, path, bad)[0] == 422, bad
        party.planned.refresh_from_db()
        assert (party.planned.state, party.planned.concerns.count()) == (PartyDayState.PLANNED, 0)
