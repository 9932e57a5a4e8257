"""The volunteers kind: registered residents put on the volunteer roll (and in teams).

A volunteer row names a resident already registered in the community by 身份证号 (matched
by its keyed hash, never stored here); writes go through ``volunteers.services`` so each
volunteer and team membership is validated and audited as a page would do it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
from linli.people.models import Resident
from linli.volunteers.models import Team, Volunteer, VolunteerKind
from linli.volunteers.services import team_member_add, volunteer_create

COLUMNS = ("姓名", "身份证号", "志愿者类型", "网格", "队伍", "加入日期")
REQUIRED = ("身份证号",)
EXAMPLE_ROW = (
    "张秀兰",
    "140222195003080027",
    "居民志愿者",
    "和平一网格",
    "邻里互助队",
    "2024-03-05",
)
NOTES = (
    ("姓名", gettext_lazy("可选;填写时须与该身份证号登记的居民姓名一致。")),
    ("身份证号", gettext_lazy("必填,须是本社区已登记的居民(按身份证号匹配)。")),
    (
        "志愿者类型",
        gettext_lazy("党员志愿者、在职党员双报到、大学生志愿者、居民志愿者;留空为居民志愿者。"),
    ),
    ("网格", gettext_lazy("可选,本社区的网格名称或编码。")),
    ("队伍", gettext_lazy("可选,本社区已有的志愿服务队名称,多个用顿号分隔。")),
    ("加入日期", gettext_lazy("可选,如 2024-03-05。")),
)
_SPLIT = str.maketrans(dict.fromkeys("、，,；;", ","))


@dataclass
class PlannedVolunteer:
    line: int
    resident: Resident
    kind: str
    grid: Grid | None
    teams: list[Team] = field(default_factory=list)
    joined_on: dt.date | None = None


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
    teams = {t.name: t for t in Team.objects.filter(community=community)}
    for checked in resident_rows(
        community=community,
        rows=rows,
        result=result,
        holders=Volunteer.objects.all(),
        already=_("这位居民已是志愿者。"),
    ):
        line, row = checked.line, checked.row
        kind = check_choice(
            result, line, row, "志愿者类型", VolunteerKind.choices, VolunteerKind.RESIDENT
        )
        grid = None
        if row.get("网格"):
            grid = grids.get(row["网格"])
            if grid is None:
                result.add(line, "网格", _("本社区没有这个网格。"), row["网格"])
        row_teams = []
        for name in filter(None, row.get("队伍", "").translate(_SPLIT).split(",")):
            if name.strip() in teams:
                row_teams.append(teams[name.strip()])
            else:
                result.add(line, "队伍", _("本社区没有“%(team)s”这支队伍。") % {"team": name}, name)
        joined = check_date(result, line, "加入日期", row.get("加入日期", ""))
        resident = checked.ready(result)
        if resident is not None and kind is not None:
            result.rows.append(
                PlannedVolunteer(
                    line=line,
                    resident=resident,
                    kind=kind,
                    grid=grid,
                    teams=row_teams,
                    joined_on=joined,
                )
            )
    if progress:
        progress(len(rows))
    return result


def write_rows(rows: list[Any], *, actor: User | None, job: ImportJob) -> tuple[int, int, int]:
    for row in rows:
        volunteer = volunteer_create(
            actor=actor,
            community=job.community,
            kind=row.kind,
            resident=row.resident,
            grid=row.grid,
            joined_on=row.joined_on,
        )
        for team in row.teams:
            team_member_add(actor=actor, team=team, volunteer=volunteer, joined_on=row.joined_on)
    return len(rows), 0, 0


register_import_kind(
    ImportKind(
        key="volunteers",
        label=gettext_lazy("志愿者"),
        capability=Capability.VOLUNTEERS_MANAGE,
        columns=COLUMNS,
        required=REQUIRED,
        example_row=EXAMPLE_ROW,
        notes=NOTES,
        check=check_rows,
        write=write_rows,
        list_url="volunteers:list",
        footnote=gettext_lazy("志愿者须先登记为本社区居民。"),
    )
)
