"""The leaders' dashboard (驾驶舱): scope and drill-down, its blocks' numbers, charts as
PNGs, the Excel export, the wall layout, and that it shows counts, never a person."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook
from PIL import Image

from linli.care.services import Readings, care_plan_save, visit_log
from linli.dashboard import selectors
from linli.earlywarning.models import EarlyWarning, WarningKind, WarningRule
from linli.earlywarning.services import warnings_scan
from linli.people.models import ConsentPurpose
from linli.people.services import consent_record
from linli.requests.models import Request
from linli.requests.selectors import visible_requests
from tests.cast import Cast
from tests.requests.support import file_request, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _rubbish(cast: Cast, days_ago: float, location: Any = None) -> Request:
    return file_request(
        cast,
        location or cast.unit1,
        text="单元门口垃圾堆着没人清",
        category_code="sanitation",
        at=NOW - dt.timedelta(days=days_ago),
    )


def _url(kind: str, pk: int, suffix: str = "") -> str:
    return f"/dashboard/{kind}/{pk}/{suffix}"


# --- scope and drill-down -------------------------------------------------------------------


def test_a_leader_lands_on_the_town_and_drills_down_to_a_grid(cast: Cast, client_for: Any) -> None:
    client = client_for("leader")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == _url("area", cast.town.pk)

    town = client.get(_url("area", cast.town.pk)).content.decode()
    assert "驾驶舱 · 和平镇" in town
    assert f'href="{_url("area", cast.community.pk)}?period=month"' in town
    assert "友谊社区" in town

    community = client.get(_url("area", cast.community.pk)).content.decode()
    assert f'href="{_url("area", cast.compound.pk)}?period=month"' in community
    assert f'href="{_url("grid", cast.grid1.pk)}?period=month"' in community
    assert f'<a href="{_url("area", cast.town.pk)}?period=month">和平镇</a>' in community

    grid = client.get(_url("grid", cast.grid1.pk)).content.decode()
    assert "第1网格" in grid
    assert f'<a href="{_url("area", cast.community.pk)}?period=month">和平社区</a>' in grid


def test_a_grid_worker_sees_their_grid_only(cast: Cast, client_for: Any) -> None:
    client = client_for("worker2")
    assert client.get("/dashboard/")["Location"] == _url("grid", cast.grid2.pk)
    assert client.get(_url("grid", cast.grid2.pk)).status_code == 200
    assert client.get(_url("grid", cast.grid1.pk)).status_code == 404
    assert client.get(_url("area", cast.community.pk)).status_code == 404
    assert client.get(_url("grid", cast.grid1.pk, "chart/trend.png")).status_code == 404
    assert client.get(_url("grid", cast.grid1.pk, "export.xlsx")).status_code == 404
    assert client.get(_url("town", cast.town.pk)).status_code == 404


def test_staff_may_not_open_the_town(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    assert client.get("/dashboard/")["Location"] == _url("area", cast.community.pk)
    assert client.get(_url("area", cast.town.pk)).status_code == 404
    assert client.get(_url("area", cast.other_community.pk)).status_code == 404


def test_residents_have_no_dashboard(cast: Cast, client_for: Any) -> None:
    assert client_for("resident").get("/dashboard/").status_code == 403


def test_the_menu_offers_the_dashboard_to_leaders_and_staff_only(
    cast: Cast, client_for: Any
) -> None:
    assert "驾驶舱" in client_for("leader").get("/").content.decode()
    assert "驾驶舱" in client_for("staff").get("/").content.decode()
    assert "驾驶舱" not in client_for("worker1").get("/").content.decode()


# --- the numbers ----------------------------------------------------------------------------


def test_building_heat_counts_requests_per_building_and_category(cast: Cast) -> None:
    for days in (1, 2, 3):
        _rubbish(cast, days)
    _rubbish(cast, 4, cast.building1)
    file_request(cast, cast.unit2, at=NOW - dt.timedelta(days=2))
    _rubbish(cast, 40)  # last month: outside the period
    heat = selectors.building_heat(
        visible_requests(cast.leader),
        cast.community,
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 12, 1),
    )
    rows = {label: (counts, total) for label, counts, total in heat.rows}
    assert "环境卫生" in heat.categories
    column = heat.categories.index("环境卫生")
    first = next(label for label in rows if "1号楼" in label)
    assert rows[first][0][column] == 4
    assert rows[first][1] == 4
    second = next(label for label in rows if "2号楼" in label)
    assert rows[second][1] == 1
    assert heat.rows[0][0] == first  # the busiest building first


def test_trend_counts_by_day_and_category_and_rates_by_month(cast: Cast) -> None:
    _rubbish(cast, 1)
    _rubbish(cast, 1)
    file_request(cast, at=NOW - dt.timedelta(days=3))
    requests = visible_requests(cast.leader)
    daily = selectors.request_trend(
        requests, cast.town, start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1), now=NOW
    )
    assert daily.step == "day"
    assert len(daily.labels) == 30
    assert daily.counts["环境卫生"][18] == 2  # 19 November
    assert sum(daily.totals) == 3
    assert daily.rates == {}

    monthly = selectors.request_trend(
        requests, cast.town, start=dt.date(2026, 6, 1), end=dt.date(2026, 12, 1), now=NOW
    )
    assert monthly.step == "month"
    assert monthly.labels == ["26年6月", "26年7月", "26年8月", "26年9月", "26年10月", "26年11月"]
    assert monthly.totals == [0, 0, 0, 0, 0, 3]
    assert set(monthly.rates) == {"响应率", "解决率", "满意率", "按期办结率"}
    assert all(len(v) == 6 for v in monthly.rates.values())


def test_children_count_requests_overdue_and_escalated(cast: Cast) -> None:
    old = _rubbish(cast, 30)
    Request.objects.filter(pk=old.pk).update(
        due_at=NOW - dt.timedelta(days=5), escalated_at=NOW - dt.timedelta(days=1)
    )
    _rubbish(cast, 1)
    choice = selectors.dashboard_place_get(user=cast.leader, kind="area", pk=cast.community.pk)
    dashboard = selectors.dashboard_for_user(
        cast.leader, choice, start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1), now=NOW
    )
    assert dashboard.figures.overdue_open == 1
    assert dashboard.escalated_now == 1
    grid1 = next(c for c in dashboard.children if c.label == "第1网格")
    assert (grid1.total, grid1.open_now, grid1.overdue_now, grid1.escalated_now) == (1, 2, 1, 1)
    grid2 = next(c for c in dashboard.children if c.label == "第2网格")
    assert (grid2.total, grid2.open_now) == (0, 0)
    assert [c.label for c in dashboard.crumbs] == ["和平镇"]  # the county is not theirs


def test_care_coverage_counts_plans_visits_and_alerts_without_names(
    cast: Cast, client_for: Any
) -> None:
    consent_record(actor=None, resident=cast.elder, purpose=ConsentPurpose.HEALTH)
    care_plan_save(actor=cast.staff, resident=cast.elder, visits_per_week=3, primary_volunteer=None)
    visit_log(
        actor=cast.worker1,
        resident=cast.elder,
        services=["blood_pressure"],
        visited_at=NOW - dt.timedelta(hours=2),
        readings=Readings(bp_systolic=190, bp_diastolic=110),
        note="血压偏高",
    )
    choice = selectors.dashboard_place_get(user=cast.staff, kind="grid", pk=cast.grid1.pk)
    dashboard = selectors.dashboard_for_user(
        cast.staff, choice, start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1), now=NOW
    )
    assert dashboard.care is not None
    assert dashboard.care.plans == 1
    assert dashboard.care.visits_this_week == 1
    assert dashboard.care.visits_due_this_week == 3

    page = client_for("staff").get(_url("grid", cast.grid1.pk)).content.decode()
    assert cast.elder.name not in page
    assert "190" not in page
    assert "血压" not in page


# --- warnings -------------------------------------------------------------------------------


def test_a_hotspot_warning_is_listed_with_its_link_and_personal_ones_only_counted(
    cast: Cast, client_for: Any
) -> None:
    WarningRule.objects.exclude(kind=WarningKind.HOTSPOT).update(enabled=False)
    for days in (1, 2, 3):
        _rubbish(cast, days)
    warnings_scan()
    hotspot = EarlyWarning.objects.get(kind=WarningKind.HOTSPOT)
    EarlyWarning.objects.create(
        kind=WarningKind.ASSIGNEE_OVERDUE,
        key="assignee-test",
        community=cast.community,
        area=cast.community,
        grid=cast.grid1,
        assignee=cast.worker1,
        title="张网格有 5 件诉求超期",
        reason="超期未办结的诉求积压在一个人身上。",
        count=5,
        raised_at=NOW,
        last_seen_at=NOW,
    )
    page = client_for("leader").get(_url("grid", cast.grid1.pk)).content.decode()
    assert hotspot.title in page
    assert f'href="{hotspot.link.replace("&", "&amp;")}"' in page
    assert "超期诉求积压" in page
    assert "张网格" not in page
    assert "/warnings/?kind=assignee_overdue" in page


# --- charts, export, wall -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trend", "status", "rates", "children"])
def test_charts_are_png_images(cast: Cast, client_for: Any, name: str) -> None:
    _rubbish(cast, 1)
    response = client_for("leader").get(
        _url("area", cast.community.pk, f"chart/{name}.png") + "?period=six_months"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1280, 720)


def test_unknown_chart_is_404(cast: Cast, client_for: Any) -> None:
    client = client_for("leader")
    assert client.get(_url("area", cast.town.pk, "chart/pie.png")).status_code == 404


def test_page_shows_charts_with_alt_text_and_data_tables(cast: Cast, client_for: Any) -> None:
    _rubbish(cast, 1)
    page = client_for("leader").get(_url("area", cast.town.pk) + "?period=year").content.decode()
    assert 'alt="本期诉求件数按时间和类别的堆叠柱状图' in page
    assert "<details><summary>查看数据表</summary>" in page
    assert "style=" not in page.split("<main>", 1)[1]
    assert "<script" not in page.split("<main>", 1)[1]


def test_export_has_every_table(cast: Cast, client_for: Any) -> None:
    for days in (1, 2, 3):
        _rubbish(cast, days)
    response = client_for("leader").get(_url("area", cast.community.pk, "export.xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert {"三率与件数", "下级区域", "诉求趋势", "诉求状态", "楼栋热力表", "预警"} <= set(
        book.sheetnames
    )
    heat = list(book["楼栋热力表"].iter_rows(values_only=True))
    assert "环境卫生" in heat[0]
    assert heat[1][-1] == 3


def test_export_and_charts_of_a_quiet_place_say_so(cast: Cast, client_for: Any) -> None:
    client = client_for("leader")
    response = client.get(_url("grid", cast.grid1.pk, "export.xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    trend = list(book["诉求趋势"].iter_rows(values_only=True))
    assert trend[1][-1] == 0  # a row per day, all zero
    assert (
        list(book["楼栋热力表"].iter_rows(values_only=True))[1][0] == "这段时间没有落到楼栋的诉求。"
    )
    page = client.get(_url("grid", cast.grid1.pk)).content.decode()
    assert "这段时间没有诉求。" in page
    assert "没有未处理的预警。" in page
    assert client.get(_url("grid", cast.grid1.pk, "chart/trend.png")).status_code == 200


def test_wall_layout_refreshes_itself(cast: Cast, client_for: Any) -> None:
    client = client_for("leader")
    wall = client.get(_url("area", cast.town.pk) + "?wall=1").content.decode()
    assert '<meta http-equiv="refresh" content="300">' in wall
    assert 'class="dashboard wall"' in wall
    assert "wall=1" in wall  # drill-down links stay on the wall
    normal = client.get(_url("area", cast.town.pk)).content.decode()
    assert "http-equiv" not in normal


def test_periods_pick_the_range_and_bad_ones_fall_back(cast: Cast, client_for: Any) -> None:
    client = client_for("leader")
    page = client.get(_url("area", cast.town.pk) + "?period=last_month").content.decode()
    assert "2026年10月1日 至 2026年10月31日" in page
    page = client.get(_url("area", cast.town.pk) + "?period=nonsense").content.decode()
    assert "2026年11月1日 至 2026年11月30日" in page


def test_volunteer_figures_count_approved_hours_only(cast: Cast) -> None:
    from linli.volunteers.models import HoursStatus, ServiceSource
    from tests.volunteers.support import serve, unreviewed, volunteer_for_login

    volunteer = volunteer_for_login(cast)
    serve(volunteer, 90, "平安巡逻", days_ago=3)
    unreviewed(volunteer, 600, source=ServiceSource.CLAIM, source_id="", days_ago=2)
    unreviewed(
        volunteer,
        300,
        source=ServiceSource.CLAIM,
        source_id="",
        status=HoursStatus.REJECTED,
        days_ago=2,
    )
    today = NOW.date()

    figures = selectors.volunteer_figures(
        cast.staff, cast.community, start=today - dt.timedelta(days=7), end=today
    )

    assert figures is not None
    assert (figures.serving, figures.minutes, str(figures.hours)) == (1, 90, "1.5")
