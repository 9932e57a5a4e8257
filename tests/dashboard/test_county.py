"""The county (县(市、区)) as a dashboard place: its leader lands on it and drills down to
its towns; its blocks come from the daily pre-aggregate and the snapshot like a town's; the
figures page and the reports offer it; nobody assigned lower (a town's leader, staff, a
grid worker) or to another county may open it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.areas.models import Area, AreaKind
from linli.areas.services import area_create
from linli.core.roles import Role
from linli.dashboard import aggregates, selectors, snapshots
from linli.requests.figures import figure_places_for_user, request_figures
from linli.requests.models import Request
from tests.cast import Cast, make_user
from tests.requests.support import file_request, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)
START, END = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


@dataclass(frozen=True)
class County:
    cast: Cast
    second_town: Area
    second_community: Area
    county_leader: User
    other_county: Area
    other_county_leader: User


@pytest.fixture
def county(cast: Cast) -> Iterator[County]:
    """孝义市 with two towns (和平镇 of the cast, and 安宁镇 with 安宁社区), a leader of
    the county, and a second county (汾阳市) with its own leader."""
    second_town = area_create(
        actor=None, parent=cast.county, kind=AreaKind.TOWN, name="安宁镇", code="141181201"
    )
    second_community = area_create(
        actor=None,
        parent=second_town,
        kind=AreaKind.COMMUNITY,
        name="安宁社区",
        code="141181201001",
    )
    county_leader = make_user("county_leader", "郭市长")
    role_assign(actor=None, user=county_leader, role=Role.LEADER, area=cast.county)
    other_county = area_create(
        actor=None, parent=None, kind=AreaKind.COUNTY, name="汾阳市", code="141182"
    )
    other_county_leader = make_user("other_county_leader", "任市长")
    role_assign(actor=None, user=other_county_leader, role=Role.LEADER, area=other_county)
    with time_machine.travel(NOW, tick=False):
        yield County(
            cast=cast,
            second_town=second_town,
            second_community=second_community,
            county_leader=county_leader,
            other_county=other_county,
            other_county_leader=other_county_leader,
        )


def _url(pk: int, suffix: str = "") -> str:
    return f"/dashboard/area/{pk}/{suffix}"


def _requests(world: County) -> None:
    """Three requests in 和平镇 (one of them a month old) and two in 安宁镇 this month."""
    cast = world.cast
    for days in (1, 2, 40):
        file_request(cast, cast.unit1, category_code="sanitation", at=NOW - dt.timedelta(days=days))
    for days in (1, 3):
        file_request(
            cast,
            world.second_community,
            text="小区门口路灯不亮",
            at=NOW - dt.timedelta(days=days),
        )


def _client(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- scope and drill-down -------------------------------------------------------------------


def test_a_county_leader_lands_on_the_county_and_sees_its_towns(
    county: County, client: Client
) -> None:
    _requests(county)
    cast = county.cast
    client = _client(client, county.county_leader)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == _url(cast.county.pk)

    response = client.get(_url(cast.county.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "驾驶舱 · 孝义市" in page
    children = response.context["d"].children
    assert [(c.label, c.kind_label, c.total) for c in children] == [
        ("和平镇", "镇(街道)", 2),
        ("安宁镇", "镇(街道)", 2),
    ]
    assert response.context["d"].figures.total == 4
    assert f'href="{_url(cast.town.pk)}?period=month"' in page
    assert f'href="{_url(county.second_town.pk)}?period=month"' in page

    town = client.get(_url(cast.town.pk)).content.decode()
    assert f'<a href="{_url(cast.county.pk)}?period=month">孝义市</a>' in town
    assert f'href="{_url(cast.community.pk)}?period=month"' in town


def test_the_county_wall_layout_charts_and_export(county: County, client: Client) -> None:
    _requests(county)
    client = _client(client, county.county_leader)
    pk = county.cast.county.pk

    wall = client.get(_url(pk), {"wall": "1"}).content.decode()
    assert 'http-equiv="refresh"' in wall
    assert f'href="{_url(county.second_town.pk)}?period=month&amp;wall=1"' in wall

    for name in ("trend", "status", "rates", "children"):
        chart = client.get(_url(pk, f"chart/{name}.png"))
        assert chart.status_code == 200, name
        assert Image.open(io.BytesIO(chart.content)).format == "PNG"

    export = client.get(_url(pk, "export.xlsx"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content))["下级区域"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[:3] for row in rows] == [["和平镇", "镇(街道)", 2], ["安宁镇", "镇(街道)", 2]]


@pytest.mark.parametrize("who", ["leader", "staff", "worker1", "other_county_leader"])
def test_nobody_assigned_lower_or_elsewhere_may_open_the_county(
    county: County, client: Client, who: str
) -> None:
    user = (
        county.other_county_leader
        if who == "other_county_leader"
        else User.objects.get(username=who)
    )
    client = _client(client, user)
    pk = county.cast.county.pk
    assert client.get(_url(pk)).status_code == 404
    assert client.get(_url(pk), {"wall": "1"}).status_code == 404
    assert client.get(_url(pk, "chart/children.png")).status_code == 404
    assert client.get(_url(pk, "export.xlsx")).status_code == 404
    assert client.get("/requests/figures/", {"place": f"area-{pk}"}).status_code == 404


def test_a_leader_of_another_county_sees_neither_its_towns(county: County, client: Client) -> None:
    client = _client(client, county.other_county_leader)
    assert client.get("/dashboard/")["Location"] == _url(county.other_county.pk)
    assert client.get(_url(county.cast.town.pk)).status_code == 404
    assert client.get(_url(county.second_town.pk)).status_code == 404


def test_a_town_leader_has_no_link_up_to_the_county(county: County, client: Client) -> None:
    page = _client(client, county.cast.leader).get(_url(county.cast.town.pk)).content.decode()
    assert _url(county.cast.county.pk) not in page
    assert "孝义市" not in page


def test_the_places_offered_to_a_county_leader_start_with_the_county(county: County) -> None:
    labels = [c.label for c in figure_places_for_user(county.county_leader)]
    assert labels[:3] == ["孝义市", "和平镇", "安宁镇"]
    assert "安宁社区" in labels
    assert "孝义市" not in [c.label for c in figure_places_for_user(county.cast.leader)]


# --- the numbers: aggregate, snapshot, figures page, reports ----------------------------------


def test_the_county_blocks_from_the_aggregate_equal_the_live_count(county: County) -> None:
    _requests(county)
    aggregates.rebuild()
    place = county.cast.county
    allowed = {c.key for c in selectors.dashboard_places(county.county_leader)}
    everything = Request.objects.all()
    for start, end in ((START, END), (dt.date(2026, 6, 1), END)):
        blocks = selectors.request_blocks(place, allowed, start=start, end=end, now=NOW)
        live = request_figures(everything, place=place, start=start, end=end, now=NOW)
        assert blocks.figures.total == live.total
        assert blocks.figures.overdue_open == live.overdue_open
        assert blocks.children == selectors.child_rows(
            everything, place, allowed, start=start, end=end, now=NOW
        )
        assert blocks.heat == selectors.building_heat(everything, place, start=start, end=end)


def test_the_county_page_reads_its_snapshot_and_the_minute_task_keeps_it(
    county: County,
) -> None:
    cast = county.cast
    _requests(county)

    def total(now: dt.datetime) -> int:
        choice = selectors.dashboard_place_get(
            user=county.county_leader, kind="area", pk=cast.county.pk
        )
        return selectors.dashboard_for_user(
            county.county_leader, choice, start=START, end=END, now=now
        ).figures.total

    assert total(NOW) == 4
    file_request(cast, county.second_community, at=NOW - dt.timedelta(hours=2))
    assert total(NOW + dt.timedelta(seconds=30)) == 4  # the snapshot of NOW
    assert snapshots.refresh_viewed(NOW + dt.timedelta(seconds=40)) >= 1
    assert total(NOW + dt.timedelta(seconds=50)) == 5  # counted again by the minute task


def test_the_figures_page_offers_the_county_to_its_leader(county: County, client: Client) -> None:
    _requests(county)
    response = _client(client, county.county_leader).get(
        "/requests/figures/", {"place": f"area-{county.cast.county.pk}"}
    )
    assert response.status_code == 200
    assert response.context["figures"].total == 4
    assert "诉求统计 · 孝义市" in response.content.decode()


def test_a_county_leader_drafts_the_county_report_and_a_town_leader_may_not(
    county: County, client: Client
) -> None:
    _requests(county)
    query = {"area": county.cast.county.code, "period": "2026-11"}
    page = _client(client, county.county_leader).get("/reports/draft/", query)
    assert page.status_code == 200
    assert "11月共受理居民诉求4件" in page.content.decode()
    assert _client(client, county.cast.leader).get("/reports/draft/", query).status_code == 404
