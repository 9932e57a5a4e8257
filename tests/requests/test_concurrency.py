"""Two people move one request at the same moment: exactly one wins, on every backend.

Each test starts real threads, each with its own database connection, released together
by a barrier. On PostgreSQL the row lock (SELECT … FOR UPDATE) makes the second wait and
then see the new status; on SQLite the IMMEDIATE transaction serialises the two writers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection

from linli.accounts.models import User
from linli.core.errors import InvalidTransition
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.notifications.models import Notification
from linli.requests.models import Request, RequestEvent
from linli.requests.services import (
    request_feedback,
    request_transition,
    requests_escalate_overdue,
)
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, move, person, resolved, waiting

# serialized_rollback brings back what the migrations seeded (categories, tags) after each
# flush, for the tests that run after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@dataclass
class Outcome:
    won: list[str] = field(default_factory=list)
    lost: list[tuple[str, BaseException]] = field(default_factory=list)


# An attempt prepares in its thread (connects, loads what it needs) and returns the move
# itself, which all threads then make at the same moment.
Attempt = Callable[[], Callable[[], object]]


def race(attempts: dict[str, Attempt]) -> Outcome:
    """Run each attempt in its own thread, all moving at once; who won, who lost how."""
    barrier = threading.Barrier(len(attempts))
    outcome = Outcome()
    lock = threading.Lock()

    def run(name: str, attempt: Attempt) -> None:
        try:
            go = attempt()
            barrier.wait(timeout=10)
            go()
        except BaseException as exc:  # the test inspects what was raised
            with lock:
                outcome.lost.append((name, exc))
        else:
            with lock:
                outcome.won.append(name)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, attempt), name=name)
        for name, attempt in attempts.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcome


def fresh(user: User) -> User:
    """The user as another web request (thread) would load it, with no shared caches."""
    return User.objects.get(pk=user.pk)


def transition(request_pk: int, to: Status, actor_pk: int, note: str = "") -> Attempt:
    def prepare() -> Callable[[], object]:
        request = Request.objects.get(pk=request_pk)
        actor = User.objects.get(pk=actor_pk)

        def go() -> object:
            return request_transition(request=request, to=to, actor=actor, note=note)

        return go

    return prepare


def test_two_simultaneous_starts_one_wins_the_other_is_told_it_is_too_late(cast: Cast) -> None:
    request = file_request(cast)
    assert request.status == Status.ASSIGNED

    outcome = race(
        {
            "phone": transition(request.pk, Status.IN_PROGRESS, cast.worker1.pk),
            "laptop": transition(request.pk, Status.IN_PROGRESS, cast.worker1.pk),
        }
    )

    assert len(outcome.won) == 1
    assert len(outcome.lost) == 1
    _loser, error = outcome.lost[0]
    assert isinstance(error, InvalidTransition)
    assert error.message == "诉求当前为“处理中”,不能改为“处理中”。"
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert RequestEvent.objects.filter(request=request, transition="start").count() == 1
    assert (
        AuditEvent.objects.filter(
            object_type="requests.request", object_id=str(request.pk), note="start"
        ).count()
        == 1
    )


def test_reject_and_accept_at_once_leave_exactly_one_decision(cast: Cast) -> None:
    request = waiting(cast)

    outcome = race(
        {
            "accept": transition(request.pk, Status.ACCEPTED, cast.staff.pk),
            "reject": transition(request.pk, Status.REJECTED, cast.staff.pk, note="重复反映"),
        }
    )

    assert len(outcome.won) == 1
    assert [type(error) for _name, error in outcome.lost] == [InvalidTransition]
    winner = outcome.won[0]
    request.refresh_from_db()
    assert request.status == (Status.ACCEPTED if winner == "accept" else Status.REJECTED)
    decisions = RequestEvent.objects.filter(request=request, kind="transition")
    assert list(decisions.values_list("transition", flat=True)) == [winner]


def test_close_and_rework_at_once_leave_exactly_one_verdict(cast: Cast) -> None:
    request = resolved(cast)

    outcome = race(
        {
            "close": transition(request.pk, Status.CLOSED, cast.staff.pk),
            "rework": transition(request.pk, Status.IN_PROGRESS, cast.staff.pk, note="灯不亮"),
        }
    )

    assert len(outcome.won) == 1
    assert [type(error) for _name, error in outcome.lost] == [InvalidTransition]
    verdicts = RequestEvent.objects.filter(request=request, transition__in=["close", "rework"])
    assert verdicts.count() == 1


def test_two_not_resolved_follow_ups_at_once_reopen_the_request_once(cast: Cast) -> None:
    request = resolved(cast)

    def not_solved(actor_pk: int, via: str) -> Attempt:
        def prepare() -> Callable[[], object]:
            stale = Request.objects.get(pk=request.pk)
            actor = User.objects.get(pk=actor_pk)

            def go() -> object:
                return request_feedback(
                    request=stale,
                    actor=actor,
                    resolved=False,
                    satisfaction="dissatisfied",
                    via=via,
                )

            return go

        return prepare

    outcome = race(
        {
            "reporter": not_solved(cast.resident_user.pk, "reporter"),
            "phone": not_solved(cast.staff.pk, "phone"),
        }
    )

    assert len(outcome.won) == 1
    assert [type(error) for _name, error in outcome.lost] == [InvalidTransition]
    request.refresh_from_db()
    assert (request.status, request.reopen_count) == (Status.IN_PROGRESS, 1)


def test_two_escalation_runs_at_once_escalate_each_request_once(cast: Cast) -> None:
    cadre = person("包片张", Role.CADRE, grid=cast.grid1)
    at = local(2026, 11, 28, 9)
    overdue = [file_request(cast, category_code="sanitation", at=at) for _ in range(3)]
    later = at + dt.timedelta(days=2)
    counts: list[int] = []

    def run() -> Callable[[], object]:
        def go() -> object:
            counts.append(requests_escalate_overdue(now=later))
            return None

        return go

    outcome = race({"worker-a": run, "worker-b": run})

    assert outcome.lost == []
    # Each request commits on its own (linli.core.sweeps), so the two runs may share the
    # work: between them every request is escalated, and none twice.
    assert len(counts) == 2
    assert sum(counts) == 3
    for request in overdue:
        assert RequestEvent.objects.filter(request=request, kind="escalation").count() == 1
    assert Notification.objects.filter(user=cadre, text__startswith="诉求超期").count() == 3


def test_simultaneous_submissions_get_distinct_consecutive_numbers(cast: Cast) -> None:
    numbers: list[str] = []
    lock = threading.Lock()

    def submit() -> Callable[[], object]:
        submitter = fresh(cast.resident_user)

        def go() -> object:
            request = file_request(cast, submitted_by=submitter)
            with lock:
                numbers.append(request.number)
            return request

        return go

    outcome = race({f"resident{i}": submit for i in range(4)})

    assert outcome.lost == []
    day = numbers[0].split("-")[0]
    assert sorted(numbers) == [f"{day}-{n:04d}" for n in range(1, 5)]


def test_a_transition_after_the_race_still_works(cast: Cast) -> None:
    request = file_request(cast)
    race(
        {
            "a": transition(request.pk, Status.IN_PROGRESS, cast.worker1.pk),
            "b": transition(request.pk, Status.IN_PROGRESS, cast.worker1.pk),
        }
    )

    move(Request.objects.get(pk=request.pk), Status.RESOLVED, cast.worker1, note="已修好")

    assert Request.objects.get(pk=request.pk).status == Status.RESOLVED
