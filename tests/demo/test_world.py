"""The demo world reproduces the communities, people and figures of seed-world.md.

One test case builds the world once and runs every check of ``tests/demo/checks_*.py``
(see ``tests/demo/case.py``): the build is the cost, the checks only read.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import check_password
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.areas.models import Area, AreaKind, Grid, area_children, area_parent
from linli.areas.selectors import area_label, building_of
from linli.core.audit import audit_verify
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.core.validators import validate_id_number
from linli.demo.names import NameMaker
from linli.demo.world import DEMO_PASSWORD, World, build_world, world_exists
from linli.organisations.models import Organisation
from linli.people.models import Resident, ResidentTag, TagCode, age_on
from linli.people.selectors import visible_residents
from tests.demo.checks_activities import ActivitiesChecks
from tests.demo.checks_care_history import CareHistoryChecks
from tests.demo.checks_fieldwork import FieldworkChecks
from tests.demo.checks_leaders import LeadersChecks
from tests.demo.checks_party import PartyChecks
from tests.demo.checks_requests_history import RequestHistoryChecks
from tests.demo.checks_volunteers import VolunteersChecks

DEMO_ACCOUNTS = [
    "admin",
    "staff",
    "chenzhongping",
    "gridworker2",
    "volunteer",
    "resident",
    "cadre",
    "leader",
]
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _tag_codes(resident: Resident) -> dict[str, str]:
    return {link.tag.code: link.detail for link in resident.tag_links.select_related("tag")}


# The world is hashed and checked under the same (fast) hasher the rest of the suite uses,
# so that the per-test hasher switch in conftest cannot make a good password look wrong.
@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class DemoWorldTests(
    ActivitiesChecks,
    CareHistoryChecks,
    FieldworkChecks,
    LeadersChecks,
    PartyChecks,
    RequestHistoryChecks,
    VolunteersChecks,
    TestCase,
):
    world: World
    built_at: dt.datetime

    @classmethod
    def setUpTestData(cls) -> None:
        cls.built_at = timezone.now()
        cls.world = build_world()

    # --- 阳泉曲社区: areas and grids -------------------------------------------------------

    def test_world_is_recognised_as_built(self) -> None:
        assert world_exists()

    def test_its_audit_records_form_one_valid_chain(self) -> None:
        """Appended together at the end of the build (``audit_batch``), in order."""
        sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
        assert len(sequences) > 1_000
        assert sequences == list(range(1, len(sequences) + 1))
        assert audit_verify().ok

    def test_yangquanqu_has_eight_grids_with_fifteen_digit_codes(self) -> None:
        community = Area.objects.get(name="阳泉曲社区")
        assert community.code == "141181104001"
        assert area_label(community, top_kind=AreaKind.COUNTY) == "孝义市阳泉曲镇阳泉曲社区"
        codes = list(Grid.objects.filter(community=community).values_list("code", flat=True))
        assert len(codes) == 8
        for code in codes:
            assert len(code) == 15
            assert code.isdigit()
            assert code.startswith(community.code)

    def test_every_building_of_yangquanqu_is_in_one_of_its_grids(self) -> None:
        community = self.world.community
        grids = set(Grid.objects.filter(community=community).values_list("pk", flat=True))
        buildings = Area.objects.filter(kind=AreaKind.BUILDING, path__startswith=community.path)
        assert buildings.count() == 24
        assert {b.grid_id for b in buildings} == grids
        for grid in Grid.objects.filter(community=community):
            assert grid.buildings.count() == 3

    def test_each_grid_has_a_grid_worker(self) -> None:
        for grid in self.world.grids.values():
            assert RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid=grid).count() == 1
        assert (
            RoleAssignment.objects.get(user__username="chenzhongping").grid == self.world.grids[1]
        )

    # --- leadership and party ------------------------------------------------------------

    def test_two_baopian_and_four_liandian_cadres(self) -> None:
        baopian = RoleAssignment.objects.filter(role=Role.CADRE, title="包片领导")
        liandian = RoleAssignment.objects.filter(role=Role.CADRE, title="联点干部")
        assert baopian.values("user").distinct().count() == 2
        assert liandian.values("user").distinct().count() == 4
        # Between them the 联点 cadres link to all eight grids.
        assert set(liandian.values_list("grid", flat=True)) == {
            g.pk for g in self.world.grids.values()
        }

    def test_seven_committee_members(self) -> None:
        committee = RoleAssignment.objects.filter(role=Role.COMMITTEE, area=self.world.community)
        assert committee.values("user").distinct().count() == 7
        assert committee.filter(title="党支部书记、居委会主任").count() == 1

    def test_fifteen_party_members_managed_directly_by_the_community(self) -> None:
        direct = ResidentTag.objects.filter(tag__code=TagCode.PARTY_MEMBER, detail="社区直管党员")
        assert direct.count() == 15
        assert direct.values("resident").distinct().count() == 15

    def test_more_than_seventy_volunteers(self) -> None:
        volunteers = ResidentTag.objects.filter(tag__code=TagCode.VOLUNTEER)
        assert volunteers.count() >= 70

    # --- residents -----------------------------------------------------------------------

    def test_a_few_hundred_residents_all_with_valid_id_numbers(self) -> None:
        residents = list(Resident.objects.all())
        assert 300 <= len(residents) <= 1500
        for resident in residents:
            assert resident.id_number, resident.name
            assert validate_id_number(resident.id_number) == resident.id_number

    def test_id_numbers_agree_with_birth_date_and_are_unique(self) -> None:
        residents = list(Resident.objects.all())
        for resident in residents:
            assert resident.id_number[6:14] == f"{resident.birth_date:%Y%m%d}"
        assert len({r.id_number_hash for r in residents}) == len(residents)

    def test_wang_dainiang_is_69_lives_alone_and_is_in_chenzhongpings_grid(self) -> None:
        wang = Resident.objects.get(name="王秀兰")
        assert wang.alias == "王大娘"
        assert wang.age == 69
        tags = _tag_codes(wang)
        assert {TagCode.LIVING_ALONE, TagCode.LIMITED_MOBILITY, TagCode.RELOCATED} <= set(tags)
        assert tags[TagCode.RELOCATED] == "前庄村"
        assert wang.household is not None
        building = building_of(wang.household.unit)
        assert building is not None
        assert building.grid == self.world.grids[1]
        assert wang.emergency_contacts.count() == 2

    def test_zhang_daye_has_diabetes(self) -> None:
        zhang = Resident.objects.get(alias="张大爷")
        assert zhang.age == 74
        assert _tag_codes(zhang)[TagCode.CHRONIC_ILLNESS] == "糖尿病"

    def test_people_named_by_the_story_are_the_only_ones_with_their_names(self) -> None:
        for name in ("王秀兰", "张福贵", "刘长山", "郭玉梅", "白晓东"):
            assert Resident.objects.filter(name=name).count() == 1, name

    def test_liu_daye_exists(self) -> None:
        liu = Resident.objects.get(alias="刘大爷")
        assert liu.name == "刘长山"
        assert liu.gender == "male"

    def test_the_demo_resident_lives_in_building_3_of_chenzhongpings_grid(self) -> None:
        me = Resident.objects.select_related("household__unit").get(user__username="resident")
        assert me.household is not None
        unit = me.household.unit
        building = building_of(unit)
        assert building is not None
        assert building.name == "3号楼"
        assert building.grid == self.world.grids[1]
        compound = area_parent(building)
        assert compound is not None
        assert compound.name == "向阳花园"
        assert f"{area_label(unit)}{me.household.room}室" == "向阳花园3号楼2单元502室"
        assert me.household.members.count() == 3

    def test_the_demo_volunteer_is_a_party_member_volunteer(self) -> None:
        me = Resident.objects.get(user__username="volunteer")
        assert _tag_codes(me) == {TagCode.PARTY_MEMBER: "", TagCode.VOLUNTEER: "党员志愿者"}

    # --- the rest of the world -----------------------------------------------------------

    def test_four_fengcheng_communities_with_their_compounds(self) -> None:
        town = Area.objects.get(name="凤城镇")
        county = area_parent(town)
        assert county is not None
        assert county.name == "文水县"
        communities = {a.name: a for a in area_children(town)}
        assert set(communities) == {"韩村社区", "西街社区", "东街社区", "堡子社区"}
        assert "凯奇花园" in {a.name for a in area_children(communities["东街社区"])}
        assert "学府雅苑" in {a.name for a in area_children(communities["堡子社区"])}
        for community in communities.values():
            assert community.kind == AreaKind.COMMUNITY
            assert Grid.objects.filter(community=community).count() == 2

    def test_organisations_include_the_two_lvliang_branches(self) -> None:
        names = set(Organisation.objects.values_list("name", flat=True))
        assert "国网吕梁供电公司信息通信公司(数据中心)党支部" in names
        assert "吕梁经济技术开发区直属企业第一党支部" in names
        assert {"孝义市中心医院", "孝义市中医院", "孝义农商行"} <= names
        party = Organisation.objects.get(name="阳泉曲社区党委")
        assert party.short_name == "花开向阳"
        assert party.area == self.world.community

    def test_partner_hospitals_and_bank_are_placed_in_xiaoyi(self) -> None:
        for name in ("孝义市中心医院", "孝义市中医院", "孝义农商行"):
            partner = Organisation.objects.select_related("area").get(name=name)
            assert partner.is_partner
            assert partner.area is not None
            assert partner.area.name == "孝义市", name

    def test_world_objects_carry_their_current_tree_paths(self) -> None:
        # Callers (tests, the demo command) use the returned World's areas directly.
        assert self.world.community.path == Area.objects.get(name="阳泉曲社区").path
        for building in self.world.buildings.values():
            assert Area.objects.get(pk=building.pk).path == building.path

    # --- accounts ------------------------------------------------------------------------

    def test_every_demo_account_logs_in_with_the_demo_password(self) -> None:
        for username in DEMO_ACCOUNTS:
            user = User.objects.get(username=username)
            assert check_password(DEMO_PASSWORD, user.password), username
            assert self.client.login(username=username, password=DEMO_PASSWORD), username
            assert self.client.get(reverse("home")).status_code == 200, username
            self.client.logout()

    def test_other_generated_accounts_cannot_log_in(self) -> None:
        for username in ("gridworker3", "committee1", "baopian2", "liandian1"):
            user = User.objects.get(username=username)
            assert not user.has_usable_password(), username
            assert not self.client.login(username=username, password=DEMO_PASSWORD)

    def test_chenzhongping_sees_wang_dainiang_and_gridworker2_does_not(self) -> None:
        wang = Resident.objects.get(name="王秀兰")
        chen = User.objects.get(username="chenzhongping")
        other = User.objects.get(username="gridworker2")
        assert visible_residents(chen).filter(pk=wang.pk).exists()
        assert not visible_residents(other).filter(pk=wang.pk).exists()
        self.client.login(username="gridworker2", password=DEMO_PASSWORD)
        url = reverse("people:resident_detail", args=[wang.pk])
        assert self.client.get(url).status_code == 404

    def test_the_demo_resident_sees_only_their_household(self) -> None:
        user = User.objects.get(username="resident")
        assert set(visible_residents(user).values_list("name", flat=True)) == {
            "郭玉梅",
            "任国华",
            "任梓萱",
        }


def test_generated_ages_are_whole_calendar_years() -> None:
    for seed in range(200):
        names = NameMaker(seed)
        for today in (dt.date(2026, 3, 1), dt.date(2028, 2, 29), dt.date(2026, 11, 28)):
            for low, high in ((69, 69), (3, 13), (62, 88)):
                born = names.birth_date(low, high, today)
                assert low <= age_on(born, today) <= high, (seed, today, low, high)
