"""The demo's field work: six months of sink-down visits and daily patrols, linked to the
sink_down and patrol requests of the history; one grid unpatrolled, one cadre not down."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.fieldwork.models import (
    FindingOutcome,
    Patrol,
    PatrolFinding,
    Posting,
    PostingKind,
    SinkDownConcern,
    SinkDownVisit,
)
from linli.fieldwork.selectors import cadres_for_month, fieldwork_figures, unpatrolled_grids
from linli.requests.models import Channel, Request
from tests.demo.case import DemoWorldCase


class FieldworkChecks(DemoWorldCase):
    def test_two_baopian_and_four_liandian_postings(self) -> None:
        cadres = {
            kind: set(Posting.objects.filter(kind=kind).values_list("cadre__username", flat=True))
            for kind in PostingKind.values
        }
        assert len(cadres[PostingKind.BAOPIAN]) == 2
        assert len(cadres[PostingKind.LIANDIAN]) == 4

    def test_six_months_of_visits_linked_to_the_sink_down_requests(self) -> None:
        today = timezone.localdate()
        visits = SinkDownVisit.objects.all()
        assert visits.filter(visited_on__lt=today - dt.timedelta(days=140)).exists()
        linked = set(SinkDownConcern.objects.values_list("request_id", flat=True))
        filed = set(Request.objects.filter(channel=Channel.SINK_DOWN).values_list("pk", flat=True))
        assert filed
        assert linked == filed  # linked, not filed twice

    def test_one_cadre_is_not_yet_down_this_month(self) -> None:
        leader = self.world.users["leader"]
        rows = cadres_for_month(leader, timezone.localdate())
        assert len(rows) == 6
        assert [r.went_down for r in rows].count(False) == 1

    def test_daily_patrols_with_one_grid_left_three_days(self) -> None:
        staff = self.world.users["staff"]
        rows = unpatrolled_grids(staff)
        assert [(r.grid.name, r.days_since) for r in rows] == [("第6网格", 3)]
        assert Patrol.objects.count() > 8 * 170
        filed = PatrolFinding.objects.filter(outcome=FindingOutcome.FILED)
        assert filed.count() > 0
        assert PatrolFinding.objects.filter(outcome=FindingOutcome.SOLVED).count() > 100
        assert (
            not Request.objects.filter(channel=Channel.PATROL)
            .exclude(pk__in=filed.values("request_id"))
            .exclude(grid=None)
            .exists()
            or filed.count() > 10
        )

    def test_figures_over_the_last_month(self) -> None:
        leader = self.world.users["leader"]
        today = timezone.localdate()
        figures = fieldwork_figures(leader, start=today - dt.timedelta(days=30), end=today)
        assert figures.cadres == 6
        assert figures.visits >= 6
        assert figures.patrols >= 8 * 27
        assert figures.findings_solved > 0

    def test_the_pages_show_the_gaps_to_the_town_and_the_community(self) -> None:
        self.client.force_login(self.world.users["leader"])
        page = self.client.get("/fieldwork/not-down/").content.decode()
        assert "薛彩霞" in page
        self.client.force_login(self.world.users["staff"])
        page = self.client.get("/fieldwork/patrols/").content.decode()
        assert "第6网格" in page
        assert "3 天未巡查" in page
        self.client.force_login(self.world.users["cadre"])
        home = self.client.get("/").content.decode()
        assert "我反映的问题" in home
