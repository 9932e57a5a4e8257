"""Roles see what their role needs: no page or API answer shows a leader, a cadre or a
resident a person's health data, while the care team sees it where they work."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linli.accounts.services import api_token_create
from linli.care.services import alert_close, care_plan_save
from linli.core.roles import Role
from linli.people.models import ResidentTag, Tag, TagCode
from tests.requests.support import person
from tests.security.urlmap import World, build_world, endpoints, fill

pytestmark = pytest.mark.django_db

PLAN_NOTE = "糖尿病饮食,每日服二甲双胍"
CLOSE_NOTE = "已陪同去市中心医院心内科"
HEALTH_MARKERS = ("186/112", PLAN_NOTE, CLOSE_NOTE, "血压异常", "慢性病")


@pytest.fixture
def world() -> World:
    """The security suite's world (an urgent blood-pressure alert for the elder), with a
    care note, a closed alert's note and the 慢性病 tag."""
    world = build_world()
    cast = world.cast
    care_plan_save(
        actor=None, resident=cast.elder, primary_volunteer=world.volunteer, notes=PLAN_NOTE
    )
    alert_close(alert=world.alert, actor=cast.staff, note=CLOSE_NOTE)
    ResidentTag.objects.create(
        resident=cast.elder, tag=Tag.objects.get(code=TagCode.CHRONIC_ILLNESS), detail=""
    )
    person("cadre", Role.CADRE, area=cast.community)
    return world


def _body(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code < 500, url
    raw = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if response.streaming
        else response.content
    )
    return raw.decode("utf-8", errors="replace")


@pytest.mark.parametrize("who", ["leader", "cadre", "resident_user"])
def test_no_page_or_api_answer_shows_health_data_to_a_role_without_it(
    world: World, client: Client, who: str
) -> None:
    from linli.accounts.models import User

    user = getattr(world.cast, who, None) or User.objects.get(username=who)
    client.force_login(user)
    _token, secret = api_token_create(user=user, name="walk")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    shown = []
    for endpoint in endpoints():
        if endpoint.name in {"accounts:logout", "admin:logout"}:
            continue
        url = fill(endpoint, world)
        if endpoint.name.startswith("open311:"):
            url += f"?api_key={secret}"
        body = _body(client, url)
        shown += [f"{url}: {m}" for m in HEALTH_MARKERS if m in body]
    # What the leader may see: that there is a person, a plan and an alert.
    assert shown == [], shown


def test_the_care_team_sees_the_health_data_where_it_works(world: World, client: Client) -> None:
    cast = world.cast
    client.force_login(cast.worker1)
    care_page = _body(client, reverse("care:person", args=[cast.elder.pk]))
    for marker in ("186/112", PLAN_NOTE, CLOSE_NOTE, "血压异常"):
        assert marker in care_page, marker
    assert "慢性病" in _body(client, reverse("people:resident_detail", args=[cast.elder.pk]))


def test_the_leader_still_counts_the_alert(world: World, client: Client) -> None:
    client.force_login(world.cast.leader)
    page = _body(client, reverse("care:alert_list") + "?status=all")
    assert "健康预警" in page
    assert (world.cast.elder.alias or world.cast.elder.name) in page
