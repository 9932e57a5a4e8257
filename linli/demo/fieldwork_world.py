"""The demo's field work: the 2 包片 and 4 联点 cadres' six months of sink-down visits
and the grid workers' daily patrols.

The request history (``requests_history``) already filed requests with the channels
``sink_down`` and ``patrol``; they are linked here as the concerns of visits and the
findings of patrols rather than filed twice. Around them: one visit a month by every
cadre (but one, who has not gone down yet this month), monthly plans, and a patrol a day
of every grid up to yesterday — except one grid, last patrolled three days ago, so the
community's "not patrolled for 2 days" list shows something. Bulk-created to stay fast.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import building_of
from linli.core.roles import Role
from linli.fieldwork.models import (
    FindingOutcome,
    Patrol,
    PatrolFinding,
    Posting,
    PostingKind,
    SinkDownConcern,
    SinkDownPlan,
    SinkDownVisit,
)
from linli.fieldwork.services import posting_create
from linli.requests.models import Category, Channel, Request

if TYPE_CHECKING:
    from linli.demo.world import World

SEED = 2613
MONTHS = 6
PATROL_DAYS = 180
# 第6网格 was last patrolled three days ago (its worker was on a training course).
UNPATROLLED_GRID = 6
UNPATROLLED_DAYS = 3
# 薛彩霞 (联点, grids 7–8) has planned her visit for later this month.
NOT_YET_DOWN = "liandian4"  # 薛彩霞
TITLES = {"包片领导": PostingKind.BAOPIAN, "联点干部": PostingKind.LIANDIAN}

HOUSEHOLDS = [
    "{b}号楼{u}单元{r}室",
    "{b}号楼{u}单元{r}室(独居老人)",
    "{b}号楼{u}单元{r}室(楼栋长家)",
]
LISTENED = ["楼栋长", "独居老人", "退休党员", "物业经理", "小区商户", "年轻租户", "低保户"]
NOTES = [
    "入户拉家常,居民对楼道改造满意,希望增加休息座椅。",
    "和楼栋长一起看了单元门禁,运行正常。",
    "老人说冬天暖气不太热,已请物业测温。",
    "居民希望多组织一些适合孩子的周末活动。",
    "商户反映门前停车乱,已和网格员沟通劝导。",
]
SOLVED = [
    ("sanitation", "楼道口堆放的纸箱,已和住户一起清理"),
    ("sanitation", "垃圾桶外散落垃圾,已通知保洁清运"),
    ("safety", "电动车在楼道充电,已劝导推出楼外"),
    ("order", "小广告张贴在单元门上,已清除"),
    ("safety", "消防通道被电动三轮占用,已联系车主挪走"),
    ("repair", "单元门闭门器松了,已拧紧"),
]
PLACES = ["健身广场", "地下车库入口", "垃圾分类亭", "小区东门", "充电桩", "花园凉亭"]


@dataclass(frozen=True)
class FieldworkSummary:
    postings: int
    visits: int
    concerns: int
    patrols: int
    findings: int


def _postings(world: World) -> dict[int, list[Posting]]:
    """A posting for each 包片/联点 role assignment of the community's cadres."""
    by_cadre: dict[int, list[Posting]] = defaultdict(list)
    assignments = RoleAssignment.objects.filter(
        role=Role.CADRE, title__in=list(TITLES)
    ).select_related("user", "area", "grid")
    for assignment in assignments.order_by("pk"):
        area, grid = assignment.area, assignment.grid
        if grid is not None and grid.community_id != world.community.pk:
            continue
        if area is not None and (
            area.kind != AreaKind.COMPOUND or not area.path.startswith(world.community.path)
        ):
            continue
        posting = posting_create(
            actor=None,
            cadre=assignment.user,
            kind=TITLES[assignment.title],
            compound=area,
            grid=grid,
        )
        by_cadre[assignment.user_id].append(posting)
    return by_cadre


def _posting_for(postings: list[Posting], request: Request) -> Posting | None:
    for posting in postings:
        if posting.grid_id is not None and posting.grid_id == request.grid_id:
            return posting
        if posting.compound is not None and request.location.path.startswith(posting.compound.path):
            return posting
    return None


def _month_starts(today: dt.date) -> list[dt.date]:
    months = [today.replace(day=1)]
    while len(months) < MONTHS:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return sorted(months)


def _at(day: dt.date, hour: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(int(hour), int(hour % 1 * 60)))
    return timezone.make_aware(naive)


