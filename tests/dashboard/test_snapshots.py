"""Snapshots of the request blocks (linli.dashboard.snapshots): reused for their lifetime,
counted again after it and by the minute task for what was looked at, with each reader's
links and each language's labels; the care counts' shortcut when the scope covers
the place; and the care counts of /care/, kept for those who only watch care."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from linli.accounts.models import RoleAssignment
from linli.care.selectors import care_figures
from linli.care.services import care_plan_save
from linli.core.roles import Role
from linli.dashboard import selectors, snapshots
from linli.dashboard.tasks import refresh_dashboard_snapshots
from tests.cast import Cast
from tests.requests.support import file_request, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)
START, END = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _rubbish(cast: Cast, at: dt.datetime) -> None:
    file_request(cast, cast.unit1, text="单元门口垃圾堆着", category_code="sanitation", at=at)


def _total(cast: Cast, now: dt.datetime) -> int:
    choice = selectors.dashboard_place_get(user=cast.leader, kind="area", pk=cast.town.pk)
    dashboard = selectors.dashboard_for_user(cast.leader, choice, start=START, end=END, now=now)
    return dashboard.figures.total


def test_the_page_reuses_its_counts_for_a_minute_then_counts_again(cast: Cast) -> None:
    _rubbish(cast, NOW - dt.timedelta(days=2))
    assert _total(cast, NOW) == 1
    _rubbish(cast, NOW - dt.timedelta(days=1))
    assert _total(cast, NOW + dt.timedelta(seconds=59)) == 1  # the snapshot of NOW
    # Past the minute the old figures are shown once more while a task counts them again
    # (immediately, in tests); the next view has the new count.
    assert _total(cast, NOW + dt.timedelta(seconds=60)) == 1
    assert _total(cast, NOW + dt.timedelta(seconds=61)) == 2


@override_settings(LINLI_SNAPSHOT_STALE_SECONDS=0)
def test_without_a_stale_lifetime_an_old_snapshot_is_counted_on_the_view(cast: Cast) -> None:
    _rubbish(cast, NOW - dt.timedelta(days=2))
    assert _total(cast, NOW) == 1
    _rubbish(cast, NOW - dt.timedelta(days=1))
    assert _total(cast, NOW + dt.timedelta(seconds=60)) == 2


def test_a_snapshot_older_than_its_stale_lifetime_is_counted_on_the_view(cast: Cast) -> None:
    """Past an hour beyond its minute, figures are too old to show even for a moment."""
    _rubbish(cast, NOW - dt.timedelta(days=2))
    assert _total(cast, NOW) == 1
    _rubbish(cast, NOW - dt.timedelta(days=1))
    assert _total(cast, NOW + dt.timedelta(seconds=60 + 3599)) == 1
    _rubbish(cast, NOW - dt.timedelta(hours=12))
    assert _total(cast, NOW + dt.timedelta(seconds=60 + 3599 + 60 + 3600)) == 3


def test_an_old_snapshot_is_counted_again_once_while_it_waits(cast: Cast) -> None:
    """Many leaders opening the same old figures at once queue one recount (of the
    request blocks: the care counts are never shown old), not one each."""
    _total(cast, NOW)
    with patch("linli.dashboard.tasks.recount_snapshot") as queued:
        for seconds in (61, 62, 63):
            _total(cast, NOW + dt.timedelta(seconds=seconds))
    assert [call.args[0][0] for call in queued.call_args_list] == ["blocks"]


def test_a_recount_that_cannot_be_queued_leaves_the_old_figures_shown(cast: Cast) -> None:
    """The queue is down: the page still shows what it has, and the next view tries again."""
    _rubbish(cast, NOW - dt.timedelta(days=2))
    assert _total(cast, NOW) == 1
    _rubbish(cast, NOW - dt.timedelta(days=1))
    with patch("linli.dashboard.tasks.recount_snapshot", side_effect=OSError("queue down")):
        assert _total(cast, NOW + dt.timedelta(seconds=61)) == 1
    assert _total(cast, NOW + dt.timedelta(seconds=62)) == 1  # queued now, shown once more
    assert _total(cast, NOW + dt.timedelta(seconds=63)) == 2


def test_a_late_recount_does_not_replace_a_newer_count(cast: Cast) -> None:
    """The minute task counted after the view that queued a recount: the recount, run
    late, keeps the newer count rather than storing one under an older time."""
    _total(cast, NOW)
    entry = next(e for e in cache.get(snapshots.VIEWED_KEY) if e[0] == "blocks")
    later = NOW + dt.timedelta(minutes=3)
    assert snapshots.refresh_viewed(later) >= 1
    assert not snapshots.recount_queued(entry, None, NOW + dt.timedelta(minutes=2))
    assert (
        snapshots.request_blocks(cast.town, set(), start=START, end=END, now=later).taken_at
        == later
    )


@override_settings(LINLI_DASHBOARD_SNAPSHOT_SECONDS=0)
def test_with_no_lifetime_every_view_counts(cast: Cast) -> None:
    assert _total(cast, NOW) == 0
    _rubbish(cast, NOW - dt.timedelta(days=1))
    assert _total(cast, NOW) == 1


def test_a_snapshot_from_a_later_moment_is_not_used_for_an_earlier_one(cast: Cast) -> None:
    _rubbish(cast, NOW - dt.timedelta(days=1))
    later = snapshots.take(cast.town, start=START, end=END, now=NOW + dt.timedelta(minutes=5))
    assert later.blocks.figures.total == 1
    _rubbish(cast, NOW - dt.timedelta(hours=1))
    assert _total(cast, NOW) == 2


def test_the_page_says_when_it_counted(cast: Cast, client_for: Any) -> None:
    page = client_for("leader").get(f"/dashboard/area/{cast.town.pk}/").content.decode()
    assert "诉求数字统计于 10:00,每分钟更新。" in page


def test_each_reader_gets_links_only_to_places_they_may_open(cast: Cast) -> None:
    leader_choice = selectors.dashboard_place_get(
        user=cast.leader, kind="area", pk=cast.community.pk
    )
    selectors.dashboard_for_user(cast.leader, leader_choice, start=START, end=END, now=NOW)
    everyone = snapshots.request_blocks(
        cast.community, {f"grid-{cast.grid1.pk}"}, start=START, end=END, now=NOW
    )
    links = {row.label: row.url for row in everyone.blocks.children}
    assert links == {"和平小区": "", "第1网格": f"/dashboard/grid/{cast.grid1.pk}/", "第2网格": ""}
    nobody = snapshots.request_blocks(cast.community, set(), start=START, end=END, now=NOW)
    assert [row.url for row in nobody.blocks.children] == ["", "", ""]
    assert nobody.taken_at == everyone.taken_at == NOW  # one snapshot, two readers


def test_a_snapshot_is_kept_per_language(cast: Cast) -> None:
    chinese = snapshots.request_blocks(cast.community, set(), start=START, end=END, now=NOW)
    with translation.override("en"):
        english = snapshots.request_blocks(cast.community, set(), start=START, end=END, now=NOW)
    assert {row.kind_label for row in chinese.blocks.children} == {"小区", "网格"}
    assert {row.kind_label for row in english.blocks.children} == {"Estate", "Grid"}


def test_the_minute_task_counts_again_what_was_looked_at(cast: Cast) -> None:
    assert _total(cast, NOW) == 0  # the leader looks at the town
    _rubbish(cast, NOW - dt.timedelta(hours=3))
    later = NOW + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert refresh_dashboard_snapshots.call_local() == 2  # the blocks and the care counts
    # The next view within the minute reads the task's snapshot, not a count of its own.
    choice = selectors.dashboard_place_get(user=cast.leader, kind="area", pk=cast.town.pk)
    dashboard = selectors.dashboard_for_user(
        cast.leader, choice, start=START, end=END, now=later + dt.timedelta(seconds=30)
    )
    assert (dashboard.figures.total, dashboard.counted_at) == (1, later)


def test_the_minute_task_forgets_places_nobody_looked_at_for_half_an_hour(cast: Cast) -> None:
    _total(cast, NOW)
    assert snapshots.refresh_viewed(NOW + dt.timedelta(minutes=29)) == 2
    assert snapshots.refresh_viewed(NOW + dt.timedelta(minutes=31)) == 0


def test_care_counts_agree_whether_or_not_the_scope_covers_the_place(cast: Cast) -> None:
    """A leader's scope covers the grid's community (the shortcut: no scope join); the grid
    worker's is the grid itself (the scope is applied): both count the same plan."""
    care_plan_save(actor=cast.staff, resident=cast.elder, visits_per_week=2, primary_volunteer=None)
    by_leader = selectors.care_coverage(cast.leader, cast.grid1, now=NOW)
    by_worker = selectors.care_coverage(cast.worker1, cast.grid1, now=NOW)
    assert by_leader is not None
    assert by_worker is not None
    assert by_leader == by_worker
    assert (by_leader.plans, by_leader.visits_due_this_week) == (1, 2)


