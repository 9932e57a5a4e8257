"""The request workflow as data: states, transitions and who may make each.

Plain code with no database, so the whole table is unit-tested on its own. Services
look a transition up here (unknown → 409), check the actor's relations to the request
against it (not allowed → 403), and only then write.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    ASSIGNED = "assigned", _("已派单")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已办结待核实")
    CLOSED = "closed", _("已关闭")
    REJECTED = "rejected", _("不予受理")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS})
FINISHED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED})


class Actor(enum.StrEnum):
    """How a user stands to a particular request."""

    DISPATCHER = "dispatcher"  # committee, staff or admin over the request's place
    ASSIGNEE = "assignee"  # the person the request is assigned to
    VERIFIER = "verifier"  # committee or staff over the place, and not the resolver
    REPORTER = "reporter"  # the resident who raised it (or their account)
    FOLLOW_UP = "follow_up"  # staff recording a phone follow-up (回访)
    SYSTEM = "system"  # automatic routing and escalation


@dataclass(frozen=True)
class Transition:
    name: str
    source_label: str  # Chinese, marked for translation; ``label`` is in the active language
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]
    needs_note: bool = False
    needs_assignee: bool = False

    @property
    def label(self) -> str:
        return gettext(self.source_label)


def _t(
    name: str,
    label: str,
    sources: set[Status],
    target: Status,
    actors: set[Actor],
    *,
    needs_note: bool = False,
    needs_assignee: bool = False,
) -> Transition:
    return Transition(
        name=name,
        source_label=label,
        sources=frozenset(sources),
        target=target,
        actors=frozenset(actors),
        needs_note=needs_note,
        needs_assignee=needs_assignee,
    )


TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "accept",
        gettext_noop("受理"),
        {Status.SUBMITTED},
        Status.ACCEPTED,
        {Actor.DISPATCHER, Actor.SYSTEM},
    ),
    _t(
        "reject",
        gettext_noop("不予受理"),
        {Status.SUBMITTED},
        Status.REJECTED,
        {Actor.DISPATCHER},
        needs_note=True,
    ),
    _t(
        "assign",
        gettext_noop("派单"),
        {Status.ACCEPTED},
        Status.ASSIGNED,
        {Actor.DISPATCHER, Actor.SYSTEM},
        needs_assignee=True,
    ),
    _t(
        "reassign",
        gettext_noop("改派"),
        {Status.ASSIGNED, Status.IN_PROGRESS},
        Status.ASSIGNED,
        {Actor.DISPATCHER},
        needs_assignee=True,
    ),
    _t("start", gettext_noop("开始处理"), {Status.ASSIGNED}, Status.IN_PROGRESS, {Actor.ASSIGNEE}),
    _t(
        "resolve",
        gettext_noop("办结"),
        {Status.IN_PROGRESS},
        Status.RESOLVED,
        {Actor.ASSIGNEE},
        needs_note=True,
    ),
    _t("close", gettext_noop("核实关闭"), {Status.RESOLVED}, Status.CLOSED, {Actor.VERIFIER}),
    _t(
        "rework",
        gettext_noop("退回重办"),
        {Status.RESOLVED},
        Status.IN_PROGRESS,
        {Actor.VERIFIER},
        needs_note=True,
    ),
    # A follow-up that finds the problem not solved reopens the request for rework.
    _t(
        "reopen",
        gettext_noop("回访未解决,重新办理"),
        {Status.RESOLVED, Status.CLOSED},
        Status.IN_PROGRESS,
        {Actor.REPORTER, Actor.FOLLOW_UP},
        needs_note=True,
    ),
)

_BY_NAME = {t.name: t for t in TRANSITIONS}


def transition_named(name: str) -> Transition | None:
    return _BY_NAME.get(name)


def transition_between(source: Status, target: Status) -> Transition | None:
    """The transition from ``source`` to ``target``; reassignment when both are 'assigned'
    or the target is 'assigned' from 'in_progress'."""
    for transition in TRANSITIONS:
        if source in transition.sources and transition.target == target:
            if transition.name == "reopen":
                continue  # only reachable through follow-up feedback
            return transition
    return None


def allowed(transition: Transition, relations: frozenset[Actor] | set[Actor]) -> bool:
    return bool(transition.actors & set(relations))


def available(status: Status, relations: frozenset[Actor] | set[Actor]) -> list[Transition]:
    """What a user standing in ``relations`` can do next, for the action buttons."""
    return [
        t
        for t in TRANSITIONS
        if status in t.sources and t.name != "reopen" and allowed(t, relations)
    ]
