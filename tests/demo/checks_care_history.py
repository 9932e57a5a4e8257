"""The demo's care history: 王大娘's plan and visits, 张大爷's glucose, sixty-odd more."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from linli.care.models import Alert, AlertStatus, CarePlan, Visit, VisitKind
from linli.care.selectors import care_gaps, due_plans, with_due
from linli.people.models import ConsentPurpose
from linli.volunteers.models import ServiceRecord
from tests.demo.case import DemoWorldCase


class CareHistoryChecks(DemoWorldCase):
    def test_wang_daniang_has_two_visits_a_week_with_the_demo_volunteer_as_primary(self) -> None:
        wang = self.world.residents["wang"]
        plan = CarePlan.objects.select_related("primary_volunteer").get(resident=wang)
        assert plan.visits_per_week == 2
        assert plan.primary_volunteer is not None
        assert plan.primary_volunteer.user == self.world.users["volunteer"]
        assert wang.consents.filter(purpose=ConsentPurpose.HEALTH).exists()

    def test_wang_daniang_is_due_now_after_yesterdays_dizzy_call(self) -> None:
        wang = self.world.residents["wang"]
        now = timezone.now()
        plan = with_due(CarePlan.objects.filter(resident=wang), now=now).get()
        assert plan.due_at <= now
        assert not plan.overdue  # type: ignore[attr-defined]
        call = Visit.objects.filter(resident=wang).order_by("-visited_at").first()
        assert call is not None
        assert call.kind == VisitKind.PHONE
        assert "头晕" in call.note
        assert timezone.localdate(call.visited_at) == timezone.localdate() - dt.timedelta(1)
        readings = [v.readings for v in Visit.objects.filter(resident=wang, kind="home")]
        assert len(readings) >= 10
        assert all("bp_systolic" in r for r in readings)
        volunteer = self.world.users["volunteer"]
        assert wang.pk in [p.resident_id for p in due_plans(volunteer, now=now)]

    def test_zhang_daye_has_his_diet_note_and_glucose_readings(self) -> None:
        zhang = self.world.residents["zhang"]
        plan = CarePlan.objects.get(resident=zhang)
        assert "糖尿病饮食" in plan.notes
        values = [v.readings.get("glucose") for v in Visit.objects.filter(resident=zhang)]
        assert len([v for v in values if v is not None]) >= 5

    def test_sixty_and_more_plans_with_histories_overdue_ones_alerts_and_gaps(self) -> None:
        assert CarePlan.objects.count() >= 62
        staff = self.world.users["staff"]
        overdue = due_plans(staff, overdue_only=True).count()
        assert overdue > 3
        assert overdue < CarePlan.objects.count() / 3
        assert Alert.objects.filter(status=AlertStatus.OPEN).exists()
        assert Alert.objects.filter(status=AlertStatus.CLOSED).exists()
        assert care_gaps(staff).count() > 0

    def test_visits_gave_the_volunteers_service_hours(self) -> None:
        assert (
            ServiceRecord.objects.filter(source="visit").count()
            == Visit.objects.exclude(volunteer=None).count()
        )

    def test_chen_zhongping_sees_the_alerts_of_his_grid(self) -> None:
        self.client.force_login(self.world.users["chenzhongping"])
        page = self.client.get(reverse("care:due_list"))
        self.assertContains(page, "王大娘")
