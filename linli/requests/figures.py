"""Figures (三率 and counts) of the requests of a grid, compound, community, town or county
over a date range.

Every figure is about one cohort: the requests *submitted* in ``[start, end)``, where
``start`` and ``end`` are local dates (Asia/Shanghai, the default time zone), in the
place asked for, and — through :func:`figures_for_user` — only those the user may see.
The one exception is disputes resolved, which counts mediations *concluded* in the range
(a dispute filed at the end of one month and settled in the next belongs to the next).

The definitions, with their exact numerators and denominators:

响应率 (response rate)
    A response is a person's first action towards the reporter (``responded_at``): the
    assignee starts (开始处理) or records 已联系 after calling, or the request is rejected
    with reasons (不予受理 also answers the reporter). Automatic routing accepts and
    assigns at submission; that is no response, or the rate would be 100 % by
    construction.
    numerator: requests responded to within their response deadline
    (``responded_at <= response_due_at``);
    denominator: requests that are due a response — responded to already, or with
    their response deadline passed (``response_due_at <= now``). A request filed a few
    minutes ago that nobody has answered yet is not counted either way.

按期办结率 (on-time rate)
    numerator: requests resolved (``resolved_at`` set: 已办结待核实 or 已关闭) with
    ``resolved_at <= due_at``;
    denominator: requests resolved, plus requests still open whose handling deadline has
    passed (``status`` open and ``due_at < now``). Rejected requests, and open requests
    still within their deadline, are in neither. A request reopened after follow-up is
    judged by its latest resolution (rework clears ``resolved_at``).

解决率 (resolution rate)
    numerator: requests whose latest follow-up (回访, by ``created_at`` then ``pk``) says
    the problem is resolved; denominator: requests with at least one follow-up.

满意率 (satisfaction rate, 12345 practice)
    numerator: requests whose latest follow-up is 满意 or 基本满意;
    denominator: requests with at least one follow-up (every follow-up carries a rating).

矛盾纠纷化解 (disputes resolved)
    dispute-category requests whose mediation ended in agreement (达成协议) and that
    are closed, the mediation concluded (``concluded_at``) in the range.

Counts by category, status and channel, and the total, are of the cohort. 超期未办结
(``overdue_open``) is not: it is every request in the place open *now* and past its
``due_at``, whatever its submission date — an overdue request from last month is still
overdue this month. The whole is six queries whatever the number of
requests: one conditional aggregate over the cohort, one count of overdue requests now,
one grouped count by category (and one to list the categories), one over the latest
follow-ups and one over the mediations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import AnyUser, cached_for_user, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import area_labels
from linli.core.roles import Capability
from linli.core.scoping import scope_condition
from linli.requests.models import Category, Channel, Feedback, Mediation, Request, Satisfaction
from linli.requests.selectors import visible_requests
from linli.requests.workflow import OPEN_STATUSES, Status

DISPUTE_CATEGORY = "dispute"
Place = Area | Grid

# The order in which the workflow runs, for the status table.
STATUS_ORDER = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
    Status.CLOSED,
    Status.REJECTED,
)


@dataclass(frozen=True)
class Rate:
    """A share kept as its two counts, so a page can say both "90.0%" and "45/50"."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        """The share between 0 and 1, or None when there is nothing to judge."""
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def percent(self) -> Decimal | None:
        """The share in percent to one decimal place (half up, as reports round)."""
        value = self.value
        if value is None:
            return None
        return (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def fraction(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    def __str__(self) -> str:
        percent = self.percent
        return "—" if percent is None else f"{percent}%"


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class RequestFigures:
    start: dt.date
    end: dt.date  # exclusive
    total: int
    response: Rate  # 响应率
    on_time: Rate  # 按期办结率
    resolution: Rate  # 解决率
    satisfaction: Rate  # 满意率
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    overdue_open: int
    reopened: int  # requests reopened at least once after follow-up
    disputes_concluded: int  # mediations concluded in the range, whatever the outcome
    disputes_resolved: int  # … of which agreement reached and the request closed
    by_category: tuple[CountRow, ...]
    by_status: tuple[CountRow, ...]
    by_channel: tuple[CountRow, ...]

    @property
    def rated(self) -> int:
        return self.satisfaction.denominator


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the default time zone (Asia/Shanghai)."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


def place_condition(place: Place) -> Q:
    """Requests located in ``place``: a grid by its grid, an area by its subtree.

    A request known only to the compound or community has no grid, so it counts for the
    community (and town) but not for any grid.
    """
    if isinstance(place, Grid):
        return Q(grid=place)
    # Every request's location lies in its community (filing derives the community from
    # the location; reclassifying stays inside it), so from the community up the request's
    # own community column says the same as its location — and is served by the
    # (community, submitted_at) index: a town's month is 8 index ranges, not a join of
    # every request of the month with the areas (docs/scaling.md, "Hot paths at 3 M").
    # Above the community the communities are written in as constants (a county holds a
    # few hundred), so the planner estimates from the column's statistics.
    if place.kind == AreaKind.COMMUNITY:
        return Q(community_id=place.pk)
    if place.kind in (AreaKind.COUNTY, AreaKind.TOWN):
        communities = Area.objects.filter(kind=AreaKind.COMMUNITY, path__startswith=place.path)
        return Q(community_id__in=list(communities.values_list("pk", flat=True)))
    return Q(location__path__startswith=place.path)


def request_figures(
    requests: QuerySet[Request],
    *,
    place: Place,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> RequestFigures:
    """The figures of ``requests`` (already narrowed to what a user may see) in ``place``,
    submitted on local dates ``start`` ≤ day < ``end``."""
    if end < start:
        raise ValueError("end must not be before start")
    now = now or timezone.now()
    since, until = local_day_start(start), local_day_start(end)
    placed = requests.filter(place_condition(place))
    cohort = placed.filter(submitted_at__gte=since, submitted_at__lt=until)

    open_now = Q(status__in=list(OPEN_STATUSES))
    overdue = open_now & Q(due_at__lt=now)
    resolved = Q(resolved_at__isnull=False)
    counts = cohort.aggregate(
        total=Count("pk"),
        responded_on_time=Count(
            "pk",
            filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due_at")),
        ),
        response_due=Count(
            "pk", filter=Q(responded_at__isnull=False) | Q(response_due_at__lte=now)
        ),
        resolved_on_time=Count("pk", filter=resolved & Q(resolved_at__lte=F("due_at"))),
        resolution_due=Count("pk", filter=resolved | overdue),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        **{f"status_{s.value}": Count("pk", filter=Q(status=s)) for s in STATUS_ORDER},
        **{f"channel_{c.value}": Count("pk", filter=Q(channel=c)) for c in Channel},
    )

    overdue_open = placed.filter(overdue).count()

    per_category = {
        row["category_id"]: row["n"]
        for row in cohort.order_by().values("category_id").annotate(n=Count("pk"))
    }
    categories = Category.objects.filter(Q(is_active=True) | Q(pk__in=list(per_category)))
    by_category = tuple(
        CountRow(key=c.code, label=c.name, count=per_category.get(c.pk, 0))
        for c in categories.order_by("sort_order", "code")
    )

    later = Feedback.objects.filter(request=OuterRef("request")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    latest = Feedback.objects.filter(request__in=cohort.values("pk")).filter(~Exists(later))
    feedback = latest.aggregate(
        rated=Count("pk"),
        resolved=Count("pk", filter=Q(resolved=True)),
        satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        dissatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
    )

    disputes = Mediation.objects.filter(
        request__in=placed.filter(category__code=DISPUTE_CATEGORY).values("pk"),
        concluded_at__gte=since,
        concluded_at__lt=until,
    ).aggregate(
        concluded=Count("pk"),
        resolved=Count(
            "pk",
            filter=Q(outcome=Mediation.Outcome.AGREEMENT, request__status=Status.CLOSED),
        ),
    )

    return RequestFigures(
        start=start,
        end=end,
        total=counts["total"],
        response=Rate(counts["responded_on_time"], counts["response_due"]),
        on_time=Rate(counts["resolved_on_time"], counts["resolution_due"]),
        resolution=Rate(feedback["resolved"], feedback["rated"]),
        satisfaction=Rate(feedback["satisfied"] + feedback["basically"], feedback["rated"]),
        satisfied=feedback["satisfied"],
        basically_satisfied=feedback["basically"],
        dissatisfied=feedback["dissatisfied"],
        overdue_open=overdue_open,
        reopened=counts["reopened"],
        disputes_concluded=disputes["concluded"],
        disputes_resolved=disputes["resolved"],
        by_category=by_category,
        by_status=tuple(
            CountRow(key=s.value, label=str(s.label), count=counts[f"status_{s.value}"])
            for s in STATUS_ORDER
        ),
        by_channel=tuple(
            CountRow(key=c.value, label=str(c.label), count=counts[f"channel_{c.value}"])
            for c in Channel
        ),
    )


def figures_for_user(
    user: AnyUser,
    place: Place,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
) -> RequestFigures:
    """The figures of ``place`` counting only the requests ``user`` may see."""
    return request_figures(visible_requests(user), place=place, start=start, end=end, now=now)


def figures_for_place(
    place: Place, start: dt.date, end: dt.date, *, now: dt.datetime | None = None
) -> RequestFigures:
    """The figures of ``place`` over every request there (reports, the command line)."""
    return request_figures(Request.objects.all(), place=place, start=start, end=end, now=now)


@dataclass(frozen=True)
class PlaceChoice:
    key: str  # "area-12" or "grid-3", the value of the page's place parameter
    label: str
    group: str
    place: Place


# Every level from the county (县(市、区), a district too) down to the compound, widest first:
# the dashboard lands on the first a user may see.
FIGURE_AREA_KINDS = (AreaKind.COUNTY, AreaKind.TOWN, AreaKind.COMMUNITY, AreaKind.COMPOUND)


def figure_places_for_user(user: AnyUser) -> list[PlaceChoice]:
    """:func:`_figure_places` once per request's user: a county leader's list holds every
    compound and grid of the county (8,000+ at 3 M residents, ~0.5 s to build), and the
    dashboard asks for it three times a page."""
    return list(cached_for_user(user, "figure-places", lambda: _figure_places(user)))


def figure_place_keys(user: AnyUser) -> frozenset[str]:
    """The keys ("area-12", "grid-3") of :func:`figure_places_for_user`, read as ids only:
    what an access check or a link filter needs, without building 8,000 choices."""
    return cached_for_user(user, "figure-place-keys", lambda: _figure_place_keys(user))


def _figure_place_keys(user: AnyUser) -> frozenset[str]:
    scope = scope_for(user, Capability.REQUESTS_VIEW)
    keys: set[str] = set()
    area_condition = scope_condition(scope, area_path="path")
    if area_condition is not None:
        areas = Area.objects.filter(area_condition, kind__in=FIGURE_AREA_KINDS)
        keys.update(f"area-{pk}" for pk in areas.values_list("pk", flat=True))
    grid_condition = scope_condition(scope, area_path="community__path", grid="pk")
    if grid_condition is not None:
        grids = Grid.objects.filter(grid_condition)
        keys.update(f"grid-{pk}" for pk in grids.values_list("pk", flat=True))
    return frozenset(keys)


def figure_place_get(user: AnyUser, key: str) -> PlaceChoice | None:
    """The one choice of :func:`figure_places_for_user` with ``key``, or None."""
    if key not in figure_place_keys(user):
        return None
    kind, _sep, pk = key.partition("-")
    if kind == "grid":
        grid = Grid.objects.select_related("community").get(pk=int(pk))
        return PlaceChoice(
            key=key, label=f"{grid.community.name}{grid.name}", group=_("网格"), place=grid
        )
    area = Area.objects.get(pk=int(pk))
    label = area.name
    if area.kind == AreaKind.COMPOUND:
        label = area_labels([area.path], top_kind=AreaKind.COMMUNITY).get(area.path, label)
    return PlaceChoice(key=key, label=label, group=str(AreaKind(area.kind).label), place=area)


def _figure_places(user: AnyUser) -> list[PlaceChoice]:
    """The counties, towns, communities, compounds and grids whose figures ``user`` may see
    whole: those their request scope covers entirely (a grid worker gets their grid, a cadre
    their compound or grids, staff their community and its grids, a leader their town or
    county and everything below it)."""
    scope = scope_for(user, Capability.REQUESTS_VIEW)
    choices: list[PlaceChoice] = []
    area_condition = scope_condition(scope, area_path="path")
    if area_condition is not None:
        areas = list(
            Area.objects.filter(area_condition, kind__in=FIGURE_AREA_KINDS).order_by("path")
        )
        compounds = [a.path for a in areas if a.kind == AreaKind.COMPOUND]
        labels = area_labels(compounds, top_kind=AreaKind.COMMUNITY) if compounds else {}
        for kind in FIGURE_AREA_KINDS:
            group = str(AreaKind(kind).label)
            choices.extend(
                PlaceChoice(
                    key=f"area-{a.pk}", label=labels.get(a.path, a.name), group=group, place=a
                )
                for a in areas
                if a.kind == kind
            )
    grid_condition = scope_condition(scope, area_path="community__path", grid="pk")
    if grid_condition is not None:
        grids = Grid.objects.filter(grid_condition).select_related("community")
        choices.extend(
            PlaceChoice(
                key=f"grid-{g.pk}", label=f"{g.community.name}{g.name}", group=_("网格"), place=g
            )
            for g in grids.order_by("community__path", "code")
        )
    return choices
