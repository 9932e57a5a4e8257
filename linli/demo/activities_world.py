"""The demo's activities: the partners' five free clinics (300+ people served, computed
from the records), the bank's talk in 向阳花园 that 刘大爷 attended, 310+ past management
and clean-up activities over the year, the 吕梁 党建联建 activity of two branches of
different organisations, and a few coming ones open for sign-up.

The clinics and the talk go through the services (create, open, hold: helpers get
their hours through the volunteers app). Their past sign-ups and check-ins, and the
year's routine activities, are written with ``bulk_create`` to keep ``linli demo`` fast;
they are what the services would have recorded at the time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from linli.activities.models import (
    Activity,
    ActivityKind,
    Audience,
    Signup,
    SignupChannel,
    SignupStatus,
    Status,
)
from linli.activities.services import (
    activity_create,
    activity_transition,
    helper_add,
    served_record,
)
from linli.areas.models import Area, AreaKind
from linli.organisations.models import Organisation
from linli.people.models import Resident

if TYPE_CHECKING:
    from linli.demo.world import World

ROUTINE_ACTIVITIES = 312
CLINICS = [
    # days ago, hospital, (量血压, 测血糖, 健康咨询)
    (300, "孝义市中心医院", (72, 55, 30)),
    (230, "孝义市中医院", (64, 48, 36)),
    (160, "孝义市中心医院", (58, 50, 22)),
    (90, "孝义市中医院", (66, 41, 33)),
    (25, "孝义市中心医院", (70, 52, 28)),
]
ROUTINE = [
    ("cleanup", "楼道杂物清理"),
    ("cleanup", "小区环境卫生大扫除"),
    ("cleanup", "垃圾分类宣传与清运"),
    ("cleanup", "绿化带杂草清理"),
    ("management", "楼院安全巡查"),
    ("management", "消防通道清理整治"),
    ("management", "电动车充电安全排查"),
    ("management", "文明养犬劝导"),
    ("management", "网格议事会"),
]


def _at(today: dt.date, days_ago: int, hour: int) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _adults(community: Area, today: dt.date) -> list[Resident]:
    cutoff = today.replace(year=today.year - 18)
    return list(
        Resident.objects.filter(
            area__path__startswith=community.path,
            anonymised_at__isnull=True,
            birth_date__lte=cutoff,
        ).order_by("pk")
    )


def _attended(activity: Activity, residents: list[Resident]) -> None:
    """Sign-ups by phone and by the residents themselves, all checked in at the door."""
    start = activity.starts_at
    Signup.objects.bulk_create(
        [
            Signup(
                activity=activity,
                resident=resident,
                channel=SignupChannel.STAFF if i % 3 == 0 else SignupChannel.SELF,
                status=SignupStatus.CONFIRMED,
                signed_up_at=start - dt.timedelta(days=3, minutes=i * 7),
                checked_in_at=start + dt.timedelta(minutes=i % 50),
            )
            for i, resident in enumerate(residents)
        ]
    )


def _held(
    world: World,
    *,
    today: dt.date,
    kind: ActivityKind,
    title: str,
    days_ago: int,
    place: Area,
    partners: Sequence[Organisation] = (),
    organisers: Sequence[Organisation] = (),
    hours: int = 3,
    description: str = "",
    place_detail: str = "",
) -> Activity:
    starts_at = _at(today, days_ago, 9)
    activity = activity_create(
        actor=None,
        community=world.community,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        place=place,
        place_detail=place_detail,
        partners=partners,
        organisers=organisers,
        description=description,
    )
    return activity_transition(actor=None, activity=activity, to=Status.OPEN)


def build_activities_world(world: World, *, today: dt.date) -> None:
    rng = random.Random(2026_14)
    community = world.community
    kinds = {k.code: k for k in ActivityKind.objects.all()}
    orgs = {o.name: o for o in Organisation.objects.all()}
    compounds = {
        a.name: a
        for a in Area.objects.filter(kind=AreaKind.COMPOUND, path__startswith=community.path)
    }
    xiangyang = compounds["向阳花园"]
    adults = _adults(community, today)
    helpers = [v for v in world.volunteers if v.active][:12]

    # Five free clinics with the two hospitals.
    for n, (days_ago, hospital, (bp, sugar, consult)) in enumerate(CLINICS, start=1):
        compound = list(compounds.values())[n % len(compounds)]
        clinic = _held(
            world,
            today=today,
            kind=kinds["clinic"],
            title=f"{orgs[hospital].name}义诊进社区(第{n}场)",
            days_ago=days_ago,
            place=compound,
            place_detail="小区广场",
            partners=[orgs[hospital]],
            description="量血压、测血糖、健康咨询,慢病用药指导。",
        )
        for volunteer in helpers[(n - 1) * 2 : (n - 1) * 2 + 3]:
            helper_add(actor=None, activity=clinic, volunteer=volunteer, role="秩序引导、测量登记")
        _attended(clinic, rng.sample(adults, min(len(adults), 25 + n * 3)))
        clinic = activity_transition(actor=None, activity=clinic, to=Status.HELD)
        served_record(
            actor=None,
            activity=clinic,
            counts={"量血压": bp, "测血糖": sugar, "健康咨询": consult},
        )
        activity_transition(
            actor=None,
            activity=clinic,
            to=Status.SUMMARISED,
            summary=f"{hospital}医生为居民量血压 {bp} 人次、测血糖 {sugar} 人次,"
            f"健康咨询 {consult} 人次。",
        )

    # The bank's talk in 向阳花园: pensions and fraud prevention, in dialect.
    talk = _held(
        world,
        today=today,
        kind=kinds["talk"],
        title="孝义农商行养老金领取与防诈骗宣讲",
        days_ago=40,
        place=xiangyang,
        place_detail="向阳花园党群服务站",
        partners=[orgs["孝义农商行"]],
        hours=2,
        description="农商行工作人员用方言讲解养老金领取流程和常见电信诈骗手法。",
    )
    liu = world.residents["liu"]
    others = [
        r
        for r in adults
        if r.pk != liu.pk and r.area is not None and r.area.path.startswith(xiangyang.path)
    ]
    _attended(talk, [liu, *rng.sample(others, min(len(others), 33))])
    talk = activity_transition(actor=None, activity=talk, to=Status.HELD)
    served_record(actor=None, activity=talk, counts={"养老金领取讲解": 34, "防诈骗宣传": 34})

    # 吕梁: a joint activity of two branches of different organisations.
    joint = _held(
        world,
        today=today,
        kind=kinds["party_joint"],
        title="党建强党建·协同促发展 党建联建活动",
        days_ago=60,
        place=community,
        place_detail="吕梁数字经济产业园",
        organisers=[
            orgs["国网吕梁供电公司信息通信公司(数据中心)党支部"],
            orgs["吕梁经济技术开发区直属企业第一党支部"],
        ],
        hours=4,
        description="参观科大讯飞展区、华为云数据中心 AI 煤矿安全监测、吕梁数据运营公司"
        "智慧城市项目;座谈交流;激光打靶团队游戏。",
    )
    activity_transition(actor=None, activity=joint, to=Status.HELD)

    # 310+ routine management and clean-up activities over the year.
    places = [*world.buildings.values(), *compounds.values()]
    routine = []
    for i in range(ROUTINE_ACTIVITIES):
        code, title = ROUTINE[i % len(ROUTINE)]
        days_ago = 1 + (i * 364) // ROUTINE_ACTIVITIES
        place = places[rng.randrange(len(places))]
        starts_at = _at(today, days_ago, rng.choice([8, 9, 15, 16]))
        routine.append(
            Activity(
                title=f"{title}({place.name})",
                kind=kinds[code],
                community=community,
                place=place,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=2),
                audience=Audience.EVERYONE,
                status=Status.SUMMARISED if days_ago > 7 else Status.HELD,
                summary="按计划完成。" if days_ago > 7 else "",
            )
        )
    Activity.objects.bulk_create(routine)

    # Coming: a clinic open for sign-up next week, and a square-dance evening.
    for days_ahead, code, title, partner, capacity, audience in [
        (6, "clinic", "孝义市中医院冬季义诊", "孝义市中医院", 80, Audience.EVERYONE),
        (10, "culture", "向阳花园广场舞联欢", None, None, Audience.EVERYONE),
    ]:
        starts_at = _at(today, -days_ahead, 9)
        coming = activity_create(
            actor=None,
            community=community,
            kind=kinds[code],
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=3),
            place=xiangyang,
            capacity=capacity,
            audience=audience,
            partners=[orgs[partner]] if partner else [],
        )
        activity_transition(actor=None, activity=coming, to=Status.OPEN)
