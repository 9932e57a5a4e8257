"""Assigning a week's home visits to volunteers: plain data in, plain data out.

The rules, in order of importance:

1. A volunteer only gets a visit in a weekly slot they said they are free (周三下午),
   one visit per slot, and at most ``max_load`` visits in the week.
2. A person gets each visit on a different day.
3. The same faces: the plan's primary volunteer first, then whoever visited last, then
   the backup volunteer, then volunteers of the person's grid, then anyone else of
   the community.
4. Visits are spread across the week: a day at least 7/N days from the person's other
   visits is preferred; among equals the less loaded volunteer, then the earlier day.

Plans with more visits a week are placed first, as they are the hardest to fit. Local
search then improves that greedy week (fill, move, swap, hand over while the score gains). What
cannot be placed is returned as a gap with a reason in Chinese.

:func:`roster_score` is the objective these rules add up to, one number to maximise (the
benchmark ``bench/roster_optimum.py`` compares the planner with the optimum of it): every
visit placed is worth :data:`VISIT_VALUE`, plus its volunteer's :func:`affinity` (the same
faces), minus :data:`SPREAD_WEIGHT` for each day a pair of a person's visits falls short of
7/N days apart (:func:`spread_shortfall`). A visit placed always outweighs any preference.
Rules 1 and 2 are hard constraints (:func:`roster_violations`); the load and the earlier
day only break ties.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SLOTS = ("morning", "afternoon", "evening")


@dataclass(frozen=True)
class PlanNeed:
    plan_id: int
    resident_id: int
    community_id: int
    grid_id: int | None
    visits_per_week: int
    # Volunteer ids in order of preference: primary, last visitor, backup.
    preferred: Sequence[int] = ()


@dataclass(frozen=True)
class VolunteerOffer:
    volunteer_id: int
    community_id: int
    grid_id: int | None
    # (weekday 0-6, slot) pairs.
    slots: frozenset[tuple[int, str]] = frozenset()


@dataclass(frozen=True)
class Placement:
    plan_id: int
    resident_id: int
    volunteer_id: int
    weekday: int
    slot: str


@dataclass(frozen=True)
class Gap:
    plan_id: int
    resident_id: int
    missing: int
    reason: str


@dataclass
class Roster:
    placements: list[Placement] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def _circular_gap(day: int, days: Sequence[int]) -> int:
    if not days:
        return 7
    return min(min(abs(day - d), 7 - abs(day - d)) for d in days)


# The objective's weights (see the module docstring).
VISIT_VALUE = 100
PREFERRED_AFFINITY = (40, 30, 20)  # primary, last visitor, backup (later ones: the last)
SAME_GRID_AFFINITY = 10
SPREAD_WEIGHT = 10


def affinity(need: PlanNeed, offer: VolunteerOffer) -> int:
    """How much it is worth that ``offer``'s volunteer makes one of ``need``'s visits."""
    preferred = list(dict.fromkeys(need.preferred))
    if offer.volunteer_id in preferred:
        rank = preferred.index(offer.volunteer_id)
        return PREFERRED_AFFINITY[min(rank, len(PREFERRED_AFFINITY) - 1)]
    if need.grid_id is not None and offer.grid_id == need.grid_id:
        return SAME_GRID_AFFINITY
    return 0


def ideal_gap(visits_per_week: int) -> int:
    return max(1, 7 // visits_per_week)


def spread_shortfall(visits_per_week: int, days: Sequence[int]) -> int:
    """Days short of 7/N apart, summed over every pair of one person's visit days."""
    ideal = ideal_gap(visits_per_week)
    return sum(max(0, ideal - _circular_gap(a, [b])) for a, b in itertools.combinations(days, 2))


@dataclass(frozen=True)
class RosterScore:
    visits: int
    affinity: int
    spread_shortfall: int

    @property
    def total(self) -> int:
        return VISIT_VALUE * self.visits + self.affinity - SPREAD_WEIGHT * self.spread_shortfall


