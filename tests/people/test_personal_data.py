"""A person's data: export (right of access) and anonymisation where retention allows."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.people.models import Consent, ConsentPurpose, EmergencyContact, Resident
from linli.people.selectors import visible_residents
from linli.people.services import (
    ConsentGiver,
    ResidentData,
    consent_record,
    emergency_contact_add,
    resident_create,
)
from linli.privacy.services import (
    anonymisation_refusals,
    personal_data_export,
    resident_anonymise,
)
from linli.requests.models import Request
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.conftest import login
from tests.requests.support import file_request, move, resolved

pytestmark = pytest.mark.django_db


def _with_contact_and_consent(cast: Cast) -> None:
    emergency_contact_add(
        resident=cast.elder,
        actor=cast.worker1,
        name="张伟",
        relation="儿子",
        phone="13600002222",
        note="在太原打工",
    )
    consent_record(actor=cast.worker1, resident=cast.elder, purpose=ConsentPurpose.HEALTH)


def _closed_request(cast: Cast, *, days_ago: int) -> Request:
    at = timezone.now() - dt.timedelta(days=days_ago)
    request = resolved(cast, at=at)
    return move(request, Status.CLOSED, cast.staff, at=at + dt.timedelta(hours=1))


# --- export ------------------------------------------------------------------------------


def test_export_holds_register_contacts_consents_and_requests(cast: Cast) -> None:
    _with_contact_and_consent(cast)
    request = file_request(cast, text="我家水管漏水")
    export = personal_data_export(actor=cast.staff, resident=cast.elder, file_format="json")

    basic = export.sections["基本信息"][0]
    assert basic["姓名"] == "王秀兰"
    assert basic["身份证号"] == cast.elder.id_number  # decrypted: it is the person's copy
    assert basic["手机号"] == "13812345678"
    assert basic["住址"] == "和平小区1号楼1单元101室"
    assert export.sections["服务标签"] == [{"标签": "独居老人", "补充说明": ""}]
    assert export.sections["紧急联系人"][0]["电话"] == "13600002222"
    consent_row = export.sections["授权同意"][0]
    assert consent_row["用途"] == "健康信息(血压、血糖等走访记录)"
    assert consent_row["记录人"] == "陈网格"
    assert [r["编号"] for r in export.sections["反映的诉求"]] == [request.number]
    assert export.sections["反映的诉求"][0]["内容"] == "我家水管漏水"

    document = json.loads(export.as_json())
    assert document["sections"]["基本信息"][0]["手机号"] == "13812345678"
    assert "审计" not in json.dumps(document, ensure_ascii=False)

    event = AuditEvent.objects.get(action="export", object_id=str(cast.elder.pk))
    assert event.actor == cast.staff
    assert "反映的诉求" in event.fields


def test_export_xlsx_has_a_sheet_per_section(cast: Cast) -> None:
    _with_contact_and_consent(cast)
    export = personal_data_export(actor=cast.staff, resident=cast.elder, file_format="xlsx")
    workbook = load_workbook(io.BytesIO(export.as_xlsx()))
    assert workbook.sheetnames[:5] == ["说明", "基本信息", "服务标签", "紧急联系人", "授权同意"]
    basic = workbook["基本信息"]
    header = [c.value for c in basic[1]]
    values = dict(zip(header, [c.value for c in basic[2]], strict=True))
    assert values["身份证号"] == cast.elder.id_number
    assert workbook["紧急联系人"]["C2"].value == "13600002222"


def test_export_page_downloads_for_staff_and_is_404_for_others(cast: Cast, client: Client) -> None:
    url = reverse("people:personal_data", args=[cast.elder.pk])
    login(client, "staff")
    page = client.get(url)
    assert "导出个人信息" in page.content.decode()
    response = client.post(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    as_json = client.post(url, {"format": "json"})
    assert json.loads(as_json.content)["name"] == "王秀兰"
    assert AuditEvent.objects.filter(action="export").count() == 2
    # Grid workers, residents and leaders cannot export: a 404, nothing audited.
    for username in ("worker1", "worker2", "resident", "leader"):
        login(client, username)
        assert client.get(url).status_code == 404
        assert client.post(url, {"format": "json"}).status_code == 404
    assert AuditEvent.objects.filter(action="export").count() == 2


# --- anonymisation -----------------------------------------------------------------------


def test_anonymisation_is_refused_while_a_request_is_open(cast: Cast) -> None:
    request = file_request(cast)
    reasons = anonymisation_refusals(cast.elder)
    assert reasons == [f"该居民反映的诉求尚未办结关闭:{request.number}。请办结后再匿名化。"]
    with pytest.raises(ValidationError):
        resident_anonymise(actor=cast.staff, resident=cast.elder, confirmed=True)
    cast.elder.refresh_from_db()
    assert cast.elder.name == "王秀兰"


def test_anonymisation_waits_for_the_retention_period_of_closed_requests(cast: Cast) -> None:
    recent = _closed_request(cast, days_ago=30)
    reasons = anonymisation_refusals(cast.elder)
    assert len(reasons) == 1
    assert f"诉求{recent.number}关闭未满180天的留存期" in reasons[0]


def test_anonymisation_after_retention_replaces_identity_and_keeps_statistics(
    cast: Cast,
) -> None:
    _with_contact_and_consent(cast)
    old = _closed_request(cast, days_ago=200)
    Request.objects.filter(pk=old.pk).update(text="王秀兰反映:13812345678 楼道灯坏了")
    assert anonymisation_refusals(cast.elder) == []

    resident_anonymise(actor=cast.staff, resident=cast.elder, confirmed=True)

    person = Resident.objects.get(pk=cast.elder.pk)
    assert person.name == "已匿名"
    assert (person.alias, person.id_number, person.phone, person.notes) == ("", "", "", "")
    assert (person.id_number_hash, person.phone_hash) == ("", "")
    assert person.birth_date == dt.date(1957, 1, 1)
    assert person.gender == "female"
    assert person.household is None
    assert person.user is None
    assert [t.code for t in person.tags.all()] == ["living_alone"]
    assert not EmergencyContact.objects.filter(resident=person).exists()
    consent = Consent.objects.get(resident=person)
    assert consent.given_by_name == "已匿名"
    assert not consent.is_active
    old.refresh_from_db()
    assert old.reporter_name == "已匿名"
    assert old.text == "***反映:*** 楼道灯坏了"
    assert not visible_residents(cast.staff).filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(action="anonymise")
    assert (event.actor, event.object_id) == (cast.staff, str(person.pk))
    assert anonymisation_refusals(person) == ["该居民已匿名化。"]


def test_guardian_named_on_an_active_child_consent_is_kept(cast: Cast) -> None:
    today = timezone.localdate()
    resident_create(
        actor=cast.worker1,
        data=ResidentData(
            name="王小宝",
            gender="male",
            birth_date=today.replace(year=today.year - 6, month=1, day=5),
            household=cast.household1,
        ),
        guardian_consent=ConsentGiver(name="王秀兰", relation="祖母"),
    )
    assert anonymisation_refusals(cast.elder) == [
        "该居民是王小宝的监护人,监护人同意仍然有效;请先处理该儿童的授权。"
    ]


def test_anonymise_page_needs_confirmation(cast: Cast, client: Client) -> None:
    url = reverse("people:anonymise", args=[cast.neighbour.pk])
    login(client, "staff")
    assert "不可撤销" in client.get(url).content.decode()
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 400
    cast.neighbour.refresh_from_db()
    assert cast.neighbour.name == "李建军"

    confirmed = client.post(url, {"confirm": "on"})
    assert confirmed.status_code == 302
    cast.neighbour.refresh_from_db()
    assert cast.neighbour.name == "已匿名"
    assert cast.neighbour.anonymised_at is not None


def test_anonymise_page_shows_refusals_and_changes_nothing(cast: Cast, client: Client) -> None:
    file_request(cast)
    url = reverse("people:anonymise", args=[cast.elder.pk])
    login(client, "staff")
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 400
    assert "尚未办结关闭" in response.content.decode()
    cast.elder.refresh_from_db()
    assert cast.elder.name == "王秀兰"
    login(client, "worker1")
    assert client.post(url, {"confirm": "on"}).status_code == 404
