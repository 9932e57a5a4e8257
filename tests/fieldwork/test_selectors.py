"""Scopes, the not-yet-down list, unpatrolled grids and the figures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from linli.fieldwork.models import Patrol, PostingKind
from linli.fieldwork.selectors import (
    cadres_for_month,
    fieldwork_figures,
    home_block,
    patrol_get_for_user,
    unpatrolled_count,
    unpatrolled_grids,
    visible_visits,
    visit_get_for_user,
)
from linli.fieldwork.services import posting_create
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.fieldwork.support import Fieldwork
from tests.requests.support import local, move

pytestmark = pytest.mark.django_db


def test_visits_and_patrols_are_404_outside_scope(cast: Cast, fw: Fieldwork) -> None:
    assert visit_get_for_user(user=fw.cadre, pk=fw.visit.pk) == fw.visit
    assert visit_get_for_user(user=cast.staff, pk=fw.visit.pk) == fw.visit
    assert visit_get_for_user(user=cast.leader, pk=fw.visit.pk) == fw.visit
    assert patrol_get_for_user(user=cast.worker1, pk=fw.patrol.pk) == fw.patrol
    for outsider in (cast.worker2, cast.resident_user, cast.volunteer_user):
        with pytest.raises(Http404):
            visit_get_for_user(user=outsider, pk=fw.visit.pk)
        with pytest.raises(Http404):
            patrol_get_for_user(user=outsider, pk=fw.patrol.pk)
    assert not visible_visits(cast.worker1).exists()


def test_the_not_yet_down_list_per_month(cast: Cast, fw: Fieldwork) -> None:
    posting_create(actor=None, cadre=cast.leader, kind=PostingKind.BAOPIAN, compound=cast.compound)
    today = timezone.localdate()
    rows = cadres_for_month(cast.leader, today)
    assert [(r.cadre.username, r.went_down) for r in rows] == [
        ("leader", False),
        ("liandian", True),
    ]
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    assert [r.went_down for r in cadres_for_month(cast.staff, last_month)] == [False, False]
    assert cadres_for_month(cast.worker2, today) == []


def test_grids_not_patrolled_for_two_days(cast: Cast, fw: Fieldwork) -> None:
    now = timezone.now()
    assert [r.grid for r in unpatrolled_grids(cast.staff, now=now)] == [cast.grid2]
    later = now + dt.timedelta(days=2)
    rows = unpatrolled_grids(cast.staff, now=later)
    assert [(r.grid, r.days_since) for r in rows] == [(cast.grid1, 2), (cast.grid2, None)]
    assert unpatrolled_grids(cast.worker1, now=later) == []


def test_figures_for_an_area_and_period(cast: Cast, fw: Fieldwork) -> None:
    today = timezone.localdate()
    figures = fieldwork_figures(cast.leader, start=today.replace(day=1), end=today)
    assert (figures.cadres, figures.cadres_down, figures.visits) == (1, 1, 1)
    assert (figures.households, figures.concerns, figures.concerns_resolved) == (3, 1, 0)
    assert figures.resolution_rate == 0
    assert (figures.patrols, figures.findings_solved, figures.findings_filed) == (1, 1, 1)
    assert figures.patrols_per_grid == [(cast.grid1, 1), (cast.grid2, 0)]

    request = fw.visit.concerns.get().request
    assert request is not None
    move(request, Status.IN_PROGRESS, cast.worker1)
    move(request, Status.RESOLVED, cast.worker1, note="已修好")
    figures = fieldwork_figures(cast.staff, start=today, end=today, area=cast.compound)
    assert figures.concerns_resolved == 1
    assert figures.resolution_rate == 100

    other = fieldwork_figures(cast.leader, start=today, end=today, area=cast.other_community)
    assert (other.cadres, other.visits, other.patrols) == (0, 0, 0)
    earlier = today - dt.timedelta(days=40)
    old = fieldwork_figures(cast.leader, start=earlier, end=earlier + dt.timedelta(days=1))
    assert (old.visits, old.patrols, old.cadres_down) == (0, 0, 0)
    assert fieldwork_figures(cast.worker2, start=today, end=today).visits == 0


def test_the_home_block_of_each_role(cast: Cast, fw: Fieldwork) -> None:
    cadre = home_block(fw.cadre)
    assert cadre is not None
    assert cadre.visits_this_month == 1
    assert cadre.concerns_open == 1
    worker = home_block(cast.worker1)
    assert worker is not None
    assert worker.open_patrol == fw.patrol
    # A month later: the cadre has not been down yet, neither grid was patrolled.
    with time_machine.travel(timezone.now() + dt.timedelta(days=35), tick=True):
        staff = home_block(cast.staff)
        assert staff is not None
        assert staff.not_down == 1
        assert staff.unpatrolled == len(unpatrolled_grids(cast.staff)) == 2
    assert home_block(cast.resident_user) is None


@pytest.mark.parametrize(
    ("last_patrol", "counted"),
    [
        (None, True),  # never patrolled
        (dt.datetime(2026, 11, 17, 23, 59), True),  # the day before yesterday: two days ago
        (dt.datetime(2026, 11, 18, 0, 0), False),  # yesterday, at its first minute
        (dt.datetime(2026, 11, 19, 9, 0), False),  # today
    ],
)
def test_the_homes_count_of_unpatrolled_grids_is_the_lists(
    cast: Cast, fw: Fieldwork, last_patrol: dt.datetime | None, counted: bool
) -> None:
    """The home counts in the database what the patrol page lists, to the minute of the
    local day's boundary (with grid 2 never patrolled)."""
    now = local(2026, 11, 19, 10)
    Patrol.objects.all().delete()
    if last_patrol is not None:
        Patrol.objects.create(
            grid=cast.grid1,
            worker=cast.worker1,
            started_at=timezone.make_aware(last_patrol),
            finished_at=timezone.make_aware(last_patrol),
        )
    listed = {row.grid for row in unpatrolled_grids(cast.staff, now=now)}
    assert (cast.grid1 in listed) is counted
    assert unpatrolled_count(cast.staff, now=now) == len(listed) == 1 + counted
