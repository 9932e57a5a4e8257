"""Importing a register sheet: dry run by row and column, then all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from linli.core import crypto
from linli.core.models import AuditEvent
from linli.imports import services
from linli.imports.models import ImportJob
from linli.imports.services import import_job_run, import_job_start
from linli.people.models import Household, Resident
from linli.people.services import ResidentData, resident_create
from tests.cast import Cast, id_number_for
from tests.imports.helpers import (
    BIRTH_A,
    ID_A,
    ID_B,
    csv_file,
    errors_by_cell,
    good_rows,
    row,
    upload,
    xlsx_file,
)


def _bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def test_dry_run_lists_every_problem_by_row_and_column_in_chinese(
    cast: Cast, client_for: Any
) -> None:
    client = client_for("staff")
    child_birth = timezone.localdate() - dt.timedelta(days=365 * 5)
    rows = [
        row(),  # 2: good
        row(身份证号=_bad_checksum(ID_B), 姓名="甲"),  # 3
        row(身份证号="", 出生日期="1950-02-30", 姓名="乙"),  # 4
        row(身份证号=ID_B, 出生日期="1976-01-01", 性别="男", 姓名="丙"),  # 5
        row(楼栋="9号楼", 身份证号="", 姓名="丁"),  # 6
        row(单元="3单元", 身份证号="", 姓名="戊"),  # 7
        row(房号="701", 身份证号="", 姓名="己"),  # 8
        row(手机号="12345", 身份证号="", 姓名="庚"),  # 9
        row(姓名="辛"),  # 10: same ID as row 2
        row(身份证号=cast.elder.id_number, 出生日期="1957-03-08", 姓名="王秀兰"),  # 11
        row(标签="不存在的标签", 身份证号="", 姓名="壬"),  # 12
        row(身份证号="", 出生日期=f"{child_birth:%Y-%m-%d}", 姓名="癸"),  # 13
    ]
    job = upload(client, cast, xlsx_file(rows))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert errors_by_cell(job) == {
        (3, "身份证号"),
        (4, "出生日期"),
        (5, "出生日期"),
        (6, "楼栋"),
        (7, "单元"),
        (8, "房号"),
        (9, "手机号"),
        (10, "身份证号"),
        (11, "身份证号"),
        (12, "标签"),
        (13, "出生日期"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert messages[(3, "身份证号")] == "身份证号校验位不正确,请核对是否输错。"
    assert "与身份证号不一致" in messages[(5, "出生日期")]
    assert messages[(8, "房号")] == "1单元没有701室:该单元共6层,每层2户。"
    assert messages[(10, "身份证号")] == "与第2行的身份证号重复。"
    assert "已登记" in messages[(11, "身份证号")]
    assert messages[(12, "标签")] == "没有“不存在的标签”这个标签。"
    # Nothing written, the upload deleted, no full ID or name kept in the error list.
    assert not Resident.objects.filter(name="赵桂芳").exists()
    assert job.stored_path == ""
    assert cast.elder.id_number not in str(job.errors)
    assert "王秀兰" not in str(job.errors)
    # The page shows them in Chinese.
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "发现 11 个问题,未导入任何数据" in page
    assert "身份证号校验位不正确" in page


def test_clean_sheet_imports_encrypted_audited_and_in_the_register(
    cast: Cast, client_for: Any
) -> None:
    client = client_for("staff")
    job = upload(client, cast, xlsx_file(good_rows()))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.errors
    assert Path(job.stored_path).exists()
    response = client.post(reverse("imports:job_run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.households_created) == (2, 0, 2)
    assert job.percent == 100
    assert job.stored_path == ""
    zhao = Resident.objects.get(name="赵桂芳")
    assert zhao.id_number == ID_A
    assert zhao.household is not None
    assert zhao.household.room == "302"
    assert zhao.area == cast.unit1
    assert zhao.id_number_hash == crypto.blind_index("id", ID_A)
    assert [t.name for t in zhao.tags.all()] == ["独居老人"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [zhao.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert ID_A not in raw_id
    assert "13612340001" not in raw_phone
    assert AuditEvent.objects.filter(
        object_type="people.resident", object_id=str(zhao.pk), action="create"
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="people.household", object_id=str(zhao.household.pk), action="create"
    ).exists()
    summary = AuditEvent.objects.get(object_type="imports.importjob", note__startswith="批量导入")
    assert summary.note == "批量导入居民:新增2,更新0,新增住户2"
    assert summary.actor == cast.staff
    page = client.get(reverse("people:resident_list"), {"q": "赵桂芳"}).content.decode()
    assert "赵桂芳" in page


def test_import_is_all_or_nothing(cast: Cast, client_for: Any) -> None:
    """A row that became bad after the dry run (someone registered that person by hand)
    stops the whole import: no household, no resident from the sheet."""
    client = client_for("staff")
    job = upload(client, cast, xlsx_file(good_rows()))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    households_before = Household.objects.count()
    resident_create(
        actor=None,
        data=ResidentData(
            name="孙志强",
            gender="male",
            birth_date=dt.date(1975, 11, 20),
            id_number=ID_B,
            household=cast.household1,
        ),
    )
    import_job_start(job=job, actor=cast.staff)
    job = import_job_run(job=ImportJob.objects.get(pk=job.pk))
    assert job.status == ImportJob.Status.FAILED
    assert errors_by_cell(job) == {(3, "身份证号")}
    assert not Resident.objects.filter(name="赵桂芳").exists()
    assert Household.objects.count() == households_before
    assert job.stored_path == ""


def test_existing_residents_are_updated_only_when_asked(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    elder_row = row(
        身份证号=cast.elder.id_number,
        姓名="王秀兰",
        出生日期="1957-03-08",
        房号="101",
        手机号="13812349999",
        标签="",
    )
    refused = upload(client, cast, xlsx_file([elder_row]))
    refused.refresh_from_db()
    assert errors_by_cell(refused) == {(2, "身份证号")}
    job = upload(client, cast, xlsx_file([elder_row]), update=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.errors
    client.post(reverse("imports:job_run", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count) == ("done", 0, 1)
    elder = Resident.objects.get(pk=cast.elder.pk)
    assert elder.phone == "13812349999"
    assert [t.name for t in elder.tags.all()] == ["独居老人"]  # kept
    assert Resident.objects.filter(id_number_hash=elder.id_number_hash).count() == 1


def test_gb18030_and_utf8_csv(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    job = upload(client, cast, csv_file(good_rows(), "gb18030"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.errors
    job2 = upload(client, cast, csv_file([row(房号="702")], "utf-8-sig"))
    job2.refresh_from_db()
    assert errors_by_cell(job2) == {(2, "房号")}
    client.post(reverse("imports:job_run", args=[job.pk]))
    assert Resident.objects.filter(name__in=["赵桂芳", "孙志强"]).count() == 2


def test_missing_columns_are_reported(cast: Cast, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("staff")
    job = upload(client, cast, SimpleUploadedFile("x.csv", "姓名,房号\n张三,101\n".encode()))
    job.refresh_from_db()
    assert {e["column"] for e in job.errors} == {"楼栋", "单元"}


def test_only_staff_over_the_community_may_import(cast: Cast, client_for: Any) -> None:
    assert client_for("worker1").get(reverse("imports:upload")).status_code == 403
    assert client_for("worker1").get(reverse("imports:template")).status_code == 403
    client = client_for("staff")
    response = client.post(
        reverse("imports:upload"),
        {"community": cast.other_community.pk, "file": xlsx_file(good_rows())},
    )
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    job = upload(client, cast, xlsx_file(good_rows()))
    assert client_for("leader").get(reverse("imports:job", args=[job.pk])).status_code == 404


def test_template_has_chinese_columns_example_and_notes(cast: Cast, client_for: Any) -> None:
    import io

    from openpyxl import load_workbook

    response = client_for("staff").get(reverse("imports:template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["居民", "填写说明"]
    sheet = workbook["居民"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["小区", "楼栋", "单元", "房号", "姓名", "身份证号"]
    assert sheet.cell(row=2, column=5).value == "张秀兰"
    assert workbook["填写说明"].max_row > 10


def test_birth_date_may_come_from_the_id_number(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    birth = dt.date(1962, 7, 1)
    number = id_number_for(birth, "male", 77)
    job = upload(client, cast, xlsx_file([row(身份证号=number, 出生日期="", 性别="", 姓名="钱")]))
    job.refresh_from_db()
    assert job.status == "checked", job.errors
    client.post(reverse("imports:job_run", args=[job.pk]))
    person = Resident.objects.get(name="钱")
    assert (person.birth_date, person.gender) == (birth, "male")
    assert birth != BIRTH_A


def _problems(job: ImportJob) -> list[str]:
    return [e["message"] for e in job.errors]


def test_a_csv_cell_too_long_for_the_reader_is_a_problem_not_a_job_left_checking(
    cast: Cast, client_for: Any
) -> None:
    """One cell over the csv module's limit (128 KB, e.g. a file with no line breaks)
    raised csv.Error inside the background check: the job stayed 「检查中」 for ever."""
    job = upload(client_for("staff"), cast, SimpleUploadedFile("名册.csv", b"a" * 200_000))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert _problems(job) == ["无法读取该 CSV 文件:有一格内容过长或格式损坏,请用导入模板重新填写。"]


def test_an_unexpected_error_in_the_check_ends_the_job_as_invalid(
    cast: Cast, client_for: Any, monkeypatch: Any
) -> None:
    """Whatever breaks while checking, the job must not stay 「检查中」 with the page
    polling for ever: it ends invalid, saying nothing was imported."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "read_rows", broken)

    job = upload(client_for("staff"), cast, xlsx_file(good_rows()))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert _problems(job) == ["检查文件时出错,未导入任何数据。请检查文件后重新上传。"]
    assert job.stored_path == ""
    assert job.finished_at is not None
