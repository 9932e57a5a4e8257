"""More of the register than the cast has, made through the same services the pages use."""

from __future__ import annotations

import datetime as dt
import itertools

from linli.areas.models import Area, AreaKind, Grid
from linli.areas.services import area_create
from linli.people.models import Household, Relation, Resident, Tag
from linli.people.services import ResidentData, household_create, resident_create
from tests.cast import id_number_for

_sequence = itertools.count(1)


def add_household(unit: Area, *, members: int = 1, tags: dict[Tag, str] | None = None) -> Household:
    """A household in the first free room of ``unit`` with ``members`` residents."""
    taken = set(Household.objects.filter(unit=unit).values_list("room", flat=True))
    room = next(r for r in unit.rooms() if r not in taken)
    household = household_create(actor=None, unit=unit, room=room)
    for index in range(members):
        add_resident(
            household,
            relation=Relation.HEAD if index == 0 else Relation.CHILD,
            tags=tags,
        )
    return household


def add_resident(
    household: Household | None,
    *,
    name: str | None = None,
    relation: str = Relation.HEAD,
    tags: dict[Tag, str] | None = None,
) -> Resident:
    n = next(_sequence)
    # Spread over fifty-odd years of adults (children under 14 need a guardian's consent,
    # see ``add_child``), never in the future however many tests have run.
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(n * 37) % 19_000)
    return resident_create(
        actor=None,
        data=ResidentData(
            name=name or f"居民{n:04d}",
            gender="male",
            birth_date=birth,
            id_number=id_number_for(birth, "male", n),
            phone=f"139{n:08d}",
            household=household,
            relation_to_head=relation,
        ),
        tags=tags,
    )


def add_building(compound: Area, grid: Grid, number: int, *, units: int = 1) -> Area:
    building = area_create(
        actor=None,
        parent=compound,
        kind=AreaKind.BUILDING,
        name=f"{number}号楼",
        code=f"{compound.code}{number:03d}",
        grid=grid,
    )
    for unit_number in range(1, units + 1):
        area_create(
            actor=None,
            parent=building,
            kind=AreaKind.UNIT,
            name=f"{unit_number}单元",
            code=f"{building.code}{unit_number:02d}",
            floors=6,
            flats_per_floor=2,
        )
    return building
