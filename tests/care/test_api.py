"""``/api/v1/care``: due list, visits and alerts over bearer tokens, scoped like the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from linli.care.models import Alert, CarePlan, Visit
from linli.care.services import care_plan_save
from linli.people.models import Consent
from tests.care.conftest import CareCast, plans_made_days_ago
from tests.requests.test_api import Api

pytestmark = pytest.mark.django_db


def test_due_list_for_the_volunteer(care: CareCast, client: Client) -> None:
    plans_made_days_ago(CarePlan.objects.filter(pk=care.plan.pk), 3)
    status, body = Api(client, care.cast.volunteer_user).get("/api/v1/care/due")
    assert status == 200
    assert body["count"] == 1
    item = body["items"][0]
    assert item["person_id"] == care.cast.elder.pk
    assert item["name"] == "王秀兰"
    assert item["last_visit_at"] is None
    assert item["overdue"] is True
    assert set(item) == {"person_id", "name", "last_visit_at", "due_at", "overdue"}


def test_other_grid_worker_sees_nothing_and_cannot_log(care: CareCast, client: Client) -> None:
    api = Api(client, care.cast.worker2)
    assert api.get("/api/v1/care/due")[1]["count"] == 0
    status, body = api.post("/api/v1/care/visits", {"person": care.cast.elder.pk})
    assert status == 404
    assert body["code"] == "not_found"


def test_volunteer_logs_a_visit_with_readings_and_the_alert_is_listed(
    care: CareCast, client: Client
) -> None:
    status, body = Api(client, care.cast.volunteer_user).post(
        "/api/v1/care/visits",
        {
            "person": care.cast.elder.pk,
            "services": ["groceries", "blood_pressure"],
            "bp_systolic": 162,
            "bp_diastolic": 96,
            "pulse": 80,
            "note": "说有点头晕",
        },
    )
    assert status == 201, body
    assert body["alerts"] == ["bp"]
    assert Visit.objects.get().readings["bp_systolic"] == 162
    status, alerts = Api(client, care.cast.worker1).get("/api/v1/care/alerts")
    assert status == 200
    assert alerts["count"] == 1
    alert = alerts["items"][0]
    assert (alert["person_id"], alert["kind"], alert["level"], alert["status"]) == (
        care.cast.elder.pk,
        "bp",
        "high",
        "open",
    )
    assert Api(client, care.cast.worker2).get("/api/v1/care/alerts")[1]["count"] == 0


def test_readings_without_consent_get_a_clear_422(care: CareCast, client: Client) -> None:
    Consent.objects.all().delete()
    status, body = Api(client, care.cast.volunteer_user).post(
        "/api/v1/care/visits",
        {"person": care.cast.elder.pk, "glucose": "8.1", "glucose_context": "fasting"},
    )
    assert status == 422
    assert "健康信息授权" in body["detail"]
    assert not Visit.objects.exists()


def test_a_note_longer_than_the_visit_forms_gets_a_clear_422(
    care: CareCast, client: Client
) -> None:
    status, body = Api(client, care.cast.volunteer_user).post(
        "/api/v1/care/visits",
        {"person": care.cast.elder.pk, "note": "老人说" * 35_000, "concern": "灯" * 201},
    )
    assert status == 422
    assert body["code"] == "invalid"
    assert body["errors"] == {
        "note": ["最多 2000 个字符。"],
        "concern": ["最多 200 个字符。"],
    }
    assert not Visit.objects.exists()


def test_unknown_service_is_rejected(care: CareCast, client: Client) -> None:
    status, body = Api(client, care.cast.volunteer_user).post(
        "/api/v1/care/visits", {"person": care.cast.elder.pk, "services": ["massage"]}
    )
    assert status == 422
    assert "services" in str(body["errors"])


def test_volunteer_of_someone_else_cannot_log_for_a_person_not_assigned(
    care: CareCast, client: Client
) -> None:
    care_plan_save(actor=None, resident=care.cast.neighbour, visits_per_week=1)
    status, _body = Api(client, care.cast.volunteer_user).post(
        "/api/v1/care/visits", {"person": care.cast.neighbour.pk}
    )
    assert status == 404
    assert not Alert.objects.exists()


def test_alerts_need_a_token(client: Client, care: CareCast) -> None:
    status, body = Api(client, None).get("/api/v1/care/alerts")
    assert status == 401
    assert body["code"] == "unauthenticated"


def test_a_visit_time_without_offset_is_read_as_beijing_time(
    care: CareCast, client: Client
) -> None:
    local = timezone.localtime(timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    naive = local.replace(tzinfo=None).isoformat()

    status, body = Api(client, care.cast.volunteer_user).post(
        "/api/v1/care/visits", {"person": care.cast.elder.pk, "visited_at": naive}
    )

    assert status == 201, body
    assert Visit.objects.get().visited_at == local
    assert body["visited_at"].endswith("+08:00")


@pytest.mark.parametrize(
    ("visited_at", "message"),
    [
        ("1900-01-01T09:00:00+08:00", "只能补记 90 天内的走访,请核对走访日期。"),
        ("0001-01-01T09:00:00+08:00", "日期应在 1900 年到 2100 年之间。"),
        ("9999-12-31T09:00:00+08:00", "日期应在 1900 年到 2100 年之间。"),
    ],
)
def test_an_implausible_visit_time_is_422_in_chinese(
    care: CareCast, client: Client, visited_at: str, message: str
) -> None:
    status, body = Api(client, care.cast.volunteer_user).post(
        "/api/v1/care/visits", {"person": care.cast.elder.pk, "visited_at": visited_at}
    )

    assert status == 422
    assert body["errors"] == {"visited_at": [message]}
    assert not Visit.objects.exists()
