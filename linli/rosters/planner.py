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

Plans with more visits a week are placed first, as they are the hardest to fit. What
cannot be placed is returned as a gap with a reason in Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def plan_week(
    needs: Sequence[PlanNeed], offers: Sequence[VolunteerOffer], *, max_load: int
) -> Roster:
    roster = Roster()
    load: dict[int, int] = {o.volunteer_id: 0 for o in offers}
    booked: set[tuple[int, int, str]] = set()
    by_community: dict[int, list[VolunteerOffer]] = {}
    for offer in offers:
        by_community.setdefault(offer.community_id, []).append(offer)

    ordered = sorted(needs, key=lambda n: (-n.visits_per_week, n.resident_id))
    for need in ordered:
        community_offers = by_community.get(need.community_id, [])
        rank_of = {vid: i for i, vid in enumerate(dict.fromkeys(need.preferred))}
        ideal_gap = max(1, 7 // need.visits_per_week)
        days: list[int] = []
        for _visit in range(need.visits_per_week):
            best: tuple[tuple[int, int, int, int, int], VolunteerOffer, int, str] | None = None
            for offer in community_offers:
                vid = offer.volunteer_id
                if load[vid] >= max_load:
                    continue
                if vid in rank_of:
                    rank = rank_of[vid]
                elif need.grid_id is not None and offer.grid_id == need.grid_id:
                    rank = len(rank_of)
                else:
                    rank = len(rank_of) + 1
                for weekday, slot in offer.slots:
                    if weekday in days or (vid, weekday, slot) in booked:
                        continue
                    spread_penalty = max(0, ideal_gap - _circular_gap(weekday, days))
                    cost = (rank, spread_penalty, load[vid], weekday, SLOTS.index(slot))
                    if best is None or cost < best[0]:
                        best = (cost, offer, weekday, slot)
            if best is None:
                break
            _cost, offer, weekday, slot = best
            load[offer.volunteer_id] += 1
            booked.add((offer.volunteer_id, weekday, slot))
            days.append(weekday)
            roster.placements.append(
                Placement(need.plan_id, need.resident_id, offer.volunteer_id, weekday, slot)
            )
        missing = need.visits_per_week - len(days)
        if missing > 0:
            roster.gaps.append(
                Gap(
                    need.plan_id,
                    need.resident_id,
                    missing,
                    _gap_reason(need, community_offers, days, load, booked, max_load),
                )
            )
    return roster


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
