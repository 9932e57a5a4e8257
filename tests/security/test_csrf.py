"""CSRF: every page that accepts a POST refuses one without the token, and every form in
the templates that posts carries ``{% csrf_token %}``.

The API (``/api/v1``) and Open311 authenticate each call with a token in a header or a
parameter, never with the browser's cookie, so a forged cross-site request carries no
credentials; the test shows that a logged-in session does not open them.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from linli.settings import BASE_DIR
from tests.cast import PASSWORD
from tests.security.urlmap import build_world, endpoints, fill

TEMPLATES = sorted(BASE_DIR.rglob("templates/**/*.html"))
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post\b[^>]*>(?P<body>.*?)</form>", re.I | re.S)


def test_every_post_form_in_the_templates_carries_the_token() -> None:
    forms = 0
    missing = []
    for template in TEMPLATES:
        for match in POST_FORM.finditer(template.read_text(encoding="utf-8")):
            forms += 1
            if "{% csrf_token %}" not in match["body"]:
                missing.append(f"{template.relative_to(BASE_DIR)}: {match.group(0)[:120]}")
    assert forms > 10
    assert missing == []


@pytest.mark.django_db
def test_every_page_refuses_a_post_without_the_token() -> None:
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.cast.admin)
    checked, accepted = 0, []
    for endpoint in endpoints():
        if endpoint.kind == "api":
            continue
        url = fill(endpoint, world)
        response = client.post(url, {"text": "forged"})
        checked += 1
        if response.status_code != 403:
            accepted.append(f"POST {url} ({endpoint.name}) → {response.status_code}")
    assert checked > 40
    assert accepted == [], "\n".join(accepted)


@pytest.mark.django_db
def test_the_same_post_with_the_token_gets_past_the_csrf_check() -> None:
    """The refusal above comes from the token check, not from something else."""
    build_world()
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": "worker1", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


OPEN311_PUBLIC_READS = {"open311:requests", "open311:request", "open311:token"}


@pytest.mark.django_db
def test_a_logged_in_session_does_not_open_the_api() -> None:
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.cast.admin)
    for endpoint in endpoints():
        if endpoint.kind != "api":
            continue
        url = fill(endpoint, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 200 and endpoint.name.startswith(
                ("api-v1:openapi", "open311:openapi", "open311:discovery", "open311:service")
            ):
                continue  # public descriptions (see PUBLIC in test_url_access.py)
            if method == "get" and endpoint.name in OPEN311_PUBLIC_READS:
                # Open311 reads without a key are public and de-identified; the session
                # of the most powerful user must not add one byte to them.
                anonymous = Client().get(url)
                assert (response.status_code, response.content) == (
                    anonymous.status_code,
                    anonymous.content,
                ), f"GET {url}: a session reads more than an anonymous client"
                continue
            assert response.status_code in (401, 403, 404, 405), (
                f"{method.upper()} {url} → {response.status_code} with only a session"
            )
