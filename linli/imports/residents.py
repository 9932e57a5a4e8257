"""The residents kind: households and residents from the register sheet.

Writes encrypt exactly as ``people.services`` does (``EncryptedTextField`` plus the keyed
``blind_index`` digests); every created household and resident gets its own audit record
as a registration would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.core import crypto
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.roles import Capability
from linli.core.validators import (
    id_number_birth_date,
    id_number_gender,
    validate_birth_date,
    validate_id_number,
    validate_phone,
)
from linli.imports.kinds import CheckResult, ImportKind, parse_date, register_import_kind
from linli.imports.models import ImportJob
from linli.imports.reading import COLUMNS, REQUIRED_COLUMNS, Row
from linli.people.models import Gender, Household, Relation, Resident, ResidentTag, Tag
from linli.people.selectors import minor_birth_cutoff
from linli.people.services import ResidentData, resident_update

PROGRESS_EVERY = 500

EXAMPLE_ROW = (
    "向阳花园",
    "3号楼",
    "2单元",
    "502",
    "张秀兰",
    "140222195003080027",
    "女",
    "1950-03-08",
    "户主",
    "13812345678",
    "独居老人",
    "子女在太原",
)

NOTES = (
    ("小区", gettext_lazy("小区名称;楼栋不属于小区的(散居楼院)留空。")),
    ("楼栋", gettext_lazy("必填,与系统中的楼栋名称一致,如“3号楼”(也可写“3”)。")),
    ("单元", gettext_lazy("必填,如“2单元”(也可写“2”)。")),
    ("房号", gettext_lazy("必填,如 502 表示5层2户;须是该单元实有的房号。")),
    ("姓名", gettext_lazy("必填。")),
    (
        "身份证号",
        gettext_lazy("18位,末位可为X;会校验校验位,并按身份证号查重。请将该列设为文本格式。"),
    ),
    ("性别", gettext_lazy("男或女;填了身份证号可留空。")),
    ("出生日期", gettext_lazy("如 1950-03-08;填了身份证号可留空,填写时须与身份证号一致。")),
    (
        "与户主关系",
        gettext_lazy("户主、配偶、子女、儿媳/女婿、父母、孙子女/外孙子女、兄弟姐妹、其他。"),
    ),
    ("手机号", gettext_lazy("11位手机号或带区号的固定电话。")),
    ("标签", gettext_lazy("系统中已有的服务标签,多个用顿号分隔,如“独居老人、低保”。")),
    ("备注", gettext_lazy("可选。")),
)


@dataclass
class PlannedRow:
    line: int
    unit: Area
    room: str
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    id_hash: str
    phone: str
    relation: str
    tags: list[Tag]
    notes: str
    existing_id: int | None = None


class _Places:
    """The community's compounds, buildings and units, looked up by the names a sheet uses."""

    def __init__(self, community: Area) -> None:
        areas = list(
            Area.objects.filter(path__startswith=community.path, depth__gt=community.depth)
        )
        by_path = {a.path: a for a in areas}
        self.buildings: dict[tuple[str, str], Area] = {}
        self.units: dict[tuple[int, str], Area] = {}
        step = Area.steplen
        for area in areas:
            parent = by_path.get(area.path[:-step])
            if area.kind == AreaKind.BUILDING:
                compound = parent.name if parent and parent.kind == AreaKind.COMPOUND else ""
                self.buildings[(compound, area.name)] = area
            elif area.kind == AreaKind.UNIT and parent is not None:
                self.units[(parent.pk, area.name)] = area

    def building(self, compound: str, name: str) -> Area | None:
        for candidate in (name, f"{name}号楼", f"{name}栋", f"{name}幢"):
            if found := self.buildings.get((compound, candidate)):
                return found
        return None

    def unit(self, building: Area, name: str) -> Area | None:
        for candidate in (name, f"{name}单元"):
            if found := self.units.get((building.pk, candidate)):
                return found
        return None


_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE}
_RELATIONS = {str(label): value for value, label in Relation.choices}
_TAG_SPLIT = str.maketrans(dict.fromkeys("、，,；; /", ","))