def test_care_counts_are_kept_per_scope_for_a_minute(cast: Cast) -> None:
    assert snapshots.care_coverage(cast.leader, cast.grid1, now=NOW) == selectors.care_coverage(
        cast.leader, cast.grid1, now=NOW
    )
    care_plan_save(actor=cast.staff, resident=cast.elder, visits_per_week=2, primary_volunteer=None)
    soon = NOW + dt.timedelta(seconds=30)
    kept = snapshots.care_coverage(cast.leader, cast.grid1, now=soon)
    assert kept is not None
    assert kept.plans == 0
    by_worker = snapshots.care_coverage(cast.worker1, cast.grid1, now=soon)
    assert by_worker is not None
    assert by_worker.plans == 1
    # Never shown past its minute: the page gives the request figures' time, not this.
    later = snapshots.care_coverage(cast.leader, cast.grid1, now=NOW + dt.timedelta(minutes=1))
    assert later is not None
    assert later.plans == 1


def test_no_care_counts_for_a_reader_without_care(cast: Cast) -> None:
    assert snapshots.care_coverage(cast.resident_user, cast.grid1, now=NOW) is None


# --- the care counts of /care/ (care_figures) ------------------------------------------------


def _plan_for_elder(cast: Cast) -> None:
    care_plan_save(actor=cast.staff, resident=cast.elder, visits_per_week=2, primary_volunteer=None)


