"""The figures page: 三率 with their counts, tables, the place and date-range pickers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.requests.models import Feedback, Satisfaction
from linli.requests.services import request_feedback
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, move

URL = reverse("requests:figures")


def _this_month_request(cast: Cast, **extra: Any) -> None:
    file_request(cast, at=timezone.now(), **extra)


def test_staff_see_the_three_rates_with_their_counts(cast: Cast, client_for: Any) -> None:
    now = timezone.now()
    request = file_request(cast, category_code="repair", at=now)
    move(request, Status.IN_PROGRESS, cast.worker1, at=now)
    move(request, Status.RESOLVED, cast.worker1, note="已修好", at=now)
    request_feedback(
        request=request,
        actor=cast.staff,
        resolved=True,
        satisfaction=Satisfaction.BASICALLY_SATISFIED,
        via=Feedback.Via.PHONE,
        at=now,
    )
    file_request(cast, cast.unit2, reporter=cast.neighbour, at=now)

    response = client_for("staff").get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "诉求统计 · 和平社区" in page
    for label in ("响应率", "按期办结率", "解决率", "满意率"):
        assert label in page
    figures = response.context["figures"]
    assert figures.total == 2
    assert str(figures.response) == "100.0%"
    # The second request was only routed automatically and is within its response time:
    # not yet due a response, so not counted either way.
    assert "响应率 · 1/1" in page
    assert "满意率 · 1/1" in page
    assert "按期办结率 · 1/1" in page
    assert "设施维修" in page  # the category table
    assert "已办结待核实" in page  # the status table
    assert "居民自助" in page  # the channel table


def test_without_requests_view_the_page_is_forbidden(cast: Cast, client_for: Any) -> None:
    assert client_for("resident").get(URL).status_code == 403
    assert client_for("volunteer").get(URL).status_code == 403


def test_the_page_asks_anonymous_visitors_to_log_in(client: Client, cast: Cast) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_grid_worker_is_offered_their_grid_and_nothing_else(cast: Cast, client_for: Any) -> None:
    client = client_for("worker1")

    response = client.get(URL)

    assert response.status_code == 200
    assert [c.key for c in response.context["choices"]] == [f"grid-{cast.grid1.pk}"]
    assert "诉求统计 · 和平社区第1网格" in response.content.decode()
    for place in (f"grid-{cast.grid2.pk}", f"area-{cast.community.pk}", "area-999999", "x"):
        assert client.get(URL, {"place": place}).status_code == 404


def test_a_grid_workers_page_counts_only_their_grid(cast: Cast, client_for: Any) -> None:
    _this_month_request(cast)
    _this_month_request(cast, location=cast.unit2, reporter=cast.neighbour)

    staff = client_for("staff").get(URL, {"place": f"area-{cast.community.pk}"})
    worker = client_for("worker1").get(URL)

    assert staff.context["figures"].total == 2
    assert worker.context["figures"].total == 1


def test_the_default_range_is_this_month_with_quick_links(cast: Cast, client_for: Any) -> None:
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    file_request(cast, at=local(last_month.year, last_month.month, last_month.day, 12))
    client = client_for("staff")

    response = client.get(URL)

    assert response.context["figures"].start == today.replace(day=1)
    assert response.context["figures"].total == 0
    links = {link["label"]: link for link in response.context["quick_links"]}
    assert list(links) == ["本月", "上月", "近六个月", "今年"]
    assert links["本月"]["active"]
    page = response.content.decode()
    assert f'href="?{links["上月"]["query"]}"' in page.replace("&amp;", "&")
    previous = client.get(f"{URL}?{links['上月']['query']}")
    assert previous.context["figures"].total == 1
    assert previous.context["figures"].end == today.replace(day=1)


def test_a_start_after_the_end_is_refused_with_the_reason(cast: Cast, client_for: Any) -> None:
    response = client_for("staff").get(URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["figures"] is None
    page = response.content.decode()
    assert "开始日期不能晚于结束日期" in page
    assert 'value="2026-03-10"' in page  # what they typed is kept


def test_a_date_that_is_not_a_date_is_refused(cast: Cast, client_for: Any) -> None:
    response = client_for("staff").get(URL, {"date_from": "三月一日"})

    assert response.status_code == 200
    assert response.context["figures"] is None
    assert "errorlist" in response.content.decode()


def test_a_leader_can_see_the_whole_town(cast: Cast, client_for: Any) -> None:
    _this_month_request(cast)
    _this_month_request(cast, location=cast.unit2, reporter=cast.neighbour)

    response = client_for("leader").get(URL, {"place": f"area-{cast.town.pk}"})

    assert response.status_code == 200
    assert response.context["figures"].total == 2
    assert "诉求统计 · 和平镇" in response.content.decode()


def test_the_page_takes_the_same_queries_however_many_requests(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    _this_month_request(cast)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for _ in range(10):
        _this_month_request(cast, location=cast.unit2, reporter=cast.neighbour)

    # 17: the scope reads its small id lists (the user's resident rows, the areas) before
    # the figures, so PostgreSQL can estimate and index them (docs/scaling.md).
    assert queries() == few <= 17


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")]
)
def test_dates_at_the_end_of_the_calendar_are_refused_not_a_crash(
    cast: Cast, client_for: Any, date_from: str, date_to: str
) -> None:
    response = client_for("staff").get(URL, {"date_from": date_from, "date_to": date_to})

    assert response.status_code == 200
    assert response.context["figures"] is None
    page = response.content.decode()
    assert "日期应在 1900 年到 2100 年之间。" in page
    assert f'value="{date_to}"' in page  # what they typed is kept


@pytest.mark.parametrize(
    ("username", "shown"), [("staff", True), ("worker1", True), ("resident", False)]
)
def test_the_figures_page_is_in_the_menu_of_those_who_may_see_it(
    cast: Cast, client_for: Any, username: str, shown: bool
) -> None:
    page = client_for(username).get(reverse("requests:mine")).content.decode()

    assert (f'href="{URL}"' in page) is shown
