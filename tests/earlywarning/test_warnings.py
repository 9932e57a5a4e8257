"""Early warnings: each detector, the scan that raises, refreshes and clears them, who sees
and acknowledges them, and that closing one by hand is respected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from linli.care.models import Alert, AlertStatus
from linli.care.services import Readings, care_plan_save, visit_log
from linli.earlywarning.models import EarlyWarning, WarningKind, WarningRule, WarningStatus
from linli.earlywarning.selectors import visible_warnings
from linli.earlywarning.services import (
    CLEARED_NOTE,
    warning_acknowledge,
    warning_close,
    warnings_scan,
)
from linli.notifications.models import Notification
from linli.people.models import ConsentPurpose
from linli.people.services import consent_record
from linli.requests.models import Satisfaction
from linli.requests.services import request_feedback
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, move

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def _active(kind: str) -> list[EarlyWarning]:
    return list(EarlyWarning.objects.filter(kind=kind, status__in=["open", "acknowledged"]))


def test_default_rules_are_installed_for_admins_to_edit() -> None:
    rules = {r.kind: (r.threshold, r.window_days) for r in WarningRule.objects.all()}
    assert rules[WarningKind.HOTSPOT] == (3, 14)
    assert set(rules) == set(WarningKind.values)


# --- hotspots ----------------------------------------------------------------------------


def _only(kind: str) -> None:
    """Switch the other rules off, so a scan's counts are about one kind."""
    WarningRule.objects.exclude(kind=kind).update(enabled=False)


def _rubbish(cast: Cast, days_ago: float, location: Any = None) -> None:
    file_request(
        cast,
        location or cast.unit1,
        text="单元门口垃圾堆着没人清",
        category_code="sanitation",
        at=_days_ago(days_ago),
    )


def test_a_building_reporting_the_same_thing_three_times_in_two_weeks_is_a_hotspot(
    cast: Cast,
) -> None:
    _only(WarningKind.HOTSPOT)
    _rubbish(cast, 1)
    _rubbish(cast, 5, cast.building1)
    assert warnings_scan()["raised"] == 0
    _rubbish(cast, 13)
    _rubbish(cast, 20)  # outside the window: not counted
    assert warnings_scan()["raised"] == 1
    (warning,) = _active(WarningKind.HOTSPOT)
    assert warning.area == cast.building1
    assert warning.grid == cast.grid1
    assert warning.count == 3
    assert "1号楼" in warning.title
    assert "环境卫生" in warning.title
    assert "近 14 天" in warning.reason
    assert "3 次" in warning.reason
    assert warning.link.startswith(reverse("requests:queue"))
    told = set(
        Notification.objects.filter(text__contains="预警").values_list("user__username", flat=True)
    )
    assert {"worker1", "staff"} <= told
    assert "worker2" not in told


def test_another_building_or_category_does_not_add_up(cast: Cast) -> None:
    _rubbish(cast, 1)
    _rubbish(cast, 2)
    _rubbish(cast, 3, cast.unit2)
    file_request(cast, cast.unit1, category_code="safety", at=_days_ago(2))
    warnings_scan()
    assert _active(WarningKind.HOTSPOT) == []


def test_a_second_scan_refreshes_instead_of_repeating_and_clears_what_passed(
    cast: Cast,
) -> None:
    _only(WarningKind.HOTSPOT)
    for days in (1, 2, 3):
        _rubbish(cast, days)
    warnings_scan()
    _rubbish(cast, 0.5)
    result = warnings_scan()
    assert (result["raised"], result["refreshed"]) == (0, 1)
    (warning,) = _active(WarningKind.HOTSPOT)
    assert warning.count == 4
    assert Notification.objects.filter(text__contains="预警", user=cast.worker1).count() == 1
    # Two weeks on, the reports have left the window: the warning clears itself.
    assert warnings_scan(now=NOW + dt.timedelta(days=14))["cleared"] == 1
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLOSED
    assert warning.close_note == CLEARED_NOTE


def test_a_warning_closed_by_a_person_is_not_raised_again_while_it_lasts(cast: Cast) -> None:
    _only(WarningKind.HOTSPOT)
    for days in (1, 2, 3):
        _rubbish(cast, days)
    warnings_scan()
    (warning,) = _active(WarningKind.HOTSPOT)
    warning_close(actor=cast.staff, warning=warning, note="已联系物业加装垃圾桶")
    assert warnings_scan(now=NOW + dt.timedelta(hours=1))["raised"] == 0
    assert _active(WarningKind.HOTSPOT) == []


