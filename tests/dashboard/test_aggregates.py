"""The daily pre-aggregate (DailyFigure): the dashboard's request blocks read from it equal
the live selectors' figures — before any build, after the nightly rebuild, when the clock
has moved on past stored deadlines, and after a request of a stored day changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from linli.dashboard import aggregates, selectors
from linli.dashboard.models import DailyFigure, FigureBuild
from linli.dashboard.tasks import rebuild_daily_figures
from linli.requests.figures import Place, place_condition, request_figures
from linli.requests.models import Feedback, Request, Satisfaction
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, in_progress, local, move, resolved, waiting

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)
START, END = dt.date(2026, 9, 1), dt.date(2026, 12, 1)


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
    with time_machine.travel(NOW - dt.timedelta(hours=30), tick=False):
        for _ in range(2):
            file_request(cast, category_code="sanitation", at=NOW - dt.timedelta(hours=30))
    with time_machine.travel(NOW, tick=False):
        yield cast


def _places(cast: Cast) -> list[Place]:
    return [cast.town, cast.community, cast.compound, cast.grid1, cast.grid2]


def _same(cast: Cast, now: dt.datetime) -> None:
    allowed = {c.key for c in selectors.dashboard_places(cast.leader)}
    everything = Request.objects.all()
    for place in _places(cast):
        for start, end in ((START, END), (dt.date(2026, 11, 1), END)):
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
    _same(world, NOW)
