"""``/api/v1/notifications/groups``: community staff attach, replace and remove the WeChat
Work robot of a grid's or a community's staff group, as on the page — and the robot's
webhook key never leaves the deployment's settings."""

from __future__ import annotations

import json

from django.test import Client
from pytest_django.fixtures import Settings

from linli.core.models import AuditEvent
from linli.notifications.models import StaffGroup
from tests.cast import Cast
from tests.requests.test_api import Api

URL = "/api/v1/notifications/groups"
ROBOTS = {"第1网格群": "secret-key-grid1", "和平社区值班群": "secret-key-community"}


def _audits(group_pk: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="notifications.staffgroup", object_id=str(group_pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_staff_set_replace_and_remove_a_grids_robot_audited(
    cast: Cast, client: Client, settings: Settings
) -> None:
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    api = Api(client, cast.staff)

    status, body = api.get(URL)
    assert (status, body) == (200, {"robots": ["和平社区值班群", "第1网格群"], "groups": []})

    status, body = api.post(URL, {"grid": cast.grid1.pk, "robot": "第1网格群"})
    assert status == 200, body
    assert body == {
        "community_id": cast.community.pk,
        "community": cast.community.name,
        "grid_id": cast.grid1.pk,
        "grid": cast.grid1.name,
        "robot": "第1网格群",
        "robot_configured": True,
    }
    group = StaffGroup.objects.get()
    assert (group.grid, group.community, group.robot) == (cast.grid1, None, "第1网格群")

    status, body = api.post(URL, {"grid": cast.grid1.pk, "robot": "和平社区值班群"})
    assert (status, body["robot"]) == (200, "和平社区值班群")
    assert StaffGroup.objects.get().robot == "和平社区值班群"

    status, body = api.get(URL)
    assert [(g["grid_id"], g["robot"]) for g in body["groups"]] == [
        (cast.grid1.pk, "和平社区值班群")
    ]

    status, body = api.post(URL, {"grid": cast.grid1.pk, "robot": None})
    assert (status, body["robot"], body["robot_configured"]) == (200, None, False)
    assert not StaffGroup.objects.exists()
    assert _audits(group.pk) == [
        AuditEvent.Action.CREATE,
        AuditEvent.Action.UPDATE,
        AuditEvent.Action.DELETE,
    ]
    # Removing again changes nothing and records nothing.
    assert api.post(URL, {"grid": cast.grid1.pk, "robot": None})[0] == 200
    assert len(_audits(group.pk)) == 3


def test_a_communitys_group_and_a_robot_no_longer_configured(
    cast: Cast, client: Client, settings: Settings
) -> None:
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    api = Api(client, cast.staff)
    status, body = api.post(URL, {"community": cast.community.pk, "robot": "和平社区值班群"})
    assert (status, body["grid_id"], body["community_id"]) == (200, None, cast.community.pk)
    settings.LINLI_WECOM_ROBOTS = {"第1网格群": "secret-key-grid1"}
    status, body = api.get(URL)
    assert body["robots"] == ["第1网格群"]
    assert [(g["robot"], g["robot_configured"]) for g in body["groups"]] == [
        ("和平社区值班群", False)
    ]


def test_the_webhook_key_is_never_returned(cast: Cast, client: Client, settings: Settings) -> None:
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    api = Api(client, cast.staff)
    answers = [
        api.post(URL, {"grid": cast.grid1.pk, "robot": "第1网格群"})[1],
        api.post(URL, {"community": cast.community.pk, "robot": "和平社区值班群"})[1],
        api.get(URL)[1],
        api.get("/api/v1/openapi.json")[1],
    ]
    text = json.dumps(answers, ensure_ascii=False)
    assert "secret-key" not in text


def test_grid_workers_and_residents_are_refused(
    cast: Cast, client: Client, settings: Settings
) -> None:
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    for user in (cast.worker1, cast.resident_user):
        api = Api(client, user)
        status, body = api.get(URL)
        assert (status, body["code"]) == (403, "not_permitted")
        status, body = api.post(URL, {"grid": cast.grid1.pk, "robot": "第1网格群"})
        assert (status, body["code"]) == (403, "not_permitted")
    assert not StaffGroup.objects.exists()


def test_another_communitys_groups_are_out_of_scope(
    cast: Cast, client: Client, settings: Settings
) -> None:
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    theirs = StaffGroup.objects.create(community=cast.other_community, robot="第1网格群")
    api = Api(client, cast.staff)
    assert api.get(URL)[1]["groups"] == []
    status, body = api.post(URL, {"community": cast.other_community.pk, "robot": None})
    assert (status, body["code"]) == (404, "not_found")
    status, body = api.post(URL, {"community": cast.other_community.pk, "robot": "第1网格群"})
    assert status == 404
    assert StaffGroup.objects.get() == theirs
    assert api.post(URL, {"grid": 999999, "robot": "第1网格群"})[0] == 404


def test_invalid_bodies_are_422_with_the_field(
    cast: Cast, client: Client, settings: Settings
) -> None:
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    api = Api(client, cast.staff)
    status, body = api.post(URL, {"grid": cast.grid1.pk, "robot": "没有的群"})
    assert (status, body["errors"]) == (422, {"robot": ["没有这个群机器人。"]})
    status, body = api.post(URL, {"robot": "第1网格群"})
    assert (status, body["errors"]) == (422, {"__all__": ["请在 community 和 grid 中选填一项。"]})
    status, body = api.post(
        URL, {"grid": cast.grid1.pk, "community": cast.community.pk, "robot": "第1网格群"}
    )
    assert status == 422
    status, body = api.post(URL, {"grid": cast.grid1.pk})
    assert (status, body["errors"]) == (422, {"robot": ["此项必填。"]})
    status, body = api.post(URL, {"grid": cast.grid1.pk, "robot": "群" * 51})
    assert (status, list(body["errors"])) == (422, ["robot"])
    status, body = api.post(URL, {"grid": 0, "robot": "第1网格群"})
    assert (status, list(body["errors"])) == (422, ["grid"])
    assert not StaffGroup.objects.exists()


def test_robot_names_pass_the_boundary_normaliser(
    cast: Cast, client: Client, settings: Settings
) -> None:
    """A name pasted with a stray control character is the configured name."""
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    status, body = Api(client, cast.staff).post(
        URL, {"grid": cast.grid1.pk, "robot": "第1\x00网格群"}
    )
    assert (status, body["robot"]) == (200, "第1网格群")
