"""Reading an uploaded register sheet (.xlsx or .csv) into rows of normalised text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from linli.core.text import normalise_text

# The residents sheet's columns (the other kinds declare theirs in ``linli.imports.kinds``).
COLUMNS = (
    "小区",
    "楼栋",
    "单元",
    "房号",
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "与户主关系",
    "手机号",
    "标签",
    "备注",
)
REQUIRED_COLUMNS = ("楼栋", "单元", "房号", "姓名")
MAX_ROWS = 50_000

Row = dict[str, str]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value)).strip()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else GB18030 (Excel's Chinese CSV)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("无法识别文件编码:请另存为 UTF-8 或 GB18030 的 CSV。")) from exc


def _raw_rows(path: Path) -> Iterator[list[object]]:
    if path.suffix.lower() == ".csv":
        text = decode_csv(path.read_bytes())
        try:
            yield from csv.reader(io.StringIO(text))
        except csv.Error as exc:  # a cell over the module's 128 KB limit, a damaged file
            raise ValidationError(
                _("无法读取该 CSV 文件:有一格内容过长或格式损坏,请用导入模板重新填写。")
            ) from exc
        return
    unreadable = _("无法读取该 Excel 文件,请确认是 .xlsx 格式。")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ValidationError(unreadable) from exc
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode parses the sheet row by row: damage inside it surfaces here.
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    except Exception as exc:
        raise ValidationError(unreadable) from exc
    finally:
        workbook.close()


def read_rows(
    path: Path,
    columns: Sequence[str] = COLUMNS,
    required: Sequence[str] = REQUIRED_COLUMNS,
) -> tuple[list[tuple[int, Row]], list[str]]:
    """The data rows with their line number in the sheet (header is line 1), and the
    header problems (missing ``required`` columns). Blank lines are skipped."""
    rows = _raw_rows(path)
    header_raw = next(rows, None)
    if header_raw is None:
        raise ValidationError(_("文件是空的。"))
    header = [_text(v) for v in header_raw]
    missing = [c for c in required if c not in header]
    index = {name: header.index(name) for name in columns if name in header}
    result: list[tuple[int, Row]] = []
    for line, values in enumerate(rows, start=2):
        cells = [_text(v) for v in values]
        if not any(cells):
            continue
        if len(result) >= MAX_ROWS:
            raise ValidationError(
                _("文件超过 %(max)s 行,请分成几个文件导入。") % {"max": f"{MAX_ROWS:,}"}
            )
        result.append(
            (line, {name: cells[i] if i < len(cells) else "" for name, i in index.items()})
        )
    return result, missing
