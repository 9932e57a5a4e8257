"""Error pages speak Chinese, sit in the site's layout and offer a way back (DEBUG off)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from django.views.defaults import server_error

from tests.cast import Cast
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_chinese_404_in_the_layout(cast: Cast, client: Client) -> None:
    login(client, cast.resident_user.username)
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "找不到页面" in page
    assert 'class="topbar"' in page  # base.html: the user keeps their navigation
    assert 'href="/"' in page
    assert "回到首页" in page
    assert "Not Found" not in page


def test_denied_resident_reads_no_permission_with_the_reason(cast: Cast, client: Client) -> None:
    login(client, cast.resident_user.username)
    response = client.get("/rosters/")  # roster pages raise PermissionDenied for a resident

    assert response.status_code == 403
    page = response.content.decode()
    assert "没有权限" in page
    assert "您没有这项操作的权限。" in page
    assert "Forbidden" not in page
    assert "回到首页" in page


def test_back_link_only_to_our_own_pages(cast: Cast, client: Client) -> None:
    login(client, cast.resident_user.username)
    ours = client.get("/no-such-page/", HTTP_REFERER="http://testserver/requests/mine/")
    theirs = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish")

    assert 'href="http://testserver/requests/mine/"' in ours.content.decode()
    assert "返回上一页" in ours.content.decode()
    assert "evil.example" not in theirs.content.decode()
    assert "返回上一页" not in theirs.content.decode()


def test_failed_csrf_check_explains_and_offers_a_way_back(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, cast.resident_user.username)
    response = client.post("/requests/report/", {"text": "楼道灯坏了"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期,请重新提交" in page
    assert "刷新后重新填写" in page
    assert 'class="topbar"' in page
    assert "CSRF verification failed" not in page


def test_bad_input_page_shows_the_reason(cast: Cast, client: Client) -> None:
    login(client, cast.staff.username)
    response = client.get("/rosters/?week=9999-12-31")

    assert response.status_code == 400
    page = response.content.decode()
    assert "请求有误" in page
    assert "日期应在 1900 年到 2100 年之间。" in page
    assert 'class="topbar"' in page


@override_settings(ROOT_URLCONF="tests.core.error_urls")
def test_a_crash_renders_the_self_contained_500_page(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    login(client, cast.resident_user.username)
    response = client.get("/boom/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错了" in page
    assert "/static/linli/app.css" in page
    assert 'href="/"' in page
    assert "a bug" not in page


def test_500_page_needs_no_request_context() -> None:
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()


def test_opening_a_post_only_address_is_a_chinese_405_page(cast: Cast, client: Client) -> None:
    """Typing or bookmarking a form's address (退出 is a POST) gave an empty white page."""
    login(client, cast.resident_user.username)
    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert response["Allow"] == "OPTIONS, POST"
    page = response.content.decode()
    assert "不能直接打开" in page
    assert 'class="topbar"' in page
    assert "回到首页" in page
