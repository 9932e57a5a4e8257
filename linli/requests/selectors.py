"""Reads of requests, always from what the user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import AnyUser, cached_for_user, scope_for
from linli.areas.models import COMMUNITY_DEPTH, Area, AreaKind, Grid
from linli.areas.selectors import ancestor_of_kind, ancestor_paths, area_labels
from linli.core.keyset import fingerprint
from linli.core.roles import Capability, Role, roles_with
from linli.core.scoping import apply_scope, scope_condition, subtree_condition
from linli.organisations.models import Organisation
from linli.people.models import Resident
from linli.requests.locate import filing_communities, filing_scope
from linli.requests.models import Category, Mediation, Request
from linli.requests.workflow import OPEN_STATUSES, Actor, Status


def _place_condition(user: AnyUser, capability: Capability) -> Q | None:
    return scope_condition(scope_for(user, capability), area_path="location__path", grid="grid")


def _legacy_visible_requests(user: AnyUser) -> QuerySet[Request]:
    """The first formulation (ORs across joined tables): kept only as the reference the
    tests compare :func:`visible_requests` with."""
    if not user.is_authenticated:
        return Request.objects.none()
    if scope_for(user, Capability.REQUESTS_VIEW).everything:
        return Request.objects.all()
    condition = Q(reporter__user=user) | Q(submitted_by=user) | Q(assignee=user)
    place = _place_condition(user, Capability.REQUESTS_VIEW)
    if place is not None:
        condition |= place
    return Request.objects.filter(condition)


# Up to this many areas in a scope are written into the query as constants (a town of the
# generated world holds ~900); beyond, a subquery (see visible_requests).
INLINE_AREAS = 2_000


def visible_requests(user: AnyUser) -> QuerySet[Request]:
    """Requests in the user's area or grid, plus those they reported, filed or handle.

    Every part is a condition on the request's own columns (``location_id IN (areas under
    a path)``, ``grid_id``, ``reporter_id IN (the user's resident)``, ``submitted_by_id``,
    ``assignee_id``): no join, so PostgreSQL can walk an index in the list's order and
    check each row, instead of filtering every request after six joins.
    Same answer as :func:`_legacy_visible_requests` (tests/requests/test_scope_columns.py).
    """
    scope = _scope_conditions(user)
    if scope is None:
        return Request.objects.none()
    if scope.everything:
        # Not folded into an OR: the condition for "everything" is an empty Q, which ``|``
        # silently drops, leaving a superuser only their own requests.
        return Request.objects.all()
    if scope.communities is None:
        return Request.objects.filter(scope.rest)
    return Request.objects.filter(scope.communities | scope.rest)


def visible_request_parts(user: AnyUser) -> list[Q] | None:
    """The user's scope as disjoint conditions whose rows together are
    :func:`visible_requests`: the communities first, then the rest outside them; ``None``
    when the scope has no community part (nothing to split) or is everything.

    For counting: PostgreSQL reads an OR of conditions as a BitmapOr and then visits every
    row's table page — a community's 7,000 requests lie on 5,000 pages (9.5 ms at 300 k) —
    while a community alone is counted from its index without the table (1.1 ms), and the
    rest outside it is a few rows (tests/requests/test_scale_queries.py).
    """
    scope = _scope_conditions(user)
    if scope is None or scope.everything or scope.communities is None:
        return None
    return [scope.communities, scope.rest & ~scope.communities]


@dataclass(frozen=True)
class _RequestScope:
    """What a user sees: ``everything``, or the requests of ``communities`` (a condition on
    the request's community column, for a scope of a community or wider; ``None`` without
    one) and those ``rest`` names (their own, their grids', places below a community)."""

    everything: bool
    communities: Q | None
    rest: Q


def _scope_conditions(user: AnyUser) -> _RequestScope | None:
    """The user's request scope as conditions; ``None`` for nobody (not logged in)."""
    if not user.is_authenticated:
        return None
    scope = scope_for(user, Capability.REQUESTS_VIEW)
    if scope.everything:
        return _RequestScope(everything=True, communities=None, rest=Q())
    # The small id lists (the user's resident rows, the areas of a community or a town)
    # are read first and written into the query as constants: PostgreSQL then estimates
    # each part from its column statistics (an ``IN (SELECT …)`` inside an OR gets a
    # default selectivity of one half — 90,000 estimated for 8,677 rows) and counts through
    # a BitmapOr of indexes. A larger subtree stays a subquery.
    mine = cached_for_user(
        user,
        "requests:residents",
        lambda: list(Resident.objects.filter(user_id=user.pk).values_list("pk", flat=True)),
    )
    condition = Q(submitted_by_id=user.pk) | Q(assignee_id=user.pk)
    wide: Q | None = None
    if mine:
        condition |= Q(reporter_id__in=mine)
    if scope.area_paths:
        # A community or more (a town, a county) by the request's own community column:
        # every request's location lies in its community (filing derives the community
        # from the location and refuses one outside any; reclassifying stays inside it),
        # so it says the same as the location's subtree — a few constants instead of the
        # community's thousands of buildings and units to compile and send with every list
        # (the queue's page and count 23 → 16 ms at 300 k), counted through the community
        # index. A compound or building scope stays by location.
        paths = sorted(scope.area_paths)
        communities, below = cached_for_user(
            user, "requests:communities:" + ",".join(paths), lambda: _communities_and_below(paths)
        )
        if communities:
            wide = Q(community_id__in=communities)
        if below:
            areas = Area.objects.filter(subtree_condition(below)).values("pk")
            ids = cached_for_user(
                user,
                f"requests:areas:{INLINE_AREAS}:" + ",".join(below),
                lambda: list(areas.values_list("pk", flat=True)[: INLINE_AREAS + 1]),
            )
            condition |= Q(location_id__in=ids if len(ids) <= INLINE_AREAS else areas)
    if scope.grid_ids:
        condition |= Q(grid_id__in=sorted(scope.grid_ids))
    return _RequestScope(everything=False, communities=wide, rest=condition)


def _communities_and_below(paths: Sequence[str]) -> tuple[list[int], list[str]]:
    """The ids of the communities at or under those of ``paths`` that are a community or
    wider (one statement, none when there is no such path), and the other paths — a
    compound's, a building's — that lie inside none of them."""
    upper = [p for p in paths if len(p) <= COMMUNITY_DEPTH * Area.steplen]
    communities: list[tuple[int, str]] = []
    if upper:
        communities = list(
            Area.objects.filter(subtree_condition(upper), kind=AreaKind.COMMUNITY).values_list(
                "pk", "path"
            )
        )
    below = sorted(
        p
        for p in paths
        if p not in upper and not any(p.startswith(path) for _pk, path in communities)
    )
    return sorted(pk for pk, _path in communities), below


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
    elif (
        request.assignee_id is None
        and request.assignee_organisation_id is not None
        and Actor.DISPATCHER in relations
    ):
        # A partner unit or service team has no account of its own: the dispatchers over
        # the place record its progress for it (and, having resolved, cannot verify).
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
# Each list joins only what its page shows: PostgreSQL plans a join of n tables in time
# that grows fast with n (the resident's list, eight tables with its EXISTS: 7.6 ms to plan,
# 0.6 to run, at 300 k), and a joined resident's encrypted fields are decrypted for nothing.
# The dispatch queue shows no reporter; it shows an assigned organisation.
QUEUE_PAGE_RELATED = ("category", "location", "grid", "assignee", "assignee_organisation")
# A task card shows the category and the place (the reporter only as an id, for the call).
TASK_RELATED = ("category", "location")
# A resident's card says who has it (a person or an organisation) and where.
MINE_RELATED = ("location", "assignee", "assignee_organisation")


def my_tasks(user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Request]:
    """The assignee's open work: overdue first, then the soonest deadline.

    No scope is added: whoever a request is assigned to sees it (``visible_requests``
    always includes ``assignee_id``), so the scope's conditions would only be compiled,
    sent and planned for nothing (tests/requests/test_scale_queries.py).
    """
    if not user.is_authenticated:
        return Request.objects.none()
    return (
        with_overdue(
            Request.objects.filter(
                assignee_id=user.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
            ),
            now,
        )
        .select_related(*TASK_RELATED)
        .order_by(F("is_overdue").desc(), "due_at", "pk")
    )


def my_reports(user: AnyUser) -> QuerySet[Request]:
    if not user.is_authenticated:
        return Request.objects.none()
    # The user's resident rows read first (at most a few ids): then both halves of the OR
    # are indexed columns of the request, which PostgreSQL reads as a BitmapOr of two index
    # scans; the join ``reporter__user`` made it scan every request
    # (tests/requests/test_query_plans.py).
    mine = list(Resident.objects.filter(user_id=user.pk).order_by().values_list("pk", flat=True))
    return (
        with_overdue(Request.objects.filter(Q(reporter_id__in=mine) | Q(submitted_by_id=user.pk)))
        .select_related(*MINE_RELATED)
        .annotate(
            # For the plain-words status (「已交给网格员陈中平」), without a query per row.
            assignee_is_grid_worker=Exists(
                RoleAssignment.objects.filter(user=OuterRef("assignee"), role=Role.GRID_WORKER)
            )
        )
        .order_by("-submitted_at")
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    category: Category | None = None
    # A town or community chosen on the way to a grid (linli.areas.selectors.grid_picker).
    place: Area | None = None
    grid: Grid | None = None
    channel: str = ""
    overdue_only: bool = False
    query: str = ""

    def fingerprint(self) -> str:
        """The filters and the queue's order, as a page link's cursor remembers them."""
        return fingerprint(
            QUEUE_ORDERING,
            {
                "status": self.status,
                "category": self.category.pk if self.category is not None else None,
                "place": self.place.pk if self.place is not None else None,
                "grid": self.grid.pk if self.grid is not None else None,
                "channel": self.channel,
                "overdue": self.overdue_only,
                "q": self.query,
            },
        )


def request_queue(
    *,
    user: AnyUser,
    filters: QueueFilters,
    now: dt.datetime | None = None,
    related: Sequence[str] = LIST_RELATED,
) -> QuerySet[Request]:
    """The dispatcher's list: everything in scope, filtered, overdue marked, with the
    ``related`` rows joined (each join is a table more for every statement to plan)."""
    now = now or timezone.now()
    return (
        with_overdue(_queue_filtered(visible_requests(user), filters, now), now)
        .select_related(*related)
        .order_by(F("is_overdue").desc(), "-urgent", "due_at", "pk")
    )


def request_queue_parts(
    *, user: AnyUser, filters: QueueFilters, now: dt.datetime | None = None
) -> list[QuerySet[Request]] | None:
    """The rows of :func:`request_queue` as disjoint lists to count one by one (see
    :func:`visible_request_parts`), or ``None`` when counting it whole is as good."""
    parts = visible_request_parts(user)
    if parts is None:
        return None
    now = now or timezone.now()
    return [_queue_filtered(Request.objects.filter(part), filters, now) for part in parts]


def _queue_filtered(
    requests: QuerySet[Request], filters: QueueFilters, now: dt.datetime
) -> QuerySet[Request]:
    if filters.status == "open":
        requests = requests.filter(status__in=list(OPEN_STATUSES))
    elif filters.status == "waiting":
        requests = requests.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED])
    elif filters.status:
        requests = requests.filter(status=filters.status)
    if filters.category is not None:
        requests = requests.filter(category=filters.category)
    if filters.place is not None:
        # On the request's own column: the communities of the place, an index each.
        requests = requests.filter(
            community__in=Area.objects.filter(
                kind=AreaKind.COMMUNITY, path__startswith=filters.place.path
            )
        )
    if filters.grid is not None:
        requests = requests.filter(grid=filters.grid)
    if filters.channel:
        requests = requests.filter(channel=filters.channel)
    if filters.overdue_only:
        requests = overdue(requests, now)
    if filters.query:
        requests = requests.filter(Q(text__contains=filters.query) | Q(number=filters.query))
    return requests


