"""The one safe spreadsheet writer: every Excel or CSV file Linli hands out goes through it.

Spreadsheet programs run a cell that starts like a formula (``=HYPERLINK(...)``,
``+``, ``-``, ``@``) and strip nothing: a resident's text must never become a live
formula or smuggle control characters into someone's copy of the register. Text cells
are therefore neutralised here — a leading apostrophe for formula starts, control
characters other than newline and tab removed — and numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | bool | None

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_cell(value: Cell) -> Cell:
    """A value that a spreadsheet shows as written and never evaluates."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass
class Sheet:
    title: str
    header: Sequence[str] = ()
    rows: Iterable[Sequence[Cell]] = field(default_factory=list)
    empty_text: str = ""


def _sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "sheet"
    candidate, n = cleaned, 2
    while candidate in used:
        candidate, n = f"{cleaned[:25]}_{n}", n + 1
    used.add(candidate)
    return candidate


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx workbook of ``sheets``; headers bold, columns sized to their text.

    Written in openpyxl's write-only mode, so a 100,000-row export streams row by row
    instead of building every cell object in memory.
    """
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for spec in sheets:
        sheet = workbook.create_sheet(_sheet_title(spec.title, used))
        rows = [[safe_cell(v) for v in row] for row in spec.rows]
        widths: dict[int, int] = {}
        lines: list[list[Cell]] = [list(spec.header), *rows]
        for line in lines:
            for index, value in enumerate(line, start=1):
                widths[index] = max(widths.get(index, 0), len(str(value or "")))
        for index, width in widths.items():
            sheet.column_dimensions[get_column_letter(index)].width = min(60, 4 + width * 2)
        if spec.header:
            header = []
            for title in spec.header:
                cell = WriteOnlyCell(sheet, value=safe_cell(title))
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
        if not rows and spec.empty_text:
            sheet.append([spec.empty_text])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """CSV text with every cell neutralised (callers add a BOM for Excel if they wish)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()
