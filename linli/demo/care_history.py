"""Six weeks of home visits in 阳泉曲社区, so that due lists, readings and alerts are alive.

The seed story first: 王大娘 (独居, 行动不便, 高血压) is visited twice a week by the demo
``volunteer`` (白晓东), who brings vegetables from the morning market and her medicine and
takes her blood pressure; yesterday she said on the phone she felt dizzy, and she is due
for a visit now. 张大爷 has diabetes: a weekly visit, his diet note and his blood sugar.
Around them, sixty-odd elderly people with plans and histories — most visited on time,
some lagging (overdue), some with readings above the thresholds (open alerts), a few
living alone still without a plan (the gap list).

Everything goes through ``linli.care.services`` with past timestamps, as the pages would
have written it; service hours accrue from the visits. The history draws from its own
seeded generator so that it is the same on every run and leaves the rest of the world's
random choices untouched.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from linli.accounts.models import User
from linli.areas.selectors import grid_of
from linli.care.models import Alert, AlertStatus, CareService, GlucoseContext, Mood, VisitKind
from linli.care.services import (
    Readings,
    alert_acknowledge,
    alert_close,
    alert_link,
    care_plan_save,
    care_raise_overdue_alerts,
    visit_log,
)
from linli.demo.world import World
from linli.notifications.models import Notification
from linli.notifications.services import without_external_delivery
from linli.people.models import ConsentPurpose, Resident, TagCode
from linli.people.services import consent_record
from linli.volunteers.models import Volunteer

SEED = 2026_05
HISTORY_DAYS = 42
OTHER_PLANS = 64
# Living alone but not yet planned: the gap list has something to show.
GAPS = 3

HOME_NOTES = [
    "老人精神不错,聊了聊家常。",
    "帮忙把菜放进冰箱,叮嘱按时吃药。",
    "屋里收拾得挺干净,老人说最近睡得还行。",
    "陪老人在楼下晒了会儿太阳。",
    "老人说想孩子了,陪着聊了一会儿。",
    "药还够吃一周,下次带新的来。",
    "帮忙交了水电费。",
]
PHONE_NOTES = [
    "电话问候,老人说一切都好。",
    "电话里提醒天冷加衣服。",
    "电话问了问吃药情况,都按时吃了。",
]
CONCERNS = ["楼道灯坏了,晚上看不见", "水龙头漏水", "想办老年优待证", "楼梯扶手松动"]


@dataclass
class CareSummary:
    plans: int
    visits: int
    open_alerts: int


class CareHistoryBuilder:
    def __init__(self, world: World, *, seed: int = SEED) -> None:
        self.world = world
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.visits = 0
        # Visits land in the daytime, local time.
        self.local_now = timezone.localtime(self.now)

    def at(self, days_ago: float, hour: int | None = None) -> dt.datetime:
        day = (self.local_now - dt.timedelta(days=days_ago)).replace(
            hour=hour if hour is not None else self.random.randint(8, 17),
            minute=self.random.choice([0, 10, 15, 20, 30, 40, 45, 50]),
            second=0,
            microsecond=0,
        )
        return min(day, self.now - dt.timedelta(minutes=5))

    def build(self) -> CareSummary:
        volunteers_by_grid: dict[int | None, list[Volunteer]] = {}
        for volunteer in self.world.volunteers:
            volunteers_by_grid.setdefault(volunteer.grid_id, []).append(volunteer)
        self.volunteers_by_grid = volunteers_by_grid
        with without_external_delivery():
            plans = self.wang() + self.zhang() + self.others()
            self.tidy_old_alerts()
            care_raise_overdue_alerts(now=self.now)
            self.date_notifications()
        open_alerts = Alert.objects.exclude(status=AlertStatus.CLOSED).count()
        return CareSummary(plans=plans, visits=self.visits, open_alerts=open_alerts)

    # --- helpers -----------------------------------------------------------------------------

    def consent(self, resident: Resident, days_ago: int = 60) -> None:
        consent = consent_record(
            actor=self.world.users.get("staff"),
            resident=resident,
            purpose=ConsentPurpose.HEALTH,
            given_by_name=resident.name,
            note="入户建档时签字同意记录血压、血糖",
        )
        type(consent).objects.filter(pk=consent.pk).update(
            recorded_at=self.now - dt.timedelta(days=days_ago)
        )

    def log(
        self,
        *,
        actor: User,
        resident: Resident,
        volunteer: Volunteer | None,
        at: dt.datetime,
        kind: str = VisitKind.HOME,
        services: list[str] | None = None,
        readings: Readings | None = None,
        mood: str = "",
        note: str = "",
        concern: str = "",
        minutes: int | None = None,
    ) -> None:
        visit_log(
            actor=actor,
            resident=resident,
            volunteer=volunteer,
            visited_at=at,
            kind=kind,
            services=services or [],
            readings=readings,
            mood=mood,
            note=note,
            concern=concern,
            duration_minutes=minutes,
        )
        self.visits += 1

    def done(self, planned: list[str], readings: Readings | None) -> list[str]:
        """Most of the plan, on a given day; measuring is always among it when a reading was
        taken (a reading without its service is refused)."""
        kept = [s for s in planned if self.random.random() < 0.8]
        if readings is not None:
            kept = [s for s in planned if s in kept or s == CareService.BLOOD_PRESSURE]
        return kept

    def pick_volunteers(self, resident: Resident) -> tuple[Volunteer | None, Volunteer | None]:
        grid = grid_of(resident.area) if resident.area else None
        near = list(self.volunteers_by_grid.get(grid.pk if grid else None, []))
        pool = near or list(self.world.volunteers)
        if not pool:
            return None, None
        primary = self.random.choice(pool)
        others = [v for v in pool if v.pk != primary.pk] or [
            v for v in self.world.volunteers if v.pk != primary.pk
        ]
        backup = self.random.choice(others) if others else None
        return primary, backup

    def bp(self, base_sys: int, base_dia: int) -> Readings:
        return Readings(
            bp_systolic=base_sys + self.random.randint(-8, 8),
            bp_diastolic=base_dia + self.random.randint(-5, 5),
            pulse=self.random.randint(64, 86),
        )

    # --- the seed story ----------------------------------------------------------------------

    def wang(self) -> int:
        wang = self.world.residents["wang"]
        me = Volunteer.objects.get(user=self.world.users["volunteer"])
        user = self.world.users["volunteer"]
        backup = next(
            (v for v in self.volunteers_by_grid.get(me.grid_id, []) if v.pk != me.pk), None
        )
        self.consent(wang)
        plan = care_plan_save(
            actor=self.world.users.get("staff"),
            resident=wang,
            visits_per_week=2,
            services=[
                CareService.GROCERIES,
                CareService.MEDICINE,
                CareService.CHAT,
                CareService.BLOOD_PRESSURE,
            ],
            primary_volunteer=me,
            backup_volunteer=backup,
            notes="高血压,每天早上一片降压药(硝苯地平缓释片)。腿脚不便、住一楼,"
            "买菜送药上门;儿女在外地打工,有事先打儿子李建军的电话。",
        )
        type(plan).objects.filter(pk=plan.pk).update(created_at=self.now - dt.timedelta(days=90))
        # Twice a week for six weeks; the last home visit four days ago, so she is due now.
        # The last one 3.7 days ago: due (3.5 days after it) but not yet overdue (a day later).
        days = [46, 42.5, 39, 35.5, 32, 28.5, 25, 21.5, 18, 14.5, 11, 7.5, 3.7]
        for i, days_ago in enumerate(days):
            last = i == len(days) - 1
            when = self.now - dt.timedelta(days=days_ago) if last else self.at(days_ago, hour=9)
            self.log(
                actor=user,
                resident=wang,
                volunteer=me,
                at=when.replace(second=0, microsecond=0),
                services=[
                    CareService.GROCERIES,
                    CareService.MEDICINE,
                    CareService.CHAT,
                    CareService.BLOOD_PRESSURE,
                ],
                readings=self.bp(142 if last else 134, 88 if last else 84),
                mood=Mood.GOOD if not last else Mood.FAIR,
                note="从早市带了茄子和西红柿,降压药送到,陪大娘聊了半小时。"
                if i % 2 == 0
                else "送了一周的药,量了血压,帮忙收拾了厨房。",
                minutes=45,
            )
        self.log(
            actor=user,
            resident=wang,
            volunteer=me,
            at=self.at(1, hour=19),
            kind=VisitKind.PHONE,
            services=[CareService.CHAT],
            mood=Mood.UNWELL,
            note="晚上打电话问候,大娘说今天有点头晕。叮嘱她先躺下休息、按时吃降压药,"
            "明天一早上门量血压;已告诉网格员陈中平。",
            concern="头晕",
            minutes=10,
        )
        return 1

    def zhang(self) -> int:
        zhang = self.world.residents["zhang"]
        primary, backup = self.pick_volunteers(zhang)
        self.consent(zhang)
        plan = care_plan_save(
            actor=self.world.users.get("staff"),
            resident=zhang,
            visits_per_week=1,
            services=[CareService.BLOOD_SUGAR, CareService.CHAT, CareService.ERRANDS],
            primary_volunteer=primary,
            backup_volunteer=backup,
            notes="糖尿病饮食:主食定量、粗细搭配,少吃甜食和稀饭,多吃绿叶菜;"
            "每周测一次空腹血糖。志愿者已送去《糖尿病饮食手册》。",
        )
        type(plan).objects.filter(pk=plan.pk).update(created_at=self.now - dt.timedelta(days=80))
        actor = primary.user if primary and primary.user else self.world.users["staff"]
        glucose = ["7.6", "7.2", "6.9", "7.4", "6.8", "6.6"]
        for week, value in enumerate(glucose):
            self.log(
                actor=actor,
                resident=zhang,
                volunteer=primary,
                at=self.at(40 - week * 7, hour=8),
                services=[CareService.BLOOD_SUGAR, CareService.CHAT],
                readings=Readings(glucose=Decimal(value), glucose_context=GlucoseContext.FASTING),
                mood=Mood.GOOD,
                note="送来《糖尿病饮食手册》,一起看了看哪些能吃、哪些少吃。"
                if week == 0
                else "早饭前测了空腹血糖,提醒少吃稀饭。",
                minutes=30,
            )
        return 1

    # --- everyone else -------------------------------------------------------------------------

    def others(self) -> int:
        community = self.world.community
        named = {r.pk for r in self.world.residents.values()}
        elderly = (
            Resident.objects.filter(area__path__startswith=community.path)
            .filter(
                Q(tag_links__tag__code=TagCode.LIVING_ALONE)
                | Q(tag_links__tag__code=TagCode.EMPTY_NEST, relation_to_head="head")
            )
            .exclude(pk__in=named)
            .select_related("area")
            .distinct()
            .order_by("pk")
        )
        living_alone = set(
            Resident.objects.filter(tag_links__tag__code=TagCode.LIVING_ALONE).values_list(
                "pk", flat=True
            )
        )
        candidates = list(elderly)
        gaps = [r for r in candidates if r.pk in living_alone][-GAPS:]
        chosen = [r for r in candidates if r not in gaps][:OTHER_PLANS]
        staff = self.world.users.get("staff")
        for resident in chosen:
            alone = resident.pk in living_alone
            primary, backup = self.pick_volunteers(resident)
            measures = self.random.random() < 0.8
            if measures:
                self.consent(resident, days_ago=self.random.randint(50, 120))
            services: list[str] = [CareService.CHAT]
            if alone:
                services += [CareService.GROCERIES, CareService.MEDICINE]
            if measures:
                services.append(CareService.BLOOD_PRESSURE)
            if self.random.random() < 0.2:
                services.append(CareService.CLEANING)
            per_week = 2 if alone and self.random.random() < 0.6 else 1
            plan = care_plan_save(
                actor=staff,
                resident=resident,
                visits_per_week=per_week,
                services=services,
                primary_volunteer=primary,
                backup_volunteer=backup,
                notes=self.random.choice(["", "", "耳背,说话大声些。", "有高血压,提醒按时吃药。"]),
            )
            type(plan).objects.filter(pk=plan.pk).update(
                created_at=self.now - dt.timedelta(days=self.random.randint(60, 200))
            )
            self.history(resident, primary, per_week, services, measures)
        return len(chosen)

    def history(
        self,
        resident: Resident,
        volunteer: Volunteer | None,
        per_week: int,
        services: list[str],
        measures: bool,
    ) -> None:
        actor = (
            volunteer.user
            if volunteer is not None and volunteer.user is not None
            else self.world.users["staff"]
        )
        interval = 7 / per_week
        # Most are visited on time; about one in six lag behind and are overdue now.
        lagging = self.random.random() < 0.12
        last = (
            interval + self.random.uniform(1.5, 6) if lagging else self.random.uniform(0, interval)
        )
        days_ago = last
        points: list[float] = []
        while days_ago < HISTORY_DAYS:
            points.append(days_ago)
            days_ago += interval + self.random.uniform(-0.8, 0.8)
        hypertensive = measures and self.random.random() < 0.25
        repeated = self.random.random() < 0.05
        for index, days_ago in enumerate(reversed(points)):
            newest = index >= len(points) - 3
            readings = None
            if measures and CareService.BLOOD_PRESSURE in services:
                base = (146, 92) if hypertensive else (126, 80)
                readings = self.bp(*base)
                if hypertensive and newest and self.random.random() < 0.15:
                    readings = Readings(bp_systolic=184, bp_diastolic=104, pulse=92)
            concern = ""
            if repeated and newest:
                concern = CONCERNS[resident.pk % len(CONCERNS)]
            elif self.random.random() < 0.05:
                concern = self.random.choice(CONCERNS)
            self.log(
                actor=actor,
                resident=resident,
                volunteer=volunteer,
                at=self.at(days_ago),
                services=self.done(services, readings),
                readings=readings,
                mood=self.random.choice([Mood.GOOD, Mood.GOOD, Mood.GOOD, Mood.FAIR, Mood.LOW]),
                note=self.random.choice(HOME_NOTES),
                concern=concern,
                minutes=self.random.choice([30, 40, 45, 60]),
            )
            if self.random.random() < 0.3:
                self.log(
                    actor=actor,
                    resident=resident,
                    volunteer=volunteer,
                    at=self.at(max(days_ago - 2, 0.2), hour=19),
                    kind=VisitKind.PHONE,
                    services=[CareService.CHAT],
                    note=self.random.choice(PHONE_NOTES),
                    minutes=self.random.choice([5, 10, 15]),
                )

    def date_notifications(self) -> None:
        """Each alert's messages carry its time; those of closed alerts have been read."""
        for alert in Alert.objects.order_by("pk"):
            messages = Notification.objects.filter(link=alert_link(alert))
            if alert.status == AlertStatus.CLOSED:
                messages.update(created_at=alert.created_at, read_at=alert.closed_at)
            else:
                messages.update(created_at=alert.created_at)

    def tidy_old_alerts(self) -> None:
        """Alerts older than a week were followed up and closed by the grid worker."""
        staff = self.world.users["staff"]
        week_ago = self.now - dt.timedelta(days=7)
        for alert in Alert.objects.filter(created_at__lt=week_ago).order_by("pk"):
            alert_acknowledge(alert=alert, actor=staff)
            alert_close(
                alert=alert,
                actor=staff,
                note=self.random.choice(
                    [
                        "已复测,血压回落,叮嘱按时服药。",
                        "已联系家属,陪同去社区卫生站看过。",
                        "诉求已转网格员处理完毕。",
                    ]
                ),
            )


def build_care_history(world: World, *, seed: int = SEED) -> CareSummary:
    """Write the demo's care plans and visits; called from :meth:`WorldBuilder.build`."""
    return CareHistoryBuilder(world, seed=seed).build()
