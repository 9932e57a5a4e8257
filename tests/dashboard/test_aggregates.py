"""The pre-aggregates (DailyFigure, and MonthFigure/MonthHeat for whole past months): the
dashboard's request blocks read from them equal the live selectors' figures — before any
build, after the nightly rebuild, when the clock has moved on past stored deadlines, after
a request of a stored day (or of a month kept whole) changed, across month boundaries (in
local time) and on the night a month is closed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from linli.dashboard import aggregates, selectors
from linli.dashboard.models import DailyFigure, FigureBuild, MonthFigure, MonthHeat
from linli.dashboard.tasks import rebuild_daily_figures
from linli.requests.figures import Place, place_condition, request_figures
from linli.requests.models import Feedback, Request, Satisfaction
from linli.requests.services import request_feedback
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, in_progress, local, move, resolved, waiting

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)
START, END = dt.date(2026, 9, 1), dt.date(2026, 12, 1)
# Month grain with whole months (Sep, Oct) and the current month; a partial first month;
# a daily-grain period of one whole month; the current month alone.
PERIODS = (
    (START, END),
    (dt.date(2026, 9, 15), END),
    (dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
    (dt.date(2026, 11, 1), END),
    (dt.date(2026, 8, 1), dt.date(2026, 12, 2)),
)


@pytest.fixture
def world(cast: Cast) -> Iterator[Cast]:
    """Requests over three months: open and overdue, open within deadline, unanswered,
    resolved late and on time with follow-ups, at units, a building, the compound, both
    grids, and one escalated."""
    at = NOW - dt.timedelta(days=70)
    with time_machine.travel(at, tick=False):
        late = in_progress(cast, category_code="sanitation", at=at)
        move(late, Status.RESOLVED, cast.worker1, note="已清运", at=at + dt.timedelta(days=9))
        Feedback.objects.create(
            request=late,
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
            via="phone",
            created_at=at,
        )
        file_request(cast, cast.building2, category_code="sanitation", at=at)
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        done = resolved(cast, at=NOW - dt.timedelta(days=30))
        Feedback.objects.create(
            request=done,
            resolved=False,
            satisfaction=Satisfaction.DISSATISFIED,
            via="visit",
            created_at=NOW,
        )
        escalated = file_request(cast, cast.unit2, at=NOW - dt.timedelta(days=30))
        Request.objects.filter(pk=escalated.pk).update(escalated_at=NOW - dt.timedelta(days=2))
        waiting(cast, category_code="sanitation", at=NOW - dt.timedelta(days=30))
    # Either side of the local month boundary (the same UTC day: 15:59 and 16:00 UTC).
    for at in (local(2026, 10, 31, 23, 59), local(2026, 11, 1, 0, 0)):
        with time_machine.travel(at, tick=False):
            file_request(cast, cast.building1, category_code="sanitation", at=at)
    # September: a second sanitation request resolved without a response, its response
    # due only after NOW, and the first one's response undone: September's month row of
    # resolved sanitation straddles NOW (one due a response, one not yet).
    # A third, the same day, due a response already: that day's row of finished requests
    # straddles too (its finished requests are counted live, its open ones are not).
    at = local(2026, 9, 20, 9)
    with time_machine.travel(at, tick=False):
        unanswered = resolved(cast, category_code="sanitation", at=at)
        due = resolved(cast, category_code="sanitation", at=at + dt.timedelta(hours=1))
    Request.objects.filter(pk=unanswered.pk).update(
        responded_at=None, response_due_at=NOW + dt.timedelta(days=1)
    )
    Request.objects.filter(pk__in=[late.pk, due.pk]).update(responded_at=None)
    # October 21: a request like the escalated one (same unit, same day) due only after
    # NOW: that day's row of open requests straddles NOW, so the day is counted live.
    at = NOW - dt.timedelta(days=30, hours=-1)
    with time_machine.travel(at, tick=False):
        later = file_request(cast, cast.unit2, at=at)
    Request.objects.filter(pk=later.pk).update(due_at=NOW + dt.timedelta(days=2))
    with time_machine.travel(NOW - dt.timedelta(hours=30), tick=False):
        for _ in range(2):
            file_request(cast, category_code="sanitation", at=NOW - dt.timedelta(hours=30))
    with time_machine.travel(NOW, tick=False):
        yield cast


def _places(cast: Cast) -> list[Place]:
    return [cast.county, cast.town, cast.community, cast.compound, cast.grid1, cast.grid2]


def _same(cast: Cast, now: dt.datetime) -> None:
    allowed = {c.key for c in selectors.dashboard_places(cast.leader)}
    everything = Request.objects.all()
    for place in _places(cast):
        for start, end in PERIODS:
            blocks = selectors.request_blocks(place, allowed, start=start, end=end, now=now)
            live = request_figures(everything, place=place, start=start, end=end, now=now)
            assert dataclasses.replace(live, by_channel=()) == blocks.figures, place
            assert blocks.children == selectors.child_rows(
                everything, place, allowed, start=start, end=end, now=now
            )
            trend = selectors.request_trend(everything, place, start=start, end=end, now=now)
            assert (trend.labels, trend.counts, trend.rates) == (
                blocks.trend.labels,
                blocks.trend.counts,
                blocks.trend.rates,
            )
            assert blocks.heat == selectors.building_heat(everything, place, start=start, end=end)
            assert (
                blocks.escalated_now
                == everything.filter(
                    place_condition(place),
                    status__in=list(aggregates.OPEN),
                    escalated_at__isnull=False,
                ).count()
            )


def test_without_a_build_everything_is_counted_live(world: Cast) -> None:
    assert not FigureBuild.objects.exists()
    _same(world, NOW)
    blocks = selectors.request_blocks(world.town, set(), start=START, end=END, now=NOW)
    assert blocks.figures.overdue_open > 0
    assert blocks.escalated_now == 1


def test_after_the_nightly_rebuild_the_aggregate_gives_the_same_figures(world: Cast) -> None:
    rebuild_daily_figures()  # the periodic task, run at once by the immediate queue
    assert FigureBuild.objects.get().through == dt.date(2026, 11, 20)
    assert 0 < DailyFigure.objects.count() < Request.objects.count()  # rows are merged
    _same(world, NOW)
    # Days later the stored deadlines have passed: still the same (decided from the rows,
    # or the straddling days counted live).
    _same(world, NOW + dt.timedelta(days=3))
    _same(world, NOW + dt.timedelta(hours=12))


def test_a_change_to_a_stored_day_is_counted_again(
    world: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    aggregates.rebuild()
    waiting_one = Request.objects.get(location=world.compound)
    with django_capture_on_commit_callbacks(execute=True):
        move(waiting_one, Status.REJECTED, world.staff, note="重复反映")
    assert DailyFigure.objects.filter(status=Status.REJECTED).exists()  # its day recounted
    with django_capture_on_commit_callbacks(execute=True):
        latest = Request.objects.filter(status=Status.RESOLVED).first()
        assert latest is not None
        Feedback.objects.create(
            request=latest,
            resolved=True,
            satisfaction=Satisfaction.BASICALLY_SATISFIED,
            via="reporter",
            created_at=NOW,
        )
    # The month rows are summed again by a task scheduled a few minutes later, once for
    # all the changes of those minutes.
    _run_scheduled_month_sums()
    _same(world, NOW)


def _run_scheduled_month_sums() -> list[str]:
    """Run the month sums the task queue holds for later (as the consumer would when
    their time comes); the months summed."""
    from huey.contrib.djhuey import HUEY

    later = max((t.eta for t in HUEY.scheduled() if t.eta is not None), default=None)
    tasks = HUEY.read_schedule(later) if later is not None else []
    for task in tasks:
        HUEY.execute(task, timestamp=later)
    return sorted(task.args[0] for task in tasks)


def test_a_months_sum_waits_and_counts_every_change_of_those_minutes_once(
    world: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """Summing a past month reads the whole month (~20 s at 3 M residents): the changes
    of a few minutes share one sum, scheduled LINLI_MONTH_FIGURES_DELAY seconds after the
    first. Until then the month rows lag; the day rows are counted at once."""
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    aggregates.rebuild()
    request = (
        Request.objects.filter(submitted_at__lt=local(2026, 11, 1), status=Status.RESOLVED)
        .order_by("submitted_at")
        .first()
    )
    assert request is not None
    month = timezone.localtime(request.submitted_at).date().replace(day=1)

    def month_rows() -> list[tuple[object, ...]]:
        return sorted(
            MonthFigure.objects.filter(month=month).values_list(
                "area_id", "grid_id", "category_id", "status", "total", "rated", "dissatisfied"
            )
        )

    before = month_rows()
    # Two changes within the delay: a follow-up, then a second one (the latest counts).
    for satisfaction in (Satisfaction.SATISFIED, Satisfaction.DISSATISFIED):
        with django_capture_on_commit_callbacks(execute=True):
            Feedback.objects.create(
                request=request, resolved=False, satisfaction=satisfaction,
                via="reporter", created_at=NOW,
            )  # fmt: skip
    # The day counted at once; one sum of its month waiting, due after the delay.
    assert DailyFigure.objects.filter(dissatisfied__gt=0, month=month).exists()
    assert month_rows() == before
    waiting = HUEY.scheduled()
    assert [t.args for t in waiting] == [(month.isoformat(),)]
    delay = (waiting[0].eta - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds()
    assert settings.LINLI_MONTH_FIGURES_DELAY - 60 < delay <= settings.LINLI_MONTH_FIGURES_DELAY

    assert _run_scheduled_month_sums() == [month.isoformat()]

    assert month_rows() != before
    assert HUEY.scheduled_count() == 0
    _same(world, NOW)


def test_whole_past_months_are_read_from_the_month_rows(world: Cast) -> None:
    aggregates.rebuild()
    build = FigureBuild.objects.get()
    assert (build.through, build.months_through) == (dt.date(2026, 11, 20), dt.date(2026, 11, 1))
    september, october = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    assert set(MonthFigure.objects.values_list("month", flat=True)) == {september, october}
    # Month rows hold finished requests only, per compound (units and buildings merge).
    assert set(MonthFigure.objects.values_list("status", flat=True)) == {Status.RESOLVED}
    assert set(MonthFigure.objects.values_list("area", flat=True)) == {world.compound.pk}
    assert (
        sum(MonthFigure.objects.filter(month=october).values_list("total", flat=True))
        == Request.objects.filter(
            submitted_at__gte=local(2026, 10, 1),
            submitted_at__lt=local(2026, 11, 1),
            status__in=[Status.RESOLVED, Status.CLOSED, Status.REJECTED],
        ).count()
    )
    # The heat of a month counts every request at a building (or its units), open or not.
    heat: dict[int, int] = {}
    for area, total in MonthHeat.objects.filter(month=october).values_list("area", "total"):
        heat[area] = heat.get(area, 0) + total
    assert heat == {world.building1.pk: 2, world.building2.pk: 2}
    # The 23:59 request is October's (local time), the 00:00 one November's.
    assert DailyFigure.objects.filter(day=dt.date(2026, 10, 31), area=world.building1).exists()
    assert DailyFigure.objects.filter(day=dt.date(2026, 11, 1), area=world.building1).exists()
    # At NOW September's month row straddles (read day by day, September 20's finished
    # requests live) and October 21's open requests are counted live, its finished one
    # staying in October's month row.
    straddling = MonthFigure.objects.filter(aggregates._straddling(NOW))
    assert set(straddling.values_list("month", flat=True)) == {september}
    assert set(
        DailyFigure.objects.filter(aggregates._straddling(NOW)).values_list("day", "status")
    ) >= {(dt.date(2026, 9, 20), Status.RESOLVED)}
    assert DailyFigure.objects.filter(
        aggregates._straddling(NOW), day=dt.date(2026, 10, 21)
    ).exists()
    _same(world, NOW)
    _same(world, NOW + dt.timedelta(hours=12))
    # Three days on, every deadline has passed: both months are read whole.
    later = NOW + dt.timedelta(days=3)
    assert not MonthFigure.objects.filter(aggregates._straddling(later)).exists()
    _same(world, later)


def test_the_month_rows_are_what_a_long_period_reads(world: Cast) -> None:
    """A whole month of a month-grain period comes from its month row (a row changed by
    hand shows); a period with only part of the month, or at day grain, does not."""
    aggregates.rebuild()
    october = dt.date(2026, 10, 1)
    counted = {
        (start, end): selectors.request_blocks(
            world.town, set(), start=start, end=end, now=NOW
        ).figures.total
        for start, end in PERIODS
    }
    row = MonthFigure.objects.filter(month=october).first()
    assert row is not None
    MonthFigure.objects.filter(pk=row.pk).update(total=row.total + 100)
    for (start, end), total in counted.items():
        blocks = selectors.request_blocks(world.town, set(), start=start, end=end, now=NOW)
        reads_october_whole = start <= october and (end - start).days > 62
        assert blocks.figures.total == total + (100 if reads_october_whole else 0)


def test_a_request_reopened_after_its_month_is_counted_again_in_that_month(
    world: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    aggregates.rebuild()
    september = dt.date(2026, 9, 1)
    late = Request.objects.get(status=Status.RESOLVED, submitted_at__lt=local(2026, 9, 15))
    resolved_in_september = MonthFigure.objects.get(month=september).total
    with django_capture_on_commit_callbacks(execute=True):
        request_feedback(
            request=late,
            actor=world.resident_user,
            resolved=False,
            satisfaction=Satisfaction.DISSATISFIED,
            comment="垃圾又堆起来了",
            at=NOW,
        )
    late.refresh_from_db()
    assert late.status == Status.IN_PROGRESS
    # It left September's month row (finished requests) for its day's open row — once the
    # month's sum, scheduled a few minutes later, has run.
    assert MonthFigure.objects.get(month=september).total == resolved_in_september
    assert _run_scheduled_month_sums() == ["2026-09-01"]
    assert MonthFigure.objects.get(month=september).total == resolved_in_september - 1
    reopened = DailyFigure.objects.get(day=dt.date(2026, 9, 11), status=Status.IN_PROGRESS)
    assert (reopened.total, reopened.reopened) == (1, 1)
    _same(world, NOW)
    _same(world, NOW + dt.timedelta(days=3))


def test_the_rebuild_on_the_first_of_a_month_closes_the_month_before(world: Cast) -> None:
    november = Request.objects.filter(submitted_at__gte=local(2026, 11, 19)).first()
    assert november is not None
    move(november, Status.IN_PROGRESS, world.worker1)
    move(november, Status.RESOLVED, world.worker1, note="已清运")
    night = local(2026, 12, 1, 1, 30)
    with time_machine.travel(night, tick=False):
        rebuild_daily_figures()
        build = FigureBuild.objects.get()
        assert (build.through, build.months_through) == (dt.date(2026, 12, 1),) * 2
        assert MonthFigure.objects.filter(month=dt.date(2026, 11, 1)).exists()
        _same(world, night)
        # The month view of December (no stored day yet) and a year view ending today.
        allowed = {c.key for c in selectors.dashboard_places(world.leader)}
        everything = Request.objects.all()
        for start in (dt.date(2026, 12, 1), dt.date(2026, 1, 1)):
            end = dt.date(2026, 12, 2)
            blocks = selectors.request_blocks(world.town, allowed, start=start, end=end, now=night)
            live = request_figures(everything, place=world.town, start=start, end=end, now=night)
            assert dataclasses.replace(live, by_channel=()) == blocks.figures


@pytest.mark.django_db
def test_a_days_recount_is_queued_once_while_it_waits() -> None:
    """Thousands of saves of one day's requests (an escalation sweep, an import) queue one
    recount, not one each; once a worker takes it, the next change queues again."""
    from django.core.cache import cache
    from huey.contrib.djhuey import HUEY

    from linli.dashboard.tasks import queue_refresh

    HUEY.immediate = False
    try:
        HUEY.flush()
        cache.clear()
        assert queue_refresh("2026-03-02") is True
        assert queue_refresh("2026-03-02") is False
        assert queue_refresh("2026-03-02") is False
        assert queue_refresh("2026-03-03") is True
        assert HUEY.pending_count() == 2
        task = HUEY.dequeue()
        assert task is not None
        HUEY.execute(task)
        assert HUEY.pending_count() == 1
        assert queue_refresh(task.args[0]) is True
        assert HUEY.pending_count() == 2
    finally:
        HUEY.flush()
        cache.clear()
        HUEY.immediate = True


def _keyed(rows: Any) -> dict[tuple[object, ...], tuple[object, ...]]:
    """Rows or cells summed per day, place, grid, category and status (a unit's rows and
    its building's may be separate rows of one key), with their deadline bounds."""
    summed: dict[tuple[object, ...], list[Any]] = {}
    for r in rows:
        key = (r.day, r.area_id, r.grid_id, r.category_id, r.status)
        values = [getattr(r, n) for n in aggregates.SUMMED]
        bounds = [getattr(r, n) for n in aggregates.MERGE_BOUNDS]
        if key not in summed:
            summed[key] = [values, bounds]
            continue
        into = summed[key]
        into[0] = [a + b for a, b in zip(into[0], values, strict=True)]
        for i, name in enumerate(aggregates.MERGE_BOUNDS):
            present = [v for v in (into[1][i], bounds[i]) if v is not None]
            pick = min if name.endswith("_min") else max
            into[1][i] = pick(present) if present else None
    return {key: (tuple(v), tuple(b)) for key, (v, b) in summed.items()}


def test_the_rebuild_in_the_database_writes_what_the_live_count_counts(world: Cast) -> None:
    """The nightly rebuild groups in the database (INSERT … SELECT); the day's refresh and
    the live count group in Python: the same counts, a unit's under its building."""
    aggregates.rebuild()
    through = FigureBuild.objects.get().through
    before = Request.objects.filter(submitted_at__lt=local(2026, 11, 20))
    counted = _keyed(aggregates.live_cells(before, NOW))
    assert _keyed(DailyFigure.objects.all()) == counted
    assert through == dt.date(2026, 11, 20)
    assert not DailyFigure.objects.filter(area__kind="unit").exists()
    # A day's refresh writes the same rows again (the latest follow-up counted once).
    day = dt.date(2026, 10, 21)
    aggregates.refresh_day(day)
    assert _keyed(DailyFigure.objects.all()) == counted
    # The month rows: the finished requests' daily rows summed per compound.
    months: dict[tuple[object, ...], int] = {}
    for row in DailyFigure.objects.filter(month__lt=dt.date(2026, 11, 1)).exclude(
        status__in=list(aggregates.OPEN)
    ):
        key = (row.month, world.compound.pk, row.grid_id, row.category_id, row.status)
        months[key] = months.get(key, 0) + row.total
    assert {
        (m.month, m.area_id, m.grid_id, m.category_id, m.status): m.total
        for m in MonthFigure.objects.all()
    } == months


def test_a_straddling_day_is_read_from_its_rows_and_only_its_clock_counted_live(
    world: Cast,
) -> None:
    """October 21's open row straddles NOW (one request overdue, one not): its counts come
    from the stored row (a row changed by hand shows), only who is overdue is counted
    live."""
    aggregates.rebuild()
    row = DailyFigure.objects.get(
        aggregates._straddling(NOW), day=dt.date(2026, 10, 21), status__in=list(aggregates.OPEN)
    )
    live = request_figures(Request.objects.all(), place=world.town, start=START, end=END, now=NOW)
    before = selectors.request_blocks(world.town, set(), start=START, end=END, now=NOW).figures
    assert before == dataclasses.replace(live, by_channel=())
    assert before.overdue_open > 0
    DailyFigure.objects.filter(pk=row.pk).update(total=row.total + 100)
    for place in (world.county, world.town, world.community, world.compound, world.grid2):
        after = selectors.request_blocks(place, set(), start=START, end=END, now=NOW).figures
        here = request_figures(Request.objects.all(), place=place, start=START, end=END, now=NOW)
        assert after.total == here.total + 100, place
        assert (after.overdue_open, after.on_time, after.response) == (
            here.overdue_open,
            here.on_time,
            here.response,
        ), place


def test_todays_requests_are_counted_live_after_the_build(world: Cast) -> None:
    """Today is never stored: its requests (at units, a building, the compound; one
    resolved and rated) count live — above compounds summed per child in the database,
    today's heat per building apart — and equal the live selectors'."""
    aggregates.rebuild()
    at = NOW - dt.timedelta(hours=1)
    for location in (world.unit1, world.unit2, world.building2, world.compound):
        file_request(world, location, category_code="sanitation", at=at)
    done = resolved(world, at=at)
    Feedback.objects.create(
        request=done,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        via="phone",
        created_at=NOW,
    )
    assert not DailyFigure.objects.filter(day=dt.date(2026, 11, 20)).exists()
    _same(world, NOW)
    _same(world, NOW + dt.timedelta(hours=12))
