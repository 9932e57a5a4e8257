"""Party work: organisations, members, party days and their concerns, points, figures,
scope (who sees membership) and privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.accounts.services import api_token_create, role_assign
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.organisations.models import Organisation
from linli.party.models import MemberKind, PartyDayState, PointRule
from linli.party.personal_data import anonymise_party, export_party
from linli.party.points import PointSource, member_points, point_sources, register_point_source
from linli.party.selectors import (
    member_get_for_user,
    organisation_tree,
    party_day_get_for_user,
    party_day_list,
    party_figures,
    visible_members,
)
from linli.party.services import (
    member_create,
    party_day_record,
    party_organisation_create,
)
from linli.privacy.registry import ANONYMOUS_NAME
from linli.requests.models import Channel
from linli.requests.workflow import Status
from linli.volunteers.services import service_record_add, volunteer_create
from tests.cast import Cast, build_cast, make_user
from tests.party.support import PartyCast, build_party
from tests.requests.support import move

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return build_cast()


@pytest.fixture
def party(cast: Cast) -> PartyCast:
    return build_party(cast)


# --- organisation ------------------------------------------------------------------------


def test_a_group_needs_a_branch_above_it_and_a_grid(cast: Cast, party: PartyCast) -> None:
    with pytest.raises(ValidationError) as caught:
        party_organisation_create(
            actor=None,
            name="孤立党小组",
            kind=Organisation.Kind.PARTY_GROUP,
            area=cast.compound,
            parent=party.committee,
        )
    assert "网格党小组须隶属于党支部。" in caught.value.message_dict["parent"]
    assert "网格党小组须指定所在网格。" in caught.value.message_dict["grid"]


def test_the_tree_runs_committee_branch_groups(cast: Cast, party: PartyCast) -> None:
    roots = organisation_tree(cast.staff)
    assert [r.organisation for r in roots] == [party.committee]
    branch = roots[0].children[0]
    assert branch.organisation == party.branch
    assert {c.organisation for c in branch.children} == {party.group1, party.group2}
    # A grid worker sees only their grid's group.
    assert [r.organisation for r in organisation_tree(cast.worker2)] == [party.group2]


def test_a_dual_report_member_needs_their_organisation_date_and_grid(
    cast: Cast, party: PartyCast
) -> None:
    user = make_user("dual2")
    with pytest.raises(ValidationError) as caught:
        member_create(
            actor=None,
            organisation=party.group1,
            community=cast.community,
            user=user,
            kind=MemberKind.DUAL_REPORT,
        )
    assert set(caught.value.message_dict) == {"home_organisation", "reported_on", "grid"}


def test_every_write_is_audited(cast: Cast) -> None:
    before = AuditEvent.objects.count()
    build_party(cast)
    # 4 organisations, 2 members, 2 plans, 1 record, 1 request, 1 concern link, at least.
    labels = set(
        AuditEvent.objects.order_by("sequence")[before:].values_list("object_type", flat=True)
    )
    assert {"organisations.organisation", "party.partymember", "party.partyday"} <= labels
    assert "party.partydayconcern" in labels


# --- scope: membership is sensitive --------------------------------------------------------


def test_party_work_roles_see_members_in_scope_and_no_one_else(
    cast: Cast, party: PartyCast
) -> None:
    assert set(visible_members(cast.staff)) == {party.leader1, party.dual}
    assert set(visible_members(cast.leader)) == {party.leader1, party.dual}
    assert set(visible_members(cast.worker1)) == {party.leader1}
    assert set(visible_members(cast.worker2)) == {party.dual}
    assert not visible_members(cast.resident_user).exists()
    assert not visible_members(cast.volunteer_user).exists()
    with pytest.raises(Http404):
        member_get_for_user(user=cast.worker2, pk=party.leader1.pk)
    with pytest.raises(Http404):
        member_get_for_user(user=cast.volunteer_user, pk=party.dual.pk)


def test_a_member_sees_their_own_record(cast: Cast, party: PartyCast) -> None:
    member = member_create(
        actor=None,
        organisation=party.group1,
        community=cast.community,
        resident=cast.elder,
        user=cast.resident_user,
        grid=cast.grid1,
    )
    assert member_get_for_user(user=cast.resident_user, pk=member.pk) == member
    client = Client()
    client.force_login(cast.resident_user)
    assert client.get(reverse("party:me")).status_code == 302
    assert client.get(reverse("party:member", args=[member.pk])).status_code == 200
    assert client.get(reverse("party:members")).status_code == 403
    assert client.get(reverse("party:member", args=[party.dual.pk])).status_code == 404


def test_party_days_are_scoped_by_group(cast: Cast, party: PartyCast) -> None:
    assert list(party_day_list(user=cast.worker1)) == [party.day]
    assert list(party_day_list(user=cast.worker2)) == [party.planned]
    with pytest.raises(Http404):
        party_day_get_for_user(user=cast.worker2, pk=party.day.pk)
    client = Client()
    client.force_login(cast.worker2)
    assert client.get(reverse("party:day", args=[party.day.pk])).status_code == 404
    assert client.get(reverse("party:record", args=[party.day.pk])).status_code == 404
    client.force_login(cast.leader)
    # A leader reads but does not record.
    assert client.get(reverse("party:day", args=[party.day.pk])).status_code == 200
    assert client.get(reverse("party:record", args=[party.day.pk])).status_code == 403


# --- party days and concerns ----------------------------------------------------------------


def test_recording_files_each_concern_as_a_routed_party_day_request(
    cast: Cast, party: PartyCast
) -> None:
    day = party.day
    assert day.state == PartyDayState.HELD
    assert day.members_expected == 1
    concern = day.concerns.select_related("request").get()
    request = concern.request
    assert request.channel == Channel.PARTY_DAY
    assert request.grid == cast.grid1
    assert request.assignee == cast.worker1
    assert request.submitted_by == cast.worker1


def test_only_members_of_the_organisation_can_be_marked_present(
    cast: Cast, party: PartyCast
) -> None:
    with pytest.raises(ValidationError) as caught:
        party_day_record(
            actor=cast.worker2,
            party_day=party.planned,
            held_at=timezone.now(),
            members_present=[party.leader1],
        )
    assert "只能勾选本组织的党员。" in caught.value.message_dict["members_present"]


def test_a_party_day_cannot_be_held_in_the_future(cast: Cast, party: PartyCast) -> None:
    with pytest.raises(ValidationError):
        party_day_record(
            actor=cast.worker2,
            party_day=party.planned,
            held_at=timezone.now() + dt.timedelta(days=1),
        )


def test_the_record_page_files_concerns_and_the_day_shows_them(
    cast: Cast, party: PartyCast
) -> None:
    client = Client()
    client.force_login(cast.worker2)
    url = reverse("party:record", args=[party.planned.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "2号楼" in page.content.decode()
    response = client.post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "place": "2号楼前",
            "members_present": [party.dual.pk],
            "residents_present": "9",
            "summary": "",
            "concern_1": "2号楼门口的路灯不亮",
            "concern_1_place": str(cast.building2.pk),
            "concern_2": "",
        },
    )
    assert response.status_code == 302
    party.planned.refresh_from_db()
    assert party.planned.state == PartyDayState.HELD
    request = party.planned.concerns.get().request
    assert request.assignee == cast.worker2
    detail = client.get(reverse("party:day", args=[party.planned.pk])).content.decode()
    assert request.number in detail
    assert "2号楼门口的路灯不亮" in detail


def test_a_bad_record_answers_in_chinese(cast: Cast, party: PartyCast) -> None:
    client = Client()
    client.force_login(cast.worker2)
    response = client.post(
        reverse("party:record", args=[party.planned.pk]),
        {"held_on": "", "residents_present": "-1"},
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()


def test_the_record_page_refuses_a_date_to_come_above_the_form(
    cast: Cast, party: PartyCast
) -> None:
    client = Client()
    client.force_login(cast.worker2)
    response = client.post(
        reverse("party:record", args=[party.planned.pk]),
        {
            "held_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "residents_present": "3",
            "concern_1": "2号楼门口的路灯不亮",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["举办时间不能晚于现在。"]
    party.planned.refresh_from_db()
    assert (party.planned.state, party.planned.concerns.count()) == (PartyDayState.PLANNED, 0)


# --- points ---------------------------------------------------------------------------------


def test_points_add_up_service_attendance_and_resolved_requests(
    cast: Cast, party: PartyCast
) -> None:
    today = timezone.localdate()
    volunteer = volunteer_create(actor=None, community=cast.community, resident=cast.neighbour)
    service_record_add(
        actor=None,
        volunteer=volunteer,
        started_at=timezone.now() - dt.timedelta(days=2),
        minutes=150,
        content="陪老人看病",
    )
    request = party.day.concerns.get().request
    move(request, Status.IN_PROGRESS, cast.worker1)
    move(request, Status.RESOLVED, cast.worker1, note="换了灯泡")
    rows = {
        r.member: r
        for r in member_points([party.leader1, party.dual], today - dt.timedelta(days=30), today)
    }
    assert rows[party.dual].by_source == {"service_hours": 4}  # 2 whole hours × 2
    assert rows[party.leader1].by_source == {"party_day": 5, "requests_resolved": 3}
    rule = PointRule.objects.get(source="party_day")
    rule.points_per_unit = 10
    rule.save()
    again = member_points([party.leader1], today - dt.timedelta(days=30), today)
    assert again[0].total == 13
    # Outside the period nothing counts.
    old = member_points(
        [party.leader1], today - dt.timedelta(days=90), today - dt.timedelta(days=60)
    )
    assert old[0].total == 0


def test_another_app_can_register_a_source(cast: Cast, party: PartyCast) -> None:
    def units(members: list[object], start: dt.date, end: dt.date) -> dict[int, int]:
        return {party.dual.pk: 2}

    register_point_source(PointSource("sink_down_test", "下沉走访", 7, units))  # type: ignore[arg-type]
    try:
        today = timezone.localdate()
        rows = member_points([party.dual], today, today)
        assert rows[0].by_source["sink_down_test"] == 14
        assert PointRule.objects.filter(source="sink_down_test", points_per_unit=7).exists()
    finally:
        from linli.party import points

        points._sources.pop("sink_down_test")
    assert "sink_down_test" not in {s.code for s in point_sources()}


def test_the_ranking_page_shows_the_branch(cast: Cast, party: PartyCast) -> None:
    client = Client()
    client.force_login(cast.staff)
    body = client.get(reverse("party:ranking")).content.decode()
    assert "和平小区党支部" in body
    assert cast.worker1.full_name in body
    client.force_login(cast.volunteer_user)
    assert client.get(reverse("party:ranking")).status_code == 403


# --- figures --------------------------------------------------------------------------------


def test_figures_for_an_area_and_period(cast: Cast, party: PartyCast) -> None:
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    figures = party_figures(user=cast.staff, area=cast.community, start=start, end=end)
    assert (figures.days_planned, figures.days_held) == (2, 1)
    assert figures.attendance_rate == 1.0
    assert (figures.concerns_raised, figures.concerns_resolved) == (1, 0)
    assert figures.resolution_rate == 0.0
    assert figures.dual_reported_by_grid == {"第2网格": 1}
    request = party.day.concerns.get().request
    move(request, Status.IN_PROGRESS, cast.worker1)
    move(request, Status.RESOLVED, cast.worker1, note="换了灯泡")
    figures = party_figures(user=cast.staff, area=cast.building1, start=start, end=end)
    assert figures.resolution_rate == 1.0
    assert figures.dual_reported_by_grid == {}
    # Another community, or a period without days: nothing.
    other = party_figures(user=cast.staff, area=cast.other_community, start=start, end=end)
    assert (other.days_planned, other.concerns_raised, other.attendance_rate) == (0, 0, None)
    before = party_figures(
        user=cast.staff,
        area=None,
        start=today - dt.timedelta(days=90),
        end=today - dt.timedelta(days=60),
    )
    assert before.days_planned == 0
    assert before.dual_reported_by_grid == {}
    # A grid worker's figures cover their grid only.
    mine = party_figures(user=cast.worker2, area=None, start=start, end=end)
    assert (mine.days_planned, mine.days_held) == (1, 0)


def test_figures_and_tree_pages(cast: Cast, party: PartyCast) -> None:
    client = Client()
    client.force_login(cast.leader)
    assert "1/2" in client.get(reverse("party:figures")).content.decode()
    assert "和平社区党委" in client.get(reverse("party:tree")).content.decode()
    assert "孝义市中心医院" not in client.get(reverse("party:members")).content.decode()


# --- API ------------------------------------------------------------------------------------


def test_api_lists_and_records_are_scoped(cast: Cast, party: PartyCast) -> None:
    _token, secret = api_token_create(user=cast.worker2, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    members = client.get("/api/v1/party/members").json()
    assert [m["name"] for m in members["items"]] == [party.dual.name]
    assert client.get(f"/api/v1/party/members/{party.leader1.pk}").status_code == 404
    assert client.get(f"/api/v1/party/days/{party.day.pk}").status_code == 404
    _token, secret = api_token_create(user=cast.staff, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    day = client.get(f"/api/v1/party/days/{party.day.pk}").json()
    assert day["concerns"][0]["assignee"] == cast.worker1.full_name
    figures = client.get(f"/api/v1/party/figures?area={cast.community.pk}").json()
    assert figures["days_held"] == 1
    assert client.get(f"/api/v1/party/figures?area={cast.other_community.pk}").status_code == 404


# --- privacy --------------------------------------------------------------------------------


def test_export_and_anonymise(cast: Cast, party: PartyCast) -> None:
    sections = export_party(cast.neighbour)
    assert sections["党员信息"][0]["原单位党组织"] == "孝义市中心医院党委第二支部"
    assert export_party(cast.elder) == {}
    anonymise_party(cast.neighbour, None)
    party.dual.refresh_from_db()
    assert party.dual.name == ANONYMOUS_NAME
    assert not party.dual.active
    assert party.dual.home_organisation == ""


def test_residents_and_volunteers_have_no_party_navigation(cast: Cast, party: PartyCast) -> None:
    client = Client()
    client.force_login(cast.volunteer_user)
    assert reverse("party:tree") not in client.get("/").content.decode()
    role_assign(actor=None, user=cast.volunteer_user, role=Role.STAFF, area=cast.community)
    assert reverse("party:tree") in client.get("/").content.decode()


def test_api_party_organisations_are_scoped(cast: Cast, party: PartyCast) -> None:
    _token, secret = api_token_create(user=cast.worker2, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    names = [o["name"] for o in client.get("/api/v1/party/organisations").json()["items"]]
    assert party.group2.name in names
    assert party.group1.name not in names
    assert client.get(f"/api/v1/party/organisations/{party.group1.pk}").status_code == 404
    _token, secret = api_token_create(user=cast.staff, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    group = client.get(f"/api/v1/party/organisations/{party.group1.pk}").json()
    assert (group["parent_id"], group["grid"]) == (party.branch.pk, cast.grid1.name)
    assert group["member_count"] >= 1


def test_points_count_approved_service_hours_only(cast: Cast, party: PartyCast) -> None:
    """The ranking's service points come from approved hours: a claim waiting for review
    or sent back earns nothing."""
    from linli.volunteers.models import HoursStatus, ServiceSource
    from tests.volunteers.support import unreviewed

    today = timezone.localdate()
    volunteer = volunteer_create(actor=None, community=cast.community, resident=cast.neighbour)
    service_record_add(
        actor=None,
        volunteer=volunteer,
        started_at=timezone.now() - dt.timedelta(days=2),
        minutes=60,
        content="陪老人看病",
    )
    unreviewed(volunteer, 180, source=ServiceSource.CLAIM, source_id="")
    unreviewed(
        volunteer, 240, source=ServiceSource.CLAIM, source_id="", status=HoursStatus.REJECTED
    )

    rows = member_points([party.dual], today - dt.timedelta(days=30), today)

    assert rows[0].by_source == {"service_hours": 2}  # 1 approved hour × 2
