"""The demo's activities: figures computed from the records, as the seed describes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.activities.models import Activity, Signup, Status
from linli.activities.selectors import activity_figures, people_served
from tests.demo.case import DemoWorldCase


class ActivitiesChecks(DemoWorldCase):
    def test_five_clinics_with_the_two_hospitals_served_300_and_more(self) -> None:
        clinics = Activity.objects.filter(kind__code="clinic", status=Status.SUMMARISED)
        assert clinics.count() == 5
        partners = {o.name for c in clinics for o in c.partners.all()}
        assert partners == {"孝义市中心医院", "孝义市中医院"}
        assert sum(people_served(c) for c in clinics) >= 300

    def test_liu_daye_attended_the_banks_talk_in_xiangyang_huayuan(self) -> None:
        talk = Activity.objects.get(partners__name="孝义农商行", kind__code="talk")
        assert talk.place is not None
        assert talk.place.name == "向阳花园"
        liu = self.world.residents["liu"]
        signup = Signup.objects.get(activity=talk, resident=liu)
        assert signup.checked_in_at is not None

    def test_the_year_and_the_joint_activity(self) -> None:
        today = timezone.localdate()
        staff = self.world.users["staff"]
        routine = Activity.objects.filter(
            kind__code__in=["cleanup", "management"],
            starts_at__gte=timezone.now() - dt.timedelta(days=366),
        )
        assert routine.count() >= 310
        joint = Activity.objects.get(kind__code="party_joint")
        assert joint.organisers.count() == 2
        assert joint.status == Status.HELD
        figures = activity_figures(
            user=staff,
            area=self.world.community,
            start=today - dt.timedelta(days=365),
            end=today,
        )
        assert figures.held >= 317
        assert figures.volunteer_minutes > 0
        assert "孝义农商行" in figures.partners
