"""What the demo shows leaders: surveys (a finished one with results per grid, an open one
to try) and early warnings (the live hotspot at 向阳花园3号楼)."""

from __future__ import annotations

from linli.earlywarning.models import EarlyWarning, WarningKind
from linli.surveys.models import Survey
from linli.surveys.selectors import survey_results
from tests.demo.case import DemoWorldCase


class LeadersChecks(DemoWorldCase):
    def test_a_finished_wellbeing_survey_with_results_in_every_grid(self) -> None:
        survey = Survey.objects.get(status=Survey.Status.CLOSED, title__contains="获得感")
        results = survey_results(survey)
        assert results.invited >= 50
        assert 0.5 < results.answered / results.invited < 0.9
        assert {r.grid for r in results.grids} == set(self.world.grids.values())
        assert all(r.answered > 0 for r in results.grids)
        assert set(results.overall) == {"获得感", "幸福感", "安全感"}
        means = {r.grid.pk: r.dimensions["安全感"] for r in results.grids if r.grid}
        assert len(set(means.values())) > 1  # grids differ

    def test_an_open_survey_with_codes_to_try(self) -> None:
        survey = Survey.objects.get(status=Survey.Status.OPEN)
        assert survey.invitations.filter(answered_at__isnull=True).count() >= 50

    def test_a_live_hotspot_on_xiangyang_building_3(self) -> None:
        building = self.world.buildings[("向阳花园", 3)]
        warning = EarlyWarning.objects.get(kind=WarningKind.HOTSPOT, area=building, status="open")
        assert warning.category is not None
        assert warning.category.code == "sanitation"
        assert warning.count >= 3
        assert warning.title == "向阳花园3号楼反复反映“环境卫生”"
