"""The demo's 70+ volunteers: teams with leaders, mixed kinds, weekly slots, hours, a roster.

Built on the profiles :meth:`WorldBuilder.volunteer_profiles` makes for residents tagged
志愿者, plus university students and in-service party members (双报到) who serve here but
live elsewhere, so they have a login-less user rather than a resident record. Hours
from home visits come from the care history; the hours here are the rest of the
service (patrols, publicity, clean-ups), recorded as ``other`` so nothing counts twice.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.volunteers.models import SLOT_ORDER, TeamKind, Volunteer, VolunteerKind
from linli.volunteers.services import (
    service_hours_reject,
    service_hours_submit,
    service_record_add,
    team_create,
    team_member_add,
    volunteer_create,
    volunteer_update,
)

if TYPE_CHECKING:
    from linli.demo.names import NameMaker
    from linli.demo.world import World

MIN_VOLUNTEERS = 72
TEAMS = [
    ("党员先锋岗", TeamKind.PARTY_POST, "党员亮身份、作表率,牵头独居老人走访"),
    ("助老服务队", TeamKind.SERVICE, "上门买菜、送药、陪聊"),
    ("健康守护队", TeamKind.SERVICE, "量血压、测血糖,提醒按时服药"),
    ("平安巡逻队", TeamKind.SERVICE, "楼院巡查、文明劝导"),
    ("青春助学队", TeamKind.SERVICE, "大学生志愿者:课业辅导、智能手机教学"),
]
SKILLS = ["量血压", "测血糖", "理发", "家电维修", "心理疏导", "智能手机教学", "书法", "驾驶"]
OTHER_SERVICE = ["楼院环境整治", "文明交通劝导", "反诈宣传", "政策宣讲", "平安巡逻", "义诊协助"]
STUDENT_SCHOOLS = ["吕梁学院", "山西医科大学汾阳学院"]


def build_volunteers_world(world: World, *, names: NameMaker, today: dt.date) -> None:
    rng = names.random
    community = world.community
    grids = list(world.grids.values())
    volunteers = list(world.volunteers)
    hash_nobody = make_password(None)
    extra = max(MIN_VOLUNTEERS - len(volunteers), 18)
    # Students and 双报到 party members who serve here without living here.
    for n in range(extra):
        student = n % 2 == 0
        name = names.name(rng.choice(["male", "female"]))
        user = User.objects.create(
            username=f"vol{'stu' if student else 'dual'}{n:03d}",
            full_name=name,
            password=hash_nobody,
        )
        role_assign(actor=None, user=user, role=Role.VOLUNTEER, area=community)
        volunteers.append(
            volunteer_create(
                actor=None,
                community=community,
                user=user,
                name=name,
                kind=VolunteerKind.STUDENT if student else VolunteerKind.DUAL_REPORT,
                grid=rng.choice(grids),
                joined_on=today - dt.timedelta(days=rng.randint(20, 700)),
            )
        )
    world.volunteers[:] = volunteers

    demo_login = world.users.get("volunteer")
    for volunteer in volunteers:
        slots = _slots_for(volunteer, rng)
        if demo_login is not None and volunteer.user_id == demo_login.pk:
            # 白晓东 works shifts: free Tuesday and Friday mornings, Wednesday evening and
            # the weekend; enough for the people he is primary volunteer of.
            slots = {
                (1, "morning"),
                (2, "evening"),
                (4, "morning"),
                (5, "morning"),
                (5, "afternoon"),
                (6, "afternoon"),
            }
        volunteer_update(
            actor=None,
            volunteer=volunteer,
            kind=volunteer.kind,
            grid=volunteer.grid,
            active=True,
            skills=rng.sample(SKILLS, rng.randint(0, 2)),
            availability=sorted(slots),
        )

    teams = {
        name: team_create(actor=None, community=community, name=name, kind=kind, description=text)
        for name, kind, text in TEAMS
    }
    party = [
        v for v in volunteers if v.kind in (VolunteerKind.PARTY_MEMBER, VolunteerKind.DUAL_REPORT)
    ]
    students = [v for v in volunteers if v.kind == VolunteerKind.STUDENT]
    others = [v for v in volunteers if v.kind == VolunteerKind.RESIDENT]
    members: dict[str, list[Volunteer]] = {
        "党员先锋岗": party,
        "青春助学队": students,
        "助老服务队": [],
        "健康守护队": [],
        "平安巡逻队": [],
    }
    for i, volunteer in enumerate(others + party[::2]):
        members[["助老服务队", "健康守护队", "平安巡逻队"][i % 3]].append(volunteer)
    for team_name, team_members in members.items():
        ordered = sorted(team_members, key=lambda v: v.pk)
        if demo_login is not None and team_name == "党员先锋岗":
            ordered.sort(key=lambda v: v.user_id != demo_login.pk)
        for index, volunteer in enumerate(ordered):
            team_member_add(
                actor=None,
                team=teams[team_name],
                volunteer=volunteer,
                is_leader=index == 0,
                joined_on=volunteer.joined_on,
            )

    now = timezone.now()
    for volunteer in volunteers:
        for _n in range(rng.randint(1, 6)):
            day = now - dt.timedelta(days=rng.randint(1, 180), hours=rng.randint(0, 8))
            service_record_add(
                actor=None,
                volunteer=volunteer,
                started_at=day,
                minutes=rng.choice([60, 90, 120, 150, 180]),
                content=rng.choice(OTHER_SERVICE),
            )

    # The demo volunteer's own claims for the review queue: one waits, one was sent back.
    mine = next((v for v in volunteers if demo_login and v.user_id == demo_login.pk), None)
    staff = world.users.get("staff")
    if mine is not None and demo_login is not None and staff is not None:
        service_hours_submit(
            actor=demo_login,
            volunteer=mine,
            started_at=now - dt.timedelta(days=3, hours=2),
            minutes=150,
            content="协助社区开展反诈宣传",
            place="社区广场",
        )
        sent_back = service_hours_submit(
            actor=demo_login,
            volunteer=mine,
            started_at=now - dt.timedelta(days=6, hours=4),
            minutes=120,
            content="帮忙",
        )
        service_hours_reject(
            actor=staff, record_id=sent_back.pk, reason="请写明具体做了什么、在哪里"
        )


def _slots_for(volunteer: Volunteer, rng: random.Random) -> set[tuple[int, str]]:
    """Retired residents are free most mornings; students and workers evenings and weekends."""
    if volunteer.kind in (VolunteerKind.STUDENT, VolunteerKind.DUAL_REPORT):
        candidates = [(d, s) for d in range(7) for s in SLOT_ORDER if d >= 5 or s == "evening"]
        count = rng.randint(2, 4)
    else:
        candidates = [(d, s) for d in range(7) for s in SLOT_ORDER if s != "evening"]
        count = rng.randint(3, 6)
    return set(rng.sample(candidates, count))


def build_demo_roster(world: World, *, today: dt.date) -> None:
    """Next week's roster from the care plans, when the care demo has made some."""
    from linli.care.models import CarePlan
    from linli.rosters.services import next_week_start, roster_generate, week_start_of

    if not CarePlan.objects.filter(active=True).exists():
        return
    this_week = week_start_of(today)
    for week in (this_week, next_week_start(today)):
        roster_generate(actor=None, week_start=week, communities=[world.community])
