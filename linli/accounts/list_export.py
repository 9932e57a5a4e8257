"""Excel export of a list page, with the page's filters: one helper for every list.

A list view that offers 「导出 Excel」 builds its filtered queryset as for the page, then
``if wants_export(request): return export_list(request, ...)`` with its columns. The link
(``includes/export_link.html``) is the page's own URL with ``export=xlsx`` added to the
current query string, so the export is exactly the list the user is looking at (its scope
and filters; every page, not one page of it).

Columns that carry a person's contact or identity hold a masked value by default; the
full value only when the user holds ``sensitive.reveal`` and asked (``reveal=1``). Every
export goes through :func:`linli.core.spreadsheets.xlsx_bytes` (the one safe writer) and
leaves one ``export`` audit record: what, how many rows, the filters, masked or not.
This lives in ``accounts`` (not ``core``) because it reads the request's user and their
capabilities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from linli.accounts.current import request_user
from linli.accounts.selectors import capabilities_of
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.roles import Capability
from linli.core.spreadsheets import Cell, Sheet, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An export is a working copy, not a dump: beyond this the sheet stops (and says so).
MAX_EXPORT_ROWS = 50_000
# Query parameters that are not filters.
_NOT_FILTERS = {"export", "page", "reveal"}
# Free text a user typed may name a person: the audit says a search was used, not what.
_FREE_TEXT = {"q", "query"}


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Any], Cell]
    # The full value of a masked column, written only when revealed (e.g. the phone).
    revealed: Callable[[Any], Cell] | None = None
    field: str = ""  # named in the audit record when revealed


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def may_reveal(request: HttpRequest) -> bool:
    return Capability.SENSITIVE_REVEAL in capabilities_of(request_user(request))


def described_filters(request: HttpRequest) -> str:
    parts = []
    for key in sorted(request.GET):
        value = request.GET.get(key, "")
        if key in _NOT_FILTERS or not value:
            continue
        parts.append(_("含搜索") if key in _FREE_TEXT else f"{key}={value[:40]}")
    return ",".join(parts)


def _date_cell(value: Any) -> Cell:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):  # a datetime: the local wall clock
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def when(attribute: str) -> Callable[[Any], Cell]:
    """A column value: the object's date or datetime ``attribute`` as local text."""
    return lambda obj: _date_cell(getattr(obj, attribute))


def mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if name else ""


def export_list(
    request: HttpRequest,
    *,
    rows: Iterable[Any],
    columns: Sequence[Column],
    title: str | Promise,
    object_type: str,
    file_name: str,
) -> HttpResponse:
    """The list as an .xlsx download, masked unless revealed, audited."""
    actor = request_user(request)
    reveal = request.GET.get("reveal") == "1" and may_reveal(request)
    cells: list[list[Cell]] = []
    truncated = False
    for count, obj in enumerate(rows):
        if count >= MAX_EXPORT_ROWS:
            truncated = True
            break
        cells.append(
            [(c.revealed if reveal and c.revealed is not None else c.value)(obj) for c in columns]
        )
    sheet_rows: list[Sequence[Cell]] = list(cells)
    if truncated:
        sheet_rows.append(
            [_("只导出了前 %(n)s 行,请缩小筛选范围。") % {"n": f"{MAX_EXPORT_ROWS:,}"}]
        )
    data = xlsx_bytes(
        [
            Sheet(
                title=str(title),
                header=[str(c.header) for c in columns],
                rows=sheet_rows,
                empty_text=_("没有符合条件的记录。"),
            )
        ]
    )
    revealed_fields = [c.field for c in columns if c.revealed is not None and c.field]
    filters = described_filters(request)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type=object_type,
        object_repr=_("%(title)s(%(n)s条)") % {"title": title, "n": len(cells)},
        fields=revealed_fields if reveal else [],
        note=(_("含完整信息") if reveal else _("已脱敏")) + (f";{filters}" if filters else ""),
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{file_name}-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response
