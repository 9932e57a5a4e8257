"""The phone's bottom tab bar: at most five tabs per role, 消息 last with its badge."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.home.navigation import MAX_TABS, navigation
from linli.notifications.services import notify
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _tabs(cast: Cast, username: str, path: str = "/") -> list[Any]:
    request = RequestFactory().get(path)
    request.user = getattr(
        cast, {"resident": "resident_user", "volunteer": "volunteer_user"}.get(username, username)
    )
    tabs: list[Any] = navigation(request)["nav_phone_tabs"]
    return tabs


@pytest.mark.parametrize(
    ("username", "labels"),
    [
        ("resident", ["首页", "我要反映", "我的诉求", "居民", "消息"]),
        ("worker1", ["首页", "我的任务", "诉求", "关爱走访", "消息"]),
        ("volunteer", ["首页", "关爱走访", "我的服务", "居民", "消息"]),
        ("staff", ["首页", "诉求", "关爱走访", "居民", "消息"]),
        ("leader", ["首页", "诉求", "关爱走访", "居民", "消息"]),
    ],
)
def test_each_role_gets_at_most_five_tabs_ending_with_messages(
    cast: Cast, username: str, labels: list[str]
) -> None:
    tabs = _tabs(cast, username)
    assert [t.label for t in tabs] == labels
    assert len(tabs) <= MAX_TABS
    assert tabs[-1].url == reverse("notifications:list")


def test_the_messages_tab_carries_the_unread_count_and_the_current_tab_is_marked(
    cast: Cast,
) -> None:
    notify(users=[cast.worker1], text="新任务", link="/")
    notify(users=[cast.worker1], text="又一个", link="/")
    tabs = _tabs(cast, "worker1", reverse("requests:tasks"))
    assert tabs[-1].badge == 2
    assert [t.label for t in tabs if t.active] == ["我的任务"]
    assert [t.label for t in _tabs(cast, "worker1", "/") if t.active] == ["首页"]


def test_the_tab_bar_is_in_every_page(cast: Cast, client_for: Any) -> None:
    body = client_for("worker1").get(reverse("requests:tasks")).content.decode()
    bar = body.split('<nav class="phone-tabs"')[1].split("</nav>")[0]
    assert bar.count("<a ") <= MAX_TABS
    assert 'aria-current="page"' in bar


def test_a_fragment_reads_nothing_for_a_navigation_bar_it_does_not_show(
    cast: Cast, client_for: Any
) -> None:
    """The flags that need the database are read only when the page shows the bar: an
    htmx fragment (the queue's filter change) sends no unread count and no task check."""
    notify(users=[cast.staff], text="新诉求", link="/")
    client = client_for("staff")
    url = reverse("requests:queue")

    def statements(**headers: str) -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url, **headers).content.decode()
        return body, [q["sql"] for q in captured.captured_queries]

    page, page_sql = statements()
    assert "1 条未读" in page
    assert any("notifications_notification" in sql for sql in page_sql)
    fragment, fragment_sql = statements(HTTP_HX_REQUEST="true")
    assert "export-links" in fragment
    assert "phone-tabs" not in fragment
    assert not any("notifications_notification" in sql for sql in fragment_sql)
    assert len(fragment_sql) == len(page_sql) - 2  # the unread count and the task check
