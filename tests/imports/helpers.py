"""Sheets for the import tests, written as a community office would fill them in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from linli.core.spreadsheets import Sheet, csv_text, xlsx_bytes
from linli.imports.models import ImportJob
from linli.imports.reading import COLUMNS
from tests.cast import Cast, id_number_for

BIRTH_A = dt.date(1948, 5, 3)
BIRTH_B = dt.date(1975, 11, 20)
ID_A = id_number_for(BIRTH_A, "female", 31)
ID_B = id_number_for(BIRTH_B, "male", 32)


def row(**cells: str) -> list[str]:
    """A good row for 1号楼1单元302 unless ``cells`` says otherwise (keys are the columns)."""
    base = {
        "小区": "和平小区",
        "楼栋": "1号楼",
        "单元": "1单元",
        "房号": "302",
        "姓名": "赵桂芳",
        "身份证号": ID_A,
        "性别": "女",
        "出生日期": f"{BIRTH_A:%Y-%m-%d}",
        "与户主关系": "户主",
        "手机号": "13612340001",
        "标签": "独居老人",
        "备注": "",
    }
    base.update(cells)
    return [base[c] for c in COLUMNS]


def good_rows() -> list[list[str]]:
    return [
        row(),
        row(
            楼栋="2",
            单元="1",
            房号="601",
            姓名="孙志强",
            身份证号=ID_B,
            性别="男",
            出生日期=f"{BIRTH_B:%Y-%m-%d}",
            手机号="13612340002",
            标签="",
        ),
    ]


def xlsx_file(rows: Sequence[Sequence[str]], name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes([Sheet(title="居民", header=COLUMNS, rows=rows)]))


def csv_file(
    rows: Sequence[Sequence[str]], encoding: str = "gb18030", name: str = "名册.csv"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_text(COLUMNS, rows).encode(encoding))


def upload(
    client: Client, cast: Cast, file: SimpleUploadedFile, *, update: bool = False, **extra: Any
) -> ImportJob:
    data: dict[str, Any] = {"community": cast.community.pk, "file": file}
    if update:
        data["update_existing"] = "on"
    response = client.post(reverse("imports:upload"), data, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def errors_by_cell(job: ImportJob) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in job.errors}
