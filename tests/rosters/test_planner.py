"""The roster rules on plain data, without the database."""

from __future__ import annotations

import itertools

from linli.rosters.planner import PlanNeed, VolunteerOffer, plan_week

ALL_MORNINGS = frozenset((day, "morning") for day in range(7))


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