QUEUE_ORDER = ("-urgent", "due_at", "pk")
# The order's name in a cursor's fingerprint (linli.core.keyset): change it with the order,
# and cursors made for the old one are refused rather than continued wrongly.
QUEUE_ORDERING = "overdue-first,-urgent,due_at,id"


# The queue's four runs in order: (overdue, urgent).
RUNS = [(late, urgent) for late in (True, False) for urgent in (True, False)]


@dataclass(frozen=True)
class QueueKey:
    """A row's place in the queue's order (:class:`OverdueFirst`): the keyset cursor."""

    overdue: bool
    urgent: bool
    due_at: dt.datetime
    pk: int


class OverdueFirst:
    """The queue's order (overdue first, then urgent, then the soonest deadline) as two
    index-served queries instead of one ``ORDER BY CASE WHEN due_at < now …`` that no index
    serves: the overdue open requests by ``QUEUE_ORDER``, then the rest by the same order.

    Behaves as the paginators need (slicing, ``count``, ``all``); counting stops at
    ``linli.core.pagination.COUNT_CAP``. Same rows in the same order as the queryset it
    was made from (tests/requests/test_scale_queries.py).
    """

    ordered = True

    def __init__(
        self,
        queryset: QuerySet[Request],
        now: dt.datetime,
        *,
        counted_in: Sequence[QuerySet[Request]] | None = None,
    ) -> None:
        self.now = now
        # Disjoint lists that together hold the rows (request_queue_parts): counted one by
        # one, each through its own index, where the whole would visit the table.
        self.counted_in = counted_in
        late = Q(status__in=list(OPEN_STATUSES), due_at__lt=now)
        # The two parts split ``queryset`` (status and deadline are never null): counted
        # or estimated, the list is ``queryset`` itself, in one statement, not one a part.
        self.whole = queryset
        self.overdue = queryset.filter(late).order_by(*QUEUE_ORDER)
        self.rest = queryset.exclude(late).order_by(*QUEUE_ORDER)

    def estimated_count(self) -> int | None:
        """The planner's estimate of the list (PostgreSQL: one EXPLAIN), else ``None``."""
        from linli.core.pagination import estimated_count

        return estimated_count(self.whole)

    def key_of(self, request: Request) -> QueueKey:
        """Where ``request`` stands in this list (it must be one of its rows)."""
        late = request.status in OPEN_STATUSES and request.due_at < self.now
        return QueueKey(overdue=late, urgent=request.urgent, due_at=request.due_at, pk=request.pk)

    def after(self, key: QueueKey | None, size: int) -> list[Request]:
        """The ``size`` rows that follow ``key`` (from the start when ``None``): keyset
        pagination, so the 10,000th row costs what the first does.

        The order is four runs — overdue urgent, overdue not urgent, the rest urgent, the
        rest not urgent — each by ``(due_at, id)``; each run is read as its own query whose
        condition is a range of the queue index (``urgent = u AND due_at >= d AND (due_at > d
        OR id > i)``), never a skip over the rows before it.
        """
        runs = RUNS
        if key is not None:
            runs = runs[runs.index((key.overdue, key.urgent)) :]
        rows: list[Request] = []
        for late, urgent in runs:
            rows += self.run(late, urgent, key)[: size - len(rows)]
            if len(rows) >= size:
                break
        return rows

    def run(
        self, late: bool, urgent: bool, key: QueueKey | None = None, *, backwards: bool = False
    ) -> QuerySet[Request]:
        """One of the four runs by ``(due_at, id)``: past ``key`` when it lies in this run
        (before it, walking back, when ``backwards``), else the whole run."""
        run = (self.overdue if late else self.rest).filter(urgent=urgent)
        if key is not None and (late, urgent) == (key.overdue, key.urgent):
            if backwards:
                run = run.filter(
                    Q(due_at__lt=key.due_at) | Q(due_at=key.due_at, pk__lt=key.pk),
                    due_at__lte=key.due_at,
                )
            else:
                run = run.filter(
                    Q(due_at__gt=key.due_at) | Q(due_at=key.due_at, pk__gt=key.pk),
                    due_at__gte=key.due_at,
                )
        return run.order_by("-due_at", "-pk") if backwards else run.order_by("due_at", "pk")

    def before(self, key: QueueKey, size: int) -> list[Request]:
        """The ``size`` rows just before ``key``, in the list's order (the previous page):
        the same four runs read backwards from ``key``'s run, each a range of the queue
        index walked in reverse (``due_at <= d AND (due_at < d OR id < i) ORDER BY due_at
        DESC, id DESC``)."""
        runs = RUNS[: RUNS.index((key.overdue, key.urgent)) + 1][::-1]
        rows: list[Request] = []
        for late, urgent in runs:
            rows += self.run(late, urgent, key, backwards=True)[: size - len(rows)]
            if len(rows) >= size:
                break
        return rows[::-1]

    @staticmethod
    def dump_key(key: QueueKey) -> list[Any]:
        return [key.overdue, key.urgent, key.due_at.isoformat(), key.pk]

    @staticmethod
    def load_key(data: Any) -> QueueKey:
        overdue, urgent, due_at, pk = data
        if not all(isinstance(flag, bool) for flag in (overdue, urgent)):
            raise TypeError("overdue and urgent are true or false")
        if not isinstance(pk, int) or isinstance(pk, bool) or not isinstance(due_at, str):
            raise TypeError("a deadline and an id")
        moment = dt.datetime.fromisoformat(due_at)
        if moment.tzinfo is None:
            raise ValueError("a deadline without a zone")
        return QueueKey(overdue=overdue, urgent=urgent, due_at=moment, pk=pk)

    def capped_count(self, limit: int) -> int:
        # Overdue and not in one count. Unordered: counting the first ``limit`` rows needs
        # no sort; ids only: no column (``is_overdue``) to read for them (docs/scaling.md).
        found = 0
        for part in self.counted_in or [self.whole]:
            found += part.order_by().values("pk")[: limit - found].count()
            if found >= limit:
                break
        return found

    def count(self) -> int:
        from linli.core.pagination import COUNT_CAP

        return min(self.capped_count(COUNT_CAP + 1), COUNT_CAP)

    def __len__(self) -> int:
        return self.count()

    def all(self) -> OverdueFirst:
        return self

    def __iter__(self) -> Iterator[Request]:
        # Fresh copies: iterating must not fill the querysets' caches (slices then read lists).
        yield from self.overdue.all()
        yield from self.rest.all()

    def __getitem__(self, key: slice) -> list[Request]:
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("OverdueFirst takes a plain slice")
        start = key.start or 0
        stop = key.stop
        if stop is None:
            return [*self.overdue[start:], *self.rest[max(0, start - self.overdue.count()) :]]
        rows = list(self.overdue[start:stop])
        wanted = stop - start - len(rows)
        if wanted <= 0:
            return rows
        # Where the rest begins: at 0 if this page holds overdue rows, else past them.
        skip = 0 if rows else max(0, start - self.overdue[:start].count())
        return rows + list(self.rest[skip : skip + wanted])


