"""Reads about party work. Every query starts from the user's scope; outside it is a 404.

Party membership is sensitive: only roles with ``party.view`` see organisations, members
and party days (a grid worker those of their grid), and a member sees their own record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from linli.accounts.selectors import AnyUser, capabilities_of, scope_for
from linli.areas.models import Area, AreaKind, Grid, area_parent
from linli.areas.selectors import ancestor_of_kind
from linli.core import crypto
from linli.core.roles import Capability
from linli.core.scoping import apply_scope
from linli.core.validators import normalise_id_number
from linli.organisations.models import Organisation
from linli.party.models import (
    MemberKind,
    PartyDay,
    PartyDayConcern,
    PartyDayState,
    PartyMember,
)
from linli.party.points import MemberPoints, member_points
from linli.party.services import PARTY_KINDS
from linli.people.models import Resident
from linli.requests.workflow import Status

ABOVE_GRID_KINDS = (AreaKind.COUNTY, AreaKind.TOWN, AreaKind.COMMUNITY)
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)


def visible_organisations(
    user: AnyUser, capability: Capability = Capability.PARTY_VIEW
) -> QuerySet[Organisation]:
    return apply_scope(
        Organisation.objects.filter(kind__in=PARTY_KINDS),
        scope_for(user, capability),
        area_path="area__path",
        grid="grid",
    ).select_related("area", "grid", "parent")


def organisation_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.PARTY_VIEW
) -> Organisation:
    organisation = visible_organisations(user, capability).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


@dataclass
class TreeNode:
    organisation: Organisation
    member_count: int
    children: list[TreeNode] = field(default_factory=list)


def organisation_tree(user: AnyUser) -> list[TreeNode]:
    """The visible party organisations as a forest: committees › branches › groups."""
    organisations = list(
        visible_organisations(user)
        .annotate(member_count=Count("party_members", filter=Q(party_members__active=True)))
        .order_by("kind", "name")
    )
    nodes = {o.pk: TreeNode(o, o.member_count) for o in organisations}
    roots: list[TreeNode] = []
    for organisation in organisations:
        parent = nodes.get(organisation.parent_id) if organisation.parent_id else None
        (parent.children if parent else roots).append(nodes[organisation.pk])
    order: dict[str, int] = {kind: index for index, kind in enumerate(PARTY_KINDS)}
    roots.sort(key=lambda n: (order[n.organisation.kind], n.organisation.name))
    return roots


def visible_members(
    user: AnyUser, capability: Capability = Capability.PARTY_VIEW
) -> QuerySet[PartyMember]:
    return apply_scope(
        PartyMember.objects.all(),
        scope_for(user, capability),
        area_path="community__path",
        grid="grid",
    ).select_related("organisation", "grid", "community")


def member_list(
    *, user: AnyUser, query: str = "", kind: str = "", organisation_id: int | None = None
) -> QuerySet[PartyMember]:
    members = visible_members(user).filter(active=True)
    if query.strip():
        members = members.filter(name__contains=query.strip())
    if kind:
        members = members.filter(kind=kind)
    if organisation_id:
        members = members.filter(
            Q(organisation_id=organisation_id) | Q(organisation__parent_id=organisation_id)
        )
    return members.order_by("organisation__name", "name", "pk")


def own_membership(user: AnyUser) -> PartyMember | None:
    if not user.is_authenticated:
        return None
    return (
        PartyMember.objects.filter(Q(user_id=user.pk) | Q(resident__user_id=user.pk))
        .select_related("organisation", "grid", "community")
        .first()
    )


def member_get_for_user(*, user: AnyUser, pk: int) -> PartyMember:
    """A member in scope, or the user's own record; anything else is a 404."""
    member = visible_members(user).filter(pk=pk).first()
    if member is None:
        own = own_membership(user)
        if own is None or own.pk != pk:
            raise Http404
        member = own
    return member


def visible_party_days(
    user: AnyUser, capability: Capability = Capability.PARTY_VIEW
) -> QuerySet[PartyDay]:
    return apply_scope(
        PartyDay.objects.all(),
        scope_for(user, capability),
        area_path="organisation__area__path",
        grid="organisation__grid",
    ).select_related("organisation")


def party_day_list(*, user: AnyUser, state: str = "") -> QuerySet[PartyDay]:
    days = visible_party_days(user).annotate(
        concern_count=Count("concerns", distinct=True),
        present_count=Count("members_present", distinct=True),
    )
    if state:
        days = days.filter(state=state)
    return days.order_by("-planned_for", "-pk")


def party_day_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.PARTY_VIEW
) -> PartyDay:
    day = (
        visible_party_days(user, capability)
        .prefetch_related(
            Prefetch(
                "concerns",
                queryset=PartyDayConcern.objects.select_related(
                    "request", "request__assignee", "request__grid"
                ),
            ),
            "members_present",
        )
        .filter(pk=pk)
        .first()
    )
    if day is None:
        raise Http404
    return day


def branch_ranking(
    *, user: AnyUser, organisation: Organisation, start: dt.date, end: dt.date
) -> list[MemberPoints]:
    """Points of the visible members of a branch (and its groups), highest first."""
    members = member_list(user=user, organisation_id=organisation.pk)
    return member_points(members, start, end)


# --- figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyFigures:
    days_planned: int
    days_held: int
    members_expected: int
    members_present: int
    concerns_raised: int
    concerns_resolved: int
    dual_reported_by_grid: dict[str, int]

    @property
    def attendance_rate(self) -> float | None:
        if not self.members_expected:
            return None
        return round(self.members_present / self.members_expected, 3)

    @property
    def resolution_rate(self) -> float | None:
        if not self.concerns_raised:
            return None
        return round(self.concerns_resolved / self.concerns_raised, 3)


