"""Care through the privacy gate: consent withdrawal, children, roles and anonymisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.accounts.services import api_token_create
from linli.care.models import Alert, AlertKind, AlertStatus, CarePlan, Visit
from linli.care.selectors import alerts_list, due_plans, visible_visits
from linli.care.services import Readings, care_raise_overdue_alerts, visit_log
from linli.people.models import Consent, ConsentPurpose, Gender, Relation
from linli.people.services import (
    ConsentGiver,
    ResidentData,
    consent_record,
    consent_withdraw,
    resident_create,
)
from linli.privacy.gate import HEALTH_CONSENT_MISSING
from linli.volunteers.models import ServiceRecord
from tests.care.conftest import CareCast, build_care, plans_made
from tests.cast import Cast
from tests.conftest import login
from tests.requests.support import local

pytestmark = pytest.mark.django_db

HIGH = Readings(bp_systolic=186, bp_diastolic=112)


@pytest.fixture
def care(cast: Cast) -> CareCast:
    return build_care(cast)


def _withdraw_health(care: CareCast) -> None:
    consent = Consent.objects.get(resident=care.cast.elder, purpose=ConsentPurpose.HEALTH)
    consent_withdraw(actor=care.cast.staff, consent=consent, note="本人电话要求撤回")


def test_readings_are_hidden_on_the_care_page_once_health_consent_is_withdrawn(
    care: CareCast, client: Client
) -> None:
    cast = care.cast
    visit_log(
        actor=cast.volunteer_user, resident=cast.elder, services=["blood_pressure"], readings=HIGH
    )
    url = reverse("care:person", args=[cast.elder.pk])
    login(client, "worker1")
    assert "186/112" in client.get(url).content.decode()
    assert "高血压,按时吃药" in client.get(url).content.decode()

    _withdraw_health(care)

    page = client.get(url).content.decode()
    assert "186/112" not in page
    assert "高血压,按时吃药" not in page
    assert "血压异常" not in page
    assert "该居民没有有效的健康信息授权同意" in page


def test_health_alerts_leave_the_lists_and_the_api_after_withdrawal(
    care: CareCast, client: Client
) -> None:
    cast = care.cast
    visit_log(
        actor=cast.volunteer_user, resident=cast.elder, services=["blood_pressure"], readings=HIGH
    )
    assert alerts_list(cast.worker1).filter(kind=AlertKind.BLOOD_PRESSURE).count() == 1

    _withdraw_health(care)

    assert not alerts_list(cast.worker1).filter(kind=AlertKind.BLOOD_PRESSURE).exists()
    _token, secret = api_token_create(user=cast.worker1, name="test")
    body = client.get("/api/v1/care/alerts", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert body["items"] == []
    assert "血压异常" not in client.get(reverse("care:alert_list")).content.decode()


def test_no_reading_is_recorded_without_health_consent_but_the_visit_is(
    care: CareCast,
) -> None:
    cast = care.cast
    _withdraw_health(care)

    with pytest.raises(ValidationError) as exc:
        visit_log(
            actor=cast.volunteer_user,
            resident=cast.elder,
            services=["blood_pressure"],
            readings=HIGH,
        )

    assert exc.value.message_dict == {"readings": [str(HEALTH_CONSENT_MISSING)]}
    assert not Visit.objects.exists()
    visit = visit_log(actor=cast.volunteer_user, resident=cast.elder, services=["groceries"])
    assert not visit.has_readings


def test_the_api_refuses_readings_without_consent_in_chinese(
    care: CareCast, client: Client
) -> None:
    cast = care.cast
    _withdraw_health(care)
    _token, secret = api_token_create(user=cast.volunteer_user, name="phone")

    response = client.post(
        "/api/v1/care/visits",
        {"person": cast.elder.pk, "bp_systolic": 150, "bp_diastolic": 95},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert response.status_code == 422
    assert "健康信息授权同意" in response.json()["errors"]["readings"][0]
    assert not Visit.objects.exists()


def _child(care: CareCast) -> Any:
    cast = care.cast
    return resident_create(
        actor=cast.staff,
        data=ResidentData(
            name="王小宝",
            gender=Gender.MALE,
            birth_date=timezone.localdate() - dt.timedelta(days=8 * 365),
            household=cast.household1,
            relation_to_head=Relation.GRANDCHILD,
        ),
        guardian_consent=ConsentGiver(name="王建国", relation="父亲"),
    )


def test_a_childs_readings_need_the_guardians_consent_as_well(care: CareCast) -> None:
    cast = care.cast
    child = _child(care)
    consent_record(
        actor=cast.staff,
        resident=child,
        purpose=ConsentPurpose.HEALTH,
        given_by_name="王建国",
        given_by_relation="父亲",
    )
    visit_log(
        actor=cast.worker1,
        resident=child,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=110, bp_diastolic=70),
    )

    minor = Consent.objects.get(resident=child, purpose=ConsentPurpose.MINOR)
    consent_withdraw(actor=cast.staff, consent=minor, note="监护人要求撤回")

    with pytest.raises(ValidationError):
        visit_log(actor=cast.worker1, resident=child, services=["chat"])
    assert not visible_visits(cast.worker1).filter(resident=child).exists()
    assert not visible_visits(cast.staff).filter(resident=child).exists()


def test_a_leader_sees_that_there_is_an_alert_but_no_health_data(
    care: CareCast, client: Client
) -> None:
    cast = care.cast
    visit = visit_log(
        actor=cast.volunteer_user,
        resident=cast.elder,
        services=["blood_pressure"],
        readings=HIGH,
        note="头晕,让家属陪同就医",
    )
    alert = visit.alerts.get()
    alert.close_note = "已送市中心医院心内科"
    alert.status = AlertStatus.CLOSED
    alert.save()

    login(client, "leader")
    page = client.get(reverse("care:person", args=[cast.elder.pk])).content.decode()
    for secret in ("186/112", "高血压,按时吃药", "血压异常", "已送市中心医院", "头晕"):
        assert secret not in page, secret
    assert "健康预警" in page
    alerts_page = client.get(reverse("care:alert_list") + "?status=all").content.decode()
    assert "血压异常" not in alerts_page
    assert "已送市中心医院" not in alerts_page
    _token, secret = api_token_create(user=cast.leader, name="dashboard")
    body = client.get(
        "/api/v1/care/alerts?status=all", HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    assert [item["kind"] for item in body["items"]] == ["health"]

    # The care team still sees all of it.
    login(client, "worker1")
    page = client.get(reverse("care:person", args=[cast.elder.pk])).content.decode()
    for shown in ("186/112", "血压异常", "已送市中心医院", "头晕"):
        assert shown in page, shown


def test_overdue_alerts_stop_for_a_child_without_consent_and_an_anonymised_person(
    care: CareCast,
) -> None:
    cast = care.cast
    long_after = local(2027, 6, 1, 9)
    plans_made(CarePlan.objects.filter(pk=care.plan.pk), local(2026, 1, 1))
    cast.elder.anonymised_at = local(2026, 12, 1)
    cast.elder.save(update_fields=["anonymised_at"])

    assert care_raise_overdue_alerts(now=long_after) == 0
    assert not Alert.objects.filter(kind=AlertKind.OVERDUE).exists()
    assert not due_plans(cast.staff, now=long_after).exists()


def test_visit_log_checks_processing_first(care: CareCast) -> None:
    cast = care.cast
    cast.elder.anonymised_at = local(2026, 12, 1)
    cast.elder.save(update_fields=["anonymised_at"])

    with pytest.raises(ValidationError, match="匿名化"):
        visit_log(actor=cast.worker1, resident=cast.elder, services=["chat"])
    assert not ServiceRecord.objects.exists()