def cadres_responsible_for(request: Request) -> list[User]:
    """The 包片 and 联点 cadres whose area or grid covers the request's place."""
    assignments = RoleAssignment.objects.filter(role=Role.CADRE).filter(
        Q(area__path__in=ancestor_paths(request.location.path))
        | Q(grid_id=request.grid_id if request.grid_id else -1)
    )
    users = {a.user_id: a.user for a in assignments.select_related("user").order_by("pk")}
    return [u for u in users.values() if u.is_active]


def grid_workers_of(grid: Grid) -> list[User]:
    assignments = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid=grid, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    return [a.user for a in assignments]


def dispatchers_for(request: Request) -> list[User]:
    """Everyone who may dispatch the request: the roles that carry the capability, held
    over the request's community (or above it), its place, or its grid — the same people
    :func:`actor_relations` counts as dispatchers."""
    place = Q(
        area__path__in={
            *ancestor_paths(request.community.path),
            *ancestor_paths(request.location.path),
        }
    )
    if request.grid_id is not None:
        place |= Q(grid_id=request.grid_id)
    assignments = (
        RoleAssignment.objects.filter(
            place,
            role__in=sorted(roles_with(Capability.REQUESTS_DISPATCH)),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    )
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


# --- pages ---------------------------------------------------------------------------------


def overdue_in_scope(user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Request]:
    """Open requests past their deadline in the places the user oversees, the longest
    overdue first: the 超期诉求 a cadre (or staff, committee) sees on the home page."""
    place = _place_condition(user, Capability.REQUESTS_VIEW)
    if place is None:
        return Request.objects.none()
    return (
        overdue(Request.objects.filter(place), now)
        .select_related(*LIST_RELATED)
        .order_by("due_at", "pk")
    )


def has_open_tasks(user: AnyUser) -> bool:
    """Whether anything is assigned to the user and not yet resolved (for the menu)."""
    if not user.is_authenticated:
        return False
    return Request.objects.filter(
        assignee_id=user.pk, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
    ).exists()


def location_labels(requests: Iterable[Request]) -> dict[int, str]:
    """``和平小区1号楼1单元101室`` for each request, in one query; a request known only to
    its community is labelled with the community's name."""
    rows = list(requests)
    labels = area_labels([r.location.path for r in rows])
    result: dict[int, str] = {}
    for r in rows:
        label = labels.get(r.location.path) or r.location.name
        result[r.pk] = f"{label}{r.room}室" if r.room else label
    return result


@dataclass(frozen=True)
class ReportPlace:
    """One place a resident may pick when reporting: their home, building, compound, or
    another building of their compound."""

    key: str
    label: str
    area: Area
    room: str = ""


def report_places(resident: Resident) -> list[ReportPlace]:
    """Where a resident may say the problem is, their own home first."""
    household = resident.household
    if household is None:
        return []
    unit = household.unit
    unit_label = area_labels([unit.path])[unit.path]
    places = [
        ReportPlace(
            "home",
            _("我家(%(place)s%(room)s室)") % {"place": unit_label, "room": household.room},
            unit,
            household.room,
        )
    ]
    building = ancestor_of_kind(unit, AreaKind.BUILDING)
    compound = ancestor_of_kind(unit, AreaKind.COMPOUND)
    places.append(
        ReportPlace(
            "unit", _("我家单元的楼道、楼梯、单元门(%(place)s)") % {"place": unit_label}, unit
        )
    )
    if building is not None:
        places.append(
            ReportPlace("building", _("我家这栋楼(%(name)s)") % {"name": building.name}, building)
        )
    if compound is not None:
        places.append(
            ReportPlace("compound", _("小区公共区域(%(name)s)") % {"name": compound.name}, compound)
        )
        others = Area.objects.filter(
            kind=AreaKind.BUILDING, path__startswith=compound.path, depth=compound.depth + 1
        ).order_by("path")
        for other in others:
            if building is None or other.pk != building.pk:
                places.append(ReportPlace(f"b{other.pk}", f"{compound.name}{other.name}", other))
    return places


# Words in a resident's report that say where the problem is, tried in this order: the
# first place whose words occur is proposed. Shared with the report page's script.
PLACE_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unit", ("楼道", "单元门", "楼梯", "电梯", "门禁", "走廊", "过道")),
    ("building", ("楼顶", "外墙", "楼下", "整栋")),
    ("compound", ("小区门口", "小区大门", "小区", "广场", "停车场", "绿化")),
    ("home", ("我家", "家里", "屋里", "室内", "卫生间", "厨房")),
)
# Nothing said: the unit's common area, never the flat (a worker knocking on 502 for a
# stairwell light helps nobody); the resident changes it in one tap.
DEFAULT_PLACE = "unit"


