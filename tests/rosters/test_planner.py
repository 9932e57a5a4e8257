"""The roster rules on plain data, without the database."""

from __future__ import annotations

import itertools
import random

from linli.rosters.planner import (
    SLOTS,
    SPREAD_WEIGHT,
    Placement,
    PlanNeed,
    RosterScore,
    VolunteerOffer,
    plan_week,
    roster_score,
    roster_violations,
    spread_shortfall,
)

ALL_MORNINGS = frozenset((day, "morning") for day in range(7))
ALL_SLOTS = frozenset((day, slot) for day in range(7) for slot in SLOTS)


def need(
    plan_id: int, visits: int = 2, grid: int | None = 1, preferred: tuple[int, ...] = ()
) -> PlanNeed:
    return PlanNeed(
        plan_id=plan_id,
        resident_id=100 + plan_id,
        community_id=1,
        grid_id=grid,
        visits_per_week=visits,
        preferred=preferred,
    )


def offer(
    vid: int, slots: frozenset[tuple[int, str]] = ALL_MORNINGS, grid: int | None = 1
) -> VolunteerOffer:
    return VolunteerOffer(volunteer_id=vid, community_id=1, grid_id=grid, slots=slots)


def test_the_primary_volunteer_is_preferred_over_others_of_the_grid() -> None:
    roster = plan_week([need(1, preferred=(2,))], [offer(1), offer(2), offer(3)], max_load=6)
    assert {p.volunteer_id for p in roster.placements} == {2}
    assert not roster.gaps


def test_preference_order_is_primary_then_last_visitor_then_backup() -> None:
    # The primary (7) has no slot left; the last visitor (8) comes before the backup (9).
    roster = plan_week(
        [need(1, visits=1, preferred=(7, 8, 9))],
        [offer(9), offer(8), offer(7, slots=frozenset())],
        max_load=6,
    )
    assert [p.volunteer_id for p in roster.placements] == [8]


def test_volunteers_of_the_same_grid_come_before_others() -> None:
    roster = plan_week(
        [need(1, visits=1, grid=2)], [offer(1, grid=1), offer(2, grid=2)], max_load=6
    )
    assert [p.volunteer_id for p in roster.placements] == [2]


def test_visits_of_one_person_are_spread_across_the_week() -> None:
    roster = plan_week([need(1, visits=2, preferred=(1,))], [offer(1)], max_load=6)
    days = sorted(p.weekday for p in roster.placements)
    assert len(days) == 2
    assert days[1] - days[0] >= 3
    three = plan_week([need(1, visits=3, preferred=(1,))], [offer(1)], max_load=6)
    three_days = sorted(p.weekday for p in three.placements)
    assert len(set(three_days)) == 3
    assert min(b - a for a, b in itertools.pairwise(three_days)) >= 2


def test_the_load_cap_is_never_exceeded_and_the_rest_is_a_gap() -> None:
    roster = plan_week([need(1), need(2), need(3)], [offer(1)], max_load=4)
    assert len(roster.placements) == 4
    assert [(g.missing, "满负荷" in g.reason) for g in roster.gaps] == [(2, True)]


def test_only_available_slots_are_used_once_each() -> None:
    wednesday_afternoon = frozenset({(2, "afternoon")})
    roster = plan_week([need(1), need(2)], [offer(1, slots=wednesday_afternoon)], max_load=6)
    assert [(p.weekday, p.slot) for p in roster.placements] == [(2, "afternoon")]
    reasons = {g.plan_id: g.reason for g in roster.gaps}
    assert "只覆盖 1 天" in reasons[1]
    assert "排满" in reasons[2]


def test_a_community_without_volunteers_is_one_gap_per_plan() -> None:
    roster = plan_week([need(1, visits=2)], [], max_load=6)
    assert not roster.placements
    assert roster.gaps[0].missing == 2
    assert "没有登记可服务时段" in roster.gaps[0].reason


def test_spread_shortfall_counts_days_short_of_seven_over_n_for_every_pair() -> None:
    assert spread_shortfall(2, [0, 3]) == 0  # Monday and Thursday
    assert spread_shortfall(2, [0, 1]) == 2
    assert spread_shortfall(2, [0, 6]) == 2  # Sunday to Monday is one day across the weekend
    assert spread_shortfall(3, [0, 2, 4]) == 0
    assert spread_shortfall(3, [0, 1, 2]) == 2
    assert spread_shortfall(4, [0, 1, 2, 3]) == 0  # 7 // 4 = 1: any four days will do