def test_a_leaders_care_figures_are_kept_for_a_minute_a_recorders_counted_at_once(
    cast: Cast,
) -> None:
    figures, taken_at = snapshots.care_figures(cast.leader, now=NOW)
    assert (figures.plans, taken_at) == (0, NOW)
    _plan_for_elder(cast)
    soon = NOW + dt.timedelta(seconds=59)
    kept, kept_at = snapshots.care_figures(cast.leader, now=soon)
    assert (kept.plans, kept.due, kept_at) == (0, 0, NOW)
    for recorder in (cast.worker1, cast.staff):
        live, live_at = snapshots.care_figures(recorder, now=soon)
        assert (live.plans, live.due, live_at) == (1, 1, None)
    later = NOW + dt.timedelta(seconds=60)
    shown, shown_at = snapshots.care_figures(cast.leader, now=later)
    assert (shown.plans, shown_at) == (0, NOW)  # shown once more, while counted again
    counted, counted_at = snapshots.care_figures(cast.leader, now=later + dt.timedelta(seconds=1))
    assert (counted.plans, counted.due, counted_at) == (1, 1, later)


@override_settings(LINLI_DASHBOARD_SNAPSHOT_SECONDS=0)
def test_with_no_lifetime_a_leaders_care_figures_are_counted_on_every_view(cast: Cast) -> None:
    assert snapshots.care_figures(cast.leader, now=NOW)[0].plans == 0
    _plan_for_elder(cast)
    assert snapshots.care_figures(cast.leader, now=NOW) == (
        care_figures(cast.leader, now=NOW),
        None,
    )
    assert care_figures(cast.leader, now=NOW).plans == 1


def test_the_minute_task_counts_a_leaders_care_figures_again(cast: Cast) -> None:
    snapshots.care_figures(cast.leader, now=NOW)
    _plan_for_elder(cast)
    later = NOW + dt.timedelta(minutes=2)
    assert snapshots.refresh_viewed(later) == 1
    figures, taken_at = snapshots.care_figures(cast.leader, now=later + dt.timedelta(seconds=30))
    assert (figures.plans, taken_at) == (1, later)


def test_the_minute_task_does_not_count_a_scope_again_for_a_reader_who_left_it(
    cast: Cast,
) -> None:
    """The leader moves from the town to another community: counting the town's snapshot
    again as them would give the town's other leaders that community's counts."""
    snapshots.care_figures(cast.leader, now=NOW)
    _total(cast, NOW)  # and the dashboard's care counts of the town
    RoleAssignment.objects.filter(user=cast.leader, role=Role.LEADER).update(
        area=cast.other_community
    )
    assert snapshots.refresh_viewed(NOW + dt.timedelta(minutes=2)) == 1  # the blocks only


def test_the_care_page_says_when_a_leaders_figures_were_counted(
    cast: Cast, client_for: Any
) -> None:
    notice = "以上数字统计于 10:00,每分钟更新。"
    recounting = "正在重新统计"
    first = client_for("leader").get("/care/").content.decode()
    assert notice in first
    assert recounting not in first
    assert notice not in client_for("staff").get("/care/").content.decode()
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        old = client_for("leader").get("/care/").content.decode()
        new = client_for("leader").get("/care/").content.decode()
    assert notice in old
    assert recounting in old
    assert "以上数字统计于 10:05,每分钟更新。" in new
    assert recounting not in new


def test_a_leaders_home_does_not_count_care_it_does_not_show(cast: Cast, client_for: Any) -> None:
    client = client_for("leader")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "care_careplan" in q["sql"]]
    staff = client_for("staff")
    with CaptureQueriesContext(connection) as queries:
        assert staff.get("/").status_code == 200
    assert [q for q in queries.captured_queries if "care_careplan" in q["sql"]]


@dataclass(frozen=True)
class _Row:
    label: str


@dataclass(frozen=True)
class _Kept:
    rows: list[_Row]
    total: int | None


def test_the_cache_key_changes_with_the_shape_of_what_is_kept() -> None:
    """A release that adds a field to a kept dataclass, however deep, reads no value an
    older release kept (it would unpickle without the field and render blank)."""
    assert snapshots._shape(_Kept) == ["_Kept", "rows", "_Row", "label", "total"]
    assert snapshots._cache_key(("figures", "abc")) == (
        f"linli:dashboard:{snapshots.SHAPE}:figures:abc"
    )
