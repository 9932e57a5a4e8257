"""Benchmark: dry run and import of a 10,000-row register sheet (issue 18: under a minute).

Run against a scratch database, never a real one::

    LINLI_DATA_DIR=/tmp/linli-bench uv run python bench/import_10k.py [rows]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench uv run python bench/import_10k.py

It migrates, builds a community with enough flats, writes an .xlsx through the
template's columns, then times the dry run and the all-or-nothing import the task
queue runs (called directly here, so the figure is the work, not the queue's latency).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from linli.accounts.models import User  # noqa: E402
from linli.areas.models import Area, AreaKind  # noqa: E402
from linli.areas.services import area_create, grid_create  # noqa: E402
from linli.core.spreadsheets import Sheet, xlsx_bytes  # noqa: E402
from linli.core.validators import id_number_check_char  # noqa: E402
from linli.imports.models import ImportJob  # noqa: E402
from linli.imports.reading import COLUMNS  # noqa: E402
from linli.imports.services import (  # noqa: E402
    import_job_check,
    import_job_run,
    import_job_start,
    upload_dir,
)

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
FLOORS, FLATS, UNITS = 18, 4, 4  # 288 flats a building


def world() -> tuple[Area, User, list[tuple[str, str, str]]]:
    code = "149901"
    county = Area.objects.filter(code=code).first() or area_create(
        actor=None, parent=None, kind=AreaKind.COUNTY, name="基准县", code=code
    )
    towns = Area.objects.filter(kind=AreaKind.TOWN, code__startswith=code).count()
    town = area_create(
        actor=None,
        parent=county,
        kind=AreaKind.TOWN,
        name="基准镇",
        code=f"{code}{towns + 1:03d}",
    )
    community = area_create(
        actor=None, parent=town, kind=AreaKind.COMMUNITY, name="基准社区", code=f"{town.code}001"
    )
    grid = grid_create(actor=None, community=community, code=f"{community.code}001", name="第1网格")
    compound = area_create(
        actor=None,
        parent=community,
        kind=AreaKind.COMPOUND,
        name="基准小区",
        code=f"{community.code}001",
    )
    flats: list[tuple[str, str, str]] = []
    number = 0
    while len(flats) < ROWS:
        number += 1
        building = area_create(
            actor=None,
            parent=compound,
            kind=AreaKind.BUILDING,
            name=f"{number}号楼",
            code=f"{compound.code}{number:03d}",
            grid=grid,
        )
        for u in range(1, UNITS + 1):
            area_create(
                actor=None,
                parent=building,
                kind=AreaKind.UNIT,
                name=f"{u}单元",
                code=f"{building.code}{u:02d}",
                floors=FLOORS,
                flats_per_floor=FLATS,
            )
            for floor in range(1, FLOORS + 1):
                for flat in range(1, FLATS + 1):
                    flats.append((building.name, f"{u}单元", f"{floor}{flat:02d}"))
    user, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True}
    )
    return community, user, flats[:ROWS]


def sheet(flats: list[tuple[str, str, str]], seed: int) -> bytes:
    rows = []
    for n, (building, unit, room) in enumerate(flats):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=(n * 7) % 25_000)
        first17 = f"149901{birth:%Y%m%d}{(seed * 7 + n) % 1000:03d}"
        number = first17 + id_number_check_char(first17)
        gender = "男" if int(number[16]) % 2 else "女"
        rows.append(
            [
                "基准小区",
                building,
                unit,
                room,
                f"居民{n:05d}",
                number,
                gender,
                f"{birth:%Y-%m-%d}",
                "户主",
                f"139{seed:02d}{n:06d}",
                "独居老人" if n % 10 == 0 else "",
                "",
            ]
        )
    return xlsx_bytes([Sheet(title="居民", header=COLUMNS, rows=rows)])


def main() -> None:
    call_command("migrate", verbosity=0)
    community, user, flats = world()
    seed = ImportJob.objects.count() % 100
    data = sheet(flats, seed)
    path = upload_dir() / f"bench-{seed}.xlsx"
    path.write_bytes(data)
    job = ImportJob.objects.create(
        community=community, created_by=user, file_name=path.name, stored_path=str(path)
    )
    started = time.perf_counter()
    job = import_job_check(job=job)
    checked = time.perf_counter()
    if job.status != ImportJob.Status.CHECKED:
        print("dry run found problems:", job.errors[:5])
        return
    import_job_start(job=job, actor=user)
    job = import_job_run(job=job)
    done = time.perf_counter()
    print(f"rows: {ROWS}  status: {job.status}  created: {job.created_count}")
    print(
        f"dry run: {checked - started:.1f} s  import (incl. its re-check): {done - checked:.1f} s"
    )


if __name__ == "__main__":
    main()
