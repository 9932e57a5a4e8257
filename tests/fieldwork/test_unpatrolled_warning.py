"""A grid its worker has not patrolled for two days is an early warning (registered by
field work with earlywarning's detector registry); a patrol clears it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.urls import reverse

from linli.earlywarning.models import EarlyWarning, WarningKind, WarningRule, WarningStatus
from linli.earlywarning.services import warnings_scan
from linli.fieldwork.services import patrol_finish, patrol_start
from tests.cast import Cast
from tests.requests.support import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 18)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _only_patrols() -> None:
    WarningRule.objects.exclude(kind=WarningKind.GRID_UNPATROLLED).update(enabled=False)


def _patrol(cast: Cast, days_ago: int) -> None:
    patrol = patrol_start(actor=cast.worker1, grid=cast.grid1, at=NOW - dt.timedelta(days=days_ago))
    patrol_finish(actor=cast.worker1, patrol=patrol)


def _warning_of(cast: Cast) -> EarlyWarning | None:
    return EarlyWarning.objects.filter(
        kind=WarningKind.GRID_UNPATROLLED, grid=cast.grid1, status=WarningStatus.OPEN
    ).first()


def test_a_grid_not_patrolled_for_two_days_is_a_warning(cast: Cast) -> None:
    _patrol(cast, days_ago=3)
    warnings_scan(now=NOW)
    warning = _warning_of(cast)
    assert warning is not None
    assert warning.title == "第1网格久未巡查"
    assert warning.reason == "第1网格已 3 天没有巡查记录。"
    assert warning.link == reverse("fieldwork:patrols") + f"?grid={cast.grid1.pk}"


def test_yesterdays_patrol_is_recent_enough_and_a_new_patrol_clears_it(cast: Cast) -> None:
    _patrol(cast, days_ago=1)
    warnings_scan(now=NOW)
    assert _warning_of(cast) is None
    # Grid 2 was never patrolled by its worker.
    never = EarlyWarning.objects.get(kind=WarningKind.GRID_UNPATROLLED, grid=cast.grid2)
    assert never.reason == "第2网格还没有巡查记录。"
    patrol = patrol_start(actor=cast.worker2, grid=cast.grid2, at=NOW)
    patrol_finish(actor=cast.worker2, patrol=patrol)
    assert warnings_scan(now=NOW)["cleared"] == 1