def propose_place(text: str, places: Sequence[ReportPlace]) -> str:
    """The key of the place the report's text points to (one of ``places``)."""
    keys = {p.key for p in places}
    for key, words in PLACE_HINTS:
        if key in keys and any(word in text for word in words):
            return key
    return DEFAULT_PLACE if DEFAULT_PLACE in keys else places[0].key


def filing_places(user: AnyUser) -> tuple[list[Area], list[Area]]:
    """(communities, buildings) where a staff member may file a request for someone."""
    scope = filing_scope(user)
    buildings = apply_scope(
        Area.objects.filter(kind=AreaKind.BUILDING), scope, area_path="path"
    ).order_by("path")
    return filing_communities(user), list(buildings)


def assignable_organisations(request: Request) -> QuerySet[Organisation]:
    """Service teams and partner units a request may go to: those of its community (or
    above it), and partners that serve everywhere."""
    return Organisation.objects.filter(
        Q(area__path__in=ancestor_paths(request.location.path))
        | Q(area__path__startswith=request.community.path)
        | Q(area__isnull=True, is_partner=True)
    ).order_by("kind", "name")


# --- to-do counts for the home page (issue 17) -------------------------------------------------


@dataclass(frozen=True)
class RequestTodos:
    """What waits for the user, as counts: their open tasks (and how many are overdue), and
    in their scope the requests waiting to be dispatched and those resolved awaiting check."""

    tasks: int
    tasks_overdue: int
    to_dispatch: int
    to_verify: int


def request_todos(
    user: AnyUser, now: dt.datetime | None = None, *, tasks: bool = True, queue: bool = True
) -> RequestTodos:
    """``tasks``/``queue`` False: that half is not counted (0), for a home that does not
    show it (a county leader's queue counts took 0.14 s at 300,000 residents, for nothing)."""
    now = now or timezone.now()
    counted_tasks = (
        my_tasks(user, now).aggregate(all=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
        if tasks
        else {"all": 0, "late": 0}
    )
    scoped = (
        visible_requests(user).aggregate(
            dispatch=Count("pk", filter=Q(status__in=[Status.SUBMITTED, Status.ACCEPTED])),
            verify=Count("pk", filter=Q(status=Status.RESOLVED)),
        )
        if queue
        else {"dispatch": 0, "verify": 0}
    )
    return RequestTodos(
        tasks=counted_tasks["all"],
        tasks_overdue=counted_tasks["late"],
        to_dispatch=scoped["dispatch"],
        to_verify=scoped["verify"],
    )


def mediation_of(request: Request) -> Mediation | None:
    """The mediation record of a dispute request, with its sessions; None until started."""
    return (
        Mediation.objects.filter(request=request)
        .select_related("request__category")
        .prefetch_related("sessions")
        .first()
    )
