"""The figures (三率 and counts) of a grid, community or town over a range of local dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.accounts.models import User
from linli.requests.figures import (
    Place,
    Rate,
    RequestFigures,
    figure_places_for_user,
    figures_for_place,
    figures_for_user,
)
from linli.requests.models import Channel, Feedback, Mediation, Request, Satisfaction
from linli.requests.services import (
    mediation_add_session,
    mediation_conclude,
    mediation_start,
    request_feedback,
    request_record_contact,
    request_submit,
)
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import category, file_request, local, move, waiting

T0 = local(2026, 3, 2, 9)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def march(cast: Cast, *, now: dt.datetime) -> RequestFigures:
    return figures_for_place(cast.community, *MARCH, now=now)


def started(cast: Cast, *, at: dt.datetime, category_code: str = "sanitation") -> Request:
    request = file_request(cast, category_code=category_code, at=at)
    return move(request, Status.IN_PROGRESS, cast.worker1, at=at)


def resolved_at(cast: Cast, *, at: dt.datetime, after: dt.timedelta) -> Request:
    request = started(cast, at=at)
    return move(request, Status.RESOLVED, cast.worker1, note="已清理", at=at + after)


def phone_follow_up(
    cast: Cast,
    request: Request,
    *,
    resolved: bool,
    satisfaction: str,
    at: dt.datetime,
) -> Feedback:
    return request_feedback(
        request=request,
        actor=cast.staff,
        resolved=resolved,
        satisfaction=satisfaction,
        via=Feedback.Via.PHONE,
        at=at,
    )


# --- Rate ----------------------------------------------------------------------------------


def test_a_rate_keeps_its_counts_and_rounds_half_up_to_one_decimal() -> None:
    rate = Rate(45, 50)
    assert rate.value == Decimal("0.9")
    assert rate.percent == Decimal("90.0")
    assert rate.fraction == "45/50"
    assert str(rate) == "90.0%"
    assert Rate(2, 3).percent == Decimal("66.7")
    assert Rate(1, 8).percent == Decimal("12.5")


def test_a_rate_with_nothing_to_judge_has_no_value() -> None:
    rate = Rate(0, 0)
    assert rate.value is None
    assert rate.percent is None
    assert str(rate) == "—"
    assert rate.fraction == "0/0"


# --- 响应率 -----------------------------------------------------------------------------------


def test_response_rate_counts_a_persons_first_action_within_the_deadline(cast: Cast) -> None:
    now = T0 + dt.timedelta(days=3)
    file_request(cast, at=T0)  # routed and assigned automatically, then nobody acted
    started(cast, at=T0)  # the grid worker started at once
    contacted = file_request(cast, at=T0)
    request_record_contact(
        request=contacted, actor=cast.worker1, note="电话联系了", at=T0 + dt.timedelta(hours=3)
    )
    late = file_request(cast, at=T0)
    move(late, Status.IN_PROGRESS, cast.worker1, at=T0 + dt.timedelta(hours=30))
    rejected = waiting(cast, at=T0)
    move(rejected, Status.REJECTED, cast.staff, note="不属社区职责", at=T0 + dt.timedelta(hours=2))
    desk_only = waiting(cast, at=T0)  # accepted by a dispatcher: desk work, no response
    move(desk_only, Status.ACCEPTED, cast.staff, at=T0 + dt.timedelta(hours=1))
    waiting(cast, at=T0)  # nobody looked at it, and its 24 hours are up
    waiting(cast, at=now - dt.timedelta(hours=1))  # still within its response time

    figures = march(cast, now=now)

    assert figures.total == 8
    assert figures.response == Rate(3, 7)


def test_automatic_routing_at_submission_is_not_a_response(cast: Cast) -> None:
    """The bug of issue 16: routing accepted every located request at once, so the rate
    was near 100 % by construction."""
    for _ in range(4):
        file_request(cast, at=T0)

    assert march(cast, now=T0 + dt.timedelta(days=2)).response == Rate(0, 4)


def test_a_request_not_yet_due_a_response_counts_once_someone_responds(cast: Cast) -> None:
    request = file_request(cast, at=T0)
    assert march(cast, now=T0 + dt.timedelta(hours=1)).response == Rate(0, 0)
    request_record_contact(request=request, actor=cast.worker1, at=T0 + dt.timedelta(hours=2))

    assert march(cast, now=T0 + dt.timedelta(hours=3)).response == Rate(1, 1)


def test_a_rejection_after_the_response_deadline_is_not_a_timely_response(cast: Cast) -> None:
    rejected = waiting(cast, at=T0)
    move(rejected, Status.REJECTED, cast.staff, note="重复反映", at=T0 + dt.timedelta(hours=25))

    assert march(cast, now=T0 + dt.timedelta(days=2)).response == Rate(0, 1)


# --- 按期办结率 ---------------------------------------------------------------------------------


def test_on_time_rate_judges_resolved_and_overdue_requests_by_their_deadline(cast: Cast) -> None:
    now = T0 + dt.timedelta(hours=48)
    resolved_at(cast, at=T0, after=dt.timedelta(hours=5))  # on time
    resolved_at(cast, at=T0, after=dt.timedelta(hours=30))  # late (24 hours for sanitation)
    started(cast, at=T0)  # still open and overdue now
    started(cast, at=now - dt.timedelta(hours=2))  # open, within its deadline: not judged
    rejected = waiting(cast, at=T0)
    move(rejected, Status.REJECTED, cast.staff, note="不属社区职责", at=T0 + dt.timedelta(hours=1))
    closed = resolved_at(cast, at=T0, after=dt.timedelta(hours=3))
    move(closed, Status.CLOSED, cast.staff, at=T0 + dt.timedelta(hours=4))  # on time, closed
    reworked = resolved_at(cast, at=T0, after=dt.timedelta(hours=2))
    move(reworked, Status.IN_PROGRESS, cast.staff, note="没清干净", at=T0 + dt.timedelta(hours=3))
    move(reworked, Status.RESOLVED, cast.worker1, note="清干净了", at=T0 + dt.timedelta(hours=30))

    figures = march(cast, now=now)

    assert figures.on_time == Rate(2, 5)
    assert figures.overdue_open == 1


def test_overdue_counts_every_open_request_past_its_deadline_whatever_its_month(
    cast: Cast,
) -> None:
    """The bug of issue 16: 「超期未办结 0」 while older requests were overdue."""
    february = started(cast, at=T0 - dt.timedelta(days=10))  # filed in February, still open
    done = started(cast, at=T0 - dt.timedelta(days=10))
    move(done, Status.RESOLVED, cast.worker1, note="已清理", at=T0 - dt.timedelta(days=9))
    started(cast, at=T0)  # March, overdue too by now

    figures = march(cast, now=T0 + dt.timedelta(days=2))

    assert figures.total == 1  # the cohort is March's
    assert figures.overdue_open == 2
    assert february.status == Status.IN_PROGRESS


def test_a_request_with_a_passed_deadline_is_overdue_only_while_open(cast: Cast) -> None:
    request = started(cast, at=T0)
    before = march(cast, now=T0 + dt.timedelta(hours=30))
    move(request, Status.RESOLVED, cast.worker1, note="已清理", at=T0 + dt.timedelta(hours=31))
    after = march(cast, now=T0 + dt.timedelta(hours=32))

    assert (before.overdue_open, before.on_time) == (1, Rate(0, 1))
    assert (after.overdue_open, after.on_time) == (0, Rate(0, 1))


# --- 解决率 and 满意率 ---------------------------------------------------------------------------


def test_resolution_and_satisfaction_follow_the_latest_follow_up_of_each_request(
    cast: Cast,
) -> None:
    hour = dt.timedelta(hours=1)
    # Reopened after an unhappy follow-up, then solved: only the second follow-up counts.
    reopened = resolved_at(cast, at=T0, after=hour)
    phone_follow_up(
        cast,
        reopened,
        resolved=False,
        satisfaction=Satisfaction.DISSATISFIED,
        at=T0 + 2 * hour,
    )
    move(reopened, Status.RESOLVED, cast.worker1, note="重新清理", at=T0 + 5 * hour)
    phone_follow_up(
        cast, reopened, resolved=True, satisfaction=Satisfaction.SATISFIED, at=T0 + 6 * hour
    )
    basically = resolved_at(cast, at=T0, after=hour)
    phone_follow_up(
        cast,
        basically,
        resolved=True,
        satisfaction=Satisfaction.BASICALLY_SATISFIED,
        at=T0 + 2 * hour,
    )
    unhappy = resolved_at(cast, at=T0, after=hour)
    phone_follow_up(
        cast, unhappy, resolved=True, satisfaction=Satisfaction.DISSATISFIED, at=T0 + 2 * hour
    )
    still_broken = resolved_at(cast, at=T0, after=hour)
    phone_follow_up(
        cast,
        still_broken,
        resolved=False,
        satisfaction=Satisfaction.DISSATISFIED,
        at=T0 + 2 * hour,
    )
    resolved_at(cast, at=T0, after=hour)  # not followed up yet

    figures = march(cast, now=T0 + dt.timedelta(days=1))

    assert figures.resolution == Rate(3, 4)
    assert figures.satisfaction == Rate(2, 4)
    assert (figures.satisfied, figures.basically_satisfied, figures.dissatisfied) == (1, 1, 2)
    assert figures.rated == 4
    assert figures.reopened == 2


def test_of_two_follow_ups_at_the_same_moment_the_later_recorded_counts(cast: Cast) -> None:
    request = resolved_at(cast, at=T0, after=dt.timedelta(hours=1))
    moment = T0 + dt.timedelta(hours=3)
    phone_follow_up(cast, request, resolved=True, satisfaction=Satisfaction.DISSATISFIED, at=moment)
    phone_follow_up(cast, request, resolved=True, satisfaction=Satisfaction.SATISFIED, at=moment)

    figures = march(cast, now=T0 + dt.timedelta(days=1))

    assert figures.satisfaction == Rate(1, 1)
    assert figures.dissatisfied == 0


# --- disputes ----------------------------------------------------------------------------------


def _mediated(cast: Cast, *, outcome: str, concluded: dt.datetime, close: bool) -> Request:
    request = file_request(cast, category_code="dispute", text="楼上漏水不给修", at=T0)
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0)
    mediation = mediation_start(
        request=request, actor=cast.worker1, parties="王某(1号楼101)\n李某(1号楼201)", at=T0
    )
    mediation_add_session(
        mediation=mediation,
        actor=cast.worker1,
        held_on=concluded.date(),
        mediators="刘社工、陈网格",
        notes="面对面调解",
        at=concluded,
    )
    agreement = "201户请人做防水" if outcome == Mediation.Outcome.AGREEMENT else ""
    mediation_conclude(
        mediation=mediation,
        actor=cast.staff,
        outcome=outcome,
        agreement_text=agreement,
        at=concluded,
    )
    move(request, Status.RESOLVED, cast.worker1, note="调解结案", at=concluded)
    if close:
        move(request, Status.CLOSED, cast.staff, at=concluded + dt.timedelta(hours=2))
    return request


def test_disputes_resolved_are_agreements_closed_and_concluded_in_the_range(cast: Cast) -> None:
    in_march = local(2026, 3, 10, 10)
    _mediated(cast, outcome=Mediation.Outcome.AGREEMENT, concluded=in_march, close=True)
    _mediated(cast, outcome=Mediation.Outcome.AGREEMENT, concluded=in_march, close=False)
    _mediated(cast, outcome=Mediation.Outcome.REFERRED_JUDICIAL, concluded=in_march, close=True)
    _mediated(
        cast, outcome=Mediation.Outcome.AGREEMENT, concluded=local(2026, 4, 2, 10), close=True
    )
    now = local(2026, 4, 5)

    figures = march(cast, now=now)
    april = figures_for_place(cast.community, dt.date(2026, 4, 1), dt.date(2026, 5, 1), now=now)

    assert (figures.disputes_concluded, figures.disputes_resolved) == (3, 1)
    # Filed in March but settled in April: a dispute resolved in April.
    assert (april.total, april.disputes_resolved) == (0, 1)


# --- counts ------------------------------------------------------------------------------------


def test_counts_by_category_status_and_channel_cover_every_request(cast: Cast) -> None:
    file_request(cast, category_code="repair", at=T0)
    started(cast, at=T0, category_code="repair")
    request_submit(
        submitted_by=cast.worker1,
        text="巡查发现:楼道堆物",
        channel=Channel.PATROL,
        location=cast.unit1,
        category=category("safety"),
        at=T0,
    )
    waiting(cast, at=T0, category_code="other")

    figures = march(cast, now=T0 + dt.timedelta(hours=1))

    assert figures.total == 4
    by_category = {row.key: row.count for row in figures.by_category}
    assert by_category["repair"] == 2
    assert by_category["safety"] == 1
    assert by_category["other"] == 1
    assert by_category["dispute"] == 0  # every active category is listed, in its order
    assert [row.key for row in figures.by_category][:3] == ["sanitation", "repair", "safety"]
    by_status = {row.key: (row.label, row.count) for row in figures.by_status}
    assert by_status["assigned"] == ("已派单", 2)
    assert by_status["in_progress"] == ("处理中", 1)
    assert by_status["submitted"] == ("待受理", 1)
    assert sum(row.count for row in figures.by_status) == 4
    by_channel = {row.key: row.count for row in figures.by_channel}
    assert by_channel == {**dict.fromkeys(Channel.values, 0), "resident_page": 3, "patrol": 1}


# --- dates -----------------------------------------------------------------------------------


def test_the_range_is_of_local_dates_in_shanghai(cast: Cast) -> None:
    file_request(cast, at=local(2026, 2, 28, 23, 59))  # 15:59 UTC on 28 February
    file_request(cast, at=local(2026, 3, 1, 0, 0))  # 16:00 UTC on 28 February
    file_request(cast, at=local(2026, 3, 31, 23, 59))
    file_request(cast, at=local(2026, 4, 1, 0, 0))
    now = local(2026, 4, 2)

    def total(start: dt.date, end: dt.date) -> int:
        return figures_for_place(cast.community, start, end, now=now).total

    assert total(*MARCH) == 2
    assert total(dt.date(2026, 2, 28), dt.date(2026, 3, 1)) == 1
    assert total(dt.date(2026, 3, 1), dt.date(2026, 3, 2)) == 1
    assert total(dt.date(2026, 4, 1), dt.date(2026, 4, 2)) == 1
    assert total(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == 0


# --- places and scope --------------------------------------------------------------------------


def test_a_grid_counts_its_own_requests_and_the_community_counts_all(cast: Cast) -> None:
    file_request(cast, at=T0)
    file_request(cast, cast.unit2, reporter=cast.neighbour, at=T0)
    waiting(cast, at=T0)  # known only to the compound: the community's, no grid's
    now = T0 + dt.timedelta(hours=1)

    def total(place: Place) -> int:
        return figures_for_place(place, *MARCH, now=now).total

    assert total(cast.grid1) == 1
    assert total(cast.grid2) == 1
    assert total(cast.community) == 3
    assert total(cast.compound) == 3
    assert total(cast.town) == 3
    assert total(cast.other_community) == 0


def test_a_grid_workers_figures_leave_out_the_other_grid(cast: Cast) -> None:
    file_request(cast, at=T0)
    file_request(cast, cast.unit2, reporter=cast.neighbour, at=T0)
    waiting(cast, at=T0)
    now = T0 + dt.timedelta(hours=1)

    def total(user: User, place: Place) -> int:
        return figures_for_user(user, place, *MARCH, now=now).total

    assert total(cast.worker1, cast.community) == 1
    assert total(cast.worker1, cast.grid2) == 0
    assert total(cast.worker2, cast.community) == 1
    assert total(cast.staff, cast.community) == 3
    assert total(cast.leader, cast.town) == 3
    assert total(cast.admin, cast.community) == 3
    assert total(cast.volunteer_user, cast.community) == 0


def test_places_offered_are_those_the_user_sees_whole(cast: Cast) -> None:
    def labels(user: User) -> list[str]:
        return [c.label for c in figure_places_for_user(user)]

    assert labels(cast.worker1) == ["和平社区第1网格"]
    assert labels(cast.staff) == [
        "和平社区",
        "和平社区和平小区",
        "和平社区第1网格",
        "和平社区第2网格",
    ]
    assert labels(cast.leader) == [
        "和平镇",
        "和平社区",
        "友谊社区",
        "和平社区和平小区",
        "和平社区第1网格",
        "和平社区第2网格",
    ]
    assert labels(cast.resident_user) == []


# --- efficiency ----------------------------------------------------------------------------------


def test_figures_take_the_same_handful_of_queries_however_many_requests(cast: Cast) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            march(cast, now=T0 + dt.timedelta(days=1))
        return len(captured.captured_queries)

    resolved_at(cast, at=T0, after=dt.timedelta(hours=1))
    few = queries()
    for _ in range(6):
        request = resolved_at(cast, at=T0, after=dt.timedelta(hours=1))
        phone_follow_up(
            cast,
            request,
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
            at=T0 + dt.timedelta(hours=2),
        )

    assert queries() == few <= 6
