"""``/api/v1/programmes``: setting a summer programme up — the programme, its phases and
its timetable — through the same selectors and services as the set-up pages: 404 for a
site or programme outside the caller's ``programmes.manage`` scope, 422 for bad input."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import api_token_create, role_assign
from linli.core.roles import Role
from linli.programmes.models import Incident, Phase, Programme, Slot
from linli.programmes.services import site_create
from linli.volunteers.services import volunteer_create
from tests.api.support import ApiCase
from tests.cast import make_user
from tests.programmes.support import build_summer, enrol_child

URL = "/api/v1/programmes"


def _phase_body(**extra: object) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "name": "第二期",
        "start_date": str(today + dt.timedelta(days=10)),
        "end_date": str(today + dt.timedelta(days=30)),
        "weekdays": "12345",
        "opens_at": "08:30",
        "closes_at": "17:00",
        "capacity": 30,
        **extra,
    }


class ProgrammeSetup(ApiCase):
    def test_staff_create_a_programme_with_a_phase_and_a_timetable(self) -> None:
        site = site_create(actor=None, area=self.cast.community, name="和平社区党群服务站")
        status, body = self.post(
            self.cast.staff, URL, {"site": site.pk, "name": "候鸟课堂", "description": "暑期"}
        )
        assert status == 201, body
        programme = Programme.objects.get(pk=body["id"])
        assert (programme.name, programme.site) == ("候鸟课堂", site)
        status, body = self.post(
            self.cast.staff, f"{URL}/{programme.pk}", {"site": site.pk, "name": "候鸟课堂二"}
        )
        assert (status, body["name"]) == (200, "候鸟课堂二")

        status, phase = self.post(self.cast.staff, f"{URL}/{programme.pk}/phases", _phase_body())
        assert status == 201, phase
        assert (phase["weekdays"], phase["capacity"], phase["opens_at"]) == (
            "12345",
            30,
            "08:30:00",
        )
        status, phase = self.post(
            self.cast.staff, f"{URL}/phases/{phase['id']}", _phase_body(capacity=40)
        )
        assert (status, phase["capacity"]) == (200, 40)

        volunteer = volunteer_create(
            actor=None, community=self.cast.community, user=self.cast.volunteer_user, name="白志愿"
        )
        status, slot = self.post(
            self.cast.staff,
            f"{URL}/phases/{phase['id']}/slots",
            {
                "starts_at": "09:00",
                "ends_at": "10:30",
                "kind": "homework",
                "volunteer": volunteer.pk,
            },
        )
        assert status == 201, slot
        assert (slot["kind_label"], slot["volunteer_id"], slot["weekday"]) == (
            "课业辅导",
            volunteer.pk,
            None,
        )
        status, slot = self.post(
            self.cast.staff,
            f"{URL}/slots/{slot['id']}",
            {"starts_at": "09:00", "ends_at": "10:00", "kind": "reading", "teacher_name": "张老师"},
        )
        assert (status, slot["kind"], slot["teacher_name"]) == (200, "reading", "张老师")
        status, slots = self.get(self.cast.staff, f"{URL}/phases/{phase['id']}/slots")
        assert (status, [s["id"] for s in slots]) == (200, [slot["id"]])
        assert self.post(self.cast.staff, f"{URL}/slots/{slot['id']}/remove") == (
            200,
            {"removed": True},
        )
        assert not Slot.objects.exists()

    def test_outside_the_managers_scope_is_404(self) -> None:
        summer = build_summer(self.cast)
        slot_path = f"{URL}/phases/{summer.phase.pk}/slots"
        slot = {"starts_at": "09:00", "ends_at": "10:00", "kind": "homework"}
        for user in (self.outsider, self.cast.worker1, self.cast.resident_user):
            assert self.post(user, URL, {"site": summer.site.pk, "name": "x"})[0] == 404
            assert self.post(user, f"{URL}/{summer.programme.pk}/phases", _phase_body())[0] == 404
            assert self.post(user, f"{URL}/phases/{summer.phase.pk}", _phase_body())[0] == 404
            assert self.post(user, slot_path, slot)[0] == 404
            assert self.get(user, slot_path)[0] == 404
        assert Phase.objects.count() == 1

    def test_bad_input_is_422_with_the_field(self) -> None:
        summer = build_summer(self.cast)
        phases = f"{URL}/{summer.programme.pk}/phases"
        today = timezone.localdate()
        status, body = self.post(
            self.cast.staff, phases, _phase_body(end_date=str(today - dt.timedelta(days=1)))
        )
        assert status == 422, body
        assert self.post(self.cast.staff, phases, _phase_body(weekdays="89"))[0] == 422
        assert self.post(self.cast.staff, phases, _phase_body(name="x" * 61))[0] == 422
        slots = f"{URL}/phases/{summer.phase.pk}/slots"
        status, body = self.post(
            self.cast.staff,
            slots,
            {
                "starts_at": "07:00",
                "ends_at": "08:00",
                "kind": "homework",
                "teacher_name": "张老师",
            },
        )
        assert (status, list(body["errors"])) == (422, ["starts_at"])
        status, body = self.post(
            self.cast.staff,
            slots,
            {"starts_at": "09:00", "ends_at": "10:00", "kind": "homework", "volunteer": 999999},
        )
        assert (status, list(body["errors"])) == (422, ["volunteer"])
        assert (
            self.post(
                self.cast.staff, slots, {"starts_at": "09:00", "ends_at": "10:00", "kind": "nap"}
            )[0]
            == 422
        )
        assert self.post(self.cast.staff, URL, {"site": summer.site.pk, "name": ""})[0] == 422
        assert not Slot.objects.exists()


class TeamAndParents(ApiCase):
    def _guardian(self) -> User:
        """李建军, the child's parent (the cast's neighbour), with an account and a token."""
        guardian = make_user("lijianjun", "李建军")
        role_assign(actor=None, user=guardian, role=Role.RESIDENT, area=self.cast.community)
        self.cast.neighbour.user = guardian
        self.cast.neighbour.save(update_fields=["user"])
        self.secrets[guardian.pk] = api_token_create(user=guardian)[1]
        return guardian

    def test_the_team_records_an_incident_and_messages_parents(self) -> None:
        summer = build_summer(self.cast)
        enrol_child(summer)
        self._guardian()
        team = self.cast.volunteer_user
        path = f"{URL}/{summer.programme.pk}"
        status, body = self.post(team, f"{path}/incidents", {"description": "孩子摔倒擦伤"})
        assert (status, body["description"]) == (201, "孩子摔倒擦伤")
        assert Incident.objects.filter(programme=summer.programme).count() == 1
        status, body = self.post(team, f"{path}/messages", {"text": "带水杯"})
        assert (status, body) == (200, {"sent": 1})
        for user in (self.outsider, self.cast.worker2, self.cast.resident_user):
            assert self.post(user, f"{path}/incidents", {"description": "x"})[0] == 404
            assert self.post(user, f"{path}/messages", {"text": "x"})[0] == 404
        status, body = self.post(
            self.cast.volunteer_user, f"{path}/incidents", {"description": " "}
        )
        assert (status, list(body["errors"])) == (422, ["description"])
        assert (
            self.post(self.cast.volunteer_user, f"{path}/messages", {"text": "x" * 251})[0] == 422
        )

    def test_a_parent_rates_a_finished_phase(self) -> None:
        summer = build_summer(self.cast)
        enrolment = enrol_child(summer)
        guardian = self._guardian()
        path = f"{URL}/mine/{enrolment.pk}/rating"
        status, body = self.post(guardian, path, {"score": 5})
        assert (status, list(body["errors"])) == (422, ["score"])  # not over yet
        Phase.objects.filter(pk=summer.phase.pk).update(
            end_date=timezone.localdate() - dt.timedelta(days=1)
        )
        assert self.post(guardian, path, {"score": 6})[0] == 422
        assert self.post(guardian, path, {"score": 4, "comment": "x" * 501})[0] == 422
        assert self.post(self.cast.resident_user, path, {"score": 4})[0] == 404
        assert self.post(self.outsider, path, {"score": 4})[0] == 404
        status, body = self.post(guardian, path, {"score": 4, "comment": "老师很耐心"})
        assert (status, body["satisfaction"]) == (200, 4)
