"""A person's data across every registered app: the right of access (export) and
anonymisation on request (PIPL 45, 47).

The apps register what they hold in :mod:`linli.privacy.registry`; this module runs
their hooks. Exporting and anonymising are audited; what the audit trail holds about
views is not part of the export.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.audit import audit_record
from linli.core.errors import Conflict
from linli.core.models import AuditEvent
from linli.core.spreadsheets import XLSX_CONTENT_TYPE, Sheet, xlsx_bytes
from linli.people.models import Resident
from linli.privacy.registry import Sections, format_time, registered_sources

# --- export ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataExport:
    resident_id: int
    name: str
    exported_at: dt.datetime
    exported_by: str
    sections: Sections

    def as_json(self) -> bytes:
        document = {
            "resident_id": self.resident_id,
            "name": self.name,
            "exported_at": timezone.localtime(self.exported_at).isoformat(),
            "exported_by": self.exported_by,
            "sections": self.sections,
        }
        return json.dumps(document, ensure_ascii=False, indent=2).encode()

    def as_xlsx(self) -> bytes:
        cover = Sheet(
            title=_("说明"),
            rows=[
                [_("个人信息导出"), self.name],
                [_("导出时间"), format_time(self.exported_at)],
                [_("导出人"), self.exported_by],
                [_("内容"), _("本文件包含平台保存的该居民的全部个人信息,请妥善保管。")],
            ],
        )
        sheets = [cover]
        for title, rows in self.sections.items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            sheets.append(
                Sheet(
                    title=title,
                    header=columns if rows else (),
                    rows=[[row.get(column) for column in columns] for row in rows],
                    empty_text=_("(无记录)"),
                )
            )
        return xlsx_bytes(sheets)

    def as_file(self, file_format: str) -> tuple[bytes, str, str]:
        """``(content, content type, file name)`` for ``xlsx`` or ``json``: the page's
        download and the API's answer are the same file."""
        filename = f"personal-data-{self.resident_id}-{self.exported_at:%Y%m%d}.{file_format}"
        if file_format == "json":
            return self.as_json(), "application/json; charset=utf-8", filename
        return self.as_xlsx(), XLSX_CONTENT_TYPE, filename


@transaction.atomic
def personal_data_export(
    *, actor: User, resident: Resident, file_format: str
) -> PersonalDataExport:
    """Everything held about the person, from every registered app; audited."""
    sections: Sections = {}
    for source in registered_sources():
        if source.export is None:
            continue
        for title, rows in source.export(resident).items():
            if title in sections:
                raise ValueError(f"two apps export a section called {title!r}")
            sections[title] = rows
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=resident,
        fields=sorted(sections),
        note=f"导出个人信息({file_format})",
    )
    return PersonalDataExport(
        resident_id=resident.pk,
        name=resident.name,
        exported_at=timezone.now(),
        exported_by=actor.get_full_name() or actor.get_username(),
        sections=sections,
    )


# --- anonymisation -----------------------------------------------------------------------


def anonymisation_refusals(resident: Resident) -> list[str]:
    """Why the person may not be anonymised now (empty when they may be)."""
    if resident.anonymised_at is not None:
        return [_("该居民已匿名化。")]
    reasons: list[str] = []
    for source in registered_sources():
        if source.retention is not None:
            reasons.extend(source.retention(resident))
    return reasons


@transaction.atomic
def resident_anonymise(*, actor: User | None, resident: Resident, confirmed: bool) -> Resident:
    """Irreversibly replace what identifies the person; keep what statistics need.

    Name, alias, ID and phone numbers, the day and month of birth, the address
    (household), notes, the login link and emergency contacts go; gender, birth year
    and service tags (without their free-text detail) stay, so counts by age band and
    by tag still add up. Every registered app anonymises its own records first.
    """
    if not confirmed:
        raise ValidationError({"confirm": _("匿名化不可撤销,请勾选确认后再提交。")})
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    if reasons := anonymisation_refusals(locked):
        # The person's records do not allow it yet (an open request, a retention period):
        # not input to correct, so the API answers 409.
        raise Conflict(reasons)
    # Every other app first (their hooks may still need the name), the register last.
    for source in sorted(registered_sources(), key=lambda s: s.app == "people"):
        if source.anonymise is not None:
            source.anonymise(locked, actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ANONYMISE,
        obj=locked,
        fields=["name", "alias", "id_number", "phone", "birth_date", "household", "area", "notes"],
        note="应本人或监护人请求匿名化",
    )
    return locked
