"""``/api/v1/care/alerts``: an alert acknowledged and closed, as on the alerts page — by
those who manage care in scope (404 otherwise), one state change at a time (409)."""

from __future__ import annotations

from django.utils import timezone

from linli.care.models import Alert, AlertKind, AlertLevel, AlertStatus
from linli.core.models import AuditEvent
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
