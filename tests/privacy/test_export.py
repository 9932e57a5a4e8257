"""The personal-data export holds what every registered app keeps about the person."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from linli.care.services import Readings, visit_log
from linli.privacy.services import personal_data_export
from linli.volunteers.services import certificate_issue, service_record_add, volunteer_create
from tests.care.conftest import build_care
from tests.cast import Cast
from tests.requests.support import local

pytestmark = pytest.mark.django_db


def test_the_export_holds_care_plan_visits_readings_and_alerts(cast: Cast) -> None:
    build_care(cast)
    visit_log(
        actor=cast.volunteer_user,
        resident=cast.elder,
        services=["groceries", "blood_pressure"],
        readings=Readings(bp_systolic=186, bp_diastolic=112),
        note="头晕",
    )

    export = personal_data_export(actor=cast.staff, resident=cast.elder, file_format="json")

    plan = export.sections["关爱计划"][0]
    assert (plan["每周上门次数"], plan["注意事项"]) == (2, "高血压,按时吃药")
    visit = export.sections["走访记录与健康读数"][0]
    assert (visit["血压(mmHg)"], visit["服务内容"], visit["走访记录"]) == (
        "186/112",
        "买菜、量血压",
        "头晕",
    )
    assert export.sections["关爱预警"][0]["类型"] == "血压异常"
    document = json.loads(export.as_json())
    assert document["sections"]["走访记录与健康读数"][0]["血压(mmHg)"] == "186/112"


def test_a_volunteers_export_holds_their_hours_and_certificates(cast: Cast) -> None:
    volunteer = volunteer_create(
        actor=None, community=cast.community, resident=cast.elder, name=cast.elder.name
    )
    service_record_add(
        actor=cast.staff,
        volunteer=volunteer,
        started_at=local(2026, 11, 20, 9),
        minutes=90,
        content="社区环境整治",
    )
    certificate = certificate_issue(actor=None, volunteer=volunteer)

    export = personal_data_export(actor=cast.staff, resident=cast.elder, file_format="xlsx")

    assert export.sections["志愿者档案"][0]["姓名"] == "王秀兰"
    assert export.sections["志愿服务记录"][0]["服务时长(分钟)"] == 90
    assert export.sections["志愿服务证明"][0]["证明编号"] == certificate.number
    workbook = load_workbook(io.BytesIO(export.as_xlsx()))
    assert {"志愿服务记录", "志愿服务证明", "关爱计划", "走访排班"} <= set(workbook.sheetnames)


def test_text_that_looks_like_a_formula_stays_text_in_the_excel_file(cast: Cast) -> None:
    cast.elder.notes = '=HYPERLINK("http://evil.example/","点我")'
    cast.elder.save(update_fields=["notes"])

    export = personal_data_export(actor=cast.staff, resident=cast.elder, file_format="xlsx")
    sheet = load_workbook(io.BytesIO(export.as_xlsx()))["基本信息"]

    notes = [c.value for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert notes == ['\'=HYPERLINK("http://evil.example/","点我")']
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