def test_a_disabled_rule_raises_nothing_and_thresholds_are_read_each_scan(cast: Cast) -> None:
    for days in (1, 2):
        _rubbish(cast, days)
    WarningRule.objects.filter(kind=WarningKind.HOTSPOT).update(threshold=2)
    warnings_scan()
    assert len(_active(WarningKind.HOTSPOT)) == 1
    WarningRule.objects.filter(kind=WarningKind.HOTSPOT).update(enabled=False)
    assert warnings_scan()["cleared"] == 1


# --- the other detectors ------------------------------------------------------------------


def test_a_category_rising_well_above_its_usual_level_in_a_grid(cast: Cast) -> None:
    for week in range(1, 9):  # one a week for the eight weeks before
        file_request(cast, cast.unit1, category_code="order", at=_days_ago(7 * week + 1))
    for days in (1, 2, 3):
        file_request(cast, cast.unit1, category_code="order", at=_days_ago(days))
    warnings_scan()
    assert _active(WarningKind.CATEGORY_RISE) == []  # 3 this week: under the threshold of 4
    file_request(cast, cast.unit1, category_code="order", at=_days_ago(4))
    warnings_scan()
    (warning,) = _active(WarningKind.CATEGORY_RISE)
    assert warning.grid == cast.grid1
    assert "4 件“公共秩序”" in warning.reason
    assert "约 1.0 件" in warning.reason


def test_overdue_requests_piling_up_on_one_assignee(cast: Cast) -> None:
    for _ in range(3):
        request = file_request(cast, cast.unit1, category_code="sanitation", at=_days_ago(5))
        move(request, Status.IN_PROGRESS, cast.worker1, at=_days_ago(5))
    warnings_scan()
    (warning,) = _active(WarningKind.ASSIGNEE_OVERDUE)
    assert warning.assignee == cast.worker1
    assert "3 件诉求超期" in warning.title
    # The assignee sees it on their own list.
    assert visible_warnings(cast.worker1).filter(pk=warning.pk).exists()


def test_one_household_dissatisfied_twice(cast: Cast) -> None:
    for days in (10, 3):
        request = file_request(cast, cast.unit1, reporter=cast.elder, at=_days_ago(days + 1))
        move(request, Status.IN_PROGRESS, cast.worker1, at=_days_ago(days + 1))
        move(request, Status.RESOLVED, cast.worker1, note="已处理", at=_days_ago(days + 0.5))
        request_feedback(
            request=request,
            actor=cast.staff,
            resolved=True,
            satisfaction=Satisfaction.DISSATISFIED,
            via="phone",
            at=_days_ago(days),
        )
    warnings_scan()
    (warning,) = _active(WarningKind.REPEATED_DISSATISFACTION)
    assert "1号楼1单元101室" in warning.title
    assert warning.link == reverse("people:household_detail", args=[cast.household1.pk])


def test_an_elder_living_alone_unvisited_for_a_week(cast: Cast) -> None:
    care_plan_save(actor=cast.staff, resident=cast.elder)
    visit_log(actor=cast.worker1, resident=cast.elder, visited_at=_days_ago(8))
    warnings_scan()
    (warning,) = _active(WarningKind.ELDER_UNVISITED)
    assert warning.resident == cast.elder
    assert "8 天没有上门走访" in warning.reason
    visit_log(actor=cast.worker1, resident=cast.elder, visited_at=_days_ago(0.1))
    assert warnings_scan()["cleared"] == 1


def test_an_urgent_alert_nobody_acknowledged_for_two_hours(cast: Cast) -> None:
    consent_record(actor=None, resident=cast.elder, purpose=ConsentPurpose.HEALTH)
    care_plan_save(actor=cast.staff, resident=cast.elder)
    visit_log(
        actor=cast.worker1,
        resident=cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=186, bp_diastolic=112),
        visited_at=_days_ago(0.2),
    )
    Alert.objects.update(created_at=_days_ago(0.2))
    warnings_scan()
    (warning,) = _active(WarningKind.ALERT_UNACKNOWLEDGED)
    assert "4 小时无人确认" in warning.reason
    # No reading in the warning: a leader sees it without health data.
    assert "血压" not in warning.reason + warning.title
    assert "186" not in warning.reason
    Alert.objects.update(status=AlertStatus.ACKNOWLEDGED)
    assert warnings_scan()["cleared"] == 1


# --- people ------------------------------------------------------------------------------


def _hotspot(cast: Cast) -> EarlyWarning:
    _only(WarningKind.HOTSPOT)
    for days in (1, 2, 3):
        _rubbish(cast, days)
    warnings_scan()
    (warning,) = _active(WarningKind.HOTSPOT)
    return warning


def test_scope_grid_2_does_not_see_grid_1(cast: Cast) -> None:
    warning = _hotspot(cast)
    for user in (cast.worker1, cast.staff, cast.leader):
        assert visible_warnings(user).filter(pk=warning.pk).exists(), user
    for user in (cast.worker2, cast.resident_user, cast.volunteer_user):
        assert not visible_warnings(user).filter(pk=warning.pk).exists(), user