def test_the_score_values_a_visit_above_any_preference_and_counts_the_same_faces() -> None:
    plan = need(1, visits=2, preferred=(1, 2, 3))
    offers = [offer(1), offer(2), offer(3), offer(4), offer(5, grid=9)]

    def score(*visits: tuple[int, int]) -> RosterScore:
        return roster_score(
            [plan], offers, [Placement(1, 101, vid, day, "morning") for vid, day in visits]
        )

    assert [score((vid, 0)).total for vid in (1, 2, 3, 4, 5)] == [140, 130, 120, 110, 100]
    assert score((5, 0), (5, 3)).total > score((1, 0)).total
    assert score((1, 0), (1, 1)) == RosterScore(visits=2, affinity=80, spread_shortfall=2)
    assert score((1, 0), (1, 1)).total == 2 * 140 - 2 * SPREAD_WEIGHT


def test_violations_name_every_broken_hard_rule() -> None:
    needs = [need(1, visits=1), need(2, visits=2)]
    offers = [offer(1, slots=frozenset({(0, "morning"), (1, "morning")})), offer(2)]
    other_community = VolunteerOffer(
        volunteer_id=3, community_id=2, grid_id=None, slots=ALL_MORNINGS
    )
    placements = [
        Placement(1, 101, 1, 0, "morning"),
        Placement(1, 101, 2, 0, "morning"),  # a second visit, on the same day
        Placement(2, 102, 1, 0, "morning"),  # volunteer 1's Monday morning again
        Placement(2, 102, 1, 2, "morning"),  # volunteer 1 is not free on Wednesday
        Placement(2, 102, 3, 4, "morning"),
    ]

    problems = roster_violations(needs, [*offers, other_community], placements, max_load=2)

    assert any("another community" in p for p in problems)
    assert any("not free" in p for p in problems)
    assert any("used twice" in p for p in problems)
    assert any("two visits on one day" in p for p in problems)
    assert "volunteer 1: 3 visits > 2" in problems
    assert "plan 1: 2 visits > 1" in problems
    assert "plan 2: 3 visits > 2" in problems
    assert roster_violations(needs, offers, placements[:1], max_load=2) == []


def test_the_improvement_pass_reaches_the_known_optimum_of_a_small_week() -> None:
    # 王 needs three visits and prefers no one; 李 needs two, by her primary volunteer 1,
    # who is free only on Monday and Thursday. Placed greedily (most visits first), 王
    # takes volunteer 1's Monday and 李 gets volunteer 2 that day. The best week, by hand:
    # 李 gets both of volunteer 1's slots (Monday and Thursday, 3 days apart: 2 × 140) and
    # 王 three well-spread days of volunteer 2 (3 × 110) — every visit at its best, 610.
    wang = need(1, visits=3)
    li = need(2, visits=2, preferred=(1,))
    offers = [offer(1, slots=frozenset({(0, "morning"), (3, "morning")})), offer(2)]

    roster = plan_week([wang, li], offers, max_load=6)

    assert not roster.gaps
    assert roster_violations([wang, li], offers, roster.placements, max_load=6) == []
    assert roster_score([wang, li], offers, roster.placements).total == 610
    assert sorted((p.volunteer_id, p.weekday) for p in roster.placements if p.plan_id == 2) == [
        (1, 0),
        (1, 3),
    ]


def test_a_random_week_keeps_every_hard_rule() -> None:
    rng = random.Random(4)
    needs = [
        need(n, visits=rng.choice((2, 2, 3, 4)), grid=n % 3, preferred=(rng.randrange(12),))
        for n in range(40)
    ]
    offers = [
        offer(v, slots=frozenset(rng.sample(sorted(ALL_SLOTS), 9)), grid=v % 3) for v in range(12)
    ]

    roster = plan_week(needs, offers, max_load=7)

    assert roster_violations(needs, offers, roster.placements, max_load=7) == []
    placed = len(roster.placements)
    assert placed + sum(g.missing for g in roster.gaps) == sum(n.visits_per_week for n in needs)


def test_a_scarce_visit_goes_to_the_person_whose_primary_volunteer_makes_it() -> None:
    # One volunteer with one free slot a week. Greedily 王 (most visits) takes it; the best
    # week gives it to 李, whose primary volunteer this is: 140 instead of 110.
    wang = need(1, visits=3)
    li = need(2, visits=2, preferred=(1,))
    offers = [offer(1, slots=frozenset({(0, "morning")}))]

    roster = plan_week([wang, li], offers, max_load=1)

    assert [(p.plan_id, p.volunteer_id) for p in roster.placements] == [(2, 1)]
    assert roster_score([wang, li], offers, roster.placements).total == 140
    assert {g.plan_id: g.missing for g in roster.gaps} == {1: 3, 2: 1}
