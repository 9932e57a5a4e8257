"""The plan keeps its own due moment (``last_home_visit_at``, ``due_at``), set again from
the person's home visits by every write that can move it: a home visit logged (also one
typed in late), the plan made or changed. Read by the due list as a column, so the list
is an index range (docs/scaling.md, session 30)."""

from __future__ import annotations

import datetime as dt
import importlib
import threading

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from linli.care.models import CarePlan, Visit, VisitKind
from linli.care.services import Readings, care_plan_save, clinic_reading_record, visit_log
from tests.care.conftest import CareCast, plans_made_days_ago
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


def _visit(care: CareCast, at: dt.datetime, kind: str = VisitKind.HOME) -> None:
    visit_log(actor=care.cast.volunteer_user, resident=care.cast.elder, kind=kind, visited_at=at)


def _kept(plan: CarePlan) -> tuple[dt.datetime | None, dt.datetime]:
    plan.refresh_from_db()
    return plan.last_home_visit_at, plan.due_at


def test_a_new_plan_is_due_from_its_making(care: CareCast) -> None:
    last, due = _kept(care.plan)
    assert last is None
    assert due == care.plan.created_at


def test_a_home_visit_moves_the_due_moment_and_a_call_or_a_clinic_reading_does_not(
    care: CareCast,
) -> None:
    now = timezone.now()
    _visit(care, now - dt.timedelta(days=2))
    assert _kept(care.plan) == (now - dt.timedelta(days=2), now + dt.timedelta(days=1.5))

    _visit(care, now - dt.timedelta(hours=1), kind=VisitKind.PHONE)
    clinic_reading_record(
        actor=care.cast.worker1,
        resident=care.cast.elder,
        readings=Readings(bp_systolic=130, bp_diastolic=80),
        taken_at=now - dt.timedelta(minutes=30),
    )
    assert _kept(care.plan) == (now - dt.timedelta(days=2), now + dt.timedelta(days=1.5))


def test_a_visit_typed_in_late_does_not_set_the_clock_back(care: CareCast) -> None:
    now = timezone.now()
    _visit(care, now - dt.timedelta(days=1))
    _visit(care, now - dt.timedelta(days=20))  # from last month's paper list
    assert _kept(care.plan) == (now - dt.timedelta(days=1), now + dt.timedelta(days=2.5))


def test_changing_how_often_moves_the_due_moment(care: CareCast) -> None:
    now = timezone.now()
    _visit(care, now - dt.timedelta(days=3))
    assert _kept(care.plan)[1] == now + dt.timedelta(days=0.5)
    care_plan_save(actor=None, resident=care.cast.elder, visits_per_week=7)
    assert _kept(care.plan)[1] == now - dt.timedelta(days=2)
    care_plan_save(actor=None, resident=care.cast.elder, visits_per_week=1)
    assert _kept(care.plan)[1] == now + dt.timedelta(days=4)


def test_a_plan_made_for_someone_already_visited_counts_from_the_last_home_visit(
    care: CareCast,
) -> None:
    """A worker's home visit to a neighbour without a plan, then a plan for her."""
    cast = care.cast
    at = timezone.now() - dt.timedelta(days=5)
    visit_log(actor=cast.worker1, resident=cast.neighbour, visited_at=at)
    plan = care_plan_save(actor=None, resident=cast.neighbour, visits_per_week=1)
    assert (plan.last_home_visit_at, plan.due_at) == (at, at + dt.timedelta(days=7))
    assert _kept(plan) == (at, at + dt.timedelta(days=7))