def roster_score(
    needs: Sequence[PlanNeed], offers: Sequence[VolunteerOffer], placements: Iterable[Placement]
) -> RosterScore:
    """The objective of a week's placements (higher is better); see the module docstring."""
    need_of = {n.plan_id: n for n in needs}
    offer_of = {o.volunteer_id: o for o in offers}
    days: dict[int, list[int]] = {}
    visits = affinity_sum = 0
    for placement in placements:
        need = need_of[placement.plan_id]
        visits += 1
        affinity_sum += affinity(need, offer_of[placement.volunteer_id])
        days.setdefault(placement.plan_id, []).append(placement.weekday)
    shortfall = sum(
        spread_shortfall(need_of[plan_id].visits_per_week, plan_days)
        for plan_id, plan_days in days.items()
    )
    return RosterScore(visits=visits, affinity=affinity_sum, spread_shortfall=shortfall)


def roster_violations(
    needs: Sequence[PlanNeed],
    offers: Sequence[VolunteerOffer],
    placements: Iterable[Placement],
    *,
    max_load: int,
) -> list[str]:
    """Every hard rule a set of placements breaks (empty when it is a valid roster)."""
    need_of = {n.plan_id: n for n in needs}
    offer_of = {o.volunteer_id: o for o in offers}
    problems: list[str] = []
    load: dict[int, int] = {}
    slots_taken: set[tuple[int, int, str]] = set()
    person_days: set[tuple[int, int]] = set()
    per_plan: dict[int, int] = {}
    for p in placements:
        need, offer = need_of.get(p.plan_id), offer_of.get(p.volunteer_id)
        if need is None or offer is None:
            problems.append(f"{p}: unknown plan or volunteer")
            continue
        if offer.community_id != need.community_id:
            problems.append(f"{p}: volunteer of another community")
        if (p.weekday, p.slot) not in offer.slots:
            problems.append(f"{p}: volunteer not free in that slot")
        if (p.volunteer_id, p.weekday, p.slot) in slots_taken:
            problems.append(f"{p}: volunteer slot used twice")
        slots_taken.add((p.volunteer_id, p.weekday, p.slot))
        if (p.plan_id, p.weekday) in person_days:
            problems.append(f"{p}: two visits on one day")
        person_days.add((p.plan_id, p.weekday))
        load[p.volunteer_id] = load.get(p.volunteer_id, 0) + 1
        per_plan[p.plan_id] = per_plan.get(p.plan_id, 0) + 1
    problems += [f"volunteer {v}: {n} visits > {max_load}" for v, n in load.items() if n > max_load]
    problems += [
        f"plan {plan_id}: {n} visits > {need_of[plan_id].visits_per_week}"
        for plan_id, n in per_plan.items()
        if plan_id in need_of and n > need_of[plan_id].visits_per_week
    ]
    return problems


def plan_week(
    needs: Sequence[PlanNeed], offers: Sequence[VolunteerOffer], *, max_load: int
) -> Roster:
    """The week's roster: the greedy placement of the rules above, then local search on
    :func:`roster_score` (:meth:`_Week.improve`)."""
    week = _Week(needs, offers, max_load)
    ordered = sorted(needs, key=lambda n: (-n.visits_per_week, n.resident_id))
    for need in ordered:
        for _visit in range(need.visits_per_week):
            if not week.place_greedily(need):
                break
    week.improve()
    roster = Roster(placements=week.placements())
    for need in ordered:
        days = week.days_of(need.plan_id)
        missing = need.visits_per_week - len(days)
        if missing > 0:
            roster.gaps.append(
                Gap(
                    need.plan_id,
                    need.resident_id,
                    missing,
                    _gap_reason(
                        need,
                        week.by_community.get(need.community_id, []),
                        days,
                        week.load,
                        set(week.booked),
                        max_load,
                    ),
                )
            )
    return roster


@dataclass(slots=True)
class _Visit:
    """A visit being planned; its volunteer slot may still change while improving."""

    plan_id: int
    volunteer_id: int
    weekday: int
    slot: str


# An improvement pass stops after this many rounds even if it still finds gains; each
# round is a sweep over every visit; the 500-person week of bench/roster_optimum.py stops
# gaining after four.
MAX_IMPROVEMENT_ROUNDS = 20


