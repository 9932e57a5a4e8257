"""The demo's party world: 花开向阳 reaches every grid; 陈中平's concerns are linked."""

from __future__ import annotations

from linli.organisations.models import Organisation
from linli.party.models import MemberKind, PartyDay, PartyDayConcern, PartyDayState, PartyMember
from linli.requests.models import Channel, Request
from tests.demo.case import DemoWorldCase


class PartyChecks(DemoWorldCase):
    def test_a_branch_per_compound_and_a_group_per_grid(self) -> None:
        committee = Organisation.objects.get(short_name="花开向阳")
        branches = Organisation.objects.filter(
            parent=committee, kind="party_branch", area__kind="compound"
        )
        assert {b.name for b in branches} == {"丰泽苑党支部", "幸福家园党支部", "向阳花园党支部"}
        groups = Organisation.objects.filter(kind="party_group", parent__in=branches)
        grids = sorted(g.pk for g in self.world.grids.values())
        assert sorted(g.grid_id for g in groups if g.grid_id) == grids

    def test_two_committee_fifteen_direct_and_dual_report_members(self) -> None:
        committee = Organisation.objects.get(short_name="花开向阳")
        assert PartyMember.objects.filter(organisation=committee).count() == 7
        direct = PartyMember.objects.filter(kind=MemberKind.DIRECT, resident__isnull=False)
        assert direct.count() == 15
        dual = PartyMember.objects.filter(kind=MemberKind.DUAL_REPORT)
        assert dual.count() > 0
        assert not dual.filter(home_organisation="").exists()

    def test_chen_zhongpings_concerns_are_the_story_requests_linked_not_duplicated(self) -> None:
        story = ["楼道杂物过多", "楼梯扶手松动", "健身设施破坏"]
        for opening in story:
            requests = Request.objects.filter(channel=Channel.PARTY_DAY, text__startswith=opening)
            assert requests.count() == 1, opening
            concern = PartyDayConcern.objects.get(request=requests.get())
            assert concern.party_day.organisation.grid == self.world.grids[1]
            assert concern.party_day.state == PartyDayState.HELD
        # Every party-day request of a grid is a concern of that grid's party day.
        unlinked = Request.objects.filter(
            channel=Channel.PARTY_DAY, community=self.world.community, grid__isnull=False
        ).exclude(party_day_concern__isnull=False)
        assert not unlinked.exists()

    def test_monthly_party_days_for_every_group(self) -> None:
        for grid in self.world.grids.values():
            days = PartyDay.objects.filter(organisation__grid=grid)
            assert days.count() >= 6
            assert days.filter(state=PartyDayState.PLANNED).count() <= 1
            assert days.filter(state=PartyDayState.HELD).count() >= 5
