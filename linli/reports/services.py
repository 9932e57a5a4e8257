"""Writes for reports: filing a report, and recording each generation of a file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, Grid
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.text import normalise_text
from linli.reports.content import ReportContent
from linli.reports.models import FiledReport
from linli.reports.periods import Period
from linli.reports.render import report_docx, report_pdf, report_xlsx

# The files a filed report is downloaded as: format → (writer, content type).
FORMATS = {
    "docx": (
        report_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (report_pdf, "application/pdf"),
    "xlsx": (report_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

MAX_SECTION_CHARS = 5000


@transaction.atomic
def report_file(
    *,
    actor: User | None,
    area: Area,
    period: Period,
    content: ReportContent,
    texts: dict[str, str],
    grid: Grid | None = None,
) -> FiledReport:
    """Keep the report as filed: the computed figures with the sections' text as edited.

    ``texts`` maps a section's key to its edited text; sections not given keep the draft.
    """
    errors: dict[str, list[str]] = {}
    for section in content.sections:
        if section.key not in texts:
            continue
        text = normalise_text(texts[section.key]).strip()
        if not text:
            errors.setdefault(section.key, []).append(_("「%s」不能为空") % section.title)
        elif len(text) > MAX_SECTION_CHARS:
            errors.setdefault(section.key, []).append(
                _("「%(t)s」最多%(n)s字") % {"t": section.title, "n": MAX_SECTION_CHARS}
            )
        section.text = text
    if errors:
        raise ValidationError(errors)
    report = FiledReport.objects.create(
        area=area,
        grid=grid,
        period_kind=period.kind,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        title=content.title,
        content=content.as_dict(),
        filed_by=actor,
        filed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=report,
        fields=["content"],
        note=period.key,
    )
    return report


def report_generated(
    *, actor: User | None, report: FiledReport | None, area: Area, fmt: str, note: str
) -> None:
    """Audit one generation of a report file (docx, pdf, xlsx), filed or from the command."""
    if report is not None:
        audit_record(actor=actor, action=AuditEvent.Action.EXPORT, obj=report, note=f"{fmt} {note}")
    else:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            object_type="areas.area",
            object_id=str(area.pk),
            object_repr=area.name,
            note=f"{fmt} {note}",
        )


def report_download(*, actor: User | None, report: FiledReport, fmt: str) -> tuple[bytes, str, str]:
    """A filed report as a file of ``fmt`` (a key of ``FORMATS``): its bytes, content type
    and file name (the area's or grid's code and the period); each generation audited."""
    writer, mime = FORMATS[fmt]
    body = writer(ReportContent.from_dict(report.content_data))
    report_generated(actor=actor, report=report, area=report.area, fmt=fmt, note=report.period_key)
    code = report.grid.code if report.grid else report.area.code
    return body, mime, f"{code}-{report.period_key}.{fmt}"
