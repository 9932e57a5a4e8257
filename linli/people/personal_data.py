"""A person's data: the right of access (export) and anonymisation on request (PIPL 45, 47).

Each app that holds something about a resident registers a :class:`PersonalDataSource`
from its ``AppConfig.ready``:

* ``export(resident)`` returns sections — a title and rows of ``{column: value}`` —
  with sensitive fields decrypted: it is the person's own copy;
* ``retention(resident)`` returns the reasons (in Chinese) why the person's data must
  still be kept as it is, e.g. an open request or a record younger than its retention
  period; anonymisation is refused while any source gives a reason;
* ``anonymise(resident, actor)`` replaces what that app holds that identifies the
  person, inside the anonymisation transaction (``people`` itself runs last).

Exporting and anonymising are audited; what the audit trail holds about views is not
part of the export.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.selectors import compound_or_community_of
from linli.core.audit import audit_record
from linli.people.models import Consent, EmergencyContact, Relation, Resident, ResidentTag

Cell = str | int | float | bool | None
Row = dict[str, Cell]
Sections = dict[str, list[Row]]


@dataclass(frozen=True)
class PersonalDataSource:
    app: str
    export: Callable[[Resident], Sections]
    retention: Callable[[Resident], list[str]] | None = None
    anonymise: Callable[[Resident, User | None], None] | None = None


_sources: dict[str, PersonalDataSource] = {}


def register_personal_data(
    app: str,
    *,
    export: Callable[[Resident], Sections],
    retention: Callable[[Resident], list[str]] | None = None,
    anonymise: Callable[[Resident, User | None], None] | None = None,
) -> None:
    """Register (or replace) what ``app`` holds about a person. Idempotent per app."""
    _sources[app] = PersonalDataSource(
        app=app, export=export, retention=retention, anonymise=anonymise
    )


def registered_sources() -> list[PersonalDataSource]:
    # ``people`` first in exports (who the person is), the others in registration order.
    return sorted(_sources.values(), key=lambda s: s.app != "people")


def format_time(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def format_date(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


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
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        cover = workbook.active
        assert cover is not None
        cover.title = _("说明")
        cover.append([_("个人信息导出"), self.name])
        cover.append([_("导出时间"), format_time(self.exported_at)])
        cover.append([_("导出人"), self.exported_by])
        cover.append([_("内容"), _("本文件包含平台保存的该居民的全部个人信息,请妥善保管。")])
        cover["A1"].font = Font(bold=True)
        used: set[str] = {cover.title}
        for title, rows in self.sections.items():
            sheet = workbook.create_sheet(_sheet_title(title, used))
            columns = list(dict.fromkeys(key for row in rows for key in row))
            if not rows:
                sheet.append([_("(无记录)")])
                continue
            sheet.append(columns)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in rows:
                sheet.append([row.get(column) for column in columns])
            for index, column in enumerate(columns, start=1):
                width = max([len(str(column))] + [len(str(r.get(column) or "")) for r in rows])
                sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
                    60, 4 + width * 2
                )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "sheet"
    candidate, n = cleaned, 2
    while candidate in used:
        candidate, n = f"{cleaned[:25]}_{n}", n + 1
    used.add(candidate)
    return candidate


@transaction.atomic
def personal_data_export(
    *, actor: User, resident: Resident, file_format: str
) -> PersonalDataExport:
    """Everything held about the person, from every registered app; audited."""
    sections: Sections = {}
    for source in registered_sources():
        for title, rows in source.export(resident).items():
            if title in sections:
                raise ValueError(f"two apps export a section called {title!r}")
            sections[title] = rows
    audit_record(
        actor=actor,
        action="export",
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


ANONYMOUS_NAME = "已匿名"


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
        raise ValidationError(reasons)
    for source in registered_sources():
        if source.anonymise is not None and source.app != "people":
            source.anonymise(locked, actor)
    _anonymise_register(locked)
    audit_record(
        actor=actor,
        action="anonymise",
        obj=locked,
        fields=["name", "alias", "id_number", "phone", "birth_date", "household", "area", "notes"],
        note="应本人或监护人请求匿名化",
    )
    return locked


def _anonymise_register(resident: Resident) -> None:
    now = timezone.now()
    EmergencyContact.objects.filter(resident=resident).delete()
    ResidentTag.objects.filter(resident=resident).update(detail="")
    for consent in Consent.objects.filter(resident=resident):
        consent.given_by_name = ANONYMOUS_NAME
        consent.given_by_relation = ""
        consent.guardian = None
        consent.note = ""
        consent.withdrawal_note = consent.withdrawal_note and ANONYMOUS_NAME
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
        consent.save()
    resident.name = ANONYMOUS_NAME
    resident.alias = ""
    resident.id_number = ""
    resident.id_number_hash = ""
    resident.phone = ""
    resident.phone_hash = ""
    resident.birth_date = dt.date(resident.birth_date.year, 1, 1)
    resident.household = None
    resident.area = resident.area and compound_or_community_of(resident.area)
    resident.relation_to_head = Relation.OTHER
    resident.notes = ""
    resident.user = None
    resident.anonymised_at = now
    resident.save()


# --- what the register itself holds ------------------------------------------------------


def export_register(resident: Resident) -> Sections:
    from linli.people.selectors import household_label

    household = resident.household
    basic: Row = {
        _("姓名"): resident.name,
        _("常用称呼"): resident.alias,
        _("性别"): resident.get_gender_display(),
        _("出生日期"): format_date(resident.birth_date),
        _("身份证号"): resident.id_number,
        _("手机号"): resident.phone,
        _("住址"): household_label(household) if household else "",
        _("与户主关系"): resident.get_relation_to_head_display(),
        _("备注"): resident.notes,
        _("登记时间"): format_time(resident.created_at),
        _("最近修改"): format_time(resident.updated_at),
        _("登录账号"): resident.user.get_username() if resident.user else "",
    }
    tags: list[Row] = [
        {_("标签"): link.tag.name, _("补充说明"): link.detail}
        for link in resident.tag_links.select_related("tag")
    ]
    contacts: list[Row] = [
        {_("姓名"): c.name, _("关系"): c.relation, _("电话"): c.phone, _("说明"): c.note}
        for c in resident.emergency_contacts.all()
    ]
    consents: list[Row] = [
        _consent_row(c)
        for c in resident.consents.select_related("recorded_by", "withdrawn_by").order_by(
            "recorded_at", "pk"
        )
    ]
    as_guardian: list[Row] = [
        {_("儿童"): c.resident.name, **_consent_row(c)}
        for c in Consent.objects.filter(guardian=resident)
        .select_related("resident", "recorded_by", "withdrawn_by")
        .order_by("recorded_at", "pk")
    ]
    sections: Sections = {
        _("基本信息"): [basic],
        _("服务标签"): tags,
        _("紧急联系人"): contacts,
        _("授权同意"): consents,
    }
    if as_guardian:
        sections[_("作为监护人的同意")] = as_guardian
    return sections


def _consent_row(consent: Consent) -> Row:
    return {
        _("用途"): consent.get_purpose_display(),
        _("同意人"): consent.given_by_name,
        _("与本人关系"): consent.given_by_relation,
        _("方式"): consent.get_method_display(),
        _("说明"): consent.note,
        _("记录人"): str(consent.recorded_by) if consent.recorded_by else "",
        _("记录时间"): format_time(consent.recorded_at),
        _("撤回时间"): format_time(consent.withdrawn_at),
        _("撤回原因"): consent.withdrawal_note,
    }


def register_retention(resident: Resident) -> list[str]:
    """A guardian named on a child's active consent is kept: the consent is evidence."""
    children = Consent.objects.filter(guardian=resident, withdrawn_at__isnull=True).values_list(
        "resident__name", flat=True
    )
    return [
        _("该居民是%(child)s的监护人,监护人同意仍然有效;请先处理该儿童的授权。") % {"child": name}
        for name in children
    ]
