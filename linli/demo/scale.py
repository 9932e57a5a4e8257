"""A larger world for measuring the hot paths (issue 19): ``linli scale generate``.

Deterministic by seed. Builds county → towns → communities → compounds → buildings →
units, grids of about 300 households (one compound each), households and residents with
valid ID numbers and phones encrypted the way the register stores them (the encrypted
field plus the keyed hash), a grid worker per grid and a staff member per community, and
a year of requests with their timelines, care plans for the elderly who live alone with a
year of visits, and volunteers with the service hours those visits earned. The big tables
are loaded with ``COPY`` on PostgreSQL (psycopg 3's ``cursor.copy``) and with
``bulk_create`` in batches elsewhere (SQLite); either way every value is prepared by its
model field (encryption, JSON), as a save would. No per-row services and no audit: this is
measurement data, not a record of work. Not part of CI; the sizes reached and the time
taken are in docs/scaling.md.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.areas.models import Area, AreaKind, Grid
from linli.care.models import CarePlan, CareService, Mood, Visit, VisitKind, service_labels
from linli.core import crypto
from linli.core.roles import Role
from linli.core.validators import id_number_check_char
from linli.people.models import Household, Resident, ResidentTag, Tag, TagCode, age_on
from linli.requests.models import Category, Channel, Request, RequestEvent
from linli.requests.workflow import Status
from linli.volunteers.models import (
    HoursStatus,
    ServiceRecord,
    ServiceSource,
    Volunteer,
    VolunteerKind,
)

BATCH = 5_000
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Shape of the world: 3 units × 6 floors × 2 flats = 36 households a building, 8 buildings
# a compound (~288 households, one grid), 10 compounds a community, 8 communities a town.
UNITS, FLOORS, FLATS = 3, 6, 2
BUILDINGS_PER_COMPOUND = 8
COMPOUNDS_PER_COMMUNITY = 10
COMMUNITIES_PER_TOWN = 8
PEOPLE_PER_HOUSEHOLD = 2.5
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "秀兰建国志强丽华桂英玉兰红梅国庆文明海燕春生小平永红淑珍秀英凤英德明"
TEXTS = [
    "楼道灯坏了,晚上看不见",
    "小区垃圾桶满了没人清运",
    "下水道堵了,污水外溢",
    "楼上漏水,天花板渗水",
    "电梯经常停运,老人上下楼困难",
    "邻居装修噪音太大",
    "路灯不亮,夜里出行不安全",
    "门禁坏了,外人随意进出",
]


def _step(n: int) -> str:
    digits = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        digits = ALPHABET[r] + digits
    return digits


@dataclass
class Report:
    areas: int = 0
    grids: int = 0
    households: int = 0
    residents: int = 0
    users: int = 0
    requests: int = 0
    events: int = 0
    care_plans: int = 0
    visits: int = 0
    volunteers: int = 0
    service_records: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _batched(rows: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model: type[models.Model], objs: list[Any]) -> None:
    """Insert the rows and give each its primary key.

    On PostgreSQL: ``COPY … FROM STDIN`` through psycopg 3, the keys taken from the table's
    own sequence beforehand (one ``setval`` for the batch). Elsewhere: ``bulk_create``.
    Either way each value is what the model field would write on save — ``pre_save`` (the
    timestamps) then ``get_db_prep_save`` (encryption, JSON) — as ``bulk_create`` does.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    assert meta.pk is not None
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, len(objs)])
        first = cursor.fetchone()[0] - len(objs) + 1
        for offset, obj in enumerate(objs):
            obj.pk = first + offset
        columns = ", ".join(quote(str(f.column)) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _id_number(rng: random.Random, birth: dt.date) -> str:
    first17 = f"141181{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_number_check_char(first17)


def generate(
    *,
    residents: int,
    seed: int = 1,
    requests_per_resident: float = 1.0,
    today: dt.date | None = None,
    log: Callable[[str], None] = print,
) -> Report:
    """Build the world; returns what was made. Expects a migrated database (the demo
    world may be there too: codes start at county 990001 and do not clash)."""
    rng = random.Random(seed)
    report = Report()
    now = timezone.now()
    if today is None:
        today = timezone.localdate()
    households_wanted = max(1, round(residents / PEOPLE_PER_HOUSEHOLD))
    per_building = UNITS * FLOORS * FLATS
    buildings_wanted = -(-households_wanted // per_building)
    compounds_wanted = -(-buildings_wanted // BUILDINGS_PER_COMPOUND)
    communities_wanted = -(-compounds_wanted // COMPOUNDS_PER_COMMUNITY)
    towns_wanted = -(-communities_wanted // COMMUNITIES_PER_TOWN)

    started = timezone.now()
    with transaction.atomic():
        roots = Area.objects.filter(depth=1).count()
        county_code = f"{990000 + roots + 1}"
        county = Area(
            path=_step(roots + 1),
            depth=1,
            numchild=towns_wanted,
            kind=AreaKind.COUNTY,
            name=f"规模测试区{roots + 1}",
            code=county_code,
        )
        county.save()
        areas: list[Area] = []
        communities: list[Area] = []
        compounds: list[Area] = []
        for t in range(towns_wanted):
            town_path = county.path + _step(t + 1)
            n_comm = min(COMMUNITIES_PER_TOWN, communities_wanted - t * COMMUNITIES_PER_TOWN)
            town_code = f"{county_code}{t + 1:03d}"
            areas.append(
                Area(
                    path=town_path,
                    depth=2,
                    numchild=n_comm,
                    kind=AreaKind.TOWN,
                    name=f"第{t + 1}街道",
                    code=town_code,
                )
            )
            for c in range(n_comm):
                index = t * COMMUNITIES_PER_TOWN + c
                n_comp = min(
                    COMPOUNDS_PER_COMMUNITY, compounds_wanted - index * COMPOUNDS_PER_COMMUNITY
                )
                community = Area(
                    path=town_path + _step(c + 1),
                    depth=3,
                    numchild=n_comp,
                    kind=AreaKind.COMMUNITY,
                    name=f"第{index + 1}社区",
                    code=f"{town_code}{c + 1:03d}",
                )
                areas.append(community)
                communities.append(community)
                for k in range(n_comp):
                    compound = Area(
                        path=community.path + _step(k + 1),
                        depth=4,
                        numchild=BUILDINGS_PER_COMPOUND,
                        kind=AreaKind.COMPOUND,
                        name=f"{['阳光', '和谐', '幸福', '锦绣', '金桥'][k % 5]}{k + 1}小区",
                        code=f"{community.code}{k + 1:03d}",
                    )
                    areas.append(compound)
                    compounds.append(compound)
        Area.objects.bulk_create(areas, batch_size=BATCH)
        by_path = {a.path: a for a in Area.objects.filter(path__startswith=county.path)}
        communities = [by_path[c.path] for c in communities]
        compounds = [by_path[c.path] for c in compounds]

        # One grid per compound (~288 households).
        grids = [
            Grid(
                community=by_path[compound.path[:12]],
                code=f"{compound.code[:12]}{compound.code[-3:]}",
                name=f"{compound.name}网格",
            )
            for compound in compounds
        ]
        Grid.objects.bulk_create(grids, batch_size=BATCH)
        grid_of = {g.code: g for g in Grid.objects.filter(code__startswith=county_code)}
        buildings: list[Area] = []
        for compound in compounds:
            grid = grid_of[f"{compound.code[:12]}{compound.code[-3:]}"]
            for b in range(BUILDINGS_PER_COMPOUND):
                buildings.append(
                    Area(
                        path=compound.path + _step(b + 1),
                        depth=5,
                        numchild=UNITS,
                        kind=AreaKind.BUILDING,
                        name=f"{b + 1}号楼",
                        code=f"{compound.code}{b + 1:03d}",
                        grid=grid,
                    )
                )
        Area.objects.bulk_create(buildings, batch_size=BATCH)
        units = [
            Area(
                path=building.path + _step(u + 1),
                depth=6,
                numchild=0,
                kind=AreaKind.UNIT,
                name=f"{u + 1}单元",
                code=f"{building.code}{u + 1:03d}",
                floors=FLOORS,
                flats_per_floor=FLATS,
            )
            for building in buildings
            for u in range(UNITS)
        ]
        Area.objects.bulk_create(units, batch_size=BATCH)
        report.areas = 1 + len(areas) + len(buildings) + len(units)
        report.grids = len(grids)
        report.timings["areas"] = (timezone.now() - started).total_seconds()
        log(f"区域 {report.areas} 个,网格 {report.grids} 个")

        # Households: every flat of every unit until the wanted number is reached.
        started = timezone.now()
        unit_rows = list(
            Area.objects.filter(path__startswith=county.path, kind=AreaKind.UNIT)
            .order_by("path")
            .values_list("pk", "path")
        )
        flats = [
            (unit_pk, path, f"{floor}{flat + 1:02d}")
            for unit_pk, path in unit_rows
            for floor in range(1, FLOORS + 1)
            for flat in range(FLATS)
        ][:households_wanted]
        households = [Household(unit_id=unit_pk, room=room) for unit_pk, _path, room in flats]
        for batch in _batched(iter(households)):
            _insert(Household, batch)
        report.households = len(households)
        sizes = _household_sizes(rng, residents, len(households))
        elderly_alone: list[Resident] = []
        people_by_grid: dict[int, list[Resident]] = {}
        unit_grid = _unit_grids(county.path)

        def people() -> Iterator[Resident]:
            index = 0
            for household, size in zip(households, sizes, strict=True):
                alone_and_old = size == 1 and rng.random() < 0.6
                for member in range(size):
                    if alone_and_old:
                        birth = today - dt.timedelta(days=rng.randrange(70 * 365 + 30, 92 * 365))
                    else:
                        birth = today - dt.timedelta(days=rng.randrange(20 * 365, 90 * 365))
                    id_number = _id_number(rng, birth)
                    phone = f"13{rng.randrange(10**9):09d}"
                    resident = Resident(
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        gender="male" if int(id_number[16]) % 2 else "female",
                        birth_date=birth,
                        id_number=id_number,
                        # Index in the name keeps the hash unique if two ID numbers collide.
                        id_number_hash=crypto.blind_index("id", f"{id_number}#{index}"),
                        phone=phone,
                        phone_hash=crypto.blind_index("phone", phone),
                        household_id=household.pk,
                        area_id=household.unit_id,
                        relation_to_head="head" if member == 0 else "spouse",
                    )
                    if alone_and_old:
                        elderly_alone.append(resident)
                    elif age_on(birth, today) < 70:
                        people_by_grid.setdefault(unit_grid[household.unit_id], []).append(resident)
                    index += 1
                    yield resident

        for batch in _batched(people()):
            _insert(Resident, batch)
            report.residents += len(batch)
        report.timings["residents"] = (timezone.now() - started).total_seconds()
        log(f"住户 {report.households} 户,居民 {report.residents} 人")

        # People at work: a grid worker per grid, a staff member per community.
        started = timezone.now()
        workers = [
            User(username=f"scale-gw-{g.code}", full_name=f"网格员{g.code[-3:]}") for g in grids
        ]
        staff = [
            User(username=f"scale-staff-{c.code}", full_name=f"社工{c.code[-3:]}")
            for c in communities
        ]
        for user in [*workers, *staff]:
            user.set_unusable_password()
        User.objects.bulk_create([*workers, *staff], batch_size=BATCH)
        users = {u.username: u for u in User.objects.filter(username__startswith="scale-")}
        grid_list = list(grid_of.values())
        RoleAssignment.objects.bulk_create(
            [
                *(
                    RoleAssignment(user=users[f"scale-gw-{g.code}"], role=Role.GRID_WORKER, grid=g)
                    for g in grid_list
                ),
                *(
                    RoleAssignment(user=users[f"scale-staff-{c.code}"], role=Role.STAFF, area=c)
                    for c in communities
                ),
            ],
            batch_size=BATCH,
        )
        report.users = len(workers) + len(staff)

        # A year of requests at the resident's unit, routed to the grid's worker.
        categories = list(Category.objects.filter(is_active=True).order_by("pk"))
        worker_of_grid = {g.pk: users[f"scale-gw-{g.code}"].pk for g in grid_list}
        unit_community = {pk: by_path[path[:12]].pk for pk, path in unit_rows}
        resident_rows = list(
            Resident.objects.filter(household__unit__path__startswith=county.path)
            .order_by("pk")
            .values_list("pk", "area_id")
        )
        total = round(residents * requests_per_resident)
        year = dt.timedelta(days=365)

        def requests() -> Iterator[tuple[Request, list[RequestEvent]]]:
            for index in range(total):
                reporter_pk, unit_pk = resident_rows[rng.randrange(len(resident_rows))]
                category = categories[rng.randrange(len(categories))]
                submitted = now - year * (rng.random() ** 1.3)
                urgent = rng.random() < 0.05
                hours = max(1, category.handling_hours // (2 if urgent else 1))
                due = submitted + dt.timedelta(hours=hours)
                age = now - submitted
                roll = rng.random()
                if age < dt.timedelta(days=14) and roll < 0.5:
                    status = [Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS][index % 3]
                elif roll < 0.03:
                    status = Status.IN_PROGRESS  # forgotten: long overdue
                elif roll < 0.06:
                    status = Status.REJECTED
                else:
                    status = Status.CLOSED
                grid_pk = unit_grid[unit_pk]
                assignee = (
                    None
                    if status in (Status.SUBMITTED, Status.REJECTED)
                    else worker_of_grid[grid_pk]
                )
                resolved_at = submitted + dt.timedelta(hours=rng.randrange(1, hours + 48))
                request = Request(
                    number=f"{timezone.localtime(submitted):%Y%m%d}-S{index:07d}",
                    text=TEXTS[index % len(TEXTS)],
                    category=category,
                    location_id=unit_pk,
                    room="101",
                    grid_id=grid_pk,
                    community_id=unit_community[unit_pk],
                    reporter_id=reporter_pk,
                    channel=Channel.RESIDENT_PAGE,
                    urgent=urgent,
                    status=status,
                    assignee_id=assignee,
                    submitted_at=submitted,
                    response_due_at=submitted + dt.timedelta(hours=category.response_hours),
                    due_at=due,
                    accepted_at=submitted if assignee else None,
                    responded_at=submitted + dt.timedelta(hours=1) if assignee else None,
                    resolved_at=resolved_at if status == Status.CLOSED else None,
                    resolved_by_id=assignee if status == Status.CLOSED else None,
                )
                steps = [("submitted", "", Status.SUBMITTED, submitted)]
                if assignee:
                    steps.append(("assign", Status.SUBMITTED, Status.ASSIGNED, submitted))
                if status in (Status.IN_PROGRESS, Status.CLOSED):
                    steps.append(("start", Status.ASSIGNED, Status.IN_PROGRESS, submitted))
                if status == Status.CLOSED:
                    steps.append(("resolve", Status.IN_PROGRESS, Status.RESOLVED, resolved_at))
                    steps.append(("close", Status.RESOLVED, Status.CLOSED, resolved_at))
                if status == Status.REJECTED:
                    steps.append(("reject", Status.SUBMITTED, Status.REJECTED, submitted))
                events = [
                    RequestEvent(
                        kind=RequestEvent.Kind.SUBMITTED
                        if name == "submitted"
                        else RequestEvent.Kind.TRANSITION,
                        actor_id=assignee,
                        transition="" if name == "submitted" else name,
                        from_status=source,
                        to_status=target,
                        created_at=at,
                    )
                    for name, source, target, at in steps
                ]
                yield request, events

        for batch in _batched(requests()):
            made = [r for r, _e in batch]
            _insert(Request, made)
            timeline = []
            for saved, (_r, events) in zip(made, batch, strict=True):
                for event in events:
                    event.request_id = saved.pk
                    timeline.append(event)
            _insert(RequestEvent, timeline)
            report.requests += len(made)
            report.events += len(timeline)
            if report.requests % 50_000 < BATCH:
                log(f"诉求 {report.requests} 条")
        report.timings["requests"] = (timezone.now() - started).total_seconds()
        log(f"诉求 {report.requests} 条,时间线 {report.events} 条")

        started = timezone.now()
        _care(
            rng,
            report,
            now=now,
            elderly=elderly_alone,
            people_by_grid=people_by_grid,
            unit_grid=unit_grid,
            community_of_grid={g.pk: g.community_id for g in grid_list},
            worker_of_grid=worker_of_grid,
        )
        report.timings["care"] = (timezone.now() - started).total_seconds()
    log(
        f"关爱计划 {report.care_plans} 个,走访 {report.visits} 次,"
        f"志愿者 {report.volunteers} 人,服务记录 {report.service_records} 条"
    )
    return report


def _household_sizes(rng: random.Random, residents: int, households: int) -> list[int]:
    """People per household: about one in eight lives alone, the rest two or more, adding
    up to ``residents`` exactly."""
    sizes = [1 if rng.random() < 0.125 else 2 for _ in range(households)]
    left = residents - sum(sizes)
    while left < 0:  # fewer people than places: empty the last ones' second bed
        for i in range(households - 1, -1, -1):
            if left == 0:
                break
            if sizes[i] > 1:
                sizes[i] -= 1
                left += 1
    crowded = [i for i, size in enumerate(sizes) if size > 1] or list(range(households))
    for _ in range(left):
        sizes[crowded[rng.randrange(len(crowded))]] += 1
    return sizes


CARE_SERVICES = [
    CareService.CHAT,
    CareService.GROCERIES,
    CareService.MEDICINE,
    CareService.CLEANING,
    CareService.ERRANDS,
]
MOODS = [Mood.GOOD, Mood.GOOD, Mood.GOOD, Mood.FAIR, Mood.FAIR, Mood.LOW, Mood.UNWELL]


def _care(
    rng: random.Random,
    report: Report,
    *,
    now: dt.datetime,
    elderly: list[Resident],
    people_by_grid: dict[int, list[Resident]],
    unit_grid: dict[int, int],
    community_of_grid: dict[int, int],
    worker_of_grid: dict[int, int],
) -> None:
    """独居老人 over 70: the living-alone tag; nine in ten have a care plan (1–2 visits a
    week, a primary and a backup volunteer of their grid) with a year of visits and phone
    calls, each crediting its volunteer's service time as ``visit_log`` does. No readings:
    they need a health consent, which measurement data does not invent. One plan in ten
    has gone quiet for one to four weeks, so the due and overdue figures have work to do."""
    living_alone = Tag.objects.get(code=TagCode.LIVING_ALONE)
    tags = [ResidentTag(resident_id=r.pk, tag=living_alone) for r in elderly]
    for batch in _batched(iter(tags)):
        _insert(ResidentTag, batch)

    # Volunteers: younger residents of the grid, one for every three elderly (at least two).
    elderly_by_grid: dict[int, list[Resident]] = {}
    for person in elderly:
        assert person.area_id is not None
        elderly_by_grid.setdefault(unit_grid[person.area_id], []).append(person)
    kinds = [VolunteerKind.PARTY_MEMBER, VolunteerKind.RESIDENT, VolunteerKind.RESIDENT]
    volunteers_of_grid: dict[int, list[Volunteer]] = {}
    for grid_pk, old in elderly_by_grid.items():
        pool = people_by_grid.get(grid_pk, [])
        wanted = min(len(pool), max(2, len(old) // 3))
        chosen = rng.sample(pool, wanted)
        volunteers_of_grid[grid_pk] = [
            Volunteer(
                name=person.name,
                kind=kinds[rng.randrange(len(kinds))],
                resident_id=person.pk,
                community_id=community_of_grid[grid_pk],
                grid_id=grid_pk,
                joined_on=(now - dt.timedelta(days=rng.randrange(400, 2000))).date(),
            )
            for person in chosen
        ]
    all_volunteers = [v for grid in volunteers_of_grid.values() for v in grid]
    for batch in _batched(iter(all_volunteers)):
        _insert(Volunteer, batch)
    report.volunteers = len(all_volunteers)

    plans: list[tuple[CarePlan, Resident]] = []
    for grid_pk, old in elderly_by_grid.items():
        helpers = volunteers_of_grid[grid_pk]
        for person in old:
            if rng.random() < 0.1:
                continue  # a care gap: living alone, no plan yet
            primary = helpers[rng.randrange(len(helpers))] if helpers else None
            backup = rng.choice([v for v in helpers if v is not primary] or [None])
            plans.append(
                (
                    CarePlan(
                        resident_id=person.pk,
                        visits_per_week=1 if rng.random() < 0.6 else 2,
                        services=rng.sample(CARE_SERVICES, 2),
                        primary_volunteer=primary,
                        backup_volunteer=backup,
                    ),
                    person,
                )
            )
    for batch in _batched(iter(plans)):
        _insert(CarePlan, [plan for plan, _person in batch])
    report.care_plans = len(plans)

    minutes_of: dict[str, int] = settings.LINLI_CARE_DEFAULT_MINUTES
    name_of = {person.pk: person.name for _plan, person in plans}
    year_ago = now - dt.timedelta(days=365)

    def visits() -> Iterator[Visit]:
        for plan, person in plans:
            assert person.area_id is not None
            worker = worker_of_grid[unit_grid[person.area_id]]
            quiet_since = (
                now - dt.timedelta(days=rng.randrange(8, 29)) if rng.random() < 0.1 else now
            )
            week = year_ago
            while week < quiet_since - dt.timedelta(days=7):
                for _ in range(plan.visits_per_week):
                    if rng.random() < 0.12:
                        continue  # missed
                    at = week + dt.timedelta(minutes=rng.randrange(7 * 24 * 60))
                    at = at.replace(hour=8 + rng.randrange(10))
                    home = rng.random() < 0.8
                    volunteer = (
                        plan.backup_volunteer
                        if plan.backup_volunteer and rng.random() < 0.15
                        else plan.primary_volunteer
                    )
                    yield Visit(
                        resident_id=person.pk,
                        plan_id=plan.pk,
                        volunteer=volunteer,
                        recorded_by_id=worker,
                        visited_at=at,
                        kind=VisitKind.HOME if home else VisitKind.PHONE,
                        services=rng.sample(plan.services, 1 + rng.randrange(2))
                        if home
                        else [CareService.CHAT],
                        duration_minutes=rng.randrange(20, 61) if home else None,
                        mood=MOODS[rng.randrange(len(MOODS))],
                        note="",
                    )
                week += dt.timedelta(days=7)

    for batch in _batched(visits()):
        _insert(Visit, batch)
        records = []
        for visit in batch:
            if visit.volunteer is None:
                continue
            content = f"{VisitKind(visit.kind).label}:{name_of[visit.resident_id]}"
            if visit.services:
                content += "(" + "、".join(service_labels(list(visit.services))) + ")"
            records.append(
                ServiceRecord(
                    volunteer_id=visit.volunteer.pk,
                    started_at=visit.visited_at,
                    minutes=visit.duration_minutes or minutes_of.get(visit.kind, 30),
                    content=content[:200],
                    source=ServiceSource.VISIT,
                    source_id=str(visit.pk),
                    recorded_by_id=visit.recorded_by_id,
                    # A logged visit is a verified source: approved as it is written.
                    status=HoursStatus.APPROVED,
                    reviewed_by_id=visit.recorded_by_id,
                    reviewed_at=visit.visited_at,
                )
            )
        _insert(ServiceRecord, records)
        report.visits += len(batch)
        report.service_records += len(records)


def _unit_grids(county_path: str) -> dict[int, int]:
    """Each unit's grid: the grid of its building."""
    building_grid = dict(
        Area.objects.filter(path__startswith=county_path, kind=AreaKind.BUILDING).values_list(
            "path", "grid_id"
        )
    )
    return {
        pk: building_grid[path[:20]]
        for pk, path in Area.objects.filter(
            path__startswith=county_path, kind=AreaKind.UNIT
        ).values_list("pk", "path")
    }