def test_acknowledge_then_close_with_a_note(cast: Cast) -> None:
    warning = _hotspot(cast)
    warning_acknowledge(actor=cast.worker1, warning=warning)
    warning.refresh_from_db()
    assert (warning.status, warning.acknowledged_by) == (WarningStatus.ACKNOWLEDGED, cast.worker1)
    warning_close(actor=cast.staff, warning=warning, note="垃圾桶已加装")
    warning.refresh_from_db()
    assert (warning.status, warning.close_note) == (WarningStatus.CLOSED, "垃圾桶已加装")


def test_the_warnings_page(cast: Cast, client_for: Any) -> None:
    warning = _hotspot(cast)
    client: Client = client_for("worker1")
    page = client.get(reverse("earlywarning:list"))
    assert warning.title in page.content.decode()
    client.post(reverse("earlywarning:acknowledge", args=[warning.pk]))
    client.post(reverse("earlywarning:close", args=[warning.pk]), {"note": "已处理"})
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLOSED
    assert "眼下没有预警" in client.get(reverse("earlywarning:list")).content.decode()
    outsider = client_for("worker2")
    assert outsider.post(reverse("earlywarning:acknowledge", args=[warning.pk])).status_code == 404


# --- the scan works item by item (linli.core.sweeps): what may happen between the list
# being read and an item's turn


def _closing_it_while_the_scan_reads(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the hotspot detector close the active warning of its finding right after it
    has found it: as a cadre who closes it while the scan works through its list."""
    from linli.earlywarning.detectors import registered_detectors

    real = registered_detectors()[WarningKind.HOTSPOT]

    def detector(rule: WarningRule, now: dt.datetime) -> list[Any]:
        findings = list(real(rule, now))
        for warning in EarlyWarning.objects.filter(status=WarningStatus.OPEN):
            warning_close(actor=cast.staff, warning=warning, note="已处理")
        return findings

    monkeypatch.setattr(
        "linli.earlywarning.services.registered_detectors", lambda: {WarningKind.HOTSPOT: detector}
    )


def test_a_warning_closed_while_the_scan_reads_is_not_raised_again(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only(WarningKind.HOTSPOT)
    for days in (1, 2, 3):
        _rubbish(cast, days)
    warnings_scan()
    assert len(_active(WarningKind.HOTSPOT)) == 1
    _closing_it_while_the_scan_reads(cast, monkeypatch)

    counts = warnings_scan(now=NOW + dt.timedelta(hours=1))

    assert counts == {"raised": 0, "refreshed": 0, "cleared": 0}
    assert _active(WarningKind.HOTSPOT) == []


def test_one_kind_failing_does_not_stop_the_others(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linli.earlywarning.detectors import registered_detectors

    _only(WarningKind.HOTSPOT)
    WarningRule.objects.filter(kind=WarningKind.ASSIGNEE_OVERDUE).update(enabled=True)
    for days in (1, 2, 3):
        _rubbish(cast, days)
    real = registered_detectors()

    def broken(rule: WarningRule, now: dt.datetime) -> list[Any]:
        raise RuntimeError("this detector is broken")

    # The broken kind comes first: the hotspot is still raised, then the error surfaces.
    monkeypatch.setattr(
        "linli.earlywarning.services.registered_detectors",
        lambda: {
            WarningKind.ASSIGNEE_OVERDUE: broken,
            WarningKind.HOTSPOT: real[WarningKind.HOTSPOT],
        },
    )
    with pytest.raises(RuntimeError, match="this detector is broken"):
        warnings_scan()
    assert len(_active(WarningKind.HOTSPOT)) == 1


def test_a_second_scan_finding_the_same_thing_refreshes_the_first_ones_warning(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two scans at once may both read "no active warning" for a key; the second one's
    insert meets the one-active-warning-per-key index and refreshes instead of failing."""
    _only(WarningKind.HOTSPOT)
    for days in (1, 2, 3):
        _rubbish(cast, days)
    warnings_scan()
    (first,) = _active(WarningKind.HOTSPOT)
    # As the second scan saw it: no active warning yet for the key.
    real_filter = EarlyWarning.objects.select_for_update

    class Blind:
        def filter(self, **kwargs: Any) -> Any:
            query = real_filter().filter(**kwargs)
            blind = query.none()
            blind.get = query.get  # type: ignore[method-assign]
            return blind

    monkeypatch.setattr(EarlyWarning.objects, "select_for_update", lambda: Blind())

    counts = warnings_scan(now=NOW + dt.timedelta(hours=1))

    assert counts["raised"] == 0
    assert counts["refreshed"] == 1
    assert _active(WarningKind.HOTSPOT) == [first]
