"""文水县凤城镇's four summer programmes (假期港湾) at party-mass service stations.

韩村社区's 10-day 候鸟课堂 with university-student volunteers runs "today", so its
sign-in page has children on it (signed in this morning, none collected yet);
西街社区's 3-day 快乐学习智慧一夏 with a safety class, 东街社区's 10-day class at 凯奇花园
(calligraphy, crafts, a flag story hour) and 堡子社区's phased programme at 学府雅苑 (an
early phase and a 10-day advanced course) are over, with their daily registers.
Children and guardians are the households :meth:`WorldBuilder.fengcheng` registered
(children with their guardian's consent). Dates are relative to the world's ``today``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.areas.models import Area, AreaKind
from linli.core.roles import Role
from linli.demo.names import NameMaker
from linli.people.models import Resident
from linli.programmes.models import EnrolmentStatus, Phase, Programme, SlotKind
from linli.programmes.services import (
    PickupData,
    attendance_sign_in,
    attendance_sign_out,
    duties_credit,
    duty_assign,
    enrol,
    phase_add,
    programme_create,
    runs_on,
    satisfaction_record,
    site_create,
    slot_add,
)
from linli.volunteers.models import Volunteer, VolunteerKind
from linli.volunteers.services import volunteer_create

T = dt.time


@dataclass(frozen=True)
class PlannedPhase:
    name: str
    start: int  # days from today
    days: int
    slots: list[tuple[dt.time, dt.time, str, str]]  # start, end, kind, title


@dataclass(frozen=True)
class Plan:
    community: str
    compound: str | None
    site: str
    programme: str
    description: str
    lead: tuple[str, str]  # username, name
    phases: list[PlannedPhase]


HOMEWORK = (T(9), T(11), SlotKind.HOMEWORK, "暑假作业辅导")

PLANS = [
    Plan(
        "韩村社区",
        None,
        "韩村社区党群服务站",
        "候鸟课堂",
        "上午由大学生志愿者辅导暑假作业,下午开展阅读分享、跳绳、踢毽子等素质拓展。",
        ("hancun", "韩晓燕"),
        [
            PlannedPhase(
                "第一期",
                -4,
                10,
                [
                    HOMEWORK,
                    (T(14, 30), T(15, 30), SlotKind.READING, "阅读分享"),
                    (T(15, 40), T(16, 40), SlotKind.SPORTS, "跳绳、踢毽子"),
                ],
            )
        ],
    ),
    Plan(
        "西街社区",
        None,
        "西街社区党群服务站",
        "快乐学习,智慧一夏",
        "学业小助手、欢乐运动汇、安全小课堂和社区图书馆文化体验。",
        ("xijie", "郭丽萍"),
        [
            PlannedPhase(
                "三天营",
                -40,
                3,
                [
                    (T(9), T(10, 30), SlotKind.HOMEWORK, "学业小助手"),
                    (T(10, 40), T(11, 40), SlotKind.SAFETY, "过马路、灭火器、防溺水"),
                    (T(14, 30), T(15, 30), SlotKind.SPORTS, "欢乐运动汇:集体跳绳、两人三足"),
                    (T(15, 40), T(16, 40), SlotKind.READING, "社区图书馆文化体验"),
                ],
            )
        ],
    ),
    Plan(
        "东街社区",
        "凯奇花园",
        "凯奇花园小区党群服务站",
        "暑期托管班",
        "作业角、书法绘画、编绳和剪纸等传统手工,国旗国徽故事会。",
        ("dongjie", "武建华"),
        [
            PlannedPhase(
                "暑期班",
                -30,
                10,
                [
                    HOMEWORK,
                    (T(14, 30), T(15, 30), SlotKind.CALLIGRAPHY, "书法绘画"),
                    (T(15, 40), T(16, 40), SlotKind.CRAFTS, "编绳、剪纸"),
                ],
            )
        ],
    ),
    Plan(
        "堡子社区",
        "学府雅苑",
        "学府雅苑小区党群服务站",
        "候鸟课堂",
        "课业辅导、绘本角和益智玩具;八月提高班增加体育、阅读分享和安全教育。",
        ("baozi", "田志刚"),
        [
            PlannedPhase(
                "前期",
                -60,
                10,
                [HOMEWORK, (T(14, 30), T(15, 30), SlotKind.READING, "绘本角、益智玩具")],
            ),
            PlannedPhase(
                "八月提高班",
                -25,
                10,
                [
                    HOMEWORK,
                    (T(14, 30), T(15, 20), SlotKind.SPORTS, "体育活动"),
                    (T(15, 30), T(16, 10), SlotKind.READING, "阅读分享"),
                    (T(16, 15), T(16, 50), SlotKind.SAFETY, "防溺水、防电信诈骗"),
                ],
            ),
        ],
    ),
]
# 东街社区's flag story hour: Friday afternoons instead of crafts.
FLAG_STORY = (T(15, 40), T(16, 40), SlotKind.FLAG_STORY, "国旗国徽故事会")


def _children_and_guardians(community: Area) -> list[tuple[Resident, Resident]]:
    pairs: list[tuple[Resident, Resident]] = []
    residents = Resident.objects.filter(
        area__path__startswith=community.path, anonymised_at__isnull=True
    ).order_by("household_id", "birth_date", "pk")
    by_household: dict[int, list[Resident]] = {}
    for resident in residents:
        if resident.household_id is not None:
            by_household.setdefault(resident.household_id, []).append(resident)
    for members in by_household.values():
        adults = [r for r in members if r.age >= 18]
        children = [r for r in members if 6 <= r.age <= 13]
        if adults:
            mother = next((a for a in adults if a.gender == "female"), adults[0])
            pairs.extend((child, mother) for child in children)
    return pairs


def _lead(make_user: Callable[..., User], community: Area, username: str, name: str) -> User:
    lead = make_user(f"{username}-lead", name)
    role_assign(actor=None, user=lead, role=Role.STAFF, area=community)
    return lead


def _student(
    make_user: Callable[..., User], community: Area, username: str, name: str
) -> Volunteer:
    user = make_user(f"{username}-student", name)
    role_assign(actor=None, user=user, role=Role.VOLUNTEER, area=community)
    return volunteer_create(
        actor=None, community=community, user=user, name=name, kind=VolunteerKind.STUDENT
    )


def _at(day: dt.date, time: dt.time, minutes: int = 0) -> dt.datetime:
    moment = dt.datetime.combine(day, time) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(moment)


def _register(
    phase: Phase,
    *,
    today: dt.date,
    names: NameMaker,
    actor: User,
    volunteer: Volunteer,
) -> None:
    """Sign-in and sign-out for each open day up to today (today: signed in only); the
    student volunteer on the rota for homework every open day, credited up to yesterday."""
    from linli.programmes.models import Enrolment

    enrolments = list(Enrolment.objects.filter(phase=phase, status=EnrolmentStatus.ENROLLED))
    homework = phase.slots.filter(kind=SlotKind.HOMEWORK).first()
    day = phase.start_date
    while day <= phase.end_date:
        if runs_on(phase, day) and homework is not None:
            duty_assign(actor=None, phase=phase, day=day, volunteer=volunteer, slot=homework)
        if runs_on(phase, day) and day <= today:
            for enrolment in enrolments:
                if names.random.random() < 0.08:
                    continue  # absent
                attendance = attendance_sign_in(
                    actor=actor,
                    enrolment=enrolment,
                    now=_at(day, phase.opens_at, names.random.randint(0, 25)),
                )
                if day == today:
                    continue
                pickups = list(enrolment.pickups.all())
                attendance_sign_out(
                    actor=actor,
                    attendance=attendance,
                    pickup_name=names.random.choice(pickups).name,
                    now=_at(day, phase.closes_at, -names.random.randint(0, 20)),
                )
        day += dt.timedelta(days=1)
    duties_credit(actor=None, phase=phase, now=_at(today, dt.time(0)))


def build_programmes_world(
    *, today: dt.date, names: NameMaker, make_user: Callable[..., User]
) -> list[Programme]:
    town = Area.objects.get(kind=AreaKind.TOWN, name="凤城镇")
    programmes: list[Programme] = []
    for plan in PLANS:
        community = Area.objects.get(
            kind=AreaKind.COMMUNITY, name=plan.community, path__startswith=town.path
        )
        place = (
            Area.objects.get(name=plan.compound, path__startswith=community.path)
            if plan.compound
            else community
        )
        lead = _lead(make_user, community, *plan.lead)
        student = _student(make_user, community, plan.lead[0], names.name("female"))
        site = site_create(actor=None, area=place, name=plan.site, lead=lead)
        programme = programme_create(
            actor=None,
            site=site,
            name=plan.programme,
            description=plan.description,
            team=[student.user] if student.user else [],
        )
        pairs = _children_and_guardians(community)
        for planned in plan.phases:
            start = today + dt.timedelta(days=planned.start)
            phase = phase_add(
                actor=None,
                programme=programme,
                name=planned.name,
                start_date=start,
                end_date=start + dt.timedelta(days=planned.days - 1),
                weekdays="1234567",
                opens_at=T(8, 30),
                closes_at=T(17),
                capacity=max(4, len(pairs) - 1),
            )
            for begin, end, kind, title in planned.slots:
                flag_friday = plan.community == "东街社区" and kind == SlotKind.CRAFTS
                for weekday in (1, 2, 3, 4, 6, 7) if flag_friday else (None,):
                    slot_add(
                        actor=None,
                        phase=phase,
                        weekday=weekday,
                        starts_at=begin,
                        ends_at=end,
                        kind=kind,
                        title=title,
                        volunteer=student if kind == SlotKind.HOMEWORK else None,
                        teacher_name="" if kind == SlotKind.HOMEWORK else plan.lead[1],
                    )
            if plan.community == "东街社区":
                slot_add(
                    actor=None,
                    phase=phase,
                    weekday=5,
                    starts_at=FLAG_STORY[0],
                    ends_at=FLAG_STORY[1],
                    kind=FLAG_STORY[2],
                    title=FLAG_STORY[3],
                    teacher_name=plan.lead[1],
                )
            for child, guardian in pairs:
                enrolment = enrol(
                    actor=None,
                    phase=phase,
                    child=child,
                    guardian=guardian,
                    guardian_relation="母亲",
                    pickups=[
                        PickupData(name=guardian.name, relation="母亲", phone=names.phone()),
                        PickupData(name=names.name("female"), relation="奶奶", phone=names.phone()),
                    ],
                    consent_method="written",
                    today=start,
                )
                if (
                    enrolment.status == EnrolmentStatus.ENROLLED
                    and phase.end_date < today
                    and names.random.random() < 0.7
                ):
                    satisfaction_record(
                        actor=None,
                        enrolment=enrolment,
                        score=names.random.choice([4, 5, 5]),
                        today=today,
                    )
            _register(phase, today=today, names=names, actor=lead, volunteer=student)
        programmes.append(programme)
    return programmes
