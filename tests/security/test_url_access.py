"""Every URL of the project, requested by someone who must not get in.

The URL patterns are walked from the URL conf (pages, the django-ninja API, Open311, the
admin), so a new page is checked without anyone listing it. Each is requested with GET and
with POST:

* **anonymously**: a page answers the login redirect, the admin its own login redirect,
  the API 401/403; 404 and 405 are always fine.
* **by an outsider**, worker2 (the grid worker of grid 2), with every path parameter naming
  an object of grid 1 or of another community: object pages answer 404.
  Pages without parameters may answer (they show worker2's own scope), but never with
  grid 1's personal data.

Only the URLs in ``PUBLIC`` are exempt, each with the reason it is public by design.
Path parameters come from ``tests/security/urlmap.py``; its docstring says how to map a
new page's parameters.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from tests.security.urlmap import (
    BY_URL,
    Endpoint,
    UnmappedParameter,
    World,
    build_world,
    endpoints,
    fill,
)

PUBLIC: dict[str, str] = {
    "accounts:login": "the login page itself",
    "accounts:logout": "logging out needs no login (POST only)",
    "set_language": "choosing the interface language; it only sets a cookie",
    "admin:login": "the admin's login page",
    "admin:logout": "the admin's logout, which needs no login",
    "admin:javascript-catalog": "treebeard's translation catalogue for the admin: static text",
    "api-v1:openapi-json": "the API description: schemas and paths, no data",
    "api-v1:openapi-view": "the API documentation page (Swagger UI) for the description",
    "open311:openapi": "the OpenAPI description of the Open311 endpoints: no data",
    "open311:discovery": "Open311 discovery is public by the GeoReport v2 specification",
    "open311:services": "Open311 service list (request categories) is public by the spec",
    "open311:service": "Open311 service definition (one category) is public by the spec",
    # Open311 reads (issue 18): public by the spec, de-identified without a key (no text,
    # name, phone or room; markers are still checked); a key is scoped (test_open311).
    "open311:requests": "Open311 request search without a key: public, de-identified",
    "open311:request": "Open311 request by number without a key: public, de-identified",
    "open311:token": "Open311 token lookup without a key: public, de-identified",
    "surveys:enter_code": "residents answer surveys without an account: typing the code",
    "surveys:answer": "a household's one-time survey code is its key; no personal data shown",
    "healthz": "the readiness probe for deploy scripts and load balancers: ok or 503, no data",
}
METHODS = ("get", "post")
LOGIN_REDIRECT = {"page": "/accounts/login/?next=", "admin": "/admin/login/?next="}


def leaked(response: HttpResponse, world: World) -> list[str]:
    body = response.content.decode("utf-8", errors="replace")
    return [marker for marker in world.markers if marker in body]


def redirects_to_login(response: HttpResponse, kind: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        LOGIN_REDIRECT.get(kind, "\0")
    )


def anonymous_problem(endpoint: Endpoint, response: HttpResponse) -> str | None:
    status = response.status_code
    if status in (404, 405):
        return None
    if endpoint.kind == "api":
        return None if status in (401, 403) else "expected 401/403/404"
    if redirects_to_login(response, endpoint.kind):
        return None
    return "expected the login redirect or 404"


def outsider_problem(endpoint: Endpoint, response: HttpResponse) -> str | None:
    status = response.status_code
    if not endpoint.names_an_object:
        return None  # worker2's own view; leaks are checked separately
    if status in (404, 405):
        return None
    if endpoint.kind == "admin" and redirects_to_login(response, "admin"):
        return None  # worker2 is no superuser
    if endpoint.kind == "api" and status in (400, 422):
        return None  # an empty body is refused before any object is looked up
    return "expected 404 for an object of another grid"


def request(client: Client, method: str, url: str) -> HttpResponse:
    response: HttpResponse = getattr(client, method)(url)
    return response


def check_all(client: Client, world: World, *, outsider: bool) -> list[str]:
    problems: list[str] = []
    checked = 0
    for endpoint in endpoints():
        try:
            url = fill(endpoint, world)
        except UnmappedParameter as exc:
            problems.append(str(exc))
            continue
        statuses = []
        # One token asks every route twice: more than the per-token API rate allows in a
        # minute. The walk checks access, not the rate limit (tests/core/test_throttling.py).
        cache.clear()
        for method in METHODS:
            target = url
            if outsider:
                client.force_login(world.cast.worker2)  # a POST to logout must not stick
                client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.outsider_token}"
                if endpoint.name.startswith("open311:"):
                    target = f"{url}?api_key={world.outsider_token}"
            response = request(client, method, target)
            statuses.append(response.status_code)
            where = f"{method.upper()} {target} ({endpoint.name}) → {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
            if found := leaked(response, world):
                problems.append(f"{where}: shows grid 1's data {found}")
            if endpoint.name in PUBLIC:
                continue
            judge = outsider_problem if outsider else anonymous_problem
            if problem := judge(endpoint, response):
                problems.append(f"{where}: {problem}")
        if statuses == [405] * len(METHODS):
            problems.append(f"{url} ({endpoint.name}): neither GET nor POST was tried for real")
        checked += 1
    assert checked > 50, "the URL walk found too few patterns"
    return problems


@pytest.mark.django_db
def test_anonymous_visitors_get_the_login_redirect_or_nothing(client: Client) -> None:
    problems = check_all(client, build_world(), outsider=False)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_worker_of_another_grid_gets_404_for_every_object(client: Client) -> None:
    problems = check_all(client, build_world(), outsider=True)
    assert not problems, "\n".join(problems)


def test_the_walk_covers_pages_api_open311_and_admin() -> None:
    names = {e.name for e in endpoints()}
    for expected in (
        "people:resident_detail",
        "requests:photo",
        "api-v1:get_request",
        "open311:request",
        "admin:people_resident_change",
    ):
        assert expected in names


def test_allowlist_and_url_map_name_real_urls() -> None:
    names = {e.name for e in endpoints()}
    assert set(PUBLIC) <= names, set(PUBLIC) - names
    assert set(BY_URL) <= names, set(BY_URL) - names
    assert all(reason.strip() for reason in PUBLIC.values())


def _view(request: object, **kwargs: object) -> HttpResponse:
    return HttpResponse()


@pytest.mark.django_db
def test_a_new_page_with_an_unmapped_parameter_fails_with_instructions() -> None:
    world = build_world()
    pattern = path("widgets/<int:widget_pk>/", _view, name="widget_detail")
    new_page = Endpoint(
        route="widgets/<int:widget_pk>/",
        name="widgets:widget_detail",
        parameters=("widget_pk",),
        pattern=pattern,
    )
    with pytest.raises(UnmappedParameter) as raised:
        fill(new_page, world)
    message = str(raised.value)
    assert "'widgets:widget_detail'" in message
    assert "'widget_pk'" in message
    assert "BY_URL" in message
    assert "tests/security/urlmap.py" in message
