"""The workflow table on its own: no database."""

from __future__ import annotations

import pytest

from linli.requests.workflow import (
    TRANSITIONS,
    Actor,
    Status,
    allowed,
    available,
    transition_between,
    transition_named,
)


@pytest.mark.parametrize(
    ("source", "target", "name"),
    [
        (Status.SUBMITTED, Status.ACCEPTED, "accept"),
        (Status.SUBMITTED, Status.REJECTED, "reject"),
        (Status.ACCEPTED, Status.ASSIGNED, "assign"),
        (Status.ASSIGNED, Status.ASSIGNED, "reassign"),
        (Status.IN_PROGRESS, Status.ASSIGNED, "reassign"),
        (Status.ASSIGNED, Status.IN_PROGRESS, "start"),
        (Status.IN_PROGRESS, Status.RESOLVED, "resolve"),
        (Status.RESOLVED, Status.CLOSED, "close"),
        (Status.RESOLVED, Status.IN_PROGRESS, "rework"),
    ],
)
def test_each_allowed_move_has_one_named_transition(
    source: Status, target: Status, name: str
) -> None:
    transition = transition_between(source, target)
    assert transition is not None
    assert transition.name == name


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.SUBMITTED, Status.CLOSED),
        (Status.SUBMITTED, Status.IN_PROGRESS),
        (Status.ASSIGNED, Status.RESOLVED),
        (Status.CLOSED, Status.IN_PROGRESS),
        (Status.REJECTED, Status.ACCEPTED),
        (Status.CLOSED, Status.RESOLVED),
    ],
)
def test_moves_outside_the_table_are_invalid(source: Status, target: Status) -> None:
    assert transition_between(source, target) is None


def test_only_the_assignee_starts_and_resolves() -> None:
    for name in ("start", "resolve"):
        transition = transition_named(name)
        assert transition is not None
        assert allowed(transition, {Actor.ASSIGNEE})
        assert not allowed(transition, {Actor.DISPATCHER, Actor.VERIFIER, Actor.REPORTER})


def test_closing_needs_a_verifier_not_the_assignee() -> None:
    close = transition_named("close")
    assert close is not None
    assert allowed(close, {Actor.VERIFIER})
    assert not allowed(close, {Actor.ASSIGNEE, Actor.DISPATCHER, Actor.FOLLOW_UP})


def test_rejecting_resolving_and_rework_need_a_note() -> None:
    needing = {t.name for t in TRANSITIONS if t.needs_note}
    assert needing == {"reject", "resolve", "rework", "reopen"}


def test_assigning_needs_an_assignee() -> None:
    assert {t.name for t in TRANSITIONS if t.needs_assignee} == {"assign", "reassign"}


def test_reopening_is_reachable_only_through_follow_up() -> None:
    assert transition_between(Status.CLOSED, Status.IN_PROGRESS) is None
    reopen = transition_named("reopen")
    assert reopen is not None
    assert allowed(reopen, {Actor.REPORTER})
    assert allowed(reopen, {Actor.FOLLOW_UP})


def test_available_actions_for_a_dispatcher_on_a_new_request() -> None:
    names = [t.name for t in available(Status.SUBMITTED, {Actor.DISPATCHER})]
    assert names == ["accept", "reject"]


def test_a_reporter_has_no_workflow_buttons() -> None:
    for status in Status:
        assert available(status, {Actor.REPORTER}) == []
