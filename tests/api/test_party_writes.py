"""``/api/v1/party``: the writes the party pages allow — plan a theme party day, set up a
vanguard post (先锋岗) — through the same selectors and services: 403 without the
capability, 404 for an organisation or member outside the caller's scope, 422 for bad
input."""

from __future__ import annotations

from linli.party.models import PartyDay, VanguardPost
from tests.api.support import ApiCase
from tests.party.support import PartyCast, build_party

URL = "/api/v1/party"


class PartyWrites(ApiCase):
    def _party(self) -> PartyCast:
        return build_party(self.cast)

    def test_a_grid_worker_plans_a_party_day_for_their_group(self) -> None:
        party = self._party()
        body = {"organisation": party.group1.pk, "topic": "学习新条例", "planned_for": "2026-12-20"}
        status, answer = self.post(self.cast.worker1, f"{URL}/days", {**body, "place": "服务站"})
        assert status == 201, answer
        day = PartyDay.objects.get(pk=answer["id"])
        assert (day.organisation, day.topic, day.place, str(day.planned_for)) == (
            party.group1,
            "学习新条例",
            "服务站",
            "2026-12-20",
        )

    def test_planning_is_refused_outside_scope_without_the_right_and_for_bad_input(self) -> None:
        party = self._party()
        body = {"organisation": party.group1.pk, "topic": "学习", "planned_for": "2026-12-20"}
        before = PartyDay.objects.count()
        assert self.post(self.cast.resident_user, f"{URL}/days", body)[0] == 403
        assert self.post(self.cast.worker2, f"{URL}/days", body)[0] == 404  # grid 2's worker
        assert self.post(self.outsider, f"{URL}/days", body)[0] == 404
        status, answer = self.post(self.cast.worker1, f"{URL}/days", {**body, "topic": " "})
        assert (status, list(answer["errors"])) == (422, ["topic"])
        committee = {**body, "organisation": party.committee.pk}
        status, answer = self.post(self.cast.staff, f"{URL}/days", committee)
        assert (status, list(answer["errors"])) == (422, ["organisation"])
        assert self.post(self.cast.worker1, f"{URL}/days", {**body, "topic": "x" * 101})[0] == 422
        assert PartyDay.objects.count() == before

    def test_staff_set_up_a_vanguard_post_for_a_member(self) -> None:
        party = self._party()
        path = f"{URL}/members/{party.member.pk}/posts"
        body = {"kind": "building_head", "buildings": [self.cast.building1.pk], "note": "1号楼"}
        status, answer = self.post(self.cast.staff, path, body)
        assert status == 201, answer
        assert (answer["kind_label"], answer["buildings"]) == ("楼栋长", [self.cast.building1.pk])
        post = VanguardPost.objects.get(pk=answer["id"])
        assert (post.member, list(post.buildings.all())) == (party.member, [self.cast.building1])

    def test_a_post_is_refused_outside_scope_and_for_bad_input(self) -> None:
        party = self._party()
        path = f"{URL}/members/{party.member.pk}/posts"
        body = {"kind": "building_head", "buildings": [self.cast.building1.pk]}
        assert self.post(self.cast.worker1, path, body)[0] == 404  # may record, not manage
        assert self.post(self.outsider, path, body)[0] == 404
        assert self.post(self.cast.staff, path, {**body, "kind": "x"})[0] == 422
        status, answer = self.post(
            self.cast.staff, path, {**body, "buildings": [self.cast.unit1.pk]}
        )
        assert (status, list(answer["errors"])) == (422, ["buildings"])
        assert not VanguardPost.objects.exists()
