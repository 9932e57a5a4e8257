"""The named cast every test can start from (healthchecks-style: alice, bob, charlie).

One community, 和平社区, with two grids. Grid 1 covers 1号楼 and grid 2 covers 2号楼
of 和平小区; each grid has its own worker. A resident lives in 1号楼, a volunteer in
2号楼; staff and an admin hold the whole community, a leader the town above it.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.services import area_create, grid_create
from linli.core.roles import Role
from linli.core.validators import id_number_check_char
from linli.people.models import Household, Relation, Resident, Tag, TagCode
from linli.people.services import ResidentData, household_create, resident_create

PASSWORD = "Cast-Pass-2026"
# Tests hash passwords with MD5: the production hashers are slow on purpose.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def id_number_for(birth: dt.date, gender: str, sequence: int = 1) -> str:
    seq = sequence * 2 + (1 if gender == "male" else 0)
    first17 = f"141181{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_number_check_char(first17)


@dataclass
class Cast:
    county: Area
    town: Area
    community: Area
    compound: Area
    grid1: Grid
    grid2: Grid
    building1: Area
    building2: Area
    unit1: Area
    unit2: Area
    household1: Household
    household2: Household
    elder: Resident
    neighbour: Resident
    worker1: User
    worker2: User
    resident_user: User
    volunteer_user: User
    staff: User
    leader: User
    admin: User
    other_community: Area


def make_user(username: str, full_name: str = "") -> User:
    user = User(username=username, full_name=full_name or username)
    user.set_password(PASSWORD)
    user.save()
    return user


def build_cast() -> Cast:
    county = area_create(
        actor=None, parent=None, kind=AreaKind.COUNTY, name="孝义市", code="141181"
    )
    town = area_create(
        actor=None, parent=county, kind=AreaKind.TOWN, name="和平镇", code="141181200"
    )
    community = area_create(
        actor=None, parent=town, kind=AreaKind.COMMUNITY, name="和平社区", code="141181200001"
    )
    other_community = area_create(
        actor=None, parent=town, kind=AreaKind.COMMUNITY, name="友谊社区", code="141181200002"
    )
    grid1 = grid_create(actor=None, community=community, code="141181200001001", name="第1网格")
    grid2 = grid_create(actor=None, community=community, code="141181200001002", name="第2网格")
    compound = area_create(
        actor=None,
        parent=community,
        kind=AreaKind.COMPOUND,
        name="和平小区",
        code="141181200001001",
    )
    building1 = area_create(
        actor=None,
        parent=compound,
        kind=AreaKind.BUILDING,
        name="1号楼",
        code="141181200001001001",
        grid=grid1,
    )
    building2 = area_create(
        actor=None,
        parent=compound,
        kind=AreaKind.BUILDING,
        name="2号楼",
        code="141181200001001002",
        grid=grid2,
    )
    unit1 = area_create(
        actor=None,
        parent=building1,
        kind=AreaKind.UNIT,
        name="1单元",
        code="14118120000100100101",
        floors=6,
        flats_per_floor=2,
    )
    unit2 = area_create(
        actor=None,
        parent=building2,
        kind=AreaKind.UNIT,
        name="1单元",
        code="14118120000100100201",
        floors=6,
        flats_per_floor=2,
    )
    household1 = household_create(actor=None, unit=unit1, room="101")
    household2 = household_create(actor=None, unit=unit2, room="502")
    living_alone = Tag.objects.get(code=TagCode.LIVING_ALONE)
    elder_birth = dt.date(1957, 3, 8)
    elder = resident_create(
        actor=None,
        data=ResidentData(
            name="王秀兰",
            alias="王大娘",
            gender="female",
            birth_date=elder_birth,
            id_number=id_number_for(elder_birth, "female"),
            phone="13812345678",
            household=household1,
            relation_to_head=Relation.HEAD,
        ),
        tags={living_alone: ""},
    )
    neighbour_birth = dt.date(1980, 6, 1)
    neighbour = resident_create(
        actor=None,
        data=ResidentData(
            name="李建军",
            gender="male",
            birth_date=neighbour_birth,
            id_number=id_number_for(neighbour_birth, "male"),
            phone="13900001111",
            household=household2,
        ),
    )
    worker1 = make_user("worker1", "陈网格")
    role_assign(actor=None, user=worker1, role=Role.GRID_WORKER, grid=grid1)
    worker2 = make_user("worker2", "李网格")
    role_assign(actor=None, user=worker2, role=Role.GRID_WORKER, grid=grid2)
    resident_user = make_user("resident", "王秀兰")
    role_assign(actor=None, user=resident_user, role=Role.RESIDENT, area=community)
    elder.user = resident_user
    elder.save(update_fields=["user"])
    volunteer_user = make_user("volunteer", "白志愿")
    role_assign(actor=None, user=volunteer_user, role=Role.VOLUNTEER, area=community)
    staff = make_user("staff", "刘社工")
    role_assign(actor=None, user=staff, role=Role.STAFF, area=community)
    leader = make_user("leader", "阎镇长")
    role_assign(actor=None, user=leader, role=Role.LEADER, area=town)
    admin = make_user("admin", "管理员")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    return Cast(
        county=county,
        town=town,
        community=community,
        compound=compound,
        grid1=grid1,
        grid2=grid2,
        building1=building1,
        building2=building2,
        unit1=unit1,
        unit2=unit2,
        household1=household1,
        household2=household2,
        elder=elder,
        neighbour=neighbour,
        worker1=worker1,
        worker2=worker2,
        resident_user=resident_user,
        volunteer_user=volunteer_user,
        staff=staff,
        leader=leader,
        admin=admin,
        other_community=other_community,
    )


# --- the cast, recorded once and replayed per test ------------------------------------------
#
# Building the cast through the services takes about 220 statements (audit events, tags,
# consent, roles), and nearly every test starts from it: on PostgreSQL that was a third of
# the suite's time. The suite therefore builds it once, in a transaction it rolls back,
# keeps every row that the building added, and each test writes those rows back in one
# bulk insert per table, with the same primary keys, then reads the cast's objects. What a
# test sees is what building it would have given — except timestamps that the building set
# by default (audit times, creation times), which keep the time of the recording; fields
# with ``auto_now`` are stamped anew by the bulk insert.


@dataclass(frozen=True)
class CastRecording:
    added: list[tuple[type[Model], list[Model]]]
    changed: list[tuple[type[Model], list[Model]]]
    members: dict[str, tuple[type[Model], int]]


def _table_state(model: type[Model]) -> dict[Any, tuple[Any, ...]]:
    rows = model._base_manager.order_by().values_list("pk", *_attnames(model))
    return {row[0]: row for row in rows}


def _attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def record_cast() -> CastRecording | None:
    """Build the cast in a transaction that is rolled back; keep the rows it added and the
    rows it changed (the audit chain's head).

    ``None`` when building it removed a row that was there before: replaying could not
    reproduce that, so every test builds its own cast.
    """
    models = _models()
    recording: CastRecording | None = None
    with transaction.atomic():
        before = {model: _table_state(model) for model in models}
        cast = build_cast()
        added: list[tuple[type[Model], list[Model]]] = []
        changed: list[tuple[type[Model], list[Model]]] = []
        removed = False
        for model in models:
            after = _table_state(model)
            old = before[model]
            removed = removed or any(pk not in after for pk in old)
            new = [pk for pk in after if pk not in old]
            edited = [pk for pk, row in old.items() if pk in after and after[pk] != row]
            if new:
                added.append((model, list(model._base_manager.filter(pk__in=new))))
            if edited:
                changed.append((model, list(model._base_manager.filter(pk__in=edited))))
        if not removed:
            members = {
                field.name: (type(value), value.pk)
                for field in fields(Cast)
                if isinstance(value := getattr(cast, field.name), Model)
            }
            recording = CastRecording(added=added, changed=changed, members=members)
        transaction.set_rollback(True)
    return recording


def replay_cast(recording: CastRecording) -> Cast:
    """Write the recorded rows back and read the cast's objects (one query per model)."""
    # In one transaction: the foreign keys are checked at its end, whatever the order of
    # the tables (a transactional test would otherwise commit table by table).
    with transaction.atomic():
        for model, instances in recording.added:
            model._base_manager.bulk_create([copy.copy(instance) for instance in instances])
        for model, instances in recording.changed:
            columns = [f.name for f in model._meta.concrete_fields if not f.primary_key]
            model._base_manager.bulk_update([copy.copy(row) for row in instances], columns)
    # PostgreSQL's sequences do not move for rows inserted with their keys (and a flush may
    # have reset them): set each past the highest key, as loaddata does.
    statements = connection.ops.sequence_reset_sql(
        no_style(), [model for model, _instances in recording.added]
    )
    if statements:
        with connection.cursor() as cursor:
            cursor.execute("; ".join(statements))
    wanted: dict[type[Model], set[int]] = {}
    for model, pk in recording.members.values():
        wanted.setdefault(model, set()).add(pk)
    loaded = {model: model._base_manager.in_bulk(pks) for model, pks in wanted.items()}
    members = {name: loaded[model][pk] for name, (model, pk) in recording.members.items()}
    return Cast(**members)  # type: ignore[arg-type]
