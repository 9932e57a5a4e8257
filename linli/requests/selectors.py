"""Reads of requests, always from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Grid
from linli.areas.selectors import ancestor_paths
from linli.core.roles import Capability, Role
from linli.core.scoping import scope_condition
from linli.requests.models import Category, Request
from linli.requests.workflow import OPEN_STATUSES, Actor, Status


def _place_condition(user: AnyUser, capability: Capability) -> Q | None:
    return scope_condition(scope_for(user, capability), area_path="location__path", grid="grid")


def visible_requests(user: AnyUser) -> QuerySet[Request]:
    """Requests in the user's area or grid, plus those they reported, filed or handle."""
    if not user.is_authenticated:
        return Request.objects.none()
    condition = Q(reporter__user=user) | Q(submitted_by=user) | Q(assignee=user)
    place = _place_condition(user, Capability.REQUESTS_VIEW)
    if place is not None:
        condition |= place
    return Request.objects.filter(condition)


def request_get_for_user(*, user: AnyUser, pk: int) -> Request:
    found = (
        visible_requests(user)
        .select_related(
            "category",
            "location",
            "grid",
            "community",
            "reporter",
            "assignee",
            "assignee_organisation",
            "submitted_by",
            "resolved_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def actor_relations(user: AnyUser, request: Request) -> frozenset[Actor]:
    """How ``user`` stands to ``request``: the keys into the workflow table."""
    if not user.is_authenticated:
        return frozenset()
    relations: set[Actor] = set()
    path, grid_id = request.location.path, request.grid_id
    if scope_for(user, Capability.REQUESTS_DISPATCH).covers_place(path, grid_id):
        relations.add(Actor.DISPATCHER)
    if scope_for(user, Capability.REQUESTS_VERIFY).covers_place(path, grid_id):
        relations.add(Actor.FOLLOW_UP)
        # Whoever resolved a request never verifies it.
        if request.resolved_by_id != user.pk:
            relations.add(Actor.VERIFIER)
    if request.assignee_id is not None and request.assignee_id == user.pk:
        relations.add(Actor.ASSIGNEE)
    reporter_user_id = request.reporter.user_id if request.reporter is not None else None
    if reporter_user_id == user.pk or (
        request.reporter is None and request.submitted_by_id == user.pk
    ):
        relations.add(Actor.REPORTER)
    return frozenset(relations)


def with_overdue(queryset: QuerySet[Request], now: dt.datetime | None = None) -> QuerySet[Request]:
    """Annotate ``is_overdue``: still open and past its handling deadline (by query)."""
    now = now or timezone.now()
    return queryset.annotate(
        is_overdue=Case(
            When(status__in=list(OPEN_STATUSES), due_at__lt=now, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def overdue(queryset: QuerySet[Request], now: dt.datetime | None = None) -> QuerySet[Request]:
    return queryset.filter(status__in=list(OPEN_STATUSES), due_at__lt=now or timezone.now())


LIST_RELATED = ("category", "location", "grid", "assignee", "reporter")


def my_tasks(user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Request]:
    """The assignee's open work: overdue first, then the soonest deadline."""
    return (
        with_overdue(
            visible_requests(user).filter(
                assignee_id=user.pk or 0, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
            ),
            now,
        )
        .select_related(*LIST_RELATED)
        .order_by(F("is_overdue").desc(), "due_at", "pk")
    )


def my_reports(user: AnyUser) -> QuerySet[Request]:
    if not user.is_authenticated:
        return Request.objects.none()
    return (
        with_overdue(Request.objects.filter(Q(reporter__user=user) | Q(submitted_by=user)))
        .select_related(*LIST_RELATED)
        .order_by("-submitted_at")
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    category: Category | None = None
    grid: Grid | None = None
    channel: str = ""
    overdue_only: bool = False
    query: str = ""


def request_queue(
    *, user: AnyUser, filters: QueueFilters, now: dt.datetime | None = None
) -> QuerySet[Request]:
    """The dispatcher's list: everything in scope, filtered, overdue marked."""
    now = now or timezone.now()
    requests = visible_requests(user)
    if filters.status == "open":
        requests = requests.filter(status__in=list(OPEN_STATUSES))
    elif filters.status == "waiting":
        requests = requests.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED])
    elif filters.status:
        requests = requests.filter(status=filters.status)
    if filters.category is not None:
        requests = requests.filter(category=filters.category)
    if filters.grid is not None:
        requests = requests.filter(grid=filters.grid)
    if filters.channel:
        requests = requests.filter(channel=filters.channel)
    if filters.overdue_only:
        requests = overdue(requests, now)
    if filters.query:
        requests = requests.filter(Q(text__contains=filters.query) | Q(number=filters.query))
    return (
        with_overdue(requests, now)
        .select_related(*LIST_RELATED)
        .order_by(F("is_overdue").desc(), "-urgent", "due_at", "pk")
    )


def cadres_responsible_for(request: Request) -> list[User]:
    """The 包片 and 联点 cadres whose area or grid covers the request's place."""
    assignments = RoleAssignment.objects.filter(role=Role.CADRE).filter(
        Q(area__path__in=ancestor_paths(request.location.path))
        | Q(grid_id=request.grid_id if request.grid_id else -1)
    )
    users = {a.user_id: a.user for a in assignments.select_related("user")}
    return [u for u in users.values() if u.is_active]


def grid_workers_of(grid: Grid) -> list[User]:
    assignments = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid=grid, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    return [a.user for a in assignments]


def dispatchers_for(request: Request) -> list[User]:
    """Committee members and staff over the request's community."""
    assignments = RoleAssignment.objects.filter(
        role__in=[Role.COMMITTEE, Role.STAFF],
        area__path__in=ancestor_paths(request.community.path),
        user__is_active=True,
    ).select_related("user")
    return list({a.user_id: a.user for a in assignments}.values())


def assignable_users(request: Request) -> QuerySet[User]:
    """Who a dispatcher may assign the request to: people with a role over its place."""
    paths = ancestor_paths(request.location.path)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(
                role_assignments__role__in=[
                    Role.GRID_WORKER,
                    Role.VOLUNTEER,
                    Role.STAFF,
                    Role.COMMITTEE,
                ],
                role_assignments__area__path__in=paths,
            )
            | Q(
                role_assignments__role=Role.GRID_WORKER,
                role_assignments__grid__community=request.community,
            )
        )
        .distinct()
        .order_by("full_name", "username")
    )


def count_by(queryset: QuerySet[Request], field: str) -> dict[str, int]:
    return {
        str(row[field]): row["n"]
        for row in queryset.values(field).annotate(n=Count("pk")).order_by(field)
    }
