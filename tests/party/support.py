"""Party organisation for the cast: 和平社区党委, 和平小区党支部, a group per grid, members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from linli.areas.models import AreaKind
from linli.organisations.models import Organisation
from linli.party.models import MemberKind, PartyDay, PartyMember, Position
from linli.party.services import (
    ConcernIn,
    member_create,
    party_day_plan,
    party_day_record,
    party_organisation_create,
)
from tests.cast import Cast


@dataclass
class PartyCast:
    committee: Organisation
    branch: Organisation
    group1: Organisation
    group2: Organisation
    member: PartyMember  # of grid 1: the elder, or worker1
    leader1: PartyMember  # worker1, who leads group 1
    dual: PartyMember  # the neighbour, reported in to grid 2
    day: PartyDay  # held by group 1, one concern filed
    planned: PartyDay  # group 2, still to come


def build_party(cast: Cast, *, elder_is_member: bool = False) -> PartyCast:
    assert cast.compound.kind == AreaKind.COMPOUND
    committee = party_organisation_create(
        actor=None,
        name="和平社区党委",
        kind=Organisation.Kind.PARTY_COMMITTEE,
        area=cast.community,
    )
    branch = party_organisation_create(
        actor=None,
        name="和平小区党支部",
        kind=Organisation.Kind.PARTY_BRANCH,
        area=cast.compound,
        parent=committee,
    )
    group1, group2 = (
        party_organisation_create(
            actor=None,
            name=f"第{n}网格党小组",
            kind=Organisation.Kind.PARTY_GROUP,
            area=cast.compound,
            parent=branch,
            grid=grid,
        )
        for n, grid in ((1, cast.grid1), (2, cast.grid2))
    )
    leader1 = member_create(
        actor=None,
        organisation=group1,
        community=cast.community,
        user=cast.worker1,
        grid=cast.grid1,
        position=Position.GROUP_LEADER,
    )
    member = leader1
    if elder_is_member:
        member = member_create(
            actor=None,
            organisation=group1,
            community=cast.community,
            resident=cast.elder,
            grid=cast.grid1,
        )
    today = timezone.localdate()
    dual = member_create(
        actor=None,
        organisation=group2,
        community=cast.community,
        resident=cast.neighbour,
        kind=MemberKind.DUAL_REPORT,
        grid=cast.grid2,
        home_organisation="孝义市中心医院党委第二支部",
        reported_on=today - dt.timedelta(days=30),
    )
    day = party_day_plan(
        actor=None,
        organisation=group1,
        topic="楼道安全我先行",
        planned_for=today - dt.timedelta(days=3),
        place="1号楼前",
    )
    party_day_record(
        actor=cast.worker1,
        party_day=day,
        held_at=timezone.now() - dt.timedelta(days=3),
        members_present=[leader1],
        residents_present=12,
        concerns=[ConcernIn(text="1号楼楼道灯坏了,晚上看不见台阶。", location=cast.building1)],
    )
    planned = party_day_plan(
        actor=None,
        organisation=group2,
        topic="关爱独居老人",
        planned_for=today + dt.timedelta(days=5),
    )
    return PartyCast(
        committee=committee,
        branch=branch,
        group1=group1,
        group2=group2,
        member=member,
        leader1=leader1,
        dual=dual,
        day=day,
        planned=planned,
    )
