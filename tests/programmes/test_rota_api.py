"""``/api/v1/programmes``: the volunteer rota as on the rota page — put a volunteer on duty,
credit the hours served, cancel a duty — through the same selectors and services: 404 for
a phase or duty outside the caller's ``programmes.manage`` scope (as the page), 422 for a
day, slot or volunteer the page would not offer, every write audited.

Only yesterday's duties are credited here: a duty of today ends at a time of day, and
whether it has ended would depend on when the test runs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.core.models import AuditEvent
from linli.programmes.models import Duty, SlotKind
from linli.programmes.services import phase_add, slot_add
from linli.volunteers.models import ServiceSource
from linli.volunteers.services import volunteer_create
from tests.api.support import ApiCase
from tests.cast import make_user
from tests.programmes.support import Summer, build_summer, summer_slot, team_volunteer

URL = "/api/v1/programmes"


class RotaApi(ApiCase):
    def _summer(self) -> Summer:
        return build_summer(self.cast)

    def test_staff_put_a_volunteer_on_duty_credit_the_hours_and_cancel_a_duty(self) -> None:
        summer = self._summer()
        slot = summer_slot(summer)  # 课业辅导 09:00–11:00
        volunteer = team_volunteer(summer)
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        rota = f"{URL}/phases/{summer.phase.pk}/rota"

        status, body = self.get(self.cast.staff, rota)
        assert status == 200, body
        assert len(body["days"]) == 10  # three days ago to six days ahead, every weekday
        assert all(day["duties"] == [] for day in body["days"])
        assert [v["id"] for v in body["volunteers"]] == [volunteer.pk]

        status, duty = self.post(
            self.cast.staff,
            rota,
            {"day": yesterday.isoformat(), "slot": slot.pk, "volunteer": volunteer.pk},
        )
        assert status == 201, duty
        assert (duty["slot_id"], duty["volunteer"], duty["starts_at"], duty["ends_at"]) == (
            slot.pk,
            "白志愿",
            "09:00:00",
            "11:00:00",
        )
        assert duty["credited"] is False
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.CREATE, object_type="programmes.duty", object_id=duty["id"]
        ).exists()
        status, body = self.get(self.cast.staff, rota)
        shown = {day["day"]: day["duties"] for day in body["days"]}
        assert [d["id"] for d in shown[yesterday.isoformat()]] == [duty["id"]]

        status, answer = self.post(self.cast.staff, f"{rota}/credit")
        assert (status, answer) == (200, {"credited": 1})
        assert self.post(self.cast.staff, f"{rota}/credit") == (200, {"credited": 0})
        record = volunteer.service_records.get()
        assert (record.minutes, record.source) == (120, ServiceSource.PROGRAMME)
        # A credited duty stays: its hours are on the volunteer's record.
        status, answer = self.post(self.cast.staff, f"{URL}/duties/{duty['id']}/remove")
        assert (status, answer["code"]) == (422, "invalid")
        assert "已记入服务时长" in answer["detail"]

        status, whole_day = self.post(
            self.cast.staff,
            rota,
            {"day": timezone.localdate().isoformat(), "volunteer": volunteer.pk},
        )
        assert (status, whole_day["slot_id"]) == (201, None)
        status, answer = self.post(self.cast.staff, f"{URL}/duties/{whole_day['id']}/remove")
        assert (status, answer) == (200, {"removed": True})
        assert not Duty.objects.filter(pk=whole_day["id"]).exists()
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.DELETE,
            object_type="programmes.duty",
            object_id=whole_day["id"],
        ).exists()

    def test_who_may_not_manage_the_programme_gets_404_as_on_the_page(self) -> None:
        summer = self._summer()
        volunteer = team_volunteer(summer)
        duty = Duty.objects.create(
            phase=summer.phase, day=timezone.localdate(), volunteer=volunteer
        )
        rota = f"{URL}/phases/{summer.phase.pk}/rota"
        body = {"day": timezone.localdate().isoformat(), "volunteer": volunteer.pk}
        # The programme's own volunteer (on its team, signs children in), grid workers,
        # a resident, the staff of another community: none manages this site.
        for user in (
            self.cast.volunteer_user,
            self.cast.worker1,
            self.cast.resident_user,
            self.outsider,
        ):
            assert self.get(user, rota)[0] == 404, user
            assert self.post(user, rota, body)[0] == 404, user
            assert self.post(user, f"{rota}/credit")[0] == 404, user
            assert self.post(user, f"{URL}/duties/{duty.pk}/remove")[0] == 404, user
        assert Duty.objects.get() == duty
        assert self.post(self.cast.staff, f"{URL}/duties/{duty.pk + 1000}/remove")[0] == 404

    def test_a_duty_the_page_would_not_offer_is_a_422(self) -> None:
        summer = self._summer()
        volunteer = team_volunteer(summer)
        rota = f"{URL}/phases/{summer.phase.pk}/rota"
        today = timezone.localdate()
        body = {"day": today.isoformat(), "volunteer": volunteer.pk}

        after = {**body, "day": (summer.phase.end_date + dt.timedelta(days=1)).isoformat()}
        status, answer = self.post(self.cast.staff, rota, after)
        assert (status, list(answer["errors"])) == (422, ["day"])
        assert "不是这一期的开放日" in answer["errors"]["day"][0]

        # A slot of another phase of the programme.
        later = phase_add(
            actor=None,
            programme=summer.programme,
            name="第二期",
            start_date=today + dt.timedelta(days=20),
            end_date=today + dt.timedelta(days=30),
            opens_at=dt.time(8, 30),
            closes_at=dt.time(17, 0),
            capacity=10,
        )
        elsewhere = slot_add(
            actor=None,
            phase=later,
            starts_at=dt.time(9),
            ends_at=dt.time(10),
            kind=SlotKind.READING,
            teacher_name="王老师",
        )
        status, answer = self.post(self.cast.staff, rota, {**body, "slot": elsewhere.pk})
        assert (status, answer["errors"]) == (422, {"slot": ["这节课不在这一期的课表中。"]})

        # A volunteer of another community is not on this rota's list.
        stranger = volunteer_create(
            actor=None, community=self.cast.other_community, user=make_user("far", "远志愿")
        )
        status, answer = self.post(self.cast.staff, rota, {**body, "volunteer": stranger.pk})
        assert (status, answer["errors"]) == (422, {"volunteer": ["请选择可排班的志愿者。"]})

        # The same volunteer twice at the same time.
        assert self.post(self.cast.staff, rota, body)[0] == 201
        status, answer = self.post(self.cast.staff, rota, body)
        assert (status, list(answer["errors"])) == (422, ["volunteer"])
        assert "已在“候鸟课堂”值班" in answer["errors"]["volunteer"][0]

        for bad in (
            {**body, "volunteer": 2**63},
            {**body, "slot": 0},
            {**body, "day": "2026-02-30"},
            {**body, "day": "0001-01-01"},
            {"day": today.isoformat()},
        ):
            assert self.post(self.cast.staff, rota, bad)[0] == 422, bad
        assert Duty.objects.count() == 1
