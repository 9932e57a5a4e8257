"""Switching to English through the footer's language form changes the pages, the error pages
and the API's messages; Chinese stays the default."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.care.conftest import CareCast
from tests.care.conftest import care as care
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def switch_to_english(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_login_page_is_chinese_by_default_and_english_after_switching(client: Client) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "用户名" in page
    switch_to_english(client)
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page
    assert "Username" in page
    assert "Password" in page
    assert "用户名" not in page


def test_grid_worker_home_in_english(cast: Cast, client_for: Any) -> None:
    client: Client = client_for("worker1")
    switch_to_english(client)
    page = client.get(reverse("home")).content.decode()
    assert "Hello, 陈网格" in page
    assert "My grid" in page
    assert "我的网格" not in page
    assert "首页" not in page


def test_request_report_form_in_english(cast: Cast, client_for: Any) -> None:
    client: Client = client_for("resident")
    switch_to_english(client)
    page = client.get(reverse("requests:report")).content.decode()
    assert "What is the problem?" in page
    assert "Someone needs to come now" in page
    assert "遇到了什么问题" not in page
    # A validation message in English too.
    response = client.post(reverse("requests:report"), {"description": ""})
    assert "Please describe the problem." in response.content.decode()


def test_care_visit_form_in_english(care: CareCast, client_for: Any) -> None:
    client: Client = client_for("volunteer")
    switch_to_english(client)
    page = client.get(reverse("care:visit_new", args=[care.cast.elder.pk])).content.decode()
    assert "Home visit" in page
    assert "Blood sugar" in page
    assert "Save visit" in page
    assert "上门走访" not in page
    assert "保存走访" not in page


def test_not_found_page_in_english(cast: Cast, client_for: Any) -> None:
    client: Client = client_for("worker1")
    switch_to_english(client)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_api_errors_follow_accept_language(client: Client) -> None:
    english = client.get("/api/v1/requests", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 401
    assert english.json()["detail"] == "Missing or invalid API token."
    chinese = client.get("/api/v1/requests")
    assert chinese.json()["detail"] == "缺少或无效的接口令牌。"
