"""Guardians rate a programme at its end; the day page shows a child's allergies and
health notes to the site team only under the guardian's health consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.accounts.services import role_assign
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.people.models import Consent, ConsentPurpose
from linli.people.services import consent_withdraw
from linli.programmes.models import Phase
from linli.programmes.services import enrol, satisfaction_record
from tests.cast import Cast, make_user
from tests.programmes.support import GRANDMOTHER, Summer, build_summer, enrol_child

pytestmark = pytest.mark.django_db


def test_a_guardian_rates_the_programme_at_its_end(cast: Cast, client_for: Any) -> None:
    summer = build_summer(cast)
    enrolment = enrol_child(summer)
    user = make_user("lijianjun", "李建军")
    role_assign(actor=None, user=user, role=Role.RESIDENT, area=cast.community)
    cast.neighbour.user = user
    cast.neighbour.save(update_fields=["user"])
    client = client_for("lijianjun")
    # Running still: no rating yet.
    assert "提交评价" not in client.get("/programmes/mine/").content.decode()
    with pytest.raises(ValidationError, match="托管结束后才能评价"):
        satisfaction_record(actor=None, enrolment=enrolment, score=5)

    Phase.objects.filter(pk=summer.phase.pk).update(end_date=timezone.localdate())
    assert "提交评价" in client.get("/programmes/mine/").content.decode()
    prefix = f"e{enrolment.pk}"
    response = client.post(
        f"/programmes/mine/{enrolment.pk}/rate/",
        {f"{prefix}-score": "4", f"{prefix}-comment": "老师很耐心,希望多些阅读课"},
        follow=True,
    )
    assert "谢谢您的评价" in response.content.decode()
    enrolment.refresh_from_db()
    assert (enrolment.satisfaction, enrolment.satisfaction_comment) == (
        4,
        "老师很耐心,希望多些阅读课",
    )
    summary = client_for("staff").get(f"/programmes/{summer.programme.pk}/summary/")
    body = summary.content.decode()
    assert '<b id="summary-satisfaction">4.0 / 5</b>' in body
    assert "希望多些阅读课" in body
    # Only the guardian rates their own child's enrolment.
    assert client_for("volunteer").post(f"/programmes/mine/{enrolment.pk}/rate/").status_code == 404


def _summer_with_health_notes(cast: Cast) -> Summer:
    summer = build_summer(cast)
    enrol(
        actor=None,
        phase=summer.phase,
        child=summer.child,
        guardian=summer.guardian,
        guardian_relation="父亲",
        pickups=[GRANDMOTHER],
        health_consent=True,
        allergies="花生过敏",
        health_notes="哮喘,随身带喷雾",
    )
    return summer


def test_the_site_team_sees_health_notes_only_under_health_consent(
    cast: Cast, client_for: Any
) -> None:
    summer = _summer_with_health_notes(cast)
    team = client_for("volunteer")
    url = f"/programmes/{summer.programme.pk}/day/"
    page = team.get(url).content.decode()
    assert "花生过敏" in page
    assert "哮喘,随身带喷雾" in page
    assert "不予显示" not in page

    consent = Consent.objects.get(
        resident=summer.child, purpose=ConsentPurpose.HEALTH, withdrawn_at__isnull=True
    )
    consent_withdraw(actor=None, consent=consent, note="监护人书面要求撤回")
    page = team.get(url).content.decode()
    assert "花生过敏" not in page
    assert "哮喘" not in page
    assert "有过敏或健康提示,监护人未授权(或已撤回)健康信息同意,不予显示" in page
    assert summer.child.name in page  # the child is still on the register


def test_showing_a_childs_health_notes_on_the_day_page_is_audited(
    cast: Cast, client_for: Any
) -> None:
    summer = _summer_with_health_notes(cast)
    looks = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW,
        object_type="people.resident",
        object_id=str(summer.child.pk),
    )
    url = f"/programmes/{summer.programme.pk}/day/"
    assert "花生过敏" in client_for("volunteer").get(url).content.decode()
    look = looks.get()
    assert look.actor == cast.volunteer_user
    assert look.fields == ["allergies", "health_notes"]
    assert summer.programme.name in look.note

    # Withheld after withdrawal: nothing is shown, so no look is recorded.
    consent = Consent.objects.get(
        resident=summer.child, purpose=ConsentPurpose.HEALTH, withdrawn_at__isnull=True
    )
    consent_withdraw(actor=None, consent=consent, note="监护人书面要求撤回")
    assert "花生过敏" not in client_for("volunteer").get(url).content.decode()
    assert looks.count() == 1
