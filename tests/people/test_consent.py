"""Consent (PIPL): a child under 14 only with a guardian's consent; withdrawal hides and stops."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.core.models import AuditEvent
from linli.people.models import Consent, ConsentMethod, ConsentPurpose, Resident
from linli.people.selectors import (
    ResidentFilters,
    health_processing_allowed,
    residents_search,
    residents_with_health_processing,
    visible_residents,
)
from linli.people.services import (
    ConsentGiver,
    ResidentData,
    consent_record,
    consent_withdraw,
    emergency_contact_add,
    resident_create,
    resident_update,
)
from tests.cast import Cast
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _child_birth(age: int = 8) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - age, month=3, day=1)


def _child_data(cast: Cast, name: str = "王小宝") -> ResidentData:
    return ResidentData(
        name=name,
        gender="male",
        birth_date=_child_birth(),
        household=cast.household1,
        relation_to_head="grandchild",
    )


def _register_child(cast: Cast, name: str = "王小宝") -> Resident:
    return resident_create(
        actor=cast.worker1,
        data=_child_data(cast, name),
        guardian_consent=ConsentGiver(name="王秀兰", relation="祖母", note="登记表签字"),
    )


def _minor_consent(child: Resident) -> Consent:
    return Consent.objects.get(
        resident=child, purpose=ConsentPurpose.MINOR, withdrawn_at__isnull=True
    )


# --- registering a child -----------------------------------------------------------------


def test_child_under_14_without_guardian_consent_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        resident_create(actor=cast.worker1, data=_child_data(cast))
    assert "guardian_name" in caught.value.message_dict
    assert "监护人" in caught.value.message_dict["guardian_name"][0]
    assert not Resident.objects.filter(name="王小宝").exists()


def test_child_guardian_consent_needs_the_relation(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        resident_create(
            actor=cast.worker1,
            data=_child_data(cast),
            guardian_consent=ConsentGiver(name="王秀兰"),
        )
    assert caught.value.message_dict["guardian_relation"] == ["请填写监护人与儿童的关系,如“母亲”。"]
    assert not Resident.objects.filter(name="王小宝").exists()


def test_child_is_registered_with_the_guardian_consent_in_the_same_step(cast: Cast) -> None:
    child = _register_child(cast)
    consent = _minor_consent(child)
    # The guardian named is an adult of the child's household, so the consent links to her.
    assert consent.guardian == cast.elder
    assert consent.given_by_name == "王秀兰"
    assert consent.given_by_relation == "祖母"
    assert consent.method == ConsentMethod.WRITTEN
    assert consent.recorded_by == cast.worker1
    assert AuditEvent.objects.filter(
        object_type="people.consent", object_id=str(consent.pk), action="create"
    ).exists()


def test_adult_needs_no_guardian(cast: Cast) -> None:
    adult = resident_create(
        actor=cast.worker1,
        data=ResidentData(
            name="赵成年", gender="male", birth_date=dt.date(1990, 5, 5), area=cast.compound
        ),
    )
    assert not adult.consents.exists()


def test_register_page_refuses_a_child_without_guardian_consent(cast: Cast, client: Client) -> None:
    login(client, "worker1")
    response = client.post(reverse("people:resident_create"), _child_form(cast))
    assert response.status_code == 200
    assert "未满十四周岁的儿童,须由父母或其他监护人同意" in response.content.decode()
    assert not Resident.objects.filter(name="王小宝").exists()


def test_register_page_records_the_guardian_consent(cast: Cast, client: Client) -> None:
    login(client, "worker1")
    response = client.post(
        reverse("people:resident_create"),
        _child_form(
            cast,
            guardian_name="王秀兰",
            guardian_relation="祖母",
            method="verbal",
            consent_note="电话中同意,已录音",
        ),
    )
    child = Resident.objects.get(name="王小宝")
    assert response.status_code == 302
    consent = _minor_consent(child)
    assert (consent.guardian, consent.method, consent.note) == (
        cast.elder,
        "verbal",
        "电话中同意,已录音",
    )


def _child_form(cast: Cast, **extra: str) -> dict[str, Any]:
    return {
        "name": "王小宝",
        "gender": "male",
        "birth_date": _child_birth().isoformat(),
        "household": str(cast.household1.pk),
        "relation_to_head": "grandchild",
        "method": "written",
        **extra,
    }


# --- withdrawal hides the child and stops processing -------------------------------------


def test_withdrawn_child_consent_hides_the_child_except_from_consent_managers(
    cast: Cast, client: Client
) -> None:
    child = _register_child(cast)
    # The grandmother's account (a resident: her own household) sees the child at first.
    assert visible_residents(cast.resident_user).filter(pk=child.pk).exists()
    assert visible_residents(cast.leader).filter(pk=child.pk).exists()

    consent_withdraw(actor=cast.worker1, consent=_minor_consent(child), note="监护人要求撤回")

    for user in (cast.resident_user, cast.leader):
        assert not visible_residents(user).filter(pk=child.pk).exists()
        found = residents_search(user=user, filters=ResidentFilters(query="王小宝"))
        assert not found.exists()
    login(client, "resident")
    assert client.get(reverse("people:resident_detail", args=[child.pk])).status_code == 404
    household_page = client.get(reverse("people:household_detail", args=[cast.household1.pk]))
    assert "王小宝" not in household_page.content.decode()
    # Those who manage consent over the child still find them, to re-consent or anonymise.
    login(client, "worker1")
    page = client.get(reverse("people:resident_detail", args=[child.pk]))
    assert page.status_code == 200
    assert "监护人同意已撤回或未记录" in page.content.decode()
    assert visible_residents(cast.staff).filter(pk=child.pk).exists()
    # The other grid's worker manages consent elsewhere only.
    assert not visible_residents(cast.worker2).filter(pk=child.pk).exists()


def test_withdrawn_child_consent_stops_writes_until_reconsent(cast: Cast) -> None:
    child = _register_child(cast)
    consent_withdraw(actor=cast.worker1, consent=_minor_consent(child), note="监护人要求撤回")

    with pytest.raises(ValidationError, match="请先重新记录监护人同意"):
        resident_update(resident=child, actor=cast.worker1, data=_child_data(cast, "王宝宝"))
    with pytest.raises(ValidationError, match="请先重新记录监护人同意"):
        emergency_contact_add(
            resident=child, actor=cast.worker1, name="王父", relation="父亲", phone="13700001234"
        )

    consent_record(
        actor=cast.worker1,
        resident=child,
        purpose=ConsentPurpose.MINOR,
        guardian=cast.elder,
        given_by_relation="祖母",
    )
    resident_update(resident=child, actor=cast.worker1, data=_child_data(cast, "王宝宝"))
    assert visible_residents(cast.resident_user).filter(name="王宝宝").exists()


def test_child_consent_must_come_from_an_adult_guardian(cast: Cast) -> None:
    child = _register_child(cast)
    sibling = _register_child(cast, "王小妹")
    consent_withdraw(actor=cast.worker1, consent=_minor_consent(child), note="撤回")
    with pytest.raises(ValidationError) as caught:
        consent_record(
            actor=cast.worker1,
            resident=child,
            purpose=ConsentPurpose.MINOR,
            guardian=sibling,
            given_by_relation="姐姐",
        )
    assert caught.value.message_dict["guardian_name"] == ["监护人须年满十八周岁。"]


# --- health data ------------------------------------------------------------------------


def test_health_processing_follows_the_health_consent(cast: Cast) -> None:
    everyone = Resident.objects.all()
    assert not health_processing_allowed(cast.elder)
    consent = consent_record(actor=cast.worker1, resident=cast.elder, purpose=ConsentPurpose.HEALTH)
    assert consent.given_by_name == "王秀兰"
    assert consent.given_by_relation == "本人"
    assert health_processing_allowed(cast.elder)
    assert list(residents_with_health_processing(everyone)) == [cast.elder]

    consent_withdraw(actor=cast.worker1, consent=consent, note="本人不再需要测血压")
    assert not health_processing_allowed(cast.elder)
    assert not residents_with_health_processing(everyone).exists()


def test_a_child_health_consent_counts_only_with_the_guardian_consent(cast: Cast) -> None:
    child = _register_child(cast)
    consent_record(
        actor=cast.worker1,
        resident=child,
        purpose=ConsentPurpose.HEALTH,
        guardian=cast.elder,
        given_by_relation="祖母",
    )
    assert health_processing_allowed(child)
    consent_withdraw(actor=cast.worker1, consent=_minor_consent(child), note="撤回")
    assert not health_processing_allowed(child)


# --- consent pages ---------------------------------------------------------------------


def test_consent_panel_records_withdraws_and_shows_history(cast: Cast, client: Client) -> None:
    login(client, "worker1")
    detail = reverse("people:resident_detail", args=[cast.elder.pk])
    assert "记录授权同意" in client.get(detail).content.decode()
    response = client.post(
        reverse("people:consent_record", args=[cast.elder.pk]),
        {
            "consent-purpose": "health",
            "consent-method": "written",
            "consent-note": "知情同意书编号2026-031",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(resident=cast.elder, purpose=ConsentPurpose.HEALTH)
    assert consent.recorded_by == cast.worker1

    refused = client.post(reverse("people:consent_withdraw", args=[consent.pk]), {"note": ""})
    assert refused.status_code == 302
    consent.refresh_from_db()
    assert consent.is_active

    client.post(reverse("people:consent_withdraw", args=[consent.pk]), {"note": "本人口头要求撤回"})
    consent.refresh_from_db()
    assert not consent.is_active
    assert consent.withdrawn_by == cast.worker1

    history = client.get(reverse("people:consent_history", args=[cast.elder.pk]))
    text = history.content.decode()
    assert "已撤回" in text
    assert "本人口头要求撤回" in text
    assert "知情同意书编号2026-031" in text


def test_consent_form_errors_are_shown_in_chinese(cast: Cast, client: Client) -> None:
    login(client, "worker1")
    consent_record(actor=cast.worker1, resident=cast.elder, purpose=ConsentPurpose.HEALTH)
    response = client.post(
        reverse("people:consent_record", args=[cast.elder.pk]),
        {"consent-purpose": "health", "consent-method": "written"},
    )
    assert response.status_code == 400
    assert "该居民已有此用途的有效授权。" in response.content.decode()


def test_consent_pages_are_404_outside_scope(cast: Cast, client: Client) -> None:
    consent = consent_record(actor=cast.worker1, resident=cast.elder, purpose=ConsentPurpose.HEALTH)
    for username in ("worker2", "resident", "leader"):
        login(client, username)
        assert (
            client.get(reverse("people:consent_history", args=[cast.elder.pk])).status_code == 404
        )
        assert (
            client.post(
                reverse("people:consent_record", args=[cast.elder.pk]),
                {"consent-purpose": "minor", "consent-method": "written"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("people:consent_withdraw", args=[consent.pk]), {"note": "x"}
            ).status_code
            == 404
        )
    consent.refresh_from_db()
    assert consent.is_active
    assert Consent.objects.count() == 1


def test_no_request_is_recorded_for_a_child_whose_consent_was_withdrawn(cast: Cast) -> None:
    from tests.requests.support import file_request

    child = _register_child(cast)
    consent_withdraw(actor=cast.worker1, consent=_minor_consent(child), note="撤回")
    with pytest.raises(ValidationError) as caught:
        file_request(cast, reporter=child)
    assert "监护人同意已撤回或未记录" in caught.value.message_dict["reporter"][0]


def test_consent_panel_asks_for_the_guardian_of_a_child(cast: Cast, client: Client) -> None:
    child = _register_child(cast)
    login(client, "worker1")
    response = client.post(
        reverse("people:consent_record", args=[child.pk]),
        {"consent-purpose": "health", "consent-method": "written"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "未满十四周岁的儿童,须由父母或其他监护人同意后才能登记其信息" in text
    assert "请填写监护人与儿童的关系" in text
    assert not child.consents.filter(purpose=ConsentPurpose.HEALTH).exists()
