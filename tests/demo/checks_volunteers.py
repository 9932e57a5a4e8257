"""The demo's volunteers: 70+ in teams with leaders, of every kind, with slots and hours."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils import timezone

from linli.volunteers.models import (
    Availability,
    ServiceRecord,
    Team,
    TeamKind,
    TeamMembership,
    Volunteer,
    VolunteerKind,
)
from tests.demo.case import DemoWorldCase


class VolunteersChecks(DemoWorldCase):
    def test_more_than_seventy_volunteers_of_every_kind(self) -> None:
        volunteers = Volunteer.objects.filter(community=self.world.community, active=True)
        assert volunteers.count() >= 70
        kinds = set(volunteers.values_list("kind", flat=True))
        assert kinds == set(VolunteerKind.values)

    def test_teams_of_both_kinds_each_with_one_leader(self) -> None:
        teams = Team.objects.filter(community=self.world.community).annotate(
            members=Count("memberships")
        )
        assert {t.kind for t in teams} == {TeamKind.SERVICE, TeamKind.PARTY_POST}
        for team in teams:
            leaders = TeamMembership.objects.filter(team=team, is_leader=True).count()
            assert leaders == 1, team.name
            assert team.members >= 2, team.name
        in_a_team = Volunteer.objects.filter(team_memberships__isnull=False).distinct().count()
        assert in_a_team >= 70

    def test_the_demo_volunteer_leads_the_party_post_and_has_six_slots(self) -> None:
        bai = Volunteer.objects.get(user__username="volunteer")
        assert TeamMembership.objects.get(volunteer=bai, team__name="党员先锋岗").is_leader
        assert Availability.objects.filter(volunteer=bai).count() == 6

    def test_every_volunteer_has_weekly_slots_and_service_hours(self) -> None:
        volunteers = Volunteer.objects.filter(community=self.world.community)
        without_slots = volunteers.filter(availability__isnull=True).count()
        assert without_slots == 0
        minutes = ServiceRecord.objects.filter(volunteer__in=volunteers).aggregate(m=Sum("minutes"))
        assert (minutes["m"] or 0) > 70 * 60
        assert volunteers.filter(service_records__isnull=True).count() == 0

    def test_demo_roster_covers_care_plans_within_the_load_cap(self) -> None:
        from django.conf import settings

        from linli.care.models import CarePlan
        from linli.demo.volunteers_world import build_demo_roster
        from linli.people.models import Resident, TagCode
        from linli.rosters.models import RosterAssignment

        elders = Resident.objects.filter(
            tag_links__tag__code=TagCode.LIVING_ALONE,
            household__unit__path__startswith=self.world.community.path,
        )[:10]
        for elder in elders:
            CarePlan.objects.get_or_create(resident=elder, defaults={"visits_per_week": 2})
        build_demo_roster(self.world, today=timezone.localdate())

        assignments = RosterAssignment.objects.all()
        assert assignments.count() >= 2 * len(elders)
        loads = assignments.values("week_start", "volunteer").annotate(n=Count("pk"))
        assert max(row["n"] for row in loads) <= settings.LINLI_ROSTER_MAX_VISITS_PER_VOLUNTEER
