"""Writes of the audit pages: the records that reading or exporting the audit trail leaves."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from linli.accounts.models import User
from linli.audit.selectors import AuditFilters
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.spreadsheets import Sheet, csv_text, xlsx_bytes

EXPORT_LIMIT = 100_000
EXPORT_HEADER = [
    "序号",
    "时间",
    "操作人",
    "动作",
    "对象类型",
    "对象编号",
    "对象",
    "字段",
    "结果",
    "来源地址",
    "说明",
    "哈希",
]


def _rows(events: Iterable[AuditEvent]) -> Iterable[list[str]]:
    for e in events:
        yield [
            str(e.sequence or ""),
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            str(e.get_action_display()),
            e.object_type,
            e.object_id,
            e.object_repr,
            ",".join(e.fields or []),
            "成功" if e.success else "失败",
            e.source_ip or "",
            e.note,
            e.hash,
        ]


@transaction.atomic
def audit_trail_viewed(*, actor: User, filters: AuditFilters) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type=AuditEvent._meta.label_lower,
        object_id="",
        object_repr="审计记录查询",
        note=filters.describe(),
    )


@transaction.atomic
def audit_trail_export(
    *, actor: User, filters: AuditFilters, events: QuerySet[AuditEvent], file_format: str
) -> tuple[bytes, int]:
    """The filtered records as CSV (UTF-8 with BOM, for Excel) or xlsx; the export is audited."""
    if file_format not in {"csv", "xlsx"}:
        raise ValueError(file_format)
    selected = list(events[:EXPORT_LIMIT])
    # Through the one safe writer: a name or note that starts like a formula stays text.
    if file_format == "csv":
        content = csv_text(EXPORT_HEADER, _rows(selected)).encode("utf-8-sig")
    else:
        content = xlsx_bytes([Sheet(title="审计记录", header=EXPORT_HEADER, rows=_rows(selected))])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type=AuditEvent._meta.label_lower,
        object_id="",
        object_repr=f"审计记录导出 {file_format}",
        note=f"{len(selected)} rows; {filters.describe()}",
    )
    return content, len(selected)
