"""``/api/v1/activities``: helpers (a volunteer signs up to help, or staff put one down),
a free clinic's readings one attendee at a time, and a follow-up request filed from an
activity — through the same selectors and services as the activity pages: 403 without the
capability, 404 outside scope, 409 for a state that does not allow it, 422 for bad input."""

from __future__ import annotations

import datetime as dt

from linli.activities.models import Activity, ClinicReading, Helper, Status
from linli.activities.services import activity_transition, checkin
from linli.care.models import Visit
from linli.people.models import ConsentPurpose
from linli.people.services import consent_record
from linli.requests.models import Channel, Request
from linli.volunteers.models import Volunteer
from linli.volunteers.services import volunteer_create
from tests.activities.support import clinic
from tests.api.support import ApiCase

URL = "/api/v1/activities"


class Helpers(ApiCase):
    def _volunteer(self) -> Volunteer:
        return volunteer_create(
            actor=None, community=self.cast.community, user=self.cast.volunteer_user, name="白志愿"
        )

    def test_a_volunteer_signs_up_to_help_once(self) -> None:
        volunteer = self._volunteer()
        activity = clinic(self.cast)
        path = f"{URL}/{activity.pk}/help"
        status, body = self.post(self.cast.volunteer_user, path)
        assert status == 201, body
        assert (body["volunteer_id"], body["volunteer"]) == (volunteer.pk, "白志愿")
        status, body = self.post(self.cast.volunteer_user, path)
        assert (status, body["code"]) == (409, "duplicate")
        assert Helper.objects.filter(activity=activity, volunteer=volunteer).count() == 1

    def test_who_is_no_volunteer_or_elsewhere_gets_404_and_a_finished_activity_409(self) -> None:
        self._volunteer()
        activity = clinic(self.cast)
        assert self.post(self.cast.resident_user, f"{URL}/{activity.pk}/help")[0] == 404
        assert self.post(self.cast.volunteer_user, f"{URL}/999999/help")[0] == 404
        activity_transition(
            actor=self.cast.staff, activity=activity, to=Status.CANCELLED, reason="下雨"
        )
        assert self.post(self.cast.volunteer_user, f"{URL}/{activity.pk}/help")[0] == 409

    def test_staff_put_a_volunteer_down_with_a_role(self) -> None:
        volunteer = self._volunteer()
        activity = clinic(self.cast)
        path = f"{URL}/{activity.pk}/helpers"
        body = {"volunteer": volunteer.pk, "role": "测血压"}
        # Who may not manage the activity does not see it as something to manage.
        assert self.post(self.cast.resident_user, path, body)[0] == 404
        assert self.post(self.outsider, path, body)[0] == 404
        assert self.post(self.cast.staff, path, {**body, "role": "x" * 51})[0] == 422
        assert self.post(self.cast.staff, path, {"role": "测血压"})[0] == 422
        status, answer = self.post(self.cast.staff, path, body)
        assert (status, answer["role"]) == (201, "测血压")
        # Already helping: no longer among those who may be added.
        assert self.post(self.cast.staff, path, body)[0] == 404


class Readings(ApiCase):
    def _held_clinic(self) -> Activity:
        activity = clinic(self.cast, starts_in=-dt.timedelta(hours=1), hours=3)
        for resident in (self.cast.elder, self.cast.neighbour):
            checkin(actor=self.cast.staff, activity=activity, resident=resident)
        return activity_transition(actor=self.cast.staff, activity=activity, to=Status.HELD)

    def test_a_reading_with_consent_goes_into_the_care_record(self) -> None:
        consent_record(
            actor=None,
            resident=self.cast.elder,
            purpose=ConsentPurpose.HEALTH,
            given_by_name="王秀兰",
        )
        activity = self._held_clinic()
        status, body = self.post(
            self.cast.staff,
            f"{URL}/{activity.pk}/readings",
            {
                "person": self.cast.elder.pk,
                "bp_systolic": 128,
                "bp_diastolic": 80,
                "glucose": "6.1",
                "glucose_context": "fasting",
            },
        )
        assert status == 201, body
        assert body == {
            "activity_id": activity.pk,
            "person_id": self.cast.elder.pk,
            "services": ["量血压", "测血糖"],
            "alerted": False,
        }
        assert Visit.objects.get(resident=self.cast.elder).readings["bp_systolic"] == 128

    def test_refused_without_consent_for_others_and_for_bad_input(self) -> None:
        activity = self._held_clinic()
        path = f"{URL}/{activity.pk}/readings"
        body = {"person": self.cast.neighbour.pk, "bp_systolic": 130, "bp_diastolic": 85}
        assert self.post(self.cast.resident_user, path, body)[0] == 404
        assert self.post(self.outsider, path, body)[0] == 404
        status, answer = self.post(self.cast.staff, path, body)
        assert status == 422, answer
        assert "健康信息授权同意" in answer["detail"]
        assert self.post(self.cast.staff, path, {**body, "glucose": "abc"})[0] == 422
        assert self.post(self.cast.staff, path, {**body, "glucose_context": "x"})[0] == 422
        not_attending = clinic(self.cast)
        assert self.post(self.cast.staff, f"{URL}/{not_attending.pk}/readings", body)[0] == 404
        assert not ClinicReading.objects.exists()


class Followups(ApiCase):
    def test_staff_file_a_followup_at_the_residents_home(self) -> None:
        activity = clinic(self.cast)
        checkin_path = f"{URL}/{activity.pk}/signups"
        assert self.post(self.cast.staff, checkin_path, {"person": self.cast.elder.pk})[0] == 201
        status, body = self.post(
            self.cast.staff,
            f"{URL}/{activity.pk}/followups",
            {"text": "王大娘家水龙头漏水", "person": self.cast.elder.pk},
        )
        assert status == 201, body
        filed = Request.objects.get(pk=body["request_id"])
        assert (filed.number, filed.channel, filed.text) == (
            body["number"],
            Channel.ACTIVITY,
            "【义诊进社区】王大娘家水龙头漏水",
        )
        assert filed.location == self.cast.elder.area

    def test_refused_outside_scope_for_strangers_and_for_bad_input(self) -> None:
        activity = clinic(self.cast)
        path = f"{URL}/{activity.pk}/followups"
        assert self.post(self.cast.resident_user, path, {"text": "楼道灯"})[0] == 404
        assert self.post(self.outsider, path, {"text": "楼道灯"})[0] == 404
        # Not signed up: not someone this activity may file for.
        assert (
            self.post(self.cast.staff, path, {"text": "楼道灯", "person": self.cast.elder.pk})[0]
            == 404
        )
        status, body = self.post(self.cast.staff, path, {"text": " "})
        assert (status, list(body["errors"])) == (422, ["text"])
        assert self.post(self.cast.staff, path, {"text": "x" * 501})[0] == 422
        activity_transition(
            actor=self.cast.staff, activity=activity, to=Status.CANCELLED, reason="下雨"
        )
        assert self.post(self.cast.staff, path, {"text": "楼道灯"})[0] == 409
        assert not Request.objects.filter(channel=Channel.ACTIVITY).exists()