def test_the_migrations_backfill_gives_what_the_service_keeps(care: CareCast) -> None:
    """The backfill (0003) restates the service's rule on the historical models; on
    today's models it must land on the same values."""
    now = timezone.now()
    _visit(care, now - dt.timedelta(days=4))
    plans_made_days_ago(CarePlan.objects.filter(pk=care.plan.pk), 30)
    unvisited = care_plan_save(actor=None, resident=care.cast.neighbour, visits_per_week=3)
    plans_made_days_ago(CarePlan.objects.filter(pk=unvisited.pk), 2)
    kept = {p.pk: _kept(p) for p in (care.plan, unvisited)}
    assert kept[care.plan.pk][0] is not None
    assert kept[unvisited.pk] == (None, unvisited.created_at)

    CarePlan.objects.update(last_home_visit_at=None, due_at=now + dt.timedelta(days=99))
    migration = importlib.import_module("linli.care.migrations.0003_careplan_due")
    migration.fill(apps, connection.schema_editor())

    assert {p.pk: _kept(p) for p in (care.plan, unvisited)} == kept


def _until_another_waits() -> None:
    """Return once another connection waits on a lock (so this transaction commits only
    after the other has come to the lock it holds)."""
    with connection.cursor() as cursor:
        for _ in range(200):
            # The statistics are read once per transaction unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.05)
    raise AssertionError("nobody waited on the lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_visits_logged_at_once_keep_the_later_one(care: CareCast) -> None:
    """The second visit's transaction waits for the first's lock on the person, then reads
    its visit: without the lock its UPDATE, waiting on the plan's row, would set the due
    moment from a snapshot taken before the first visit was committed."""
    now = timezone.now()
    recent, older = now - dt.timedelta(hours=1), now - dt.timedelta(days=2)
    first_logged, second_done = threading.Event(), threading.Event()

    def first() -> None:
        with transaction.atomic():
            _visit(care, recent)
            first_logged.set()
            _until_another_waits()

    def second() -> None:
        assert first_logged.wait(10)
        _visit(care, older)
        second_done.set()

    assert run_in_threads(first, second) == []
    assert second_done.is_set()
    last, due = _kept(care.plan)
    assert last == recent
    assert abs(due - (recent + dt.timedelta(days=3.5))) < SECOND


def test_the_admin_keeps_the_due_moment_too(care: CareCast, rf: RequestFactory) -> None:
    """A plan changed, or a visit deleted, in the admin (the only other doors to them)."""
    now = timezone.now()
    _visit(care, now - dt.timedelta(days=6))
    _visit(care, now - dt.timedelta(days=2))
    request = rf.post("/admin/")
    request.user = care.cast.admin
    plan_admin = admin.site._registry[CarePlan]
    plan = CarePlan.objects.get(pk=care.plan.pk)
    plan.visits_per_week = 7
    plan_admin.save_model(request, plan, None, True)
    assert _kept(plan) == (now - dt.timedelta(days=2), now - dt.timedelta(days=1))

    visit_admin = admin.site._registry[Visit]
    visit_admin.delete_model(request, Visit.objects.get(visited_at=now - dt.timedelta(days=2)))
    assert _kept(plan) == (now - dt.timedelta(days=6), now - dt.timedelta(days=5))
    visit_admin.delete_queryset(request, Visit.objects.filter(resident=care.cast.elder))
    assert _kept(plan) == (None, plan.created_at)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_plan_made_while_a_visit_is_logged_counts_the_visit(care: CareCast) -> None:
    """No plan row exists to lock before the plan is made: both writes lock the person.
    Without that, the plan's refresh missed the uncommitted visit, and the visit's refresh
    found no plan: the new plan was due from its making despite the visit."""
    cast = care.cast
    at = timezone.now() - dt.timedelta(days=2)
    visit_logged = threading.Event()

    def visit() -> None:
        with transaction.atomic():
            visit_log(actor=cast.worker1, resident=cast.neighbour, visited_at=at)
            visit_logged.set()
            _until_another_waits()

    def plan() -> None:
        assert visit_logged.wait(10)
        care_plan_save(actor=None, resident=cast.neighbour, visits_per_week=1)

    assert run_in_threads(visit, plan) == []
    made = CarePlan.objects.get(resident=cast.neighbour)
    assert _kept(made) == (at, at + dt.timedelta(days=7))
