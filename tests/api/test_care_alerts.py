"""``/api/v1/care``: an alert acknowledged and closed, as on the alerts page, and a person's
care plan saved, as on the plan page — by those who manage care in scope (404 otherwise),
one state change at a time (409)."""

from __future__ import annotations

from django.utils import timezone

from linli.care.models import Alert, AlertKind, AlertLevel, AlertStatus, CarePlan
from linli.core.models import AuditEvent
from linli.people.models import ConsentPurpose
from linli.people.services import consent_record
from linli.volunteers.services import volunteer_create
from tests.api.support import ApiCase

URL = "/api/v1/care/alerts"


class AlertHandling(ApiCase):
    def alert(self) -> Alert:
        return Alert.objects.create(
            resident=self.cast.elder,
            kind=AlertKind.OVERDUE,
            level=AlertLevel.HIGH,
            created_at=timezone.now(),
        )

    def test_acknowledge_then_close_with_a_note(self) -> None:
        alert = self.alert()
        status, body = self.post(self.cast.worker1, f"{URL}/{alert.pk}/acknowledge")
        assert status == 200, body
        assert (body["id"], body["status"], body["kind"]) == (alert.pk, "acknowledged", "overdue")
        status, again = self.post(self.cast.worker1, f"{URL}/{alert.pk}/acknowledge")
        assert (status, again["code"], again["detail"]) == (
            409,
            "invalid_transition",
            "这条预警已经有人处理过了。",
        )
        status, closed = self.post(
            self.cast.worker1, f"{URL}/{alert.pk}/close", {"note": "已上门,老人外出探亲"}
        )
        assert (status, closed["status"]) == (200, "closed")
        stored = Alert.objects.get(pk=alert.pk)
        assert (stored.status, stored.close_note) == (AlertStatus.CLOSED, "已上门,老人外出探亲")
        assert self.post(self.cast.worker1, f"{URL}/{alert.pk}/close", {"note": "再关"})[0] == 409
        assert (
            AuditEvent.objects.filter(
                action=AuditEvent.Action.UPDATE, object_id=str(alert.pk)
            ).count()
            == 2
        )

    def test_scope_permission_and_validation(self) -> None:
        alert = self.alert()
        for user in (self.cast.worker2, self.outsider, self.cast.leader, self.cast.resident_user):
            assert self.post(user, f"{URL}/{alert.pk}/acknowledge")[0] == 404
            assert self.post(user, f"{URL}/{alert.pk}/close", {"note": "已处理"})[0] == 404
        status, body = self.post(self.cast.staff, f"{URL}/{alert.pk}/close", {"note": "  "})
        assert (status, body["errors"]) == (422, {"note": ["请写明处理情况再关闭预警。"]})
        assert self.post(self.cast.staff, f"{URL}/{alert.pk}/close", {"note": "x" * 301})[0] == 422
        assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


class CarePlans(ApiCase):
    def test_a_plan_is_saved_and_its_notes_shown_only_with_health_consent(self) -> None:
        volunteer = volunteer_create(
            actor=None, community=self.cast.community, user=self.cast.volunteer_user
        )
        path = f"/api/v1/care/people/{self.cast.elder.pk}/plan"
        plan = {
            "visits_per_week": 3,
            "services": ["groceries", "blood_pressure"],
            "primary_volunteer": volunteer.pk,
            "notes": "高血压,按时吃药",
        }
        status, body = self.post(self.cast.worker1, path, plan)
        assert status == 200, body
        assert (body["visits_per_week"], body["primary_volunteer"], body["notes"]) == (
            3,
            volunteer.pk,
            None,  # no health consent yet: the notes are health information
        )
        stored = CarePlan.objects.get(resident=self.cast.elder)
        assert (stored.notes, stored.services) == (
            "高血压,按时吃药",
            ["groceries", "blood_pressure"],
        )
        consent_record(
            actor=None,
            resident=self.cast.elder,
            purpose=ConsentPurpose.HEALTH,
            given_by_name="王秀兰",
        )
        again = self.post(self.cast.worker1, path, {**plan, "visits_per_week": 2})[1]
        assert (again["visits_per_week"], again["notes"]) == (2, "高血压,按时吃药")

    def test_scope_permission_and_validation(self) -> None:
        volunteer = volunteer_create(
            actor=None, community=self.cast.community, user=self.cast.volunteer_user
        )
        path = f"/api/v1/care/people/{self.cast.elder.pk}/plan"
        for user in (self.cast.worker2, self.outsider, self.cast.leader, self.cast.resident_user):
            assert self.post(user, path, {})[0] == 404
        status, body = self.post(
            self.cast.worker1,
            path,
            {
                "visits_per_week": 15,
                "primary_volunteer": volunteer.pk,
                "backup_volunteer": volunteer.pk,
            },
        )
        assert (status, sorted(body["errors"])) == (422, ["backup_volunteer", "visits_per_week"])
        assert self.post(self.cast.worker1, path, {"primary_volunteer": 99999})[0] == 404
        assert self.post(self.cast.worker1, path, {"services": ["massage"]})[0] == 422
        assert not CarePlan.objects.exists()
