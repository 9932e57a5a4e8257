"""The import template and the register's Excel export (the same columns, so an export
can be imported again)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.spreadsheets import Cell, Sheet, xlsx_bytes
from linli.imports.kinds import ImportKind
from linli.imports.reading import COLUMNS
from linli.people.models import Household, Resident


def template_bytes(kind: ImportKind) -> bytes:
    """The kind's template: its columns with an example row, and a sheet of notes."""
    return xlsx_bytes(
        [
            Sheet(title=str(kind.label), header=kind.columns, rows=[kind.example_row]),
            Sheet(
                title=_("填写说明"),
                header=(_("列"), _("说明")),
                rows=[
                    *((column, str(note)) for column, note in kind.notes),
                    ("", ""),
                    (_("注意"), _("第2行是示例,导入前请删除。") + str(kind.footnote)),
                ],
            ),
        ]
    )


def _place_names(paths: Sequence[str]) -> dict[str, dict[str, str]]:
    """For each unit path: its compound, building and unit names."""
    wanted = {p[: i * Area.steplen] for p in paths for i in range(1, len(p) // Area.steplen + 1)}
    areas = {a.path: a for a in Area.objects.filter(path__in=wanted)}
    names: dict[str, dict[str, str]] = {}
    for path in paths:
        found: dict[str, str] = {}
        for i in range(1, len(path) // Area.steplen + 1):
            area = areas.get(path[: i * Area.steplen])
            if area is not None:
                found[area.kind] = area.name
        names[path] = found
    return names


def residents_xlsx(
    *, actor: User, residents: QuerySet[Resident], reveal: bool, filters: str
) -> bytes:
    people = list(residents.select_related("area").prefetch_related("tag_links__tag"))
    places = _place_names([r.area.path for r in people if r.area])

    def rows() -> Iterator[list[Cell]]:
        for r in people:
            place = places.get(r.area.path, {}) if r.area else {}
            yield [
                place.get(AreaKind.COMPOUND, ""),
                place.get(AreaKind.BUILDING, ""),
                place.get(AreaKind.UNIT, ""),
                r.household.room if r.household else "",
                r.name,
                r.id_number if reveal else r.id_number_masked,
                r.get_gender_display(),
                f"{r.birth_date:%Y-%m-%d}",
                r.get_relation_to_head_display(),
                r.phone if reveal else r.phone_masked,
                "、".join(link.tag.name for link in r.tag_links.all()),
                r.notes,
            ]

    data = xlsx_bytes([Sheet(title=_("居民"), header=COLUMNS, rows=list(rows()))])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="people.resident",
        object_repr=_("居民名册(%(n)s人)") % {"n": len(people)},
        fields=["id_number", "phone"] if reveal else [],
        note=(_("含完整身份证号和手机号") if reveal else _("已脱敏"))
        + (f";{filters}" if filters else ""),
    )
    return data


def households_xlsx(*, actor: User, households: QuerySet[Household], filters: str) -> bytes:
    rows_list = list(households.select_related("unit"))
    places = _place_names([h.unit.path for h in rows_list])
    header = (_("小区"), _("楼栋"), _("单元"), _("房号"), _("户主"), _("人数"), _("备注"))
    heads = dict(
        Resident.objects.filter(
            household__in=rows_list, relation_to_head="head", anonymised_at__isnull=True
        ).values_list("household_id", "name")
    )
    counts: dict[int, int] = {}
    for household_id in Resident.objects.filter(
        household__in=rows_list, anonymised_at__isnull=True
    ).values_list("household_id", flat=True):
        if household_id is not None:
            counts[household_id] = counts.get(household_id, 0) + 1
    rows: list[list[Cell]] = [
        [
            places[h.unit.path].get(AreaKind.COMPOUND, ""),
            places[h.unit.path].get(AreaKind.BUILDING, ""),
            places[h.unit.path].get(AreaKind.UNIT, ""),
            h.room,
            heads.get(h.pk, ""),
            counts.get(h.pk, 0),
            h.notes,
        ]
        for h in rows_list
    ]
    data = xlsx_bytes([Sheet(title=_("住户"), header=header, rows=rows)])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="people.household",
        object_repr=_("住户名册(%(n)s户)") % {"n": len(rows_list)},
        note=filters,
    )
    return data
