"""The one safe spreadsheet writer: formulas stay text, control characters go, numbers stay."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from linli.core.spreadsheets import Sheet, csv_text, safe_cell, xlsx_bytes


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x/","点我")', '\'=HYPERLINK("http://x/","点我")'),
        ("+86 138", "'+86 138"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("王大娘\x00\x0b说", "王大娘说"),
        ("第一行\n第二行\t完", "第一行\n第二行\t完"),
        (42, 42),
        (None, None),
    ],
)
def test_a_cell_is_shown_as_written_and_never_evaluated(value: object, shown: object) -> None:
    assert safe_cell(value) == shown  # type: ignore[arg-type]


def test_the_workbook_holds_no_formula_and_keeps_numbers() -> None:
    content = xlsx_bytes(
        [Sheet(title="名单[1]", header=["姓名", "时长"], rows=[["=1+1", 90]]), Sheet(title="空")]
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["名单1"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["姓名", "时长"],
        ["'=1+1", 90],
    ]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet["A1"].font.bold


def test_csv_cells_are_neutralised_too() -> None:
    rows = list(csv.reader(io.StringIO(csv_text(["说明"], [["=cmd|' /C calc'!A0"]]))))
    assert rows == [["说明"], ["'=cmd|' /C calc'!A0"]]
