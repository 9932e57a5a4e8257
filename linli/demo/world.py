"""The demo world of shared/seed-world.md: 阳泉曲社区 and its neighbours.

Everything is built through the same services the pages use, from a seeded random
generator, so the world is the same on every machine and every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.areas.models import Area, AreaKind, Grid, area_children
from linli.areas.services import area_create, grid_create
from linli.core.audit import audit_batch
from linli.core.roles import Role
from linli.demo.names import NameMaker
from linli.organisations.models import Organisation
from linli.people.models import Household, Relation, Resident, Tag, TagCode, age_on
from linli.people.services import (
    ConsentGiver,
    ResidentData,
    emergency_contact_add,
    household_create,
    resident_create,
)
from linli.volunteers.models import Volunteer, VolunteerKind
from linli.volunteers.services import volunteer_create

DEMO_PASSWORD = "Linli@2026"
COMMUNITY_NAME = "阳泉曲社区"
COMMUNITY_CODE = "141181104001"
XIAOYI_REGION = "141181"

# compound name, code suffix, number of buildings, units per building
YANGQUANQU_COMPOUNDS = [
    ("向阳花园", "001", 9, 2),
    ("幸福家园", "002", 9, 2),
    ("丰泽苑", "003", 6, 3),
]
# grid number → (compound, building numbers)
YANGQUANQU_GRIDS: dict[int, tuple[str, list[int]]] = {
    1: ("向阳花园", [1, 2, 3]),
    2: ("向阳花园", [4, 5, 6]),
    3: ("向阳花园", [7, 8, 9]),
    4: ("幸福家园", [1, 2, 3]),
    5: ("幸福家园", [4, 5, 6]),
    6: ("幸福家园", [7, 8, 9]),
    7: ("丰泽苑", [1, 2, 3]),
    8: ("丰泽苑", [4, 5, 6]),
}
GRID_WORKER_NAMES = {
    1: ("chenzhongping", "陈中平"),
    2: ("gridworker2", "李晓燕"),
    3: ("gridworker3", "郭建军"),
    4: ("gridworker4", "赵丽华"),
    5: ("gridworker5", "孙志强"),
    6: ("gridworker6", "马春梅"),
    7: ("gridworker7", "韩卫东"),
    8: ("gridworker8", "杨桂芳"),
}
DIRECT_PARTY_MEMBERS = 15
NAMED_RESIDENTS = ["王秀兰", "张福贵", "赵桂芳", "刘长山", "郭玉梅", "任国华", "任梓萱", "白晓东"]
RELOCATED_VILLAGES = ["前庄村", "后沟村", "南岭村", "石窑村", "柳湾村", "东坡村"]
CHRONIC_ILLNESSES = ["高血压", "糖尿病", "冠心病", "慢阻肺", "关节炎"]

FENGCHENG_COMMUNITIES = [
    # name, code suffix, compounds [(name, buildings)]
    ("韩村社区", "001", [("韩村新苑", 3)]),
    ("西街社区", "002", [("西街小区", 3)]),
    ("东街社区", "003", [("凯奇花园", 4)]),
    ("堡子社区", "004", [("学府雅苑", 4)]),
]


@dataclass
class World:
    community: Area
    grids: dict[int, Grid] = field(default_factory=dict)
    buildings: dict[tuple[str, int], Area] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    residents: dict[str, Resident] = field(default_factory=dict)
    # Volunteer profiles by resident name for the named ones, and all of them in order.
    volunteers: list[Volunteer] = field(default_factory=list)


def world_exists() -> bool:
    exists: bool = Area.objects.filter(code=COMMUNITY_CODE).exists()
    return exists


class WorldBuilder:
    def __init__(
        self, *, seed: int = 2026, today: dt.date | None = None, scale: float = 1.0
    ) -> None:
        self.names = NameMaker(seed)
        self.random = self.names.random
        self.today = today or timezone.localdate()
        self.scale = scale
        self.tags = {t.code: t for t in Tag.objects.all()}
        # The people the seed story names must be the only ones with their names, so that
        # searching for 王秀兰 finds 王大娘 and nobody else.
        self.names.used_names.update(NAMED_RESIDENTS)
        # One hash for every demo account: hashing is slow by design, and these
        # passwords are public anyway.
        self.password_hash = make_password(DEMO_PASSWORD)

    # --- people and accounts -------------------------------------------------------------

    def user(self, username: str, full_name: str, *, can_login: bool = True) -> User:
        user = User.objects.create(
            username=username,
            full_name=full_name,
            password=self.password_hash if can_login else make_password(None),
        )
        return user

    def resident(
        self,
        *,
        gender: str,
        min_age: int,
        max_age: int,
        household: Household | None,
        relation: str = Relation.HEAD,
        surname: str | None = None,
        name: str | None = None,
        alias: str = "",
        tags: dict[str, str] | None = None,
        with_phone: bool = True,
        notes: str = "",
    ) -> Resident:
        birth = self.names.birth_date(min_age, max_age, self.today)
        return resident_create(
            guardian_consent=self.guardian_consent(household, birth),
            actor=None,
            data=ResidentData(
                name=name or self.names.name(gender, surname),
                alias=alias,
                gender=gender,
                birth_date=birth,
                id_number=self.names.id_number(XIAOYI_REGION, birth, gender),
                phone=self.names.phone() if with_phone else "",
                household=household,
                relation_to_head=relation,
                notes=notes,
            ),
            tags={self.tags[code]: detail for code, detail in (tags or {}).items()},
        )

    def guardian_consent(self, household: Household | None, birth: dt.date) -> ConsentGiver | None:
        """A child under 14 is registered with a parent's (or grandparent's) written consent."""
        if age_on(birth, self.today) >= 14 or household is None:
            return None
        adults = [m for m in household.members.order_by("pk") if m.age >= 18]
        parent = next(
            (m for m in adults if m.relation_to_head in (Relation.HEAD, Relation.SPOUSE)), None
        )
        guardian = parent or (adults[0] if adults else None)
        if guardian is None:
            return None
        relation = ("父亲" if guardian.gender == "male" else "母亲") if parent else "祖父母"
        return ConsentGiver(
            name=guardian.name, relation=relation, guardian=guardian, note="入户登记时书面签字"
        )

    # --- areas ---------------------------------------------------------------------------

    def compound_with_buildings(
        self,
        community: Area,
        name: str,
        code: str,
        buildings: int,
        units: int,
        grid_for: dict[int, Grid],
    ) -> tuple[Area, dict[int, Area]]:
        compound = area_create(
            actor=None,
            parent=community,
            kind=AreaKind.COMPOUND,
            name=name,
            code=community.code + code,
        )
        created: dict[int, Area] = {}
        for number in range(1, buildings + 1):
            building = area_create(
                actor=None,
                parent=compound,
                kind=AreaKind.BUILDING,
                name=f"{number}号楼",
                code=f"{compound.code}{number:03d}",
                grid=grid_for[number],
            )
            for unit_number in range(1, units + 1):
                area_create(
                    actor=None,
                    parent=building,
                    kind=AreaKind.UNIT,
                    name=f"{unit_number}单元",
                    code=f"{building.code}{unit_number:02d}",
                    floors=6,
                    flats_per_floor=2,
                )
            created[number] = building
        return compound, created

    def county_of(self, area: Area) -> Area:
        return Area.objects.get(kind=AreaKind.COUNTY, path=area.path[: Area.steplen])

    # --- the whole world -----------------------------------------------------------------

    @transaction.atomic
    def build(self) -> World:
        # 文水县 (141121) sorts before 孝义市 (141181). Adding it after 孝义市 would make
        # treebeard move 孝义市's subtree to new paths, leaving every Area already in
        # memory (the World's community and buildings) with a stale path.
        self.fengcheng()
        xiaoyi = area_create(
            actor=None, parent=None, kind=AreaKind.COUNTY, name="孝义市", code="141181"
        )
        town = area_create(
            actor=None, parent=xiaoyi, kind=AreaKind.TOWN, name="阳泉曲镇", code="141181104"
        )
        community = area_create(
            actor=None,
            parent=town,
            kind=AreaKind.COMMUNITY,
            name=COMMUNITY_NAME,
            code=COMMUNITY_CODE,
        )
        world = World(community=community)
        for number in YANGQUANQU_GRIDS:
            world.grids[number] = grid_create(
                actor=None,
                community=community,
                code=f"{COMMUNITY_CODE}{number:03d}",
                name=f"第{number}网格",
            )
        for compound_name, code, buildings, units in YANGQUANQU_COMPOUNDS:
            grid_for = {
                b: world.grids[g]
                for g, (c, numbers) in YANGQUANQU_GRIDS.items()
                if c == compound_name
                for b in numbers
            }
            _compound, created = self.compound_with_buildings(
                community, compound_name, code, buildings, units, grid_for
            )
            for number, building in created.items():
                world.buildings[(compound_name, number)] = building

        self.accounts(world, town)
        self.households(world)
        self.named_people(world)
        self.volunteer_profiles(world)
        # Teams, weekly slots and hours for the volunteers (and 70+ of them in all).
        from linli.demo.volunteers_world import build_demo_roster, build_volunteers_world

        build_volunteers_world(world, names=self.names, today=self.today)
        self.organisations(community)
        # Six months of requests, disputes and follow-ups; imported here because that
        # module builds on this one.
        from linli.demo.requests_history import build_request_history

        build_request_history(world, scale=self.scale)
        # Care plans and six weeks of visits, after the volunteers exist.
        from linli.demo.care_history import build_care_history

        build_care_history(world)
        # Activities with the partners (issue 14): after organisations and volunteers.
        from linli.demo.activities_world import build_activities_world

        build_activities_world(world, today=self.today)
        # fieldwork: the cadres' sink-down visits and the daily patrols (after the requests).
        from linli.demo.fieldwork_world import build_fieldwork_world

        build_fieldwork_world(world, today=self.today)
        # --- party work (issue 13): branches, groups, members, party days ---
        from linli.demo.party_world import build_party_world

        build_party_world(world, today=self.today)
        # Last: the roster needs the care plans (and the visits that say who came last).
        build_demo_roster(world, today=self.today)
        # 文水县凤城镇's four summer programmes (韩村's 候鸟课堂 running today).
        from linli.demo.programmes_world import build_programmes_world

        build_programmes_world(today=self.today, names=self.names, make_user=self.user)
        from linli.demo.surveys_world import build_surveys_world

        build_surveys_world(world, today=self.today)
        # Last of all: the early-warning scan reads everything above.
        from linli.demo.warnings_world import build_warnings_world

        build_warnings_world(world)
        return world

    def accounts(self, world: World, town: Area) -> None:
        community = world.community
        admin = self.user("admin", "系统管理员")
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
        world.users["admin"] = admin
        role_assign(actor=None, user=admin, role=Role.ADMIN, area=self.county_of(community))

        staff = self.user("staff", "刘晓红")
        role_assign(actor=None, user=staff, role=Role.STAFF, area=community, title="社区工作者")
        world.users["staff"] = staff

        for number, (username, full_name) in GRID_WORKER_NAMES.items():
            demo_account = username in {"chenzhongping", "gridworker2"}
            worker = self.user(username, full_name, can_login=demo_account)
            role_assign(actor=None, user=worker, role=Role.GRID_WORKER, grid=world.grids[number])
            world.users[username] = worker

        leader = self.user("leader", "阎志刚")
        role_assign(actor=None, user=leader, role=Role.LEADER, area=town, title="镇党委副书记")
        world.users["leader"] = leader

        # Two town leaders each take charge of part of the community (包片) ...
        compounds = {
            a.name: a
            for a in Area.objects.filter(kind=AreaKind.COMPOUND, path__startswith=community.path)
        }
        cadre = self.user("cadre", "霍建平")
        role_assign(
            actor=None, user=cadre, role=Role.CADRE, area=compounds["向阳花园"], title="包片领导"
        )
        world.users["cadre"] = cadre
        second = self.user("baopian2", "任海燕", can_login=False)
        for name in ("幸福家园", "丰泽苑"):
            role_assign(
                actor=None, user=second, role=Role.CADRE, area=compounds[name], title="包片领导"
            )
        # ... and four officials of town organs each link to a point (联点): two grids each.
        for index, (username, full_name) in enumerate(
            [
                ("liandian1", "贾文斌"),
                ("liandian2", "冯丽娜"),
                ("liandian3", "梁国华"),
                ("liandian4", "薛彩霞"),
            ]
        ):
            official = self.user(username, full_name, can_login=False)
            for number in (index * 2 + 1, index * 2 + 2):
                role_assign(
                    actor=None,
                    user=official,
                    role=Role.CADRE,
                    grid=world.grids[number],
                    title="联点干部",
                )

        committee_titles = [
            "党支部书记、居委会主任",
            "党支部副书记",
            "居委会副主任",
            "委员",
            "委员",
            "委员",
            "委员",
        ]
        for index, title in enumerate(committee_titles):
            gender = "female" if index % 2 else "male"
            member = self.user(f"committee{index + 1}", self.names.name(gender), can_login=False)
            role_assign(actor=None, user=member, role=Role.COMMITTEE, area=community, title=title)

    def _free_flats(self, building: Area) -> list[tuple[Area, str]]:
        units = list(area_children(building))
        return [(unit, room) for unit in units for room in unit.rooms()]

    def households(self, world: World) -> None:
        """Fill a share of the flats with families, old couples and people living alone."""
        volunteers = 0
        # Heads of family who are not yet party members: the community's 15 directly
        # managed party members (直管党员) are drawn from them once all flats are filled,
        # so the count is exact rather than left to chance.
        family_heads: list[Resident] = []
        for (compound_name, number), building in sorted(
            world.buildings.items(), key=lambda kv: kv[1].path
        ):
            flats = self._free_flats(building)
            self.random.shuffle(flats)
            occupied = flats[: max(4, int(len(flats) * 0.3 * self.scale))]
            # Leave the flats of the named people free (2号楼1单元101, 3号楼2单元502, …).
            for unit, room in sorted(occupied, key=lambda f: (f[0].path, f[1])):
                if (
                    compound_name == "向阳花园"
                    and number in (2, 3, 5)
                    and room in ("101", "502", "301")
                ):
                    continue
                household = household_create(actor=None, unit=unit, room=room)
                kind = self.random.random()
                surname = self.names.surname()
                relocated = {TagCode.RELOCATED: self.random.choice(RELOCATED_VILLAGES)}
                if kind < 0.18:
                    # An elderly person living alone, children working away.
                    gender = self.random.choice(["male", "female"])
                    tags = {TagCode.LIVING_ALONE: "", **relocated}
                    if self.random.random() < 0.5:
                        tags[TagCode.CHRONIC_ILLNESS] = self.random.choice(CHRONIC_ILLNESSES)
                    if self.random.random() < 0.3:
                        tags[TagCode.LIMITED_MOBILITY] = ""
                    if self.random.random() < 0.2:
                        tags[TagCode.SUBSISTENCE] = ""
                    elder = self.resident(
                        gender=gender,
                        min_age=62,
                        max_age=88,
                        household=household,
                        surname=surname,
                        tags=tags,
                        with_phone=self.random.random() < 0.7,
                    )
                    if elder.age >= 80:
                        elder.tag_links.create(tag=self.tags[TagCode.ADVANCED_AGE])
                    emergency_contact_add(
                        resident=elder,
                        actor=None,
                        name=self.names.name(self.random.choice(["male", "female"]), surname),
                        relation=self.random.choice(["儿子", "女儿"]),
                        phone=self.names.phone(),
                        note=self.random.choice(
                            ["在太原打工", "在北京工作", "在孝义市区上班", "在西安打工"]
                        ),
                    )
                elif kind < 0.35:
                    # An old couple (empty nest).
                    tags = {TagCode.EMPTY_NEST: "", **relocated}
                    self.resident(
                        gender="male",
                        min_age=60,
                        max_age=85,
                        household=household,
                        surname=surname,
                        tags=tags,
                    )
                    self.resident(
                        gender="female",
                        min_age=58,
                        max_age=83,
                        household=household,
                        relation=Relation.SPOUSE,
                        tags=dict(tags),
                    )
                else:
                    # A family: parents, children, sometimes a grandparent; some children
                    # stay with grandparents while the parents work elsewhere.
                    head_tags: dict[str, str] = dict(relocated)
                    if volunteers < 76 and self.random.random() < 0.45:
                        head_tags[TagCode.VOLUNTEER] = "党员志愿者"
                        head_tags[TagCode.PARTY_MEMBER] = ""
                        volunteers += 1
                    head = self.resident(
                        gender="male",
                        min_age=30,
                        max_age=55,
                        household=household,
                        surname=surname,
                        tags=head_tags,
                    )
                    if TagCode.PARTY_MEMBER not in head_tags:
                        family_heads.append(head)
                    spouse_tags: dict[str, str] = {}
                    if volunteers < 76 and self.random.random() < 0.3:
                        spouse_tags[TagCode.VOLUNTEER] = "居民志愿者"
                        volunteers += 1
                    self.resident(
                        gender="female",
                        min_age=28,
                        max_age=53,
                        household=household,
                        relation=Relation.SPOUSE,
                        tags=spouse_tags,
                    )
                    # Children left with a grandparent while the parents work elsewhere.
                    left_behind = self.random.random() < 0.12
                    for _child in range(self.random.choice([0, 1, 1, 2])):
                        self.resident(
                            gender=self.random.choice(["male", "female"]),
                            min_age=3,
                            max_age=13,
                            household=household,
                            relation=Relation.CHILD,
                            surname=surname,
                            with_phone=False,
                            tags={TagCode.LEFT_BEHIND_CHILD: ""} if left_behind else None,
                        )
                    if left_behind or self.random.random() < 0.2:
                        self.resident(
                            gender=self.random.choice(["male", "female"]),
                            min_age=65,
                            max_age=82,
                            household=household,
                            relation=Relation.PARENT,
                            surname=surname,
                        )

        for head in self.random.sample(family_heads, min(DIRECT_PARTY_MEMBERS, len(family_heads))):
            head.tag_links.create(tag=self.tags[TagCode.PARTY_MEMBER], detail="社区直管党员")

    def named_people(self, world: World) -> None:
        """The people the seed story names, in the grid of grid worker 陈中平."""
        xiangyang = "向阳花园"

        def flat(number: int, unit: int, room: str) -> Household:
            building = world.buildings[(xiangyang, number)]
            unit_area = area_children(building).get(name=f"{unit}单元")
            return household_create(actor=None, unit=unit_area, room=room)

        wang = self.resident(
            gender="female",
            min_age=69,
            max_age=69,
            household=flat(2, 1, "101"),
            name="王秀兰",
            alias="王大娘",
            tags={
                TagCode.LIVING_ALONE: "",
                TagCode.RELOCATED: "前庄村",
                TagCode.LIMITED_MOBILITY: "腿脚不便,拄拐",
                TagCode.CHRONIC_ILLNESS: "高血压",
            },
            notes="从前庄村搬迁来的,一个人住,儿女都在外地打工。行动不便,住一楼。",
        )
        emergency_contact_add(
            resident=wang,
            actor=None,
            name="李建军",
            relation="儿子",
            phone=self.names.phone(),
            note="在太原打工",
        )
        emergency_contact_add(
            resident=wang,
            actor=None,
            name="李秀英",
            relation="女儿",
            phone=self.names.phone(),
            note="在北京工作",
        )
        world.residents["wang"] = wang

        zhang = self.resident(
            gender="male",
            min_age=74,
            max_age=74,
            household=flat(3, 1, "301"),
            name="张福贵",
            alias="张大爷",
            tags={
                TagCode.EMPTY_NEST: "",
                TagCode.RELOCATED: "后沟村",
                TagCode.CHRONIC_ILLNESS: "糖尿病",
            },
            notes="糖尿病多年,需要控制饮食。",
        )
        self.resident(
            gender="female",
            min_age=71,
            max_age=71,
            household=zhang.household,
            relation=Relation.SPOUSE,
            name="赵桂芳",
            tags={TagCode.EMPTY_NEST: ""},
        )
        world.residents["zhang"] = zhang

        liu = self.resident(
            gender="male",
            min_age=72,
            max_age=72,
            household=flat(5, 2, "301"),
            name="刘长山",
            alias="刘大爷",
            tags={TagCode.LIVING_ALONE: "", TagCode.RELOCATED: "南岭村"},
        )
        world.residents["liu"] = liu

        # The demo resident lives in 3号楼, the building of the group-chat message.
        home = flat(3, 2, "502")
        resident_user = self.user("resident", "郭玉梅")
        role_assign(actor=None, user=resident_user, role=Role.RESIDENT, area=world.community)
        me = self.resident(
            gender="female",
            min_age=45,
            max_age=45,
            household=home,
            name="郭玉梅",
            tags={TagCode.RELOCATED: "石窑村"},
        )
        me.user = resident_user
        me.save(update_fields=["user"])
        self.resident(
            gender="male",
            min_age=47,
            max_age=47,
            household=home,
            relation=Relation.SPOUSE,
            name="任国华",
            tags={TagCode.RELOCATED: "石窑村"},
        )
        self.resident(
            gender="female",
            min_age=12,
            max_age=12,
            household=home,
            relation=Relation.CHILD,
            name="任梓萱",
            with_phone=False,
        )
        world.users["resident"] = resident_user

        volunteer_user = self.user("volunteer", "白晓东")
        role_assign(
            actor=None,
            user=volunteer_user,
            role=Role.VOLUNTEER,
            area=world.community,
            title="党员先锋岗",
        )
        vol = self.resident(
            gender="male",
            min_age=38,
            max_age=38,
            household=flat(2, 2, "502"),
            name="白晓东",
            tags={TagCode.PARTY_MEMBER: "", TagCode.VOLUNTEER: "党员志愿者"},
        )
        vol.user = volunteer_user
        vol.save(update_fields=["user"])
        world.users["volunteer"] = volunteer_user

    def volunteer_profiles(self, world: World) -> None:
        """A profile for every resident tagged 志愿者; 白晓东 also logs in as ``volunteer``."""
        from linli.areas.selectors import grid_of

        links = (
            Resident.objects.filter(
                tag_links__tag__code=TagCode.VOLUNTEER,
                area__path__startswith=world.community.path,
            )
            .select_related("area", "user")
            .order_by("pk")
        )
        for resident in links:
            tag_codes = set(resident.tag_links.values_list("tag__code", flat=True))
            kind = (
                VolunteerKind.PARTY_MEMBER
                if TagCode.PARTY_MEMBER in tag_codes
                else VolunteerKind.RESIDENT
            )
            assert resident.area is not None
            world.volunteers.append(
                volunteer_create(
                    actor=None,
                    community=world.community,
                    resident=resident,
                    user=resident.user,
                    kind=kind,
                    grid=grid_of(resident.area),
                    joined_on=self.today - dt.timedelta(days=self.random.randint(60, 900)),
                )
            )

    def fengcheng(self) -> None:
        """文水县凤城镇: four communities running summer care at party-mass stations."""
        wenshui = area_create(
            actor=None, parent=None, kind=AreaKind.COUNTY, name="文水县", code="141121"
        )
        town = area_create(
            actor=None, parent=wenshui, kind=AreaKind.TOWN, name="凤城镇", code="141121100"
        )
        for name, suffix, compounds in FENGCHENG_COMMUNITIES:
            community = area_create(
                actor=None, parent=town, kind=AreaKind.COMMUNITY, name=name, code=town.code + suffix
            )
            grids = [
                grid_create(
                    actor=None,
                    community=community,
                    code=f"{community.code}{n:03d}",
                    name=f"第{n}网格",
                )
                for n in (1, 2)
            ]
            for index, (compound_name, buildings) in enumerate(compounds):
                grid_for = {
                    b: grids[0] if b <= (buildings + 1) // 2 else grids[1]
                    for b in range(1, buildings + 1)
                }
                _compound, created = self.compound_with_buildings(
                    community, compound_name, f"{index + 1:03d}", buildings, 2, grid_for
                )
                for building in created.values():
                    for unit, room in self._free_flats(building)[:: max(1, int(6 / self.scale))][
                        :3
                    ]:
                        household = household_create(actor=None, unit=unit, room=room)
                        surname = self.names.surname()
                        self.resident(
                            gender="male",
                            min_age=30,
                            max_age=50,
                            household=household,
                            surname=surname,
                        )
                        self.resident(
                            gender="female",
                            min_age=28,
                            max_age=48,
                            household=household,
                            relation=Relation.SPOUSE,
                        )
                        self.resident(
                            gender=self.random.choice(["male", "female"]),
                            min_age=6,
                            max_age=13,
                            household=household,
                            relation=Relation.CHILD,
                            surname=surname,
                            with_phone=False,
                        )
            for number, grid in enumerate(grids, start=1):
                worker = self.user(
                    f"{community.code}-gw{number}",
                    self.names.name(self.random.choice(["male", "female"])),
                    can_login=False,
                )
                role_assign(actor=None, user=worker, role=Role.GRID_WORKER, grid=grid)

    def organisations(self, community: Area) -> None:
        party = Organisation.objects.create(
            name="阳泉曲社区党委",
            short_name="花开向阳",
            kind=Organisation.Kind.PARTY_COMMITTEE,
            area=community,
            description="党建品牌“花开向阳”:群众搬到哪里,党组织就建到哪里,服务就跟到哪里。",
        )
        Organisation.objects.create(
            name="阳泉曲社区党员先锋岗",
            kind=Organisation.Kind.PARTY_BRANCH,
            parent=party,
            area=community,
        )
        for name, kind in [
            ("孝义市中心医院", Organisation.Kind.HOSPITAL),
            ("孝义市中医院", Organisation.Kind.HOSPITAL),
            ("孝义农商行", Organisation.Kind.BANK),
        ]:
            Organisation.objects.create(
                name=name, kind=kind, is_partner=True, area=self.county_of(community)
            )
        Organisation.objects.create(
            name="国网吕梁供电公司信息通信公司(数据中心)党支部",
            short_name="国网吕梁信通公司党支部",
            kind=Organisation.Kind.PARTY_BRANCH,
            is_partner=True,
        )
        Organisation.objects.create(
            name="吕梁经济技术开发区直属企业第一党支部",
            short_name="开发区直属企业第一党支部",
            kind=Organisation.Kind.PARTY_BRANCH,
            is_partner=True,
        )


def build_world(*, seed: int = 2026, scale: float = 1.0) -> World:
    """Build the demo world (one transaction: ``WorldBuilder.build``), its audit records
    appended together at the end. Appending each to the chain updates the chain's head
    row, and inside one PostgreSQL transaction every update of a row leaves a version
    that the next must step over: 7,800 records took 38 of the build's 86 seconds."""
    with audit_batch():
        return WorldBuilder(seed=seed, scale=scale).build()
