"""The roster as staff, grid workers and volunteers meet it: service, command and pages."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from linli.care.models import CarePlan, Visit, VisitKind
from linli.people.models import Resident
from linli.people.services import ResidentData, resident_create
from linli.rosters.models import RosterAssignment, RosterGap
from linli.rosters.services import next_week_start, roster_generate
from linli.volunteers.models import Volunteer
from linli.volunteers.services import volunteer_create
from tests.cast import Cast
from tests.volunteers.support import neighbour_volunteer, volunteer_for_login, with_slots

pytestmark = pytest.mark.django_db

EVERY_MORNING = [(day, "morning") for day in range(7)]


def elder_in_grid2(cast: Cast) -> Resident:
    return resident_create(
        actor=None,
        data=ResidentData(
            name="赵桂芳",
            gender="female",
            birth_date=dt.date(1950, 2, 2),
            household=cast.household2,
        ),
    )


def plan_for(resident: Resident, *, visits: int = 2, primary: Volunteer | None = None) -> CarePlan:
    return CarePlan.objects.create(
        resident=resident, visits_per_week=visits, services=["groceries"], primary_volunteer=primary
    )


def test_roster_meets_plans_within_availability_and_prefers_the_last_visitor(cast: Cast) -> None:
    bai = with_slots(volunteer_for_login(cast), *EVERY_MORNING)
    li = with_slots(neighbour_volunteer(cast), *EVERY_MORNING)
    plan = plan_for(cast.elder)
    Visit.objects.create(
        resident=cast.elder,
        plan=plan,
        volunteer=li,
        kind=VisitKind.HOME,
        visited_at=timezone.now() - dt.timedelta(days=3),
        duration_minutes=40,
    )
    week = next_week_start()

    result = roster_generate(actor=cast.staff, week_start=week, communities=[cast.community])

    assignments = list(RosterAssignment.objects.filter(week_start=week).order_by("day"))
    assert result.assignments == 2
    assert result.gaps == 0
    assert {a.volunteer for a in assignments} == {li}
    assert all(
        a.slot == "morning" and week <= a.day <= week + dt.timedelta(days=6) for a in assignments
    )
    assert (assignments[1].day - assignments[0].day).days >= 3
    assert bai not in {a.volunteer for a in assignments}


def test_load_cap_leaves_a_gap_with_a_reason_and_regenerating_replaces_the_week(
    cast: Cast, settings: Any
) -> None:
    settings.LINLI_ROSTER_MAX_VISITS_PER_VOLUNTEER = 3
    with_slots(volunteer_for_login(cast), *EVERY_MORNING)
    plan_for(cast.elder)
    second = elder_in_grid2(cast)
    plan_for(second)
    week = next_week_start()

    roster_generate(actor=None, week_start=week, communities=[cast.community])
    roster_generate(actor=None, week_start=week, communities=[cast.community])

    assert RosterAssignment.objects.filter(week_start=week).count() == 3
    gap = RosterGap.objects.get(week_start=week)
    assert gap.missing == 1
    assert "满负荷" in gap.reason
    assert "3" in gap.reason


def test_command_plans_the_given_week(cast: Cast) -> None:
    with_slots(volunteer_for_login(cast), (0, "afternoon"))
    plan_for(cast.elder)
    out = StringIO()

    call_command("care", "plan", "--week", "2026-12-09", stdout=out)

    assert "2026-12-07: 1 visits assigned, 1 people not fully covered" in out.getvalue()
    assert "王秀兰: 1 ×" in out.getvalue()
    assignment = RosterAssignment.objects.get()
    assert assignment.day == dt.date(2026, 12, 7)
    assert assignment.slot == "afternoon"


def test_staff_generate_and_see_the_roster_and_its_gaps(cast: Cast, client_for: Any) -> None:
    with_slots(volunteer_for_login(cast), (1, "morning"))
    plan_for(cast.elder)
    week = next_week_start()
    client = client_for("staff")

    response = client.post("/rosters/generate/", {"week": week.isoformat()}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "王秀兰" in page
    assert "白志愿" in page
    assert "缺 1 次" in page
    assert "只覆盖 1 天" in page


def test_grid_worker_sees_only_their_grid_and_cannot_generate(cast: Cast, client_for: Any) -> None:
    volunteer = with_slots(volunteer_for_login(cast), *EVERY_MORNING)
    plan_for(cast.elder)  # grid 1
    plan_for(elder_in_grid2(cast), primary=volunteer)  # grid 2
    week = next_week_start()
    roster_generate(actor=None, week_start=week, communities=[cast.community])

    worker2 = client_for("worker2")
    page = worker2.get(f"/rosters/?week={week.isoformat()}").content.decode()
    assert "赵桂芳" in page
    assert "王秀兰" not in page
    assert "生成本周排班" not in page
    assert "重新生成" not in page
    assert worker2.post("/rosters/generate/", {"week": week.isoformat()}).status_code == 403


def test_a_volunteer_sees_their_own_assignments(cast: Cast, client_for: Any) -> None:
    volunteer = with_slots(volunteer_for_login(cast), *EVERY_MORNING)
    other = volunteer_create(actor=None, community=cast.community, resident=cast.neighbour)
    with_slots(other, *EVERY_MORNING)
    plan_for(cast.elder, primary=volunteer)
    plan_for(elder_in_grid2(cast), visits=1, primary=other)
    roster_generate(actor=None, week_start=next_week_start(), communities=[cast.community])

    page = client_for("volunteer").get("/volunteers/me/").content.decode()

    assert "王秀兰" in page
    assert "赵桂芳" not in page
    assert client_for("volunteer").get("/rosters/").status_code == 302


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-02-30", "next"])
def test_implausible_or_malformed_week_is_a_clear_400(
    cast: Cast, client_for: Any, week: str
) -> None:
    response = client_for(cast.staff.username).get(f"/rosters/?week={week}")

    assert response.status_code == 400
    page = response.content.decode()
    assert "日期应在 1900 年到 2100 年之间。" in page or "日期格式应为 YYYY-MM-DD" in page


def test_plan_command_refuses_an_implausible_week(cast: Cast) -> None:
    with pytest.raises(CommandError, match="1900"):
        call_command("care", "plan", "--week", "0001-01-01", stdout=StringIO())
