from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from linli.care.models import Alert, AlertKind, AlertLevel, AlertStatus, CarePlan, VisitKind
from linli.care.selectors import due_plans, with_due
from linli.care.services import (
    alert_acknowledge,
    alert_close,
    care_plan_save,
    care_raise_overdue_alerts,
    visit_log,
)
from linli.core.models import AuditEvent
from tests.care.conftest import CareCast, plans_made_days_ago

pytestmark = pytest.mark.django_db


def _visit(care: CareCast, days_ago: float, kind: str = VisitKind.HOME) -> None:
    visit_log(
        actor=care.cast.volunteer_user,
        resident=care.cast.elder,
        kind=kind,
        visited_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def _plan(care: CareCast) -> Any:
    """The plan with its derived ``last_home_visit_at``, ``due_at`` and ``overdue``."""
    return with_due(CarePlan.objects.filter(pk=care.plan.pk)).get()


def test_due_is_seven_over_n_days_after_the_last_home_visit(care: CareCast) -> None:
    _visit(care, days_ago=1)
    _visit(care, days_ago=0.5, kind=VisitKind.PHONE)  # a call does not reset the clock
    plan = _plan(care)
    assert plan.last_home_visit_at is not None
    assert abs(plan.due_at - (plan.last_home_visit_at + dt.timedelta(days=3.5))) < dt.timedelta(
        seconds=1
    )
    assert plan.overdue is False
    assert care.plan not in due_plans(care.cast.staff)


def test_overdue_one_day_after_due(care: CareCast) -> None:
    _visit(care, days_ago=4)  # due half a day ago: due, not yet overdue
    assert _plan(care).overdue is False
    assert list(due_plans(care.cast.staff)) == [care.plan]
    assert list(due_plans(care.cast.staff, overdue_only=True)) == []
    care_plan_save(actor=None, resident=care.cast.elder, visits_per_week=7)
    # Daily visits, the last one four days ago: three days past due.
    assert _plan(care).overdue is True
    assert list(due_plans(care.cast.staff, overdue_only=True)) == [care.plan]


def test_never_visited_is_due_from_the_day_the_plan_was_made(care: CareCast) -> None:
    assert _plan(care).last_home_visit_at is None
    assert list(due_plans(care.cast.volunteer_user)) == [care.plan]
    plans_made_days_ago(CarePlan.objects.filter(pk=care.plan.pk), 3)
    assert _plan(care).overdue is True


def test_due_list_is_most_urgent_first_and_scoped(care: CareCast) -> None:
    other = care_plan_save(actor=None, resident=care.cast.neighbour, visits_per_week=1)
    plans_made_days_ago(CarePlan.objects.filter(pk=other.pk), 9)
    _visit(care, days_ago=5)
    assert list(due_plans(care.cast.staff)) == [other, care.plan]
    assert list(due_plans(care.cast.worker1)) == [care.plan]
    assert list(due_plans(care.cast.worker2)) == [other]
    # The volunteer sees only the people assigned to them.
    assert list(due_plans(care.cast.volunteer_user)) == [care.plan]
    assert list(due_plans(care.cast.leader)) == [other, care.plan]


def test_overdue_alert_is_raised_once(care: CareCast) -> None:
    _visit(care, days_ago=6)
    assert care_raise_overdue_alerts() == 1
    assert care_raise_overdue_alerts() == 0
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.OVERDUE


def test_alert_is_acknowledged_then_closed_with_a_note(care: CareCast) -> None:
    _visit(care, days_ago=6)
    care_raise_overdue_alerts()
    alert = Alert.objects.get()
    alert_acknowledge(alert=alert, actor=care.cast.worker1)
    assert alert.status == AlertStatus.ACKNOWLEDGED
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="请写明处理情况"):
        alert_close(alert=alert, actor=care.cast.worker1, note="  ")
    alert_close(alert=alert, actor=care.cast.worker1, note="已上门,老人安好")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.close_note == "已上门,老人安好"
    assert AuditEvent.objects.filter(object_type="care.alert", action="update").count() == 2
    # Once closed, a new overdue alert may be raised again later.
    assert care_raise_overdue_alerts() == 1


