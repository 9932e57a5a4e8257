"""A volunteer downloads their own service hours; staff the volunteers with their totals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.volunteers.services import service_record_add, volunteer_create
from tests.cast import Cast


def _rows(response: Any) -> list[tuple[object, ...]]:
    assert response.status_code == 200
    return list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )


def test_hours_export_own_records_and_staff_totals(cast: Cast, client_for: Any) -> None:
    volunteer = volunteer_create(actor=None, community=cast.community, user=cast.volunteer_user)
    start = timezone.now() - dt.timedelta(days=3)
    service_record_add(
        actor=None, volunteer=volunteer, started_at=start, minutes=90, content="陪同就医"
    )
    rows = _rows(client_for("volunteer").get(reverse("volunteers:my_service") + "?export=xlsx"))
    assert rows[0] == (
        "服务时间",
        "服务时长(分钟)",
        "服务内容",
        "服务地点",
        "来源",
        "审核状态",
        "退回原因",
    )
    assert rows[1][1:3] == (90, "陪同就医")
    assert rows[1][5] == "已确认"
    assert AuditEvent.objects.filter(
        action="export", object_type="volunteers.servicerecord"
    ).exists()

    header, row = _rows(client_for("staff").get(reverse("volunteers:list") + "?export=xlsx"))
    assert row[header.index("累计服务时长(小时)")] == 1.5
