"""How far the weekly visit roster is from the optimum (issue 19, item 4).

Builds one community of 10 grids with 500 elderly people on care plans and 80 volunteers
(deterministic by ``--seed``) through the models and services, in the database it is
given, then:

1. times ``roster_generate`` end to end (reading plans and volunteers, planning, writing
   the week) and the planner alone (``plan_week``);
2. states the same instance to OR-Tools CP-SAT — the same hard rules and the same
   objective as ``linli.rosters.planner.roster_score`` — and solves it (to optimality or
   until ``--time-limit``, reporting the best bound);
3. prints both objectives, the bound and the gap.

Not a test and not run by CI (OR-Tools is a dev dependency only). Run it on a scratch
database:

    LINLI_DATA_DIR=/tmp/linli-roster-bench uv run python bench/roster_optimum.py

``--max-load`` runs the instance with another weekly cap per volunteer than the
instance's own 16 (e.g. the default setting, 6, where far from every visit fits).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from ortools.linear_solver import pywraplp  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from linli.areas.models import Area, AreaKind, Grid  # noqa: E402
from linli.areas.services import area_create, grid_create  # noqa: E402
from linli.care.models import CarePlan, Visit, VisitKind  # noqa: E402
from linli.people.services import ResidentData, resident_create  # noqa: E402
from linli.rosters.models import RosterAssignment  # noqa: E402
from linli.rosters.planner import (  # noqa: E402
    SAME_GRID_AFFINITY,
    SLOTS,
    SPREAD_WEIGHT,
    VISIT_VALUE,
    Placement,
    PlanNeed,
    VolunteerOffer,
    affinity,
    ideal_gap,
    plan_week,
    roster_score,
    roster_violations,
    spread_shortfall,
)
from linli.rosters.services import roster_generate, roster_inputs  # noqa: E402
from linli.volunteers.models import Volunteer  # noqa: E402
from linli.volunteers.services import volunteer_create, volunteer_update  # noqa: E402

GRIDS = 10
ELDERLY = 500
VOLUNTEERS = 80
INSTANCE_MAX_LOAD = 16
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "秀兰桂英玉珍淑芬凤兰建国志明德华春梅金花丽娟文博海军国强秋菊明亮永福"
WEEK = dt.date(2026, 12, 7)  # a Monday; the roster does not depend on the date


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _availability(rng: random.Random) -> list[tuple[int, str]]:
    """Retired people (80 %) are free most mornings and afternoons, some evenings; people at
    work some evenings and at the weekend."""
    if rng.random() < 0.8:
        days = sorted(rng.sample(range(7), rng.randint(6, 7)))
        return [(d, s) for d in days for s in ("morning", "afternoon") if rng.random() < 0.9] + [
            (d, "evening") for d in days if rng.random() < 0.5
        ]
    evenings = [(d, "evening") for d in range(5) if rng.random() < 0.8]
    weekend = [(d, s) for d in (5, 6) for s in SLOTS if rng.random() < 0.7]
    return evenings + weekend


@transaction.atomic
def build(seed: int) -> Area:
    """The instance: one community, 10 grids of a building each, 8 volunteers and 50 elderly
    people per grid; plans need 2 visits a week (85 %), 3 (12 %) or 4 (3 %); 90 % have a
    primary volunteer of their grid, half a backup, 70 % a last visit (by the primary
    three times in four)."""
    existing = Area.objects.filter(code="999001001001").first()
    if existing is not None:
        return existing
    rng = random.Random(seed)
    county = area_create(
        actor=None, parent=None, kind=AreaKind.COUNTY, name="基准县", code="999001"
    )
    town = area_create(
        actor=None, parent=county, kind=AreaKind.TOWN, name="基准镇", code="999001001"
    )
    community = area_create(
        actor=None, parent=town, kind=AreaKind.COMMUNITY, name="基准社区", code="999001001001"
    )
    compound = area_create(
        actor=None,
        parent=community,
        kind=AreaKind.COMPOUND,
        name="基准小区",
        code="999001001001001",
    )
    grids: list[Grid] = []
    buildings: list[Area] = []
    for g in range(1, GRIDS + 1):
        grid = grid_create(
            actor=None, community=community, code=f"999001001001{g:03d}", name=f"第{g}网格"
        )
        grids.append(grid)
        buildings.append(
            area_create(
                actor=None,
                parent=compound,
                kind=AreaKind.BUILDING,
                name=f"{g}号楼",
                code=f"999001001001001{g:03d}",
                grid=grid,
            )
        )

    def person(building: Area, birth_year: int) -> ResidentData:
        return ResidentData(
            name=_name(rng),
            gender=rng.choice(("female", "male")),
            birth_date=dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
            area=building,
        )

    by_grid: dict[int, list[Volunteer]] = defaultdict(list)
    for n in range(VOLUNTEERS):
        g = n % GRIDS
        helper = resident_create(actor=None, data=person(buildings[g], rng.randint(1950, 2000)))
        volunteer = volunteer_create(
            actor=None,
            community=community,
            resident=helper,
            grid=grids[g] if rng.random() < 0.95 else None,
        )
        volunteer_update(
            actor=None,
            volunteer=volunteer,
            kind=volunteer.kind,
            grid=volunteer.grid,
            active=True,
            availability=_availability(rng),
        )
        by_grid[g].append(volunteer)

    now = timezone.now()
    for n in range(ELDERLY):
        g = n % GRIDS
        elder = resident_create(actor=None, data=person(buildings[g], rng.randint(1930, 1958)))
        mates = by_grid[g]
        primary = rng.choice(mates) if rng.random() < 0.9 else None
        backup = rng.choice([v for v in mates if v != primary]) if rng.random() < 0.5 else None
        plan = CarePlan.objects.create(
            resident=elder,
            visits_per_week=rng.choices((2, 3, 4), weights=(85, 12, 3))[0],
            services=["company"],
            primary_volunteer=primary,
            backup_volunteer=backup,
        )
        if rng.random() < 0.7:
            last = primary if primary is not None and rng.random() < 0.75 else rng.choice(mates)
            Visit.objects.create(
                resident=elder,
                plan=plan,
                volunteer=last,
                kind=VisitKind.HOME,
                visited_at=now - dt.timedelta(days=rng.randint(1, 10)),
                duration_minutes=40,
            )
    return community


def solve_optimum(
    needs: list[PlanNeed],
    offers: list[VolunteerOffer],
    *,
    max_load: int,
    time_limit: float,
    hint: list[Placement],
) -> tuple[list[Placement], float, float, str, float]:
    """CP-SAT on the same rules and objective, in an exact but smaller form.

    A volunteer's free slots of one day are interchangeable, so the model says who visits
    whom on which day (at most as many visits as the volunteer has free slots that day)
    and the slots are dealt out after. A person's preferred volunteers are variables of
    their own; every other volunteer is worth the same to all the people of one grid
    (:data:`SAME_GRID_AFFINITY` if of that grid, else 0), so those visits are pooled per
    grid and day: a person draws from the pool, the pool from the volunteers' slots. Any
    way of matching a pool's people to its volunteers is valid (one visit a day each),
    and one that happens to give someone a preferred volunteer only scores more.

    ``hint`` (the planner's roster) is where the search starts.
    """
    hinted = _hint_values(needs, offers, hint)
    model = cp_model.CpModel()
    slots_on: dict[tuple[int, int], list[str]] = defaultdict(list)
    for offer in offers:
        for day, slot in sorted(offer.slots, key=lambda ds: (ds[0], SLOTS.index(ds[1]))):
            slots_on[(offer.volunteer_id, day)].append(slot)
    offers_by_community: dict[int, list[VolunteerOffer]] = defaultdict(list)
    for offer in offers:
        offers_by_community[offer.community_id].append(offer)

    gain: list[cp_model.LinearExprT] = []
    on_volunteer_day: dict[tuple[int, int], list[cp_model.LinearExprT]] = defaultdict(list)
    on_volunteer: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
    direct: dict[tuple[int, int, int], cp_model.IntVar] = {}
    # (community, grid, same grid?, day) -> people drawing from it
    pool_people: dict[tuple[int, int | None, bool, int], list[tuple[int, cp_model.IntVar]]] = (
        defaultdict(list)
    )
    for need in needs:
        preferred = set(need.preferred)
        on_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for offer in offers_by_community[need.community_id]:
            if offer.volunteer_id not in preferred:
                continue
            worth = VISIT_VALUE + affinity(need, offer)
            for day in range(7):
                if (offer.volunteer_id, day) in slots_on:
                    x = model.new_bool_var(f"x{need.plan_id}_{offer.volunteer_id}_{day}")
                    direct[(need.plan_id, offer.volunteer_id, day)] = x
                    model.add_hint(x, hinted.get(("x", need.plan_id, offer.volunteer_id, day), 0))
                    gain.append(worth * x)
                    on_day[day].append(x)
                    on_volunteer_day[(offer.volunteer_id, day)].append(x)
                    on_volunteer[offer.volunteer_id].append(x)
        for same in (True, False) if need.grid_id is not None else (False,):
            worth = VISIT_VALUE + (SAME_GRID_AFFINITY if same else 0)
            for day in range(7):
                y = model.new_bool_var(f"p{need.plan_id}_{int(same)}_{day}")
                gain.append(worth * y)
                on_day[day].append(y)
                pool_people[(need.community_id, need.grid_id, same, day)].append((need.plan_id, y))
                model.add_hint(y, hinted.get(("y", need.plan_id, same, day), 0))
        visited: dict[int, cp_model.IntVar] = {}
        for day, xs in on_day.items():
            z = model.new_bool_var(f"z{need.plan_id}_{day}")
            model.add(sum(xs) == z)
            visited[day] = z
            model.add_hint(z, hinted.get(("z", need.plan_id, day), 0))
        ideal = ideal_gap(need.visits_per_week)
        if ideal == 1:
            model.add(sum(visited.values()) <= need.visits_per_week)
            continue
        # The person's week as one choice among the sets of days it may take, each with its
        # spread shortfall: far tighter for the solver's bound than a term per pair.
        patterns: list[tuple[tuple[int, ...], cp_model.IntVar]] = []
        for size in range(1, need.visits_per_week + 1):
            for days in itertools.combinations(sorted(visited), size):
                q = model.new_bool_var(f"q{need.plan_id}_{days}")
                patterns.append((days, q))
                model.add_hint(q, hinted.get(("q", need.plan_id, days), 0))
                shortfall = spread_shortfall(need.visits_per_week, days)
                if shortfall:
                    gain.append(-SPREAD_WEIGHT * shortfall * q)
        model.add(sum(q for _days, q in patterns) <= 1)
        for day, z in visited.items():
            model.add(z == sum(q for days, q in patterns if day in days))
    pool_draw: dict[tuple[int, int | None, bool, int], list[tuple[int, cp_model.IntVar]]] = {}
    for (community_id, grid_id, same, day), people in pool_people.items():
        draws = []
        for offer in offers_by_community[community_id]:
            key = (offer.volunteer_id, day)
            if key not in slots_on or (offer.grid_id == grid_id and grid_id is not None) != same:
                continue
            f = model.new_int_var(0, len(slots_on[key]), f"f{grid_id}_{int(same)}_{key}")
            draws.append((offer.volunteer_id, f))
            model.add_hint(f, hinted.get(("f", grid_id, same, offer.volunteer_id, day), 0))
            on_volunteer_day[key].append(f)
            on_volunteer[offer.volunteer_id].append(f)
        model.add(sum(y for _plan, y in people) == sum(f for _v, f in draws))
        pool_draw[(community_id, grid_id, same, day)] = draws
    for key, taken in on_volunteer_day.items():
        model.add(sum(taken) <= len(slots_on[key]))
    for load in on_volunteer.values():
        model.add(sum(load) <= max_load)
    model.maximize(sum(gain))

    lp_bound = linear_relaxation_bound(model)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = int(os.environ.get("ROSTER_WORKERS", "2"))
    solver.parameters.log_search_progress = bool(os.environ.get("ROSTER_LOG"))
    started = time.perf_counter()
    status = solver.solve(model)
    elapsed = time.perf_counter() - started

    need_of = {n.plan_id: n for n in needs}
    visits: list[tuple[int, int, int]] = [
        key for key, x in sorted(direct.items()) if solver.value(x)
    ]
    for pool, people in sorted(pool_people.items(), key=repr):
        takers = [plan_id for plan_id, y in people if solver.value(y)]
        givers = [v for v, f in pool_draw[pool] for _ in range(solver.value(f))]
        visits += [(plan_id, v, pool[3]) for plan_id, v in zip(takers, givers, strict=True)]
    dealt: dict[tuple[int, int], int] = defaultdict(int)
    placements: list[Placement] = []
    for plan_id, volunteer_id, day in visits:
        slot = slots_on[(volunteer_id, day)][dealt[(volunteer_id, day)]]
        dealt[(volunteer_id, day)] += 1
        placements.append(Placement(plan_id, need_of[plan_id].resident_id, volunteer_id, day, slot))
    return (
        placements,
        solver.objective_value,
        min(solver.best_objective_bound, lp_bound),
        solver.status_name(status),
        elapsed,
    )


def _hint_values(
    needs: list[PlanNeed], offers: list[VolunteerOffer], placements: list[Placement]
) -> dict[tuple[object, ...], int]:
    """The model's variables for a given roster, keyed as :func:`solve_optimum` names them."""
    need_of = {n.plan_id: n for n in needs}
    offer_of = {o.volunteer_id: o for o in offers}
    values: dict[tuple[object, ...], int] = defaultdict(int)
    days: dict[int, list[int]] = defaultdict(list)
    for p in placements:
        need, offer = need_of[p.plan_id], offer_of[p.volunteer_id]
        days[p.plan_id].append(p.weekday)
        values[("z", p.plan_id, p.weekday)] = 1
        if p.volunteer_id in set(need.preferred):
            values[("x", p.plan_id, p.volunteer_id, p.weekday)] = 1
            continue
        same = need.grid_id is not None and offer.grid_id == need.grid_id
        values[("y", p.plan_id, same, p.weekday)] = 1
        values[("f", need.grid_id, same, p.volunteer_id, p.weekday)] += 1
    for plan_id, plan_days in days.items():
        values[("q", plan_id, tuple(sorted(plan_days)))] = 1
    return values


def linear_relaxation_bound(model: cp_model.CpModel) -> float:
    """The optimum of the model's linear relaxation (GLOP): an upper bound on every roster,
    often far tighter than what CP-SAT proves within its time limit on two cores. (The
    proto's repeated fields do not take negative indices.)"""
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    columns = [
        lp.NumVar(float(v.domain[0]), float(v.domain[len(v.domain) - 1]), f"v{i}")
        for i, v in enumerate(proto.variables)
    ]
    for constraint in proto.constraints:
        linear = constraint.linear
        assert constraint.has_linear(), constraint
        assert not constraint.enforcement_literal, constraint
        row = lp.RowConstraint(
            max(float(linear.domain[0]), -lp.infinity()),
            min(float(linear.domain[len(linear.domain) - 1]), lp.infinity()),
        )
        for var, coeff in zip(linear.vars, linear.coeffs, strict=True):
            row.SetCoefficient(columns[var], float(coeff))
    objective = lp.Objective()
    for var, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(columns[var], float(coeff))
    # CP-SAT stores a maximisation as the minimisation of its negation.
    objective.SetMinimization()
    assert lp.Solve() == pywraplp.Solver.OPTIMAL
    scale = proto.objective.scaling_factor or 1.0
    return float((objective.Value() + proto.objective.offset) * scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--max-load", type=int, default=INSTANCE_MAX_LOAD)
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    community = build(args.seed)
    print(f"instance built in {time.perf_counter() - started:.1f} s")

    needs, offers = roster_inputs([community])
    demand = sum(min(n.visits_per_week, 7) for n in needs)
    capacity = sum(min(len(o.slots), args.max_load) for o in offers)
    print(
        f"{len(needs)} plans needing {demand} visits; {len(offers)} volunteers with "
        f"{sum(len(o.slots) for o in offers)} free slots, at most {args.max_load} visits "
        f"each: capacity {capacity}"
    )

    started = time.perf_counter()
    roster_generate(actor=None, week_start=WEEK, communities=[community], max_load=args.max_load)
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    roster = plan_week(needs, offers, max_load=args.max_load)
    planner_s = time.perf_counter() - started
    stored = [
        Placement(a.plan_id, a.resident_id, a.volunteer_id, a.day.weekday(), a.slot)
        for a in RosterAssignment.objects.filter(week_start=WEEK)
    ]
    assert sorted(stored, key=repr) == sorted(roster.placements, key=repr)
    assert not roster_violations(needs, offers, roster.placements, max_load=args.max_load)
    linli = roster_score(needs, offers, roster.placements)

    placements, value, bound, status, solve_s = solve_optimum(
        needs, offers, max_load=args.max_load, time_limit=args.time_limit, hint=roster.placements
    )
    assert not roster_violations(needs, offers, placements, max_load=args.max_load)
    optimum = roster_score(needs, offers, placements)
    # A solution stopped short of optimal may count a spread shortfall it does not have.
    assert optimum.total >= round(value), (optimum, value)

    gap = 100 * (bound - linli.total) / bound
    print()
    print("| | Linli | CP-SAT |")
    print("| --- | ---: | ---: |")
    print(f"| objective | {linli.total:,} | {optimum.total:,} ({status}) |")
    print(f"| best bound | | {bound:,.0f} |")
    print(f"| gap to the bound | {gap:.2f} % | {100 * (bound - value) / bound:.2f} % |")
    short = 100 * (optimum.total - linli.total) / optimum.total
    print(f"| short of CP-SAT's best | {short:.2f} % | |")
    print(f"| visits placed (of {demand}) | {linli.visits:,} | {optimum.visits:,} |")
    print(f"| affinity (same faces) | {linli.affinity:,} | {optimum.affinity:,} |")
    print(
        f"| spread shortfall (days) | {linli.spread_shortfall:,} | {optimum.spread_shortfall:,} |"
    )
    print(f"| time | {generate_s:.2f} s end to end, planner {planner_s:.2f} s | {solve_s:.1f} s |")


if __name__ == "__main__":
    main()
