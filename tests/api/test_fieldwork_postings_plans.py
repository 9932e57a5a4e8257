"""``/api/v1/fieldwork``: postings (包片/联点), sink-down plans and patrol check-ins, through
the same selectors and services as the pages: 403 without the capability, 404 for what is
outside the caller's scope or not theirs, 422 for bad input."""

from __future__ import annotations

import datetime as dt

from linli.accounts.models import User
from linli.accounts.services import api_token_create
from linli.fieldwork.models import Patrol, Posting, PostingKind, SinkDownPlan
from linli.fieldwork.services import patrol_finish, patrol_start, posting_create
from tests.api.support import ApiCase
from tests.fieldwork.support import make_cadre

URL = "/api/v1/fieldwork"
MONTH = dt.date(2026, 12, 1)


class Postings(ApiCase):
    def _with_token(self, user: User) -> User:
        self.secrets[user.pk] = api_token_create(user=user)[1]
        return user

    def test_the_community_links_a_cadre_to_a_grid_and_lists_it(self) -> None:
        cadre = self._with_token(make_cadre(self.cast))
        status, body = self.post(
            self.cast.staff,
            f"{URL}/postings",
            {"cadre": cadre.username, "kind": "liandian", "grid": self.cast.grid1.pk},
        )
        assert status == 201, body
        assert (body["cadre"], body["kind"], body["grid"], body["compound"]) == (
            cadre.username,
            "liandian",
            self.cast.grid1.pk,
            None,
        )
        posting = Posting.objects.get(pk=body["id"])
        assert (posting.cadre, posting.grid) == (cadre, self.cast.grid1)
        status, page = self.get(self.cast.staff, f"{URL}/postings")
        assert (status, [p["id"] for p in page["items"]], page["count"]) == (200, [posting.pk], 1)
        assert self.get(cadre, f"{URL}/postings")[1]["count"] == 1
        assert self.get(self.outsider, f"{URL}/postings")[1]["count"] == 0

    def test_refused_without_the_capability_outside_scope_and_for_bad_input(self) -> None:
        cadre = make_cadre(self.cast)
        body = {"cadre": cadre.username, "kind": "liandian", "grid": self.cast.grid1.pk}
        assert self.post(self.cast.worker1, f"{URL}/postings", body)[0] == 403
        status, answer = self.post(self.outsider, f"{URL}/postings", body)
        assert (status, sorted(answer["errors"])) == (422, ["cadre", "grid"])
        status, answer = self.post(
            self.cast.staff, f"{URL}/postings", {**body, "cadre": self.cast.worker1.username}
        )
        assert (status, list(answer["errors"])) == (422, ["cadre"])
        both = {**body, "compound": self.cast.compound.pk}
        assert self.post(self.cast.staff, f"{URL}/postings", both)[0] == 422
        assert self.post(self.cast.staff, f"{URL}/postings", {**body, "kind": "x"})[0] == 422
        assert not Posting.objects.exists()


class Plans(ApiCase):
    def _cadre_with_posting(self) -> tuple[User, Posting]:
        cadre = make_cadre(self.cast)
        self.secrets[cadre.pk] = api_token_create(user=cadre)[1]
        posting = posting_create(
            actor=None, cadre=cadre, kind=PostingKind.LIANDIAN, grid=self.cast.grid1
        )
        return cadre, posting

    def test_a_cadre_plans_a_day_and_changes_it(self) -> None:
        cadre, posting = self._cadre_with_posting()
        body = {"posting": posting.pk, "month": "2026-12-15", "planned_on": "2026-12-10"}
        status, answer = self.post(cadre, f"{URL}/plans", {**body, "note": "走访独居老人"})
        assert status == 200, answer
        assert answer == {
            "posting": posting.pk,
            "month": "2026-12-01",
            "planned_on": "2026-12-10",
            "note": "走访独居老人",
        }
        assert self.post(cadre, f"{URL}/plans", {**body, "planned_on": "2026-12-20"})[0] == 200
        plan = SinkDownPlan.objects.get(posting=posting, month=MONTH)
        assert plan.planned_on == dt.date(2026, 12, 20)

    def test_refused_for_others_postings_and_bad_dates(self) -> None:
        cadre, posting = self._cadre_with_posting()
        body = {"posting": posting.pk, "month": "2026-12-01"}
        assert self.post(self.cast.worker1, f"{URL}/plans", body)[0] == 403
        assert self.post(self.cast.leader, f"{URL}/plans", body)[0] == 404  # not theirs
        status, answer = self.post(cadre, f"{URL}/plans", {**body, "planned_on": "2027-01-03"})
        assert (status, list(answer["errors"])) == (422, ["planned_on"])
        assert self.post(cadre, f"{URL}/plans", {**body, "note": "x" * 201})[0] == 422
        assert not SinkDownPlan.objects.exists()


class PatrolCheck(ApiCase):
    def test_the_worker_ticks_buildings_and_places(self) -> None:
        patrol = patrol_start(actor=self.cast.worker1, grid=self.cast.grid1)
        path = f"{URL}/patrols/{patrol.pk}/check"
        body = {"buildings": [self.cast.building1.pk], "places": "健身广场"}
        status, answer = self.post(self.cast.worker1, path, body)
        assert status == 200, answer
        assert (answer["buildings"], answer["places"]) == ([self.cast.building1.name], "健身广场")
        stored = Patrol.objects.get(pk=patrol.pk)
        assert list(stored.buildings.all()) == [self.cast.building1]

    def test_refused_for_others_outside_scope_and_for_bad_input(self) -> None:
        patrol = patrol_start(actor=self.cast.worker1, grid=self.cast.grid1)
        path = f"{URL}/patrols/{patrol.pk}/check"
        assert self.post(self.cast.worker2, path, {"places": "x"})[0] == 404
        assert self.post(self.outsider, path, {"places": "x"})[0] == 404
        assert self.post(self.cast.staff, path, {"places": "x"})[0] == 403  # not their patrol
        status, answer = self.post(self.cast.worker1, path, {"buildings": [self.cast.building2.pk]})
        assert (status, list(answer["errors"])) == (422, ["buildings"])
        assert self.post(self.cast.worker1, path, {"places": "x" * 201})[0] == 422
        patrol_finish(actor=self.cast.worker1, patrol=patrol, note="")
        assert self.post(self.cast.worker1, path, {"places": "广场"})[0] == 422
        assert not Patrol.objects.get(pk=patrol.pk).buildings.exists()
