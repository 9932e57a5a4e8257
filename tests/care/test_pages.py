"""Care pages: the visit form, a person's page, plans, gaps and alerts, each scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.accounts.services import role_assign
from linli.care.models import Alert, AlertStatus, CarePlan, Visit
from linli.care.services import Readings, care_plan_save, care_raise_overdue_alerts, visit_log
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.people.models import Consent
from linli.people.services import ResidentData, household_create, resident_create
from linli.requests.models import Request
from tests.care.conftest import CareCast, plans_made_days_ago

pytestmark = pytest.mark.django_db


def test_volunteer_logs_a_visit_with_readings_through_the_form(
    care: CareCast, client_for: Any
) -> None:
    client: Client = client_for("volunteer")
    url = reverse("care:visit_new", args=[care.cast.elder.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "高血压,按时吃药" in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "home",
            "services": ["groceries", "blood_pressure"],
            "bp_systolic": "150",
            "bp_diastolic": "92",
            "glucose_context": "fasting",
            "mood": "unwell",
            "note": "说有点头晕",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.readings["bp_systolic"] == 150
    assert visit.services == ["groceries", "blood_pressure"]
    assert Alert.objects.get().kind == "bp"


def test_concern_becomes_a_request_with_one_button(care: CareCast, client_for: Any) -> None:
    client: Client = client_for("volunteer")
    client.post(
        reverse("care:visit_new", args=[care.cast.elder.pk]),
        {"kind": "phone", "concern": "楼道杂物过多", "to_request": "1"},
    )
    assert Request.objects.get().text.endswith("楼道杂物过多")
    assert Visit.objects.get().concern_request is not None


def test_form_hides_readings_without_consent(care: CareCast, client_for: Any) -> None:
    Consent.objects.all().delete()
    client: Client = client_for("volunteer")
    url = reverse("care:visit_new", args=[care.cast.elder.pk])
    body = client.get(url).content.decode()
    assert 'name="bp_systolic"' not in body
    assert "没有有效的健康信息授权同意" in body
    response = client.post(url, {"kind": "home", "bp_systolic": "150", "bp_diastolic": "90"})
    assert response.status_code == 200
    assert "健康信息授权" in response.content.decode()
    assert not Visit.objects.exists()


def test_other_grid_worker_gets_404_everywhere(care: CareCast, client_for: Any) -> None:
    client: Client = client_for("worker2")
    pk = care.cast.elder.pk
    for name in ("care:person", "care:visit_new", "care:plan_edit"):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_readings_are_shown_to_the_care_team_and_audited(care: CareCast, client_for: Any) -> None:
    visit = visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=138, bp_diastolic=86),
    )
    client: Client = client_for("worker1")
    body = client.get(reverse("care:person", args=[care.cast.elder.pk])).content.decode()
    assert "138/86" in body
    look = AuditEvent.objects.get(action="view", object_type="people.resident")
    assert look.object_id == str(care.cast.elder.pk)
    assert look.actor == care.cast.worker1
    assert "bp_systolic" in look.fields
    assert f"#{visit.pk}" in look.note


def test_leader_sees_the_visit_but_not_the_readings(care: CareCast, client_for: Any) -> None:
    visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        services=["chat", "blood_pressure"],
        readings=Readings(bp_systolic=138, bp_diastolic=86),
    )
    client: Client = client_for("leader")
    body = client.get(reverse("care:person", args=[care.cast.elder.pk])).content.decode()
    assert "陪聊" in body
    assert "138/86" not in body
    assert not AuditEvent.objects.filter(action="view").exists()


def test_staff_make_a_plan_for_a_gap(care: CareCast, client_for: Any) -> None:
    CarePlan.objects.all().delete()
    client: Client = client_for("staff")
    gaps = client.get(reverse("care:gap_list")).content.decode()
    assert "王秀兰" in gaps
    response = client.post(
        reverse("care:plan_edit", args=[care.cast.elder.pk]),
        {
            "visits_per_week": "3",
            "services": ["medicine", "chat"],
            "primary_volunteer": str(care.volunteer.pk),
            "notes": "糖尿病饮食",
            "active": "on",
        },
    )
    assert response.status_code == 302
    plan = CarePlan.objects.get()
    assert (plan.visits_per_week, plan.services) == (3, ["medicine", "chat"])
    assert "王秀兰" not in client.get(reverse("care:gap_list")).content.decode()


def test_volunteer_cannot_edit_plans(care: CareCast, client_for: Any) -> None:
    client: Client = client_for("volunteer")
    assert client.get(reverse("care:plan_edit", args=[care.cast.elder.pk])).status_code == 404


def test_alert_is_closed_with_a_note_from_the_list(care: CareCast, client_for: Any) -> None:
    plans_made_days_ago(CarePlan.objects.all(), 5)
    care_raise_overdue_alerts()
    alert = Alert.objects.get()
    client: Client = client_for("worker1")
    page = client.get(reverse("care:alert_list")).content.decode()
    assert "走访逾期" in page
    client.post(reverse("care:alert_close", args=[alert.pk]), {"note": ""})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    client.post(reverse("care:alert_close", args=[alert.pk]), {"note": "已电话联系,明天上门"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    other: Client = client_for("worker2")
    assert other.post(reverse("care:alert_ack", args=[alert.pk])).status_code == 404


def test_due_list_and_home_show_the_volunteers_people(care: CareCast, client_for: Any) -> None:
    client: Client = client_for("volunteer")
    due = client.get(reverse("care:due_list")).content.decode()
    assert "王大娘" in due
    home = client.get(reverse("home")).content.decode()
    assert "我的关爱走访" in home
    assert "王大娘" in home


def test_due_list_queries_do_not_grow_with_the_list(
    care: CareCast, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client: Client = client_for("staff")
    url = reverse("care:due_list") + "?show=all"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        resident = resident_create(
            actor=None,
            data=ResidentData(
                name=f"老人{n}",
                gender="female",
                birth_date=dt.date(1950, 1, 1 + n),
                household=household_create(
                    actor=None, unit=care.cast.unit1, room=f"{n + 2}02" if n < 5 else "601"
                ),
            ),
        )
        care_plan_save(actor=None, resident=resident, primary_volunteer=care.volunteer)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url)
    assert page.content.decode().count("care-card") >= 7


def test_turning_an_empty_concern_into_a_request_is_explained(
    care: CareCast, client_for: Any
) -> None:
    client: Client = client_for("volunteer")
    response = client.post(
        reverse("care:visit_new", args=[care.cast.elder.pk]),
        {"kind": "home", "services": ["chat"], "note": "一切都好", "to_request": "1"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请写下老人反映的困难" in body
    assert "一切都好" in body  # nothing typed is lost
    assert not Visit.objects.exists()


def test_log_a_visit_is_offered_only_for_the_people_one_may_log_for(
    care: CareCast, client_for: Any
) -> None:
    """A grid worker who is also a cadre of the town watches the town's plans but logs
    visits only in the grid: 「记录走访」 shows on the grid's people, not on the others
    (it led to a 404 there), on the due list, the person's page and the home page."""
    cast = care.cast
    role_assign(actor=None, user=cast.worker1, role=Role.LEADER, area=cast.town)
    care_plan_save(actor=None, resident=cast.neighbour, primary_volunteer=care.volunteer)
    client: Client = client_for("worker1")
    elder_log = reverse("care:visit_new", args=[cast.elder.pk])
    neighbour_log = reverse("care:visit_new", args=[cast.neighbour.pk])

    due = client.get(reverse("care:due_list") + "?show=all").content.decode()
    home = client.get(reverse("home")).content.decode()
    elder_page = client.get(reverse("care:person", args=[cast.elder.pk])).content.decode()
    neighbour_page = client.get(reverse("care:person", args=[cast.neighbour.pk])).content.decode()

    assert "李建军" in due
    assert "王大娘" in due
    assert elder_log in due
    assert neighbour_log not in due
    assert "李建军" in home
    assert elder_log in home
    assert neighbour_log not in home
    assert elder_log in elder_page
    assert "李建军" in neighbour_page
    assert neighbour_log not in neighbour_page
    assert client.get(neighbour_log).status_code == 404
    assert client.get(elder_log).status_code == 200
