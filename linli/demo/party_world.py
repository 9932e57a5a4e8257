"""The party organisation of 阳泉曲社区 (花开向阳): a branch per compound, a group per grid,
the 7 两委, the 15 直管 party members, the 双报到 members among the volunteers, and six
months of theme party days whose concerns are the ``party_day`` requests the request
history already filed (linked, not filed twice)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind, Grid, area_parent
from linli.areas.selectors import grid_of
from linli.demo.world import GRID_WORKER_NAMES, YANGQUANQU_GRIDS, World
from linli.organisations.models import Organisation
from linli.party.models import MemberKind, PartyMember, Position, PostKind
from linli.party.services import (
    concern_link,
    member_create,
    organisation_members,
    party_day_plan,
    party_day_record,
    party_organisation_create,
    post_add,
)
from linli.people.models import Resident, TagCode
from linli.requests.models import Channel, Request
from linli.volunteers.models import VolunteerKind

HOME_ORGANISATIONS = [
    "孝义市中心医院党委第二支部",
    "孝义农商行机关党支部",
    "阳泉曲镇中学党支部",
    "孝义市税务局第一党支部",
    "国网孝义供电公司党支部",
]
TOPICS = [
    "学习贯彻党的二十大精神 办好身边小事",
    "党员进网格 服务零距离",
    "楼道清洁日 党员带头干",
    "关爱独居老人 党员结对帮扶",
    "平安小区共建 党员先锋岗在行动",
    "聚焦楼道安全 共建美好家园",
]
MONTHS = 6


def _month_start(day: dt.date, back: int) -> dt.date:
    year, month = day.year, day.month - back
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def build_party_world(world: World, *, today: dt.date) -> None:
    rng = random.Random(2613)
    community = world.community
    committee = Organisation.objects.get(kind=Organisation.Kind.PARTY_COMMITTEE, area=community)
    compounds = {
        a.name: a
        for a in Area.objects.filter(kind=AreaKind.COMPOUND, path__startswith=community.path)
    }
    branches: dict[str, Organisation] = {}
    groups: dict[int, Organisation] = {}
    for number, (compound_name, _buildings) in YANGQUANQU_GRIDS.items():
        if compound_name not in branches:
            branches[compound_name] = party_organisation_create(
                actor=None,
                name=f"{compound_name}党支部",
                kind=Organisation.Kind.PARTY_BRANCH,
                parent=committee,
                area=compounds[compound_name],
            )
        groups[number] = party_organisation_create(
            actor=None,
            name=f"{compound_name}第{number}网格党小组",
            kind=Organisation.Kind.PARTY_GROUP,
            parent=branches[compound_name],
            area=compounds[compound_name],
            grid=world.grids[number],
        )
    group_of_grid = {world.grids[n].pk: g for n, g in groups.items()}

    # The 7 两委: committee1 is secretary, committee2 deputy, the rest committee members.
    for index in range(7):
        user = User.objects.get(username=f"committee{index + 1}")
        member_create(
            actor=None,
            organisation=committee,
            community=community,
            user=user,
            position=[Position.SECRETARY, Position.DEPUTY][index]
            if index < 2
            else Position.COMMITTEE,
        )
    # The grid workers lead their grid's party group; 陈中平 holds its theme party days.
    workers: dict[int, User] = {}
    for number, (username, _full_name) in GRID_WORKER_NAMES.items():
        workers[number] = User.objects.get(username=username)
        member_create(
            actor=None,
            organisation=groups[number],
            community=community,
            user=workers[number],
            grid=world.grids[number],
            position=Position.GROUP_LEADER,
        )
    # The 15 directly managed members, in their grid's group, with a 先锋岗 each.
    direct = Resident.objects.filter(
        tag_links__tag__code=TagCode.PARTY_MEMBER,
        tag_links__detail="社区直管党员",
        area__path__startswith=community.path,
    ).order_by("pk")
    post_kinds = [PostKind.BUILDING_HEAD, PostKind.ELDER_CARE, PostKind.ENVIRONMENT]
    for index, resident in enumerate(direct):
        assert resident.area is not None
        grid = grid_of(resident.area)
        if grid is None:
            continue
        member = member_create(
            actor=None,
            organisation=group_of_grid[grid.pk],
            community=community,
            resident=resident,
            user=resident.user,
            grid=grid,
        )
        building = area_parent(resident.area)
        post_add(
            actor=None,
            member=member,
            kind=post_kinds[index % len(post_kinds)],
            buildings=[building] if building and building.kind == AreaKind.BUILDING else [],
        )
    # The 双报到 members among the volunteers: their own organisation, date reported.
    for volunteer in world.volunteers:
        if volunteer.kind != VolunteerKind.DUAL_REPORT or volunteer.grid_id is None:
            continue
        if volunteer.user_id and PartyMember.objects.filter(user_id=volunteer.user_id).exists():
            continue
        member_create(
            actor=None,
            organisation=group_of_grid[volunteer.grid_id],
            community=community,
            kind=MemberKind.DUAL_REPORT,
            user=volunteer.user,
            resident=volunteer.resident,
            name=volunteer.name,
            grid=volunteer.grid,
            home_organisation=rng.choice(HOME_ORGANISATIONS),
            reported_on=volunteer.joined_on or today - dt.timedelta(days=200),
        )

    _party_days(world, groups, workers, today=today, rng=rng)


def _party_days(
    world: World,
    groups: dict[int, Organisation],
    workers: dict[int, User],
    *,
    today: dt.date,
    rng: random.Random,
) -> None:
    """A theme party day a month for every group: held in the past six months (with the
    ``party_day`` requests of that grid and month as its concerns), planned this month
    where it has not yet been held."""
    # A concern at a compound (the broken fitness equipment) has no grid of its own: it
    # belongs to the party day of the grid worker who wrote it down.
    grid_of_worker = {workers[n].pk: world.grids[n].pk for n in workers}
    filed: dict[tuple[int, dt.date], list[Request]] = defaultdict(list)
    for request in Request.objects.filter(
        channel=Channel.PARTY_DAY, community=world.community
    ).order_by("submitted_at", "pk"):
        grid_id = request.grid_id or grid_of_worker.get(request.submitted_by_id or 0)
        if grid_id is None:
            continue
        local = timezone.localtime(request.submitted_at).date()
        filed[(grid_id, local.replace(day=1))].append(request)
    # Six months, or back to the month of the oldest party-day request.
    this_month = today.replace(day=1)
    oldest = min((month for _grid, month in filed), default=this_month)
    months = max(MONTHS, (this_month.year - oldest.year) * 12 + this_month.month - oldest.month + 1)
    for number, group in groups.items():
        grid: Grid = world.grids[number]
        members = organisation_members(group)
        for back in range(months - 1, -1, -1):
            month = _month_start(today, back)
            concerns = filed.get((grid.pk, month), [])
            if concerns:
                day = timezone.localtime(concerns[0].submitted_at).date()
            else:
                day = month + dt.timedelta(days=14 + number % 5)
            topic = TOPICS[-1 - back % len(TOPICS)]
            party_day = party_day_plan(
                actor=None,
                organisation=group,
                topic=topic,
                planned_for=day,
                place=f"{group.area.name if group.area else ''}党群服务站",
            )
            if day >= today:
                continue  # this month's, still to come
            present = [m for m in members if rng.random() < 0.8]
            held_at = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)))
            if concerns:
                held_at = min(held_at, concerns[0].submitted_at)
            party_day_record(
                actor=workers[number],
                party_day=party_day,
                held_at=held_at,
                members_present=present,
                residents_present=rng.randint(8, 25),
                summary="党员和居民围坐在小板凳上拉家常,把大家反映的小事一件件记在本子上。",
                place="向阳花园中心广场" if number == 1 and back == 0 else None,
            )
            for request in concerns:
                concern_link(actor=None, party_day=party_day, request=request)