class _Week:
    """The state of a week being planned, with the moves the planner makes on it."""

    def __init__(
        self, needs: Sequence[PlanNeed], offers: Sequence[VolunteerOffer], max_load: int
    ) -> None:
        self.max_load = max_load
        self.need_of = {n.plan_id: n for n in needs}
        self.offer_of = {o.volunteer_id: o for o in offers}
        self.load: dict[int, int] = {o.volunteer_id: 0 for o in offers}
        self.booked: dict[tuple[int, int, str], int] = {}
        self.visits: dict[int, _Visit] = {}
        self.of_plan: dict[int, list[int]] = {}
        self.of_volunteer: dict[int, set[int]] = {o.volunteer_id: set() for o in offers}
        self.by_community: dict[int, list[VolunteerOffer]] = {}
        for offer in offers:
            self.by_community.setdefault(offer.community_id, []).append(offer)
        self._groups: dict[int, list[list[VolunteerOffer]]] = {}
        self._affinity: dict[tuple[int, int], int] = {}
        self._next_key = 0
        self._fans_of: dict[int, list[int]] | None = None

    # -- reading the state
    def days_of(self, plan_id: int) -> list[int]:
        return [self.visits[v].weekday for v in self.of_plan.get(plan_id, [])]

    def placements(self) -> list[Placement]:
        return [
            Placement(
                v.plan_id, self.need_of[v.plan_id].resident_id, v.volunteer_id, v.weekday, v.slot
            )
            for v in self.visits.values()
        ]

    def affinity(self, plan_id: int, volunteer_id: int) -> int:
        key = (plan_id, volunteer_id)
        if key not in self._affinity:
            self._affinity[key] = affinity(self.need_of[plan_id], self.offer_of[volunteer_id])
        return self._affinity[key]

    def groups(self, need: PlanNeed) -> list[list[VolunteerOffer]]:
        """The community's volunteers in the order of rule 3: each preferred one alone, then
        the person's grid, then everyone else."""
        if need.plan_id not in self._groups:
            community = self.by_community.get(need.community_id, [])
            in_community = {o.volunteer_id: o for o in community}
            preferred = [
                in_community[v] for v in dict.fromkeys(need.preferred) if v in in_community
            ]
            chosen = {o.volunteer_id for o in preferred}
            grid = [
                o
                for o in community
                if o.volunteer_id not in chosen
                and need.grid_id is not None
                and o.grid_id == need.grid_id
            ]
            chosen |= {o.volunteer_id for o in grid}
            rest = [o for o in community if o.volunteer_id not in chosen]
            self._groups[need.plan_id] = [[o] for o in preferred] + [grid, rest]
        return self._groups[need.plan_id]

    # -- changing it
    def add(self, plan_id: int, volunteer_id: int, weekday: int, slot: str) -> None:
        key = self._next_key
        self._next_key += 1
        self.visits[key] = _Visit(plan_id, volunteer_id, weekday, slot)
        self.of_plan.setdefault(plan_id, []).append(key)
        self.of_volunteer[volunteer_id].add(key)
        self.booked[(volunteer_id, weekday, slot)] = key
        self.load[volunteer_id] += 1

    def move(self, key: int, volunteer_id: int, weekday: int, slot: str) -> None:
        visit = self.visits[key]
        del self.booked[(visit.volunteer_id, visit.weekday, visit.slot)]
        self.of_volunteer[visit.volunteer_id].discard(key)
        self.load[visit.volunteer_id] -= 1
        visit.volunteer_id, visit.weekday, visit.slot = volunteer_id, weekday, slot
        self.booked[(volunteer_id, weekday, slot)] = key
        self.of_volunteer[volunteer_id].add(key)
        self.load[volunteer_id] += 1

    def place_greedily(self, need: PlanNeed) -> bool:
        """One more visit for ``need`` by rules 1–4; False when none fits."""
        days = self.days_of(need.plan_id)
        ideal = ideal_gap(need.visits_per_week)
        for group in self.groups(need):
            best: tuple[tuple[int, int, int, int], int, int, str] | None = None
            for offer in group:
                vid = offer.volunteer_id
                if self.load[vid] >= self.max_load:
                    continue
                for weekday, slot in offer.slots:
                    if weekday in days or (vid, weekday, slot) in self.booked:
                        continue
                    spread_penalty = max(0, ideal - _circular_gap(weekday, days))
                    cost = (spread_penalty, self.load[vid], weekday, SLOTS.index(slot))
                    if best is None or cost < best[0]:
                        best = (cost, vid, weekday, slot)
            if best is not None:
                self.add(need.plan_id, best[1], best[2], best[3])
                return True
        return False

    # -- the improvement pass
    def _worth(self, plan_id: int, volunteer_id: int, days: Sequence[int]) -> int:
        """A visit's share of the objective that changes with its volunteer and day, given
        all of the person's visit days (``days``)."""
        need = self.need_of[plan_id]
        return self.affinity(plan_id, volunteer_id) - SPREAD_WEIGHT * spread_shortfall(
            need.visits_per_week, days
        )

    def improve(self) -> None:
        """Local search on :func:`roster_score`: fill what is still missing, move visits to
        free slots, and swap the slots of two people's visits, while any of it gains."""
        for _round in range(MAX_IMPROVEMENT_ROUNDS):
            gained = self._fill_missing()
            for key in sorted(self.visits):
                gained |= self._relocate(key) or self._swap(key) or self._hand_over(key)
            if not gained:
                return
        # Out of rounds: a move of the last one may have freed a slot someone still misses.
        self._fill_missing()

    def _fans(self, volunteer_id: int) -> list[int]:
        """The plans that prefer ``volunteer_id`` or share its grid."""
        if self._fans_of is None:
            self._fans_of = {}
            for need in self.need_of.values():
                for group in self.groups(need)[:-1]:
                    for offer in group:
                        self._fans_of.setdefault(offer.volunteer_id, []).append(need.plan_id)
        return self._fans_of.get(volunteer_id, [])

    def _hand_over(self, key: int) -> bool:
        """Give a visit's volunteer slot to someone still missing a visit who likes that
        volunteer better (when the volunteers' caps run out, who gets the visits is the
        choice that matters)."""
        visit = self.visits[key]
        a, vid, day = visit.plan_id, visit.volunteer_id, visit.weekday
        need_a = self.need_of[a]
        days_a = self.days_of(a)
        rest_a = [d for d in days_a if d != day]
        loss = (
            self.affinity(a, vid)
            - SPREAD_WEIGHT * spread_shortfall(need_a.visits_per_week, days_a)
            + SPREAD_WEIGHT * spread_shortfall(need_a.visits_per_week, rest_a)
        )
        best: tuple[int, int] | None = None
        for b in self._fans(vid):
            need_b = self.need_of[b]
            days_b = self.days_of(b)
            if b == a or len(days_b) >= need_b.visits_per_week or day in days_b:
                continue
            if self.affinity(b, vid) <= self.affinity(a, vid):
                continue
            gain = (
                self.affinity(b, vid)
                - SPREAD_WEIGHT * spread_shortfall(need_b.visits_per_week, [*days_b, day])
                + SPREAD_WEIGHT * spread_shortfall(need_b.visits_per_week, days_b)
                - loss
            )
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, b)
        if best is None:
            return False
        self.of_plan[a].remove(key)
        self.of_plan.setdefault(best[1], []).append(key)
        visit.plan_id = best[1]
        return True

    def _fill_missing(self) -> bool:
        gained = False
        for need in self.need_of.values():
            while len(self.of_plan.get(need.plan_id, [])) < need.visits_per_week:
                if not self.place_greedily(need):
                    break
                gained = True
        return gained

    def _candidates(self, plan_id: int, at_least: int) -> list[VolunteerOffer]:
        """The volunteers ``plan_id`` prefers or of its grid whose affinity is at least
        ``at_least`` (the rest are all worth 0 to it: moving to them never gains)."""
        groups = self.groups(self.need_of[plan_id])
        return [
            o
            for group in groups[:-1]
            for o in group
            if self.affinity(plan_id, o.volunteer_id) >= at_least
        ]

    def _relocate(self, key: int) -> bool:
        visit = self.visits[key]
        plan_id, vid, day = visit.plan_id, visit.volunteer_id, visit.weekday
        other_days = [d for d in self.days_of(plan_id) if d != day]
        current = self._worth(plan_id, vid, [*other_days, day])
        best: tuple[int, int, int, str] | None = None
        here = self.affinity(plan_id, vid)
        for offer in [*self._candidates(plan_id, here), self.offer_of[vid]]:
            to = offer.volunteer_id
            if to != vid and self.load[to] >= self.max_load:
                continue
            for weekday, to_slot in sorted(offer.slots):
                if weekday in other_days or (to, weekday, to_slot) in self.booked:
                    continue
                gain = self._worth(plan_id, to, [*other_days, weekday]) - current
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, to, weekday, to_slot)
        if best is None:
            return False
        self.move(key, best[1], best[2], best[3])
        return True

    def _swap(self, key: int) -> bool:
        mine = self.visits[key]
        a, vid_a, day_a = mine.plan_id, mine.volunteer_id, mine.weekday
        days_a = [d for d in self.days_of(a) if d != day_a]
        worth_a = self._worth(a, vid_a, [*days_a, day_a])
        best: tuple[int, int] | None = None
        here = self.affinity(a, vid_a)
        # Towards a volunteer ``a`` likes better (a swap that gains only for the other person
        # is found from that person's side), or, while ``a``'s days are bunched, to another
        # day of a volunteer it likes as much, its own included.
        bunched = worth_a < here
        candidates = self._candidates(a, here if bunched else here + 1)
        if bunched and self.offer_of[vid_a] not in candidates:
            candidates.append(self.offer_of[vid_a])
        for offer in candidates:
            vid_b = offer.volunteer_id
            for other in sorted(self.of_volunteer[vid_b]):
                theirs = self.visits[other]
                b, day_b = theirs.plan_id, theirs.weekday
                if b == a or day_b in days_a or (vid_b == vid_a and day_b == day_a):
                    continue
                affinity_gain = (
                    self.affinity(a, vid_b)
                    + self.affinity(b, vid_a)
                    - here
                    - self.affinity(b, vid_b)
                )
                if affinity_gain < 0 or (affinity_gain == 0 and not bunched):
                    continue
                days_b = [d for d in self.days_of(b) if d != day_b]
                if day_a in days_b:
                    continue
                gain = (
                    self._worth(a, vid_b, [*days_a, day_b])
                    + self._worth(b, vid_a, [*days_b, day_a])
                    - worth_a
                    - self._worth(b, vid_b, [*days_b, day_b])
                )
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, other)
        if best is None:
            return False
        other = best[1]
        mine, theirs = self.visits[key], self.visits[other]
        # Exchange the two visits' volunteer slots; loads and bookings stay as they are.
        mine_at = (mine.volunteer_id, mine.weekday, mine.slot)
        theirs_at = (theirs.volunteer_id, theirs.weekday, theirs.slot)
        mine.volunteer_id, mine.weekday, mine.slot = theirs_at
        theirs.volunteer_id, theirs.weekday, theirs.slot = mine_at
        self.booked[theirs_at] = key
        self.booked[mine_at] = other
        self.of_volunteer[theirs_at[0]].discard(other)
        self.of_volunteer[theirs_at[0]].add(key)
        self.of_volunteer[mine_at[0]].discard(key)
        self.of_volunteer[mine_at[0]].add(other)
        return True


def _gap_reason(
    need: PlanNeed,
    offers: Sequence[VolunteerOffer],
    days: Sequence[int],
    load: dict[int, int],
    booked: set[tuple[int, int, str]],
    max_load: int,
) -> str:
    if not offers:
        return _("本社区没有登记可服务时段的在册志愿者")
    open_slots = [(o.volunteer_id, d, s) for o in offers for d, s in o.slots if d not in days]
    if not open_slots:
        return _("志愿者的可服务时段只覆盖 %(n)s 天,不够每周 %(need)s 次") % {
            "n": len(days),
            "need": need.visits_per_week,
        }
    if all(load[vid] >= max_load for vid, _d, _s in open_slots):
        return _("其余日子有空的志愿者本周已满负荷(每人最多 %(max)s 次)") % {"max": max_load}
    if all((vid, d, s) in booked or load[vid] >= max_load for vid, d, s in open_slots):
        return _("其余日子志愿者的可服务时段已被其他走访排满")
    return _("无法安排")  # pragma: no cover - every unplaced visit meets one of the above