def party_figures(
    *, user: AnyUser, area: Area | None, start: dt.date, end: dt.date
) -> PartyFigures:
    """Party days held/planned, attendance, concerns and their resolution, and 双报到
    members per grid, for the party days planned in ``start``–``end`` within ``area``
    (everything in scope when None)."""
    days = visible_party_days(user).filter(planned_for__gte=start, planned_for__lte=end)
    members = visible_members(user).filter(active=True, kind=MemberKind.DUAL_REPORT)
    if area is not None:
        if area.kind in ABOVE_GRID_KINDS:
            days = days.filter(organisation__area__path__startswith=area.path)
            members = members.filter(community__path__startswith=area.path)
        else:
            # A compound or a building: the groups of the grids covering its buildings
            # (a branch of the compound counts for the compound itself).
            grids = Area.objects.filter(path__startswith=area.path, grid__isnull=False)
            grid_ids = grids.values("grid_id")
            days = days.filter(
                Q(organisation__grid_id__in=grid_ids)
                | Q(organisation__grid__isnull=True, organisation__area__path__startswith=area.path)
            )
            members = members.filter(grid_id__in=grid_ids)
    held = days.filter(state=PartyDayState.HELD)
    present = PartyDay.members_present.through.objects.filter(partyday__in=held).count()
    expected = sum(held.values_list("members_expected", flat=True))
    concerns = PartyDayConcern.objects.filter(party_day__in=days)
    reported: dict[str, int] = defaultdict(int)
    for grid_name in members.filter(reported_on__lte=end).values_list("grid__name", flat=True):
        reported[grid_name or ""] += 1
    return PartyFigures(
        days_planned=days.count(),
        days_held=held.count(),
        members_expected=expected,
        members_present=present,
        concerns_raised=concerns.count(),
        concerns_resolved=concerns.filter(request__status__in=RESOLVED_STATUSES).count(),
        dual_reported_by_grid=dict(sorted(reported.items())),
    )


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last six months up to the end of this month (this month's planned days count)."""
    next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return today - dt.timedelta(days=182), next_month - dt.timedelta(days=1)


def member_get_for_manager(*, user: AnyUser, pk: int) -> PartyMember:
    """A member whose organisation ``user`` manages (``party.manage``), to set up a vanguard
    post (先锋岗) for; anything else is a 404."""
    member = member_get_for_user(user=user, pk=pk)
    managed = visible_organisations(user, Capability.PARTY_MANAGE).filter(pk=member.organisation_id)
    if Capability.PARTY_MANAGE not in capabilities_of(user) or not managed.exists():
        raise Http404
    return member


def post_buildings(member: PartyMember, pks: list[int]) -> QuerySet[Area]:
    """The buildings (of the member's community) a vanguard post may cover, of ``pks``."""
    return Area.objects.filter(
        pk__in=pks, kind=AreaKind.BUILDING, path__startswith=member.community.path
    )


# --- registering a member, recording a party day: whom and where the forms may name -------


def member_grids(user: AnyUser) -> QuerySet[Grid]:
    """The grids a member registered by ``user`` may serve: those of their ``party.manage``
    scope (the registration page's choice, and the API's)."""
    return apply_scope(
        Grid.objects.select_related("community"),
        scope_for(user, Capability.PARTY_MANAGE),
        area_path="community__path",
        grid="pk",
    ).order_by("code")


def resident_for_membership(user: AnyUser, id_number: str) -> Resident | None:
    """The resident with this ID number among those ``user`` may register as party members
    (their ``party.manage`` scope; an anonymised record is no one's), or None."""
    return (
        apply_scope(
            Resident.objects.all(),
            scope_for(user, Capability.PARTY_MANAGE),
            area_path="area__path",
        )
        .filter(
            id_number_hash=crypto.blind_index("id", normalise_id_number(id_number)),
            anonymised_at__isnull=True,
        )
        .first()
    )


def organisation_community(organisation: Organisation) -> Area | None:
    """The community a member of ``organisation`` belongs to: its grid's, or the community
    its area lies in; None for an organisation not yet placed in one."""
    if organisation.grid is not None:
        community: Area = organisation.grid.community
        return community
    if organisation.area is None:
        return None
    return ancestor_of_kind(organisation.area, AreaKind.COMMUNITY)


def concern_places(user: AnyUser, organisation: Organisation) -> list[Area]:
    """Where a concern raised at the organisation's party day can be placed: the buildings
    of the group's grid (or the branch's compound) that ``user`` may file requests for, and
    the compound itself. The first is where a concern without a chosen place goes."""
    buildings = Area.objects.filter(kind=AreaKind.BUILDING)
    if organisation.grid_id:
        buildings = buildings.filter(grid_id=organisation.grid_id)
    elif organisation.area is not None:
        buildings = buildings.filter(path__startswith=organisation.area.path)
    scope = scope_for(user, Capability.REQUESTS_FILE)
    places = list(apply_scope(buildings, scope, area_path="path").order_by("path"))
    area = organisation.area
    if (
        area is not None
        and area.kind == AreaKind.COMPOUND
        and (scope.covers_place(area.path, None) or places)
    ):
        places.append(area)
    return places


def place_label(area: Area) -> str:
    """A concern's place as the record page names it: 「1号楼」 under its compound's name,
    or the compound's 「(公共区域)」."""
    if area.kind == AreaKind.COMPOUND:
        return _("%(name)s(公共区域)") % {"name": area.name}
    parent = area_parent(area)
    return f"{parent.name if parent else ''}{area.name}"
