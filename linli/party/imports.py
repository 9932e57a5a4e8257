"""The party members kind of the sheet import (issue 18): registered residents entered
as members of a branch or grid group.

Party is a top-tier app; the import pipeline lives in ``linli.imports`` below it, which
never reads party. So this kind registers itself with ``linli.imports.kinds`` from
``PartyConfig.ready`` — the same registry pattern as party's point sources — and writes
through ``party.services.member_create``, which validates and audits each member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.areas.models import Area, Grid
from linli.core.roles import Capability
from linli.imports.kinds import (
    CheckResult,
    ImportKind,
    check_choice,
    check_date,
    grids_by_name,
    register_import_kind,
    resident_rows,
)
from linli.imports.models import ImportJob
from linli.imports.reading import Row
from linli.organisations.models import Organisation
from linli.party.models import MemberKind, PartyMember, Position
from linli.party.services import PARTY_KINDS, member_create
from linli.people.models import Resident

COLUMNS = (
    "姓名",
    "身份证号",
    "党员类型",
    "所在党组织",
    "职务",
    "服务网格",
    "原单位党组织",
    "报到日期",
)
REQUIRED = ("身份证号", "所在党组织")
EXAMPLE_ROW = (
    "张秀兰",
    "140222195003080027",
    "直管党员",
    "和平社区第一党支部",
    "党员",
    "",
    "",
    "",
)
NOTES = (
    ("姓名", gettext_lazy("可选;填写时须与该身份证号登记的居民姓名一致。")),
    ("身份证号", gettext_lazy("必填,须是本社区已登记的居民(按身份证号匹配)。")),
    ("党员类型", gettext_lazy("直管党员、在职党员双报到、流动党员;留空为直管党员。")),
    ("所在党组织", gettext_lazy("必填,本社区的党委、党支部或网格党小组的名称。")),
    ("职务", gettext_lazy("书记、副书记、委员、党小组长、党员;留空为党员。")),
    ("服务网格", gettext_lazy("本社区的网格名称或编码;双报到党员必填。")),
    ("原单位党组织", gettext_lazy("双报到党员必填。")),
    ("报到日期", gettext_lazy("如 2024-03-05;双报到党员必填。")),
)


@dataclass
class PlannedMember:
    line: int
    resident: Resident
    kind: str
    organisation: Organisation
    position: str
    grid: Grid | None
    home_organisation: str
    reported_on: dt.date | None


def check_rows(
    *,
    community: Area,
    rows: Iterable[tuple[int, Row]],
    update_existing: bool,
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    rows = list(rows)
    result = CheckResult(total=len(rows))
    grids = grids_by_name(community)
    organisations = {
        o.name: o
        for o in Organisation.objects.filter(
            kind__in=PARTY_KINDS, area__path__startswith=community.path
        )
    }
    for checked in resident_rows(
        community=community,
        rows=rows,
        result=result,
        holders=PartyMember.objects.all(),
        already=_("这位居民已登记为党员。"),
    ):
        line, row = checked.line, checked.row
        kind = check_choice(result, line, row, "党员类型", MemberKind.choices, MemberKind.DIRECT)
        position = check_choice(result, line, row, "职务", Position.choices, Position.MEMBER)
        organisation = organisations.get(row.get("所在党组织", ""))
        if organisation is None:
            result.add(
                line,
                "所在党组织",
                _("本社区没有这个党组织(请填党委、党支部或网格党小组的全称)。"),
                row.get("所在党组织", ""),
            )
        grid = None
        if row.get("服务网格"):
            grid = grids.get(row["服务网格"])
            if grid is None:
                result.add(line, "服务网格", _("本社区没有这个网格。"), row["服务网格"])
        reported = check_date(result, line, "报到日期", row.get("报到日期", ""))
        home = row.get("原单位党组织", "")
        if kind == MemberKind.DUAL_REPORT:
            if not home:
                result.add(line, "原单位党组织", _("双报到党员须填写原单位党组织。"))
            if not row.get("报到日期"):
                result.add(line, "报到日期", _("双报到党员须填写报到日期。"))
            if not row.get("服务网格"):
                result.add(line, "服务网格", _("双报到党员须指定服务的网格。"))
        resident = checked.ready(result)
        if (
            resident is not None
            and kind is not None
            and position is not None
            and organisation is not None
        ):
            result.rows.append(
                PlannedMember(
                    line=line,
                    resident=resident,
                    kind=kind,
                    organisation=organisation,
                    position=position,
                    grid=grid,
                    home_organisation=home[:100],
                    reported_on=reported,
                )
            )
    if progress:
        progress(len(rows))
    return result


def write_rows(rows: list[Any], *, actor: User | None, job: ImportJob) -> tuple[int, int, int]:
    for row in rows:
        member_create(
            actor=actor,
            organisation=row.organisation,
            community=job.community,
            kind=row.kind,
            resident=row.resident,
            position=row.position,
            grid=row.grid,
            home_organisation=row.home_organisation,
            reported_on=row.reported_on,
        )
    return len(rows), 0, 0


def register() -> None:
    register_import_kind(
        ImportKind(
            key="party_members",
            label=gettext_lazy("党员"),
            capability=Capability.PARTY_MANAGE,
            columns=COLUMNS,
            required=REQUIRED,
            example_row=EXAMPLE_ROW,
            notes=NOTES,
            check=check_rows,
            write=write_rows,
            list_url="party:members",
            footnote=gettext_lazy("党员须先登记为本社区居民。"),
        )
    )
