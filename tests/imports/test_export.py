"""Excel export of the register: the list's filters, masked unless revealed, audited."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.imports.models import ImportJob
from tests.cast import Cast
from tests.imports.helpers import upload


def _cells(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in r] for r in sheet.iter_rows()]


def test_export_is_masked_by_default_and_audited(cast: Cast, client_for: Any) -> None:
    response = client_for("staff").get(reverse("imports:export_residents"))
    assert response.status_code == 200
    text = str(_cells(response.content))
    assert "王秀兰" in text
    assert cast.elder.id_number not in text
    assert "13812345678" not in text
    assert cast.elder.id_number_masked in text
    assert "138****5678" in text
    event = AuditEvent.objects.get(action="export", object_type="people.resident")
    assert event.actor == cast.staff
    assert event.note.startswith("已脱敏")


def test_reveal_needs_the_capability(cast: Cast, client_for: Any) -> None:
    revealed = client_for("staff").get(reverse("imports:export_residents"), {"reveal": "1"})
    assert cast.elder.id_number in str(_cells(revealed.content))
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.fields == ["id_number", "phone"]
    leader = client_for("leader").get(reverse("imports:export_residents"), {"reveal": "1"})
    assert leader.status_code == 200
    assert cast.elder.id_number not in str(_cells(leader.content))


def test_export_follows_filters_and_scope(cast: Cast, client_for: Any) -> None:
    worker2 = client_for("worker2")
    names = str(_cells(worker2.get(reverse("imports:export_residents")).content))
    assert "李建军" in names
    assert "王秀兰" not in names
    staff = client_for("staff")
    filtered = staff.get(reverse("imports:export_residents"), {"building": cast.building1.pk})
    text = str(_cells(filtered.content))
    assert "王秀兰" in text
    assert "李建军" not in text
    households = _cells(staff.get(reverse("imports:export_households")).content)
    assert households[0][:4] == ["小区", "楼栋", "单元", "房号"]
    assert len(households) == 3
    assert AuditEvent.objects.filter(action="export", object_type="people.household").exists()


def test_export_imports_again_as_an_update(cast: Cast, client_for: Any) -> None:
    """The round trip: a revealed export is a valid import sheet of the same people."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = client_for("staff")
    exported = staff.get(reverse("imports:export_residents"), {"reveal": "1"}).content
    job = upload(staff, cast, SimpleUploadedFile("export.xlsx", exported), update=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.errors
    staff.post(reverse("imports:job_run", args=[job.pk]))
    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (0, 2)
    again = staff.get(reverse("imports:export_residents"), {"reveal": "1"}).content
    assert _cells(again) == _cells(exported)
