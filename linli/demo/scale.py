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
import json
import random
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.areas.models import Area, AreaKind, Grid
from linli.care.models import CarePlan, CareService, Mood, Visit, VisitKind, service_labels
from linli.care.services import plans_due_refresh
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
# The tables loaded row by row in bulk: built without their secondary indexes and
# constraints on PostgreSQL, which are added again at the end (``_indexes_built_afterwards``).
LOADED_TABLES = [
    "people_household",
    "people_resident",
    "people_residenttag",
    "requests_request",
    "requests_requestevent",
    "volunteers_volunteer",
    "care_careplan",
    "care_visit",
    "volunteers_servicerecord",
]
VOLUNTEER_POOL = 64  # younger people of a grid kept as candidates for its volunteers
OPEN_STATES = [Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS]
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


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _own_type(f: models.Field[Any, Any]) -> bool:
    """A field of this project's own type (the encrypted text fields): its value must be
    prepared by the field. Django's own fields take plain values in COPY text."""
    return not type(f).__module__.startswith("django.")


def _prep(f: models.Field[Any, Any], value: Any) -> Any:
    return f.get_db_prep_save(value, connection) if _own_type(f) else value


class _Table:
    """Loads rows of one model fast: each row gives ``columns`` (attnames, in order); every
    other field takes the value a save would give it (its default, or ``now`` for
    ``auto_now``/``auto_now_add``), prepared once for the whole load.

    On PostgreSQL the rows are written as ``COPY … FROM STDIN`` text by hand (no model
    instances: at millions of rows, instantiating models and preparing every field was most
    of the generator's Python time), the primary keys taken from the table's own sequence
    beforehand (one ``setval`` a batch). A field of this project's own type (the encrypted
    text fields) is still prepared by the field, so what is stored is what a save stores.
    Elsewhere (SQLite) the rows become model instances for ``bulk_create``.
    """

    def __init__(self, model: type[models.Model], columns: list[str], now: dt.datetime) -> None:
        meta = model._meta
        assert meta.pk is not None
        self.model = model
        self.columns = columns
        fields = {f.attname: f for f in meta.concrete_fields}
        self.given = [fields[name] for name in columns]
        self.prepared = [i for i, f in enumerate(self.given) if _own_type(f)]
        self.defaults: dict[str, Any] = {}
        for f in meta.concrete_fields:
            if f.primary_key or f.attname in columns:
                continue
            automatic = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            self.defaults[f.attname] = now if automatic else f.get_default()
        quote = connection.ops.quote_name
        rest = [fields[name] for name in self.defaults]
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table),
            ", ".join(quote(str(f.column)) for f in [meta.pk, *self.given, *rest]),
        )
        self.suffix = "".join("\t" + _copy_text(_prep(f, self.defaults[f.attname])) for f in rest)
        self.sequence = ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column]
                )
                self.sequence = cursor.fetchone()[0]

    def load(self, rows: list[tuple[Any, ...]]) -> Sequence[int]:
        """Insert the rows; returns their primary keys, in order."""
        if not rows:
            return []
        if connection.vendor != "postgresql":
            objs = [
                self.model(**dict(zip(self.columns, row, strict=True)), **self.defaults)
                for row in rows
            ]
            self.model._default_manager.bulk_create(objs, batch_size=BATCH)
            return [int(obj.pk) for obj in objs]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(%s, nextval(%s) + %s - 1)", [self.sequence, self.sequence, len(rows)]
            )
            first = cursor.fetchone()[0] - len(rows) + 1
            lines = []
            suffix = self.suffix
            prepared = [(i, self.given[i]) for i in self.prepared]
            for pk, row in enumerate(rows, start=first):
                if prepared:
                    values = list(row)
                    for i, f in prepared:
                        values[i] = _prep(f, values[i])
                    row = tuple(values)
                lines.append(f"{pk}\t" + "\t".join(map(_copy_text, row)) + suffix + "\n")
            with cursor.cursor.copy(self.copy_sql) as copy:
                copy.write("".join(lines))
        return range(first, first + len(rows))


