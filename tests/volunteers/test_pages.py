"""Volunteer pages: staff manage their community's volunteers; a volunteer sees their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.volunteers.models import Availability, ServiceCertificate, TeamKind
from linli.volunteers.services import team_create, team_member_add, volunteer_create
from tests.cast import Cast, make_user
from tests.volunteers.support import neighbour_volunteer, serve, stranger, volunteer_for_login

pytestmark = pytest.mark.django_db


def test_staff_list_shows_their_community_with_teams_and_hours(cast: Cast, client_for: Any) -> None:
    mine = neighbour_volunteer(cast)
    serve(mine, 120, "陪聊")
    team = team_create(
        actor=cast.staff, community=cast.community, name="红色先锋岗", kind=TeamKind.PARTY_POST
    )
    team_member_add(actor=cast.staff, team=team, volunteer=mine, is_leader=True)
    stranger(cast)

    page = client_for("staff").get("/volunteers/").content.decode()

    assert "李建军" in page
    assert "红色先锋岗 · 队长" in page
    assert "2 小时" in page
    assert "周友谊" not in page
    teams = client_for("staff").get("/volunteers/teams/").content.decode()
    assert "红色先锋岗" in teams
    assert "党员先锋岗" in teams


def test_list_runs_a_fixed_number_of_queries(cast: Cast, client_for: Any) -> None:
    team = team_create(actor=None, community=cast.community, name="助老服务队")
    for n in range(8):
        volunteer = volunteer_create(
            actor=None, community=cast.community, user=make_user(f"v{n}", f"志愿者{n}")
        )
        team_member_add(actor=None, team=team, volunteer=volunteer)
        serve(volunteer, 30, "陪聊")
    client = client_for("staff")
    client.get("/volunteers/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/volunteers/")
    assert response.status_code == 200
    assert len(queries) <= 14


def test_other_community_volunteer_is_404_and_grid_worker_is_refused(
    cast: Cast, client_for: Any
) -> None:
    outsider = stranger(cast)
    assert client_for("staff").get(f"/volunteers/{outsider.pk}/").status_code == 404
    assert client_for("staff").get(f"/volunteers/{outsider.pk}/edit/").status_code == 404
    assert client_for("worker1").get("/volunteers/").status_code == 403


def test_staff_edit_skills_and_weekly_availability(cast: Cast, client_for: Any) -> None:
    volunteer = neighbour_volunteer(cast)
    client = client_for("staff")

    response = client.post(
        f"/volunteers/{volunteer.pk}/edit/",
        {
            "kind": "party_member",
            "grid": cast.grid1.pk,
            "active": "on",
            "skills": "量血压、理发, 维修",
            "availability": ["2-afternoon", "5-morning"],
        },
        follow=True,
    )

    page = response.content.decode()
    assert "志愿者信息已保存" in page
    assert "量血压" in page
    assert "理发" in page
    assert sorted(
        Availability.objects.filter(volunteer=volunteer).values_list("weekday", "slot")
    ) == [(2, "afternoon"), (5, "morning")]
    volunteer.refresh_from_db()
    assert volunteer.kind == "party_member"
    assert volunteer.grid == cast.grid1


def test_grid_of_another_community_is_refused_in_chinese(cast: Cast, client_for: Any) -> None:
    from linli.areas.services import grid_create

    foreign = grid_create(
        actor=None, community=cast.other_community, code="141181200002001", name="友谊1网格"
    )
    volunteer = neighbour_volunteer(cast)
    response = client_for("staff").post(
        f"/volunteers/{volunteer.pk}/edit/", {"kind": "resident", "grid": foreign.pk}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.grid == cast.grid2


def test_volunteer_sees_own_hours_points_and_downloads_own_certificate(
    cast: Cast, client_for: Any, settings: Any
) -> None:
    settings.LINLI_VOLUNTEER_POINTS_PER_HOUR = 10
    mine = volunteer_for_login(cast)
    serve(mine, 90, "上门走访:量血压")
    other = stranger(cast)
    serve(other, 60, "陪聊")
    staff = client_for("staff")
    staff.post(f"/volunteers/{mine.pk}/certificates/")
    certificate = ServiceCertificate.objects.get(volunteer=mine)

    client = client_for("volunteer")
    page = client.get("/volunteers/me/").content.decode()
    assert '<b id="my-hours">1.5</b>' in page
    assert '<b id="my-points">15</b>' in page
    assert "上门走访:量血压" in page
    assert certificate.number in page
    pdf = client.get(f"/volunteers/certificates/{certificate.number}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"

    from linli.volunteers.services import certificate_issue

    foreign = certificate_issue(actor=None, volunteer=other)
    assert client.get(f"/volunteers/certificates/{foreign.number}.pdf").status_code == 404
    # A volunteer does not manage volunteers.
    assert client.get(f"/volunteers/{mine.pk}/").status_code == 404
    assert (
        client_for("staff").get(f"/volunteers/certificates/{foreign.number}.pdf").status_code == 404
    )


def test_staff_add_a_volunteer_to_a_team_as_leader_and_remove_them(
    cast: Cast, client_for: Any
) -> None:
    from linli.volunteers.models import TeamMembership

    volunteer = neighbour_volunteer(cast)
    team = team_create(actor=None, community=cast.community, name="助老服务队")
    client = client_for("staff")

    page = client.post(
        f"/volunteers/{volunteer.pk}/teams/", {"team": team.pk, "is_leader": "on"}, follow=True
    ).content.decode()

    assert "已加入助老服务队" in page
    assert TeamMembership.objects.get(team=team, volunteer=volunteer).is_leader
    page = client.post(f"/volunteers/{volunteer.pk}/teams/{team.pk}/leave/", follow=True)
    assert "已退出助老服务队" in page.content.decode()
    assert not TeamMembership.objects.exists()


def test_a_team_of_another_community_cannot_be_joined(cast: Cast, client_for: Any) -> None:
    volunteer = neighbour_volunteer(cast)
    foreign = team_create(actor=None, community=cast.other_community, name="友谊服务队")
    response = client_for("staff").post(
        f"/volunteers/{volunteer.pk}/teams/", {"team": foreign.pk}, follow=True
    )
    assert "请选择要加入的队伍" in response.content.decode()
    assert not foreign.memberships.exists()