def build_fieldwork_world(world: World, *, today: dt.date, seed: int = SEED) -> FieldworkSummary:
    rng = random.Random(seed)
    postings = _postings(world)
    cadres = {u.pk: u for u in User.objects.filter(pk__in=list(postings))}
    not_yet = next((u for u in cadres.values() if u.username == NOT_YET_DOWN), None)
    month_now = today.replace(day=1)
    everyone = [p for ps in postings.values() for p in ps]

    # Visits: first around the sink_down requests already filed (a visit a cadre-day).
    sink_down = (
        Request.objects.filter(channel=Channel.SINK_DOWN, community=world.community)
        .select_related("location")
        .order_by("submitted_at", "pk")
    )
    groups: dict[tuple[int, dt.date, int], list[Request]] = defaultdict(list)
    for request in sink_down:
        cadre_id = request.submitted_by_id or 0
        day = timezone.localdate(request.submitted_at)
        if cadre_id in postings:
            posting = _posting_for(postings[cadre_id], request) or postings[cadre_id][0]
        else:
            # Filed for a cadre by the community's staff: the visit is the cadre's of the place.
            posting = _posting_for(everyone, request) or everyone[0]
        if not_yet is not None and posting.cadre_id == not_yet.pk and day >= month_now:
            # Not down yet this month: the 包片 leader of the place heard this one.
            others = [p for p in everyone if p.cadre_id != not_yet.pk]
            posting = _posting_for(others, request) or others[0]
        groups[(posting.cadre_id, day, posting.pk)].append(request)
    posting_by_pk = {p.pk: p for ps in postings.values() for p in ps}
    planned: list[tuple[Posting, dt.date, list[Request]]] = [
        (posting_by_pk[pk], day, requests) for (_c, day, pk), requests in groups.items()
    ]
    # ... then one visit a month for every posting that has none that month.
    visited = {(p.pk, day.replace(day=1)) for p, day, _r in planned}
    months = _month_starts(today)
    for index, posting in enumerate(posting_by_pk.values()):
        for month in months:
            if (posting.pk, month) in visited:
                continue
            if month == month_now and not_yet is not None and posting.cadre_id == not_yet.pk:
                continue
            day = month.replace(day=min(8 + index * 2, 28))
            if day >= today:
                day = max(month, today - dt.timedelta(days=1)) if today > month else today
            planned.append((posting, day, []))

    visits = SinkDownVisit.objects.bulk_create(
        [
            SinkDownVisit(
                posting=posting,
                cadre_id=posting.cadre_id,
                community=posting.community,
                grid_id=posting.grid_id,
                visited_on=day,
                households_count=rng.randint(4, 12),
                households="、".join(
                    rng.choice(HOUSEHOLDS).format(
                        b=rng.randint(1, 9),
                        u=rng.randint(1, 2),
                        r=f"{rng.randint(1, 6)}0{rng.randint(1, 2)}",
                    )
                    for _ in range(3)
                ),
                listened_to="、".join(rng.sample(LISTENED, 3)),
                notes=rng.choice(NOTES),
            )
            for posting, day, _requests in planned
        ]
    )
    concerns = SinkDownConcern.objects.bulk_create(
        [
            SinkDownConcern(visit=visit, text=request.text[:500], request=request)
            for visit, (_p, _d, requests) in zip(visits, planned, strict=True)
            for request in requests
        ]
    )
    plans = [
        SinkDownPlan(
            posting=posting,
            month=month,
            planned_on=month.replace(day=min(8 + index * 2, 28))
            if not (not_yet and posting.cadre_id == not_yet.pk and month == month_now)
            else month.replace(day=28),
            note="入户走访,听取居民意见",
        )
        for index, posting in enumerate(posting_by_pk.values())
        for month in months
    ]
    SinkDownPlan.objects.bulk_create(plans)

    patrols, findings = _patrols(world, today=today, rng=rng)
    return FieldworkSummary(
        postings=len(posting_by_pk),
        visits=len(visits),
        concerns=len(concerns),
        patrols=patrols,
        findings=findings,
    )


def _patrols(world: World, *, today: dt.date, rng: random.Random) -> tuple[int, int]:
    """A patrol a day of every grid by its worker, up to yesterday; the patrol requests of
    the history become filed findings of that day's patrol, and some small things were
    solved on the spot."""
    grids: dict[int, Grid] = world.grids
    workers = {
        a.grid_id: a.user
        for a in RoleAssignment.objects.filter(
            role=Role.GRID_WORKER, grid__in=list(grids.values())
        ).select_related("user")
    }
    buildings: dict[int, list[Area]] = defaultdict(list)
    for building in Area.objects.filter(kind=AreaKind.BUILDING, grid__in=list(grids.values())):
        assert building.grid_id is not None
        buildings[building.grid_id].append(building)
    patrol_rows: list[Patrol] = []
    for number, grid in grids.items():
        worker = workers.get(grid.pk)
        if worker is None:
            continue
        last_day = UNPATROLLED_DAYS if number == UNPATROLLED_GRID else 1
        for ago in range(PATROL_DAYS, last_day - 1, -1):
            day = today - dt.timedelta(days=ago)
            started = _at(day, 8 + rng.random() * 2.5)
            patrol_rows.append(
                Patrol(
                    grid=grid,
                    worker=worker,
                    started_at=started,
                    finished_at=started + dt.timedelta(minutes=rng.randint(35, 80)),
                    places=rng.choice(PLACES),
                    note="",
                )
            )
    created = Patrol.objects.bulk_create(patrol_rows)
    by_grid_day = {(p.grid_id, timezone.localdate(p.started_at)): p for p in created}
    through = Patrol.buildings.through
    through.objects.bulk_create(
        [through(patrol_id=p.pk, area_id=b.pk) for p in created for b in buildings[p.grid_id]]
    )
    categories = {c.code: c for c in Category.objects.all()}
    finding_rows: list[PatrolFinding] = []
    for request in Request.objects.filter(
        channel=Channel.PATROL, community=world.community
    ).select_related("location"):
        patrol = by_grid_day.get((request.grid_id or 0, timezone.localdate(request.submitted_at)))
        if patrol is None:
            continue
        finding_rows.append(
            PatrolFinding(
                patrol=patrol,
                category_id=request.category_id,
                text=request.text[:500],
                building=building_of(request.location),
                outcome=FindingOutcome.FILED,
                request=request,
                created_at=request.submitted_at,
            )
        )
    for patrol in created:
        if rng.random() < 0.3:
            code, text = rng.choice(SOLVED)
            finding_rows.append(
                PatrolFinding(
                    patrol=patrol,
                    category=categories[code],
                    text=text,
                    building=rng.choice(buildings[patrol.grid_id]),
                    outcome=FindingOutcome.SOLVED,
                    created_at=patrol.started_at + dt.timedelta(minutes=20),
                )
            )
    PatrolFinding.objects.bulk_create(finding_rows)
    return len(created), len(finding_rows)