@contextmanager
def _indexes_built_afterwards(
    tables: list[str], report: Report, log: Callable[[str], None]
) -> Iterator[None]:
    """On PostgreSQL, load ``tables`` without their secondary indexes, unique and foreign-key
    constraints, then build them again in one pass each.

    Maintaining a dozen indexes row by row and queueing a deferred foreign-key check for
    every row is most of what a large load costs; building an index over the finished table
    (sorted once, in ``maintenance_work_mem``) and validating a foreign key with one join
    is several times cheaper. All inside the caller's transaction: if the load fails, the
    drops roll back with it. The tables are locked for the whole load, so this is for a
    measurement database, not a live one. Elsewhere, nothing changes.
    """
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Deferred checks queued earlier in this transaction would forbid ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint r
                WHERE r.contype = 'f' AND r.conindid = c.conindid AND c.contype = 'u'
              )
            ORDER BY c.contype DESC, c.conname
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _kind, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    started = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        # Unique constraints first ('u' sorts after 'f', hence DESC above).
        for table, name, _kind, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    report.timings["索引与约束"] = (timezone.now() - started).total_seconds()
    log(f"索引 {len(indexes)} 个、约束 {len(constraints)} 个已重建")


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
    with transaction.atomic(), ExitStack() as loading:
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
        report.timings["区域"] = (timezone.now() - started).total_seconds()
        log(f"区域 {report.areas} 个,网格 {report.grids} 个")

        # Households: every flat of every unit until the wanted number is reached.
        started = timezone.now()
        loading.enter_context(_indexes_built_afterwards(LOADED_TABLES, report, log))
        unit_rows = list(
            Area.objects.filter(path__startswith=county.path, kind=AreaKind.UNIT)
            .order_by("path")
            .values_list("pk", "path")
        )
        flats = [
            (unit_pk, f"{floor}{flat + 1:02d}")
            for unit_pk, _path in unit_rows
            for floor in range(1, FLOORS + 1)
            for flat in range(FLATS)
        ][:households_wanted]
        household_table = _Table(Household, ["unit_id", "room"], now)
        household_ids: list[int] = []
        for batch in _batched(iter(flats)):
            household_ids.extend(household_table.load(batch))
        report.households = len(household_ids)
        sizes = _household_sizes(rng, residents, len(household_ids))
        unit_grid = _unit_grids(county.path)
        # (pk, name, unit) of the old who live alone, and a sample of each grid's younger
        # people to draw its volunteers from (a reservoir: the whole register need not be
        # held); every resident's pk and unit in arrays, for picking reporters.
        elderly_alone: list[tuple[int, str, int]] = []
        pools = _Reservoirs(rng, VOLUNTEER_POOL)
        resident_pks = array("q")
        resident_units = array("q")
        resident_table = _Table(
            Resident,
            [
                "name",
                "gender",
                "birth_date",
                "id_number",
                "id_number_hash",
                "phone",
                "phone_hash",
                "household_id",
                "area_id",
                "relation_to_head",
            ],
            now,
        )

        def people() -> Iterator[tuple[tuple[Any, ...], str]]:
            index = 0
            for (unit_pk, _room), household_pk, size in zip(
                flats, household_ids, sizes, strict=True
            ):
                alone_and_old = size == 1 and rng.random() < 0.6
                for member in range(size):
                    if alone_and_old:
                        birth = today - dt.timedelta(days=rng.randrange(70 * 365 + 30, 92 * 365))
                    else:
                        birth = today - dt.timedelta(days=rng.randrange(20 * 365, 90 * 365))
                    id_number = _id_number(rng, birth)
                    phone = f"13{rng.randrange(10**9):09d}"
                    row = (
                        rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        "male" if int(id_number[16]) % 2 else "female",
                        birth,
                        id_number,
                        # Index in the name keeps the hash unique if two ID numbers collide.
                        crypto.blind_index("id", f"{id_number}#{index}"),
                        phone,
                        crypto.blind_index("phone", phone),
                        household_pk,
                        unit_pk,
                        "head" if member == 0 else "spouse",
                    )
                    if alone_and_old:
                        role = "alone"
                    elif age_on(birth, today) < 70:
                        role = "young"
                    else:
                        role = ""
                    index += 1
                    yield row, role

        for batch in _batched(people()):
            pks = resident_table.load([row for row, _role in batch])
            for pk, (row, role) in zip(pks, batch, strict=True):
                unit_pk = row[8]
                resident_pks.append(pk)
                resident_units.append(unit_pk)
                if role == "alone":
                    elderly_alone.append((pk, row[0], unit_pk))
                elif role == "young":
                    pools.offer(unit_grid[unit_pk], (pk, row[0]))
            report.residents += len(batch)
        report.timings["住户与居民"] = (timezone.now() - started).total_seconds()
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
        total = round(residents * requests_per_resident)
        year = dt.timedelta(days=365)
        request_table = _Table(
            Request,
            [
                "number",
                "text",
                "category_id",
                "location_id",
                "room",
                "grid_id",
                "community_id",
                "reporter_id",
                "channel",
                "urgent",
                "status",
                "assignee_id",
                "submitted_at",
                "response_due_at",
                "due_at",
                "accepted_at",
                "responded_at",
                "resolved_at",
                "resolved_by_id",
                "escalated_at",
            ],
            now,
        )
        event_table = _Table(
            RequestEvent,
            [
                "request_id",
                "kind",
                "actor_id",
                "transition",
                "from_status",
                "to_status",
                "created_at",
                "note",
            ],
            now,
        )
        local = timezone.get_current_timezone()
        SUBMITTED, TRANSITION = RequestEvent.Kind.SUBMITTED, RequestEvent.Kind.TRANSITION
        ESCALATION = RequestEvent.Kind.ESCALATION
        escalation_note = "已超过办理时限,上报 社区两委"
        recent = now - dt.timedelta(days=14)

        def requests() -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
            people_count = len(resident_pks)
            for index in range(total):
                which = rng.randrange(people_count)
                reporter_pk, unit_pk = resident_pks[which], resident_units[which]
                category = categories[rng.randrange(len(categories))]
                submitted = now - year * (rng.random() ** 1.3)
                urgent = rng.random() < 0.05
                hours = max(1, category.handling_hours // (2 if urgent else 1))
                roll = rng.random()
                if submitted > recent and roll < 0.5:
                    status = OPEN_STATES[index % 3]
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
                closed = status == Status.CLOSED
                due = submitted + dt.timedelta(hours=hours)
                # What went overdue while still open was escalated then, as the sweep
                # does (once a request); a world without it would make the first sweep
                # after generation escalate thousands at once.
                escalated = (
                    min(due + dt.timedelta(minutes=1), now)
                    if (status in OPEN_STATES and due < now)
                    else None
                )
                request = (
                    f"{submitted.astimezone(local):%Y%m%d}-S{index:07d}",
                    TEXTS[index % len(TEXTS)],
                    category.pk,
                    unit_pk,
                    "101",
                    grid_pk,
                    unit_community[unit_pk],
                    reporter_pk,
                    Channel.RESIDENT_PAGE,
                    urgent,
                    status,
                    assignee,
                    submitted,
                    submitted + dt.timedelta(hours=category.response_hours),
                    due,
                    submitted if assignee else None,
                    submitted + dt.timedelta(hours=1) if assignee else None,
                    resolved_at if closed else None,
                    assignee if closed else None,
                    escalated,
                )
                # (kind, transition, from, to, at) of the timeline; the request's pk is
                # put in front once it is known.
                steps = [(SUBMITTED, "", "", Status.SUBMITTED, submitted)]
                if assignee:
                    steps.append(
                        (TRANSITION, "assign", Status.SUBMITTED, Status.ASSIGNED, submitted)
                    )
                if status in (Status.IN_PROGRESS, Status.CLOSED):
                    steps.append(
                        (TRANSITION, "start", Status.ASSIGNED, Status.IN_PROGRESS, submitted)
                    )
                if closed:
                    steps.append(
                        (TRANSITION, "resolve", Status.IN_PROGRESS, Status.RESOLVED, resolved_at)
                    )
                    steps.append((TRANSITION, "close", Status.RESOLVED, Status.CLOSED, resolved_at))
                if status == Status.REJECTED:
                    steps.append(
                        (TRANSITION, "reject", Status.SUBMITTED, Status.REJECTED, submitted)
                    )
                events: list[tuple[Any, ...]] = [
                    (kind, assignee, transition, source, target, at, "")
                    for kind, transition, source, target, at in steps
                ]
                if escalated is not None:
                    events.append((ESCALATION, None, "", "", "", escalated, escalation_note))
                yield request, events

        for batch in _batched(requests()):
            pks = request_table.load([request for request, _events in batch])
            event_table.load(
                [
                    (pk, *event)
                    for pk, (_request, events) in zip(pks, batch, strict=True)
                    for event in events
                ]
            )
            report.requests += len(batch)
            report.events += sum(len(events) for _request, events in batch)
            if report.requests % 50_000 < BATCH:
                log(f"诉求 {report.requests} 条")
        report.timings["诉求"] = (timezone.now() - started).total_seconds()
        log(f"诉求 {report.requests} 条,时间线 {report.events} 条")

        started = timezone.now()
        _care(
            rng,
            report,
            now=now,
            elderly=elderly_alone,
            pools=pools,
            unit_grid=unit_grid,
            community_of_grid={g.pk: g.community_id for g in grid_list},
            worker_of_grid=worker_of_grid,
        )
        report.timings["关爱与志愿"] = (timezone.now() - started).total_seconds()
        log("重建索引与约束……")
    # Each plan's due moment from its visits, as a logged visit sets it: one statement over
    # every plan, once the visits' index is built again.
    started = timezone.now()
    plans_due_refresh(CarePlan.objects.all())
    report.timings["关爱到期"] = (timezone.now() - started).total_seconds()
    log(
        f"关爱计划 {report.care_plans} 个,走访 {report.visits} 次,"
        f"志愿者 {report.volunteers} 人,服务记录 {report.service_records} 条"
    )
    return report


class _Reservoirs:
    """A uniform random sample of up to ``size`` items per key, whatever the number offered
    (Vitter's algorithm R): the volunteers of a grid are drawn from its sample."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self.rng = rng
        self.size = size
        self.samples: dict[int, list[tuple[int, str]]] = {}
        self.offered: dict[int, int] = {}

    def offer(self, key: int, item: tuple[int, str]) -> None:
        seen = self.offered.get(key, 0) + 1
        self.offered[key] = seen
        sample = self.samples.setdefault(key, [])
        if len(sample) < self.size:
            sample.append(item)
        else:
            slot = self.rng.randrange(seen)
            if slot < self.size:
                sample[slot] = item


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
    elderly: list[tuple[int, str, int]],
    pools: _Reservoirs,
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
    tag_table = _Table(ResidentTag, ["resident_id", "tag_id"], now)
    for batch in _batched(iter(elderly)):
        tag_table.load([(pk, living_alone.pk) for pk, _name, _unit in batch])

    # Volunteers: younger residents of the grid, one for every three elderly (at least two).
    elderly_by_grid: dict[int, list[tuple[int, str, int]]] = {}
    for person in elderly:
        elderly_by_grid.setdefault(unit_grid[person[2]], []).append(person)
    kinds = [VolunteerKind.PARTY_MEMBER, VolunteerKind.RESIDENT, VolunteerKind.RESIDENT]
    chosen_of_grid: dict[int, list[tuple[Any, ...]]] = {}
    for grid_pk, old in elderly_by_grid.items():
        pool = pools.samples.get(grid_pk, [])
        wanted = min(len(pool), max(2, len(old) // 3))
        chosen_of_grid[grid_pk] = [
            (
                name,
                kinds[rng.randrange(len(kinds))],
                pk,
                community_of_grid[grid_pk],
                grid_pk,
                (now - dt.timedelta(days=rng.randrange(400, 2000))).date(),
            )
            for pk, name in rng.sample(pool, wanted)
        ]
    volunteer_table = _Table(
        Volunteer, ["name", "kind", "resident_id", "community_id", "grid_id", "joined_on"], now
    )
    volunteers_of_grid: dict[int, list[int]] = {}
    for grid_pk, chosen in chosen_of_grid.items():
        volunteers_of_grid[grid_pk] = list(volunteer_table.load(chosen))
        report.volunteers += len(chosen)

    # (resident pk, name, unit, visits a week, services, primary, backup)
    plans: list[tuple[int, str, int, int, list[str], int | None, int | None]] = []
    for grid_pk, old in elderly_by_grid.items():
        helpers = volunteers_of_grid[grid_pk]
        for pk, name, unit in old:
            if rng.random() < 0.1:
                continue  # a care gap: living alone, no plan yet
            primary = helpers[rng.randrange(len(helpers))] if helpers else None
            backup = rng.choice([v for v in helpers if v != primary] or [None])
            plans.append(
                (
                    pk,
                    name,
                    unit,
                    1 if rng.random() < 0.6 else 2,
                    rng.sample(CARE_SERVICES, 2),
                    primary,
                    backup,
                )
            )
    plan_table = _Table(
        CarePlan,
        [
            "resident_id",
            "visits_per_week",
            "services",
            "primary_volunteer_id",
            "backup_volunteer_id",
            "due_at",
            "community_id",
        ],
        now,
    )
    plan_ids: list[int] = []
    for batch in _batched(iter(plans)):
        plan_ids.extend(
            plan_table.load(
                # Due now until the visits are in (``plans_due_refresh`` after the load).
                [
                    (pk, per_week, services, a, b, now, community_of_grid[unit_grid[unit]])
                    for pk, _n, unit, per_week, services, a, b in batch
                ]
            )
        )
    report.care_plans = len(plans)

    minutes_of: dict[str, int] = settings.LINLI_CARE_DEFAULT_MINUTES
    year_ago = now - dt.timedelta(days=365)
    home_label, phone_label = VisitKind.HOME.label, VisitKind.PHONE.label
    labels = dict(zip(CARE_SERVICES, service_labels(list(CARE_SERVICES)), strict=True))
    visit_table = _Table(
        Visit,
        [
            "resident_id",
            "plan_id",
            "volunteer_id",
            "recorded_by_id",
            "visited_at",
            "kind",
            "services",
            "duration_minutes",
            "mood",
        ],
        now,
    )
    record_table = _Table(
        ServiceRecord,
        [
            "volunteer_id",
            "started_at",
            "minutes",
            "content",
            "source",
            "source_id",
            "recorded_by_id",
            "status",
            "reviewed_by_id",
            "reviewed_at",
        ],
        now,
    )

    def visits() -> Iterator[tuple[tuple[Any, ...], str]]:
        """Each visit's row and the name of the person visited (for the service record)."""
        for plan_pk, (pk, name, unit, per_week, services, primary, backup) in zip(
            plan_ids, plans, strict=True
        ):
            worker = worker_of_grid[unit_grid[unit]]
            quiet_since = (
                now - dt.timedelta(days=rng.randrange(8, 29)) if rng.random() < 0.1 else now
            )
            week = year_ago
            while week < quiet_since - dt.timedelta(days=7):
                for _ in range(per_week):
                    if rng.random() < 0.12:
                        continue  # missed
                    at = week + dt.timedelta(minutes=rng.randrange(7 * 24 * 60))
                    at = at.replace(hour=8 + rng.randrange(10))
                    home = rng.random() < 0.8
                    volunteer = backup if backup and rng.random() < 0.15 else primary
                    yield (
                        (
                            pk,
                            plan_pk,
                            volunteer,
                            worker,
                            at,
                            VisitKind.HOME if home else VisitKind.PHONE,
                            rng.sample(services, 1 + rng.randrange(2))
                            if home
                            else [CareService.CHAT],
                            rng.randrange(20, 61) if home else None,
                            MOODS[rng.randrange(len(MOODS))],
                        ),
                        name,
                    )
                week += dt.timedelta(days=7)

    for batch in _batched(visits()):
        pks = visit_table.load([visit for visit, _name in batch])
        records = []
        for visit_pk, (visit, name) in zip(pks, batch, strict=True):
            _pk, _plan, volunteer, worker, at, kind, services, minutes, _mood = visit
            if volunteer is None:
                continue
            content = f"{home_label if kind == VisitKind.HOME else phone_label}:{name}"
            if services:
                content += "(" + "、".join(labels[s] for s in services) + ")"
            records.append(
                (
                    volunteer,
                    at,
                    minutes or minutes_of.get(kind, 30),
                    content[:200],
                    ServiceSource.VISIT,
                    str(visit_pk),
                    worker,
                    # A logged visit is a verified source: approved as it is written.
                    HoursStatus.APPROVED,
                    worker,
                    at,
                )
            )
        record_table.load(records)
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


# --- People the generator does not make (benchmarks and the load test) -------------------------
#
# The generator's grid workers and staff have unusable passwords and no resident has an
# account: a benchmark or a load test adds the few it needs, once, with these.


def scale_account(
    username: str,
    full_name: str,
    *,
    role: Role | None = None,
    area: Area | None = None,
    password_hash: str | None = None,
) -> User:
    """The account ``username``, made once with its role; it can log in only with
    ``password_hash`` (a ``make_password`` value, set again on every call so a new load-test
    password takes), otherwise its password is unusable."""
    user, made = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    if password_hash is not None:
        user.password = password_hash
        user.save(update_fields=["password"])
    elif made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if made and role is not None:
        RoleAssignment.objects.create(user=user, role=role, area=area)
    return user


def resident_account(
    resident: Resident, username: str, *, password_hash: str | None = None
) -> User:
    """An account for a generated resident (their 我的诉求 and filings), made once."""
    if resident.user_id is None:
        resident.user = scale_account(username, resident.name, password_hash=password_hash)
        resident.save(update_fields=["user"])
    elif password_hash is not None:
        User.objects.filter(pk=resident.user_id).update(password=password_hash)
    assert resident.user is not None
    return resident.user


def leaders_of(community: Area, *, password_hash: str | None = None) -> tuple[User, User]:
    """A leader of the community's town and one of its county (made once)."""
    town = Area.objects.get(path=community.path[:8])
    county = Area.objects.get(path=community.path[:4])
    town_leader = scale_account(
        f"scale-leader-{town.code}", "镇街领导", role=Role.LEADER, area=town,
        password_hash=password_hash,
    )  # fmt: skip
    county_leader = scale_account(
        f"scale-leader-{county.code}", "区县领导", role=Role.LEADER, area=county,
        password_hash=password_hash,
    )  # fmt: skip
    return town_leader, county_leader


@dataclass
class BenchPeople:
    resident: Resident
    volunteer: Volunteer
    town_leader: User
    county_leader: User


def bench_people(community: Area) -> BenchPeople:
    """``bench/hot_paths.py``'s people in ``community``: the resident with most requests
    there (with an account), an account for the volunteer with most plans there, a town
    leader and a county leader. Unusable passwords: the benchmark logs them in itself."""
    reporter_pk = (
        Request.objects.filter(community=community, reporter__isnull=False)
        .values("reporter_id")
        .annotate(n=models.Count("pk"))
        .order_by("-n", "reporter_id")[0]["reporter_id"]
    )
    resident = Resident.objects.select_related("area").get(pk=reporter_pk)
    resident_account(resident, "scale-bench-resident")
    volunteer = (
        Volunteer.objects.filter(community=community)
        .annotate(
            n=models.Count("primary_care_plans", distinct=True)
            + models.Count("backup_care_plans", distinct=True)
        )
        .order_by("-n", "pk")[0]
    )
    if volunteer.user_id is None:
        volunteer.user = scale_account(
            "scale-bench-volunteer", volunteer.name, role=Role.VOLUNTEER, area=community
        )
        volunteer.save(update_fields=["user"])
    town_leader, county_leader = leaders_of(community)
    return BenchPeople(resident, volunteer, town_leader, county_leader)


def figures_built(log: Callable[[str], object] = print) -> None:
    """Run the dashboard's nightly rebuild if it never ran (a generated world has none)."""
    from linli.dashboard import aggregates
    from linli.dashboard.models import FigureBuild

    if FigureBuild.objects.filter(months_through__isnull=False).exists():
        return
    started = timezone.now()
    built = aggregates.rebuild()
    seconds = (timezone.now() - started).total_seconds()
    log(f"驾驶舱夜间汇总:{built:,} 行,用时 {seconds:.1f} 秒")


@dataclass
class LoadAccounts:
    """Usernames the load test logs in as (``bench/locustfile.py``), by journey."""

    residents: list[str] = field(default_factory=list)
    grid_workers: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)