def check_rows(
    *,
    community: Area,
    rows: Iterable[tuple[int, Row]],
    update_existing: bool,
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Validate every row; the result holds the rows ready to write and every problem."""
    rows = list(rows)
    result = CheckResult(total=len(rows))
    places = _Places(community)
    tags = {t.name: t for t in Tag.objects.all()}
    today = timezone.localdate()
    child_cutoff = minor_birth_cutoff(today)
    hashes: dict[str, int] = {}
    for line, row in rows:
        raw = row.get("身份证号", "").replace(" ", "").upper()
        if raw:
            hashes.setdefault(crypto.blind_index("id", raw), line)
    existing: dict[str, tuple[int, str, bool]] = {}
    hash_list = list(hashes)
    for start in range(0, len(hash_list), 500):
        for pk, digest, path, anonymised_at in Resident.objects.filter(
            id_number_hash__in=hash_list[start : start + 500]
        ).values_list("pk", "id_number_hash", "area__path", "anonymised_at"):
            existing[digest] = (pk, path or "", anonymised_at is not None)
    seen: dict[str, int] = {}
    for done, (line, row) in enumerate(rows, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
        before = len(result.errors)

        def err(column: str, message: str, _line: int = line, _row: Row = row) -> None:
            result.add(_line, column, message, _row.get(column, ""))

        name = row.get("姓名", "")
        if not name:
            err("姓名", _("请填写姓名。"))
        elif len(name) > 50:
            err("姓名", _("姓名过长(最多50个字)。"))
        # Place: compound → building → unit → room.
        unit = None
        building = places.building(row.get("小区", ""), row.get("楼栋", ""))
        if building is None:
            err("楼栋", _("本社区没有这个楼栋(请核对小区和楼栋名称)。"))
        else:
            unit = places.unit(building, row.get("单元", ""))
            if unit is None:
                err("单元", _("%(building)s没有这个单元。") % {"building": building.name})
        room = row.get("房号", "").removesuffix("室").removesuffix("号")
        if unit is not None and not unit.room_exists(room):
            err(
                "房号",
                _("%(unit)s没有%(room)s室:该单元共%(floors)s层,每层%(flats)s户。")
                % {
                    "unit": unit.name,
                    "room": room or "—",
                    "floors": unit.floors,
                    "flats": unit.flats_per_floor,
                },
            )
        # Identity.
        id_number = ""
        id_hash = ""
        existing_id = None
        if row.get("身份证号"):
            try:
                id_number = validate_id_number(row["身份证号"])
            except ValidationError as exc:
                err("身份证号", " ".join(exc.messages))
        if id_number:
            id_hash = crypto.blind_index("id", id_number)
            if id_hash in seen:
                err("身份证号", _("与第%(line)s行的身份证号重复。") % {"line": seen[id_hash]})
            else:
                seen[id_hash] = line
            if id_hash in existing:
                pk, path, anonymised = existing[id_hash]
                if not update_existing:
                    err(
                        "身份证号",
                        _("该身份证号已登记;如要用本表更新已登记居民,请勾选“更新已登记居民”。"),
                    )
                elif anonymised or not path.startswith(community.path):
                    err("身份证号", _("该身份证号已在其他社区登记,不能在此更新。"))
                else:
                    existing_id = pk
        birth: dt.date | None = None
        raw_birth = row.get("出生日期", "")
        if raw_birth:
            birth = parse_date(raw_birth)
            if birth is None:
                err("出生日期", _("日期格式不对,请写成 1950-03-08。"))
            else:
                try:
                    validate_birth_date(birth, today=today)
                except ValidationError as exc:
                    err("出生日期", " ".join(exc.messages))
                    birth = None
            if birth and id_number and id_number_birth_date(id_number) != birth:
                err(
                    "出生日期",
                    _("出生日期与身份证号不一致(身份证号中为%(date)s)。")
                    % {"date": f"{id_number_birth_date(id_number):%Y-%m-%d}"},
                )
        elif id_number:
            birth = id_number_birth_date(id_number)
        else:
            err("出生日期", _("请填写出生日期或身份证号。"))
        gender = ""
        raw_gender = row.get("性别", "")
        if raw_gender:
            gender = _GENDERS.get(raw_gender, "")
            if not gender:
                err("性别", _("性别请填“男”或“女”。"))
            elif id_number and id_number_gender(id_number) != gender:
                err("性别", _("性别与身份证号不一致。"))
        elif id_number:
            gender = id_number_gender(id_number)
        else:
            err("性别", _("请填写性别。"))
        if birth is not None and birth > child_cutoff:
            err(
                "出生日期",
                _("未满十四周岁的儿童须有监护人同意,不能批量导入,请在登记页面逐个登记。"),
            )
        phone = ""
        if row.get("手机号"):
            try:
                phone = validate_phone(row["手机号"])
            except ValidationError as exc:
                err("手机号", " ".join(exc.messages))
        relation = Relation.HEAD
        if row.get("与户主关系"):
            found_relation = _RELATIONS.get(row["与户主关系"])
            if found_relation is None:
                err(
                    "与户主关系",
                    _("请填以下之一:%(choices)s。") % {"choices": "、".join(_RELATIONS)},
                )
            else:
                relation = Relation(found_relation)
        row_tags: list[Tag] = []
        for tag_name in filter(None, row.get("标签", "").translate(_TAG_SPLIT).split(",")):
            if tag_name in tags:
                row_tags.append(tags[tag_name])
            else:
                result.add(line, "标签", _("没有“%(tag)s”这个标签。") % {"tag": tag_name}, tag_name)
        if len(result.errors) == before and unit is not None and birth and gender:
            result.rows.append(
                PlannedRow(
                    line=line,
                    unit=unit,
                    room=room,
                    name=name,
                    gender=gender,
                    birth_date=birth,
                    id_number=id_number,
                    id_hash=id_hash,
                    phone=phone,
                    relation=relation,
                    tags=row_tags,
                    notes=row.get("备注", ""),
                    existing_id=existing_id,
                )
            )
    if progress:
        progress(len(rows))
    return result


def write_rows(
    rows: list[Any],
    *,
    actor: User | None,
    job: ImportJob,
) -> tuple[int, int, int]:
    units = {r.unit.pk: r.unit for r in rows}
    households: dict[tuple[int, str], Household] = {
        (h.unit_id, h.room): h for h in Household.objects.filter(unit_id__in=list(units))
    }
    new_households = []
    for row in rows:
        key = (row.unit.pk, row.room)
        if key not in households:
            households[key] = Household(unit=row.unit, room=row.room)
            new_households.append(households[key])
    Household.objects.bulk_create(new_households, batch_size=1000)
    for household in new_households:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=household,
            fields=["unit", "room"],
            note="批量导入",
        )
    created: list[tuple[Resident, PlannedRow]] = []
    updated = 0
    for row in rows:
        household = households[(row.unit.pk, row.room)]
        if row.existing_id is not None:
            resident = Resident.objects.get(pk=row.existing_id)
            current = {link.tag: link.detail for link in resident.tag_links.select_related("tag")}
            resident_update(
                resident=resident,
                actor=actor,
                data=ResidentData(
                    name=row.name,
                    alias=resident.alias,
                    gender=row.gender,
                    birth_date=row.birth_date,
                    id_number=row.id_number,
                    phone=row.phone or resident.phone,
                    household=household,
                    relation_to_head=row.relation,
                    notes=row.notes or resident.notes,
                ),
                tags={**current, **{t: current.get(t, "") for t in row.tags}},
            )
            updated += 1
            continue
        resident = Resident(
            name=row.name,
            gender=row.gender,
            birth_date=row.birth_date,
            id_number=row.id_number,
            id_number_hash=row.id_hash,
            phone=row.phone,
            phone_hash=crypto.blind_index("phone", row.phone) if row.phone else "",
            household=household,
            area=row.unit,
            relation_to_head=row.relation,
            notes=row.notes,
        )
        created.append((resident, row))
    Resident.objects.bulk_create([r for r, _row in created], batch_size=1000)
    ResidentTag.objects.bulk_create(
        [ResidentTag(resident=r, tag=t) for r, row in created for t in row.tags], batch_size=1000
    )
    for resident, row in created:
        fields = ["name", "gender", "birth_date", "household", "relation_to_head"]
        fields += [f for f in ("id_number", "phone", "notes") if getattr(row, f)]
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=resident,
            fields=fields + (["tags"] if row.tags else []),
            note="批量导入",
        )
    return len(created), updated, len(new_households)


register_import_kind(
    ImportKind(
        key="residents",
        label=gettext_lazy("居民"),
        capability=Capability.REGISTER_IMPORT,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        example_row=EXAMPLE_ROW,
        notes=NOTES,
        check=check_rows,
        write=write_rows,
        list_url="people:resident_list",
        can_update=True,
        footnote=gettext_lazy("未满十四周岁的儿童请在系统中逐个登记。"),
    )
)