def test_overdue_alert_is_raised_despite_a_closed_overdue_and_an_open_alert_of_another_kind(
    care: CareCast,
) -> None:
    """The "already alerted" check looks for one alert that is both overdue and active,
    not for any overdue alert plus any active alert."""
    cast = care.cast
    long_ago = timezone.now() - dt.timedelta(days=30)
    Alert.objects.create(
        resident=cast.elder,
        kind=AlertKind.OVERDUE,
        level=AlertLevel.HIGH,
        status=AlertStatus.CLOSED,
        created_at=long_ago,
        closed_at=long_ago,
    )
    Alert.objects.create(
        resident=cast.elder,
        kind=AlertKind.BLOOD_PRESSURE,
        level=AlertLevel.HIGH,
        status=AlertStatus.OPEN,
        created_at=long_ago,
    )
    still_alerted = care_plan_save(actor=None, resident=cast.neighbour, visits_per_week=1)
    Alert.objects.create(
        resident=cast.neighbour,
        kind=AlertKind.OVERDUE,
        level=AlertLevel.HIGH,
        status=AlertStatus.OPEN,
        created_at=long_ago,
    )
    plans_made_days_ago(CarePlan.objects.filter(pk__in=[care.plan.pk, still_alerted.pk]), 10)

    assert care_raise_overdue_alerts() == 1

    active_overdue = Alert.objects.filter(kind=AlertKind.OVERDUE).exclude(status=AlertStatus.CLOSED)
    assert sorted(active_overdue.values_list("resident__name", flat=True)) == sorted(
        [cast.elder.name, cast.neighbour.name]
    )
    assert Alert.objects.filter(resident=cast.neighbour, kind=AlertKind.OVERDUE).count() == 1


def test_care_figures_count_plans_due_today_and_overdue_in_one_pass(care: CareCast) -> None:
    from linli.care.selectors import care_figures, care_gaps

    other = care_plan_save(actor=None, resident=care.cast.neighbour, visits_per_week=1)
    plans_made_days_ago(CarePlan.objects.filter(pk=other.pk), 9)
    _visit(care, days_ago=1)  # the elder is next due in two and a half days

    staff = care_figures(care.cast.staff)
    assert (staff.plans, staff.due, staff.overdue, staff.open_alerts) == (2, 1, 1, 0)
    # The gaps (people living alone without a plan) only when asked for.
    assert staff.gaps is None
    assert care_figures(care.cast.staff, with_gaps=True).gaps == care_gaps(care.cast.staff).count()
    # The volunteer counts only the people assigned to them.
    mine = care_figures(care.cast.volunteer_user)
    assert (mine.plans, mine.due, mine.overdue) == (1, 0, 0)


def test_a_visit_logged_while_the_sweep_runs_leaves_no_overdue_alert(care: CareCast) -> None:
    """The sweep reads its list first, then each plan again in the item's own transaction
    (linli.core.sweeps): a visit logged in between means the person is not overdue."""
    from linli.care.services import _raise_overdue

    plans_made_days_ago(CarePlan.objects.filter(pk=care.plan.pk), 9)
    now = timezone.now()
    assert _plan(care).overdue is True  # on the sweep's list
    _visit(care, days_ago=0)  # the volunteer's visit commits before the plan's turn

    assert _raise_overdue(care.plan.pk, now) is False
    assert not Alert.objects.filter(kind=AlertKind.OVERDUE).exists()


def test_a_volunteer_reaches_those_whose_active_plan_names_them_primary_or_backup(
    care: CareCast,
) -> None:
    """The volunteer's personal scope (two index-served halves, primary and backup)."""
    from linli.accounts.selectors import forget_cached_scopes
    from linli.care.selectors import care_personal_scope
    from linli.care.services import care_plan_save
    from linli.core.roles import Role
    from linli.volunteers.services import volunteer_create

    cast = care.cast
    other_user = cast.worker2  # any account: a second volunteer
    other = volunteer_create(actor=None, community=cast.community, user=other_user)
    care_plan_save(
        actor=None,
        resident=cast.neighbour,
        primary_volunteer=other,
        backup_volunteer=care.volunteer,
    )

    def reach(user: Any) -> frozenset[int]:
        forget_cached_scopes(user)
        return care_personal_scope(user, Role.VOLUNTEER).resident_ids

    assert reach(cast.volunteer_user) == {cast.elder.pk, cast.neighbour.pk}
    assert reach(other_user) == {cast.neighbour.pk}
    care_plan_save(
        actor=None,
        resident=cast.neighbour,
        primary_volunteer=other,
        backup_volunteer=care.volunteer,
        active=False,
    )
    assert reach(cast.volunteer_user) == {cast.elder.pk}
    assert reach(other_user) == frozenset()
    assert care_personal_scope(cast.volunteer_user, Role.GRID_WORKER).resident_ids == frozenset()