def load_test_accounts(*, grids: int, password: str) -> LoadAccounts:
    """Give ``password`` to the people of ``grids`` generated grids spread evenly over the
    world (every n-th by primary key): each grid's worker (``scale-gw-*``), the staff
    member of its community (``scale-staff-*``), a leader of its town (``scale-leader-*``,
    made once) and an account for a resident of the grid who filed requests there
    (``scale-lt-resident-<pk>``). Deterministic; running it again sets the password again."""
    from django.contrib.auth.hashers import make_password

    password_hash = make_password(password)  # one hash for all: measurement accounts
    roles = list(
        RoleAssignment.objects.filter(
            role=Role.GRID_WORKER, user__username__startswith="scale-gw-", grid__isnull=False
        )
        .select_related("user", "grid__community")
        .order_by("grid_id")
    )
    if not roles:
        raise ValueError("这里没有生成的数据,请先运行 linli scale generate。")
    step = max(1, len(roles) // grids)
    chosen = roles[::step][:grids]
    accounts = LoadAccounts()
    communities: dict[int, Area] = {}
    for role in chosen:
        grid = role.grid
        assert grid is not None
        accounts.grid_workers.append(role.user.username)
        communities.setdefault(grid.community_id, grid.community)
        reporter_pk = (
            Request.objects.filter(grid=grid, reporter__isnull=False)
            .order_by("pk")
            .values_list("reporter_id", flat=True)
            .first()
        )
        if reporter_pk is None:
            continue
        resident = Resident.objects.get(pk=reporter_pk)
        user = resident_account(
            resident, f"scale-lt-resident-{resident.pk}", password_hash=password_hash
        )
        accounts.residents.append(user.username)
    User.objects.filter(username__in=accounts.grid_workers).update(password=password_hash)
    towns: set[str] = set()
    for community in communities.values():
        accounts.staff.append(f"scale-staff-{community.code}")
        town_leader, _county_leader = leaders_of(community)
        if town_leader.username not in towns:
            towns.add(town_leader.username)
            accounts.leaders.append(town_leader.username)
    User.objects.filter(username__in=[*accounts.staff, *accounts.leaders]).update(
        password=password_hash
    )
    return accounts
