"""Who sees which requests, and how each person stands to one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from pytest_django.fixtures import DjangoAssertNumQueries

from linli.accounts.models import User
from linli.core.roles import Role
from linli.requests.models import Channel, Request
from linli.requests.selectors import actor_relations, request_get_for_user, visible_requests
from linli.requests.services import request_submit
from linli.requests.workflow import Actor, Status
from tests.cast import Cast
from tests.requests.support import file_request, move, person


@dataclass
class World:
    in_grid1: Request  # 王秀兰's own, at 1号楼1单元
    in_grid2: Request  # 李建军's, at 2号楼, reported by phone
    community_level: Request  # known only to the community: waits for dispatch
    elsewhere: Request  # in 友谊社区


@pytest.fixture
def world(cast: Cast) -> World:
    return World(
        in_grid1=file_request(cast),
        in_grid2=request_submit(
            submitted_by=cast.staff,
            reporter=cast.neighbour,
            text="楼下有人乱停车堵了消防通道",
            channel=Channel.PHONE,
            location=cast.building2,
        ),
        community_level=request_submit(
            submitted_by=cast.staff,
            text="社区广场路灯不亮",
            channel=Channel.PATROL,
            location=cast.community,
        ),
        elsewhere=request_submit(
            submitted_by=cast.admin,
            text="友谊社区门口积水",
            channel=Channel.PHONE,
            location=cast.other_community,
        ),
    )


def _seen(user: User | AnonymousUser) -> set[int]:
    return set(visible_requests(user).values_list("pk", flat=True))


def _pks(*requests: Request) -> set[int]:
    return {r.pk for r in requests}


def test_a_grid_worker_sees_their_grids_requests_only(cast: Cast, world: World) -> None:
    assert _seen(cast.worker1) == _pks(world.in_grid1)
    assert _seen(cast.worker2) == _pks(world.in_grid2)


def test_the_resident_sees_only_their_own_requests(cast: Cast, world: World) -> None:
    neighbour_request_in_own_building = request_submit(
        submitted_by=cast.staff,
        reporter=cast.neighbour,
        text="1号楼1单元楼道灯坏了",
        channel=Channel.PHONE,
        location=cast.unit1,
    )

    assert neighbour_request_in_own_building.pk not in _seen(cast.resident_user)
    assert _seen(cast.resident_user) == _pks(world.in_grid1)


def test_staff_see_everything_in_their_community(cast: Cast, world: World) -> None:
    assert _seen(cast.staff) == _pks(world.in_grid1, world.in_grid2, world.community_level)


def test_the_leader_sees_every_request_in_the_town(cast: Cast, world: World) -> None:
    assert _seen(cast.leader) == _pks(
        world.in_grid1, world.in_grid2, world.community_level, world.elsewhere
    )


def test_the_superuser_sees_everything(cast: Cast, world: World) -> None:
    assert _seen(cast.admin) == set(Request.objects.values_list("pk", flat=True))


def test_nobody_anonymous_or_without_a_role_sees_anything(cast: Cast, world: World) -> None:
    assert _seen(AnonymousUser()) == set()
    assert _seen(person("nobody", Role.PARTNER, area=cast.community)) == set()
    assert _seen(cast.volunteer_user) == set()


def test_an_unlocated_community_request_is_for_staff_not_grid_workers(
    cast: Cast, world: World
) -> None:
    assert world.community_level.grid is None
    assert world.community_level.pk in _seen(cast.staff)
    assert world.community_level.pk not in _seen(cast.worker1)
    assert world.community_level.pk not in _seen(cast.worker2)


def test_a_grid_worker_sees_what_is_assigned_to_them_outside_their_grid(
    cast: Cast, world: World
) -> None:
    request = move(world.community_level, Status.ACCEPTED, cast.staff)
    move(request, Status.ASSIGNED, cast.staff, assignee=cast.worker2)

    assert _seen(cast.worker2) == _pks(world.in_grid2, world.community_level)
    assert world.community_level.pk not in _seen(cast.worker1)


def test_whoever_filed_a_request_sees_it(cast: Cast, world: World) -> None:
    filed_by_worker = request_submit(
        submitted_by=cast.worker1,
        text="2号楼门前井盖缺失",
        channel=Channel.PATROL,
        location=cast.building2,
    )

    assert filed_by_worker.pk in _seen(cast.worker1)


def test_a_cadre_sees_the_requests_of_their_area(cast: Cast, world: World) -> None:
    cadre = person("包片张", Role.CADRE, grid=cast.grid2)

    assert _seen(cadre) == _pks(world.in_grid2)


# --- one request by id ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "which"),
    [
        ("worker1", "in_grid2"),
        ("worker1", "community_level"),
        ("worker2", "in_grid1"),
        ("resident_user", "in_grid2"),
        ("resident_user", "community_level"),
        ("staff", "elsewhere"),
        ("volunteer_user", "in_grid1"),
    ],
)
def test_a_request_outside_the_users_scope_is_not_found(
    cast: Cast, world: World, who: str, which: str
) -> None:
    with pytest.raises(Http404):
        request_get_for_user(user=getattr(cast, who), pk=getattr(world, which).pk)


def test_an_anonymous_user_finds_nothing(world: World) -> None:
    with pytest.raises(Http404):
        request_get_for_user(user=AnonymousUser(), pk=world.in_grid1.pk)


def test_a_missing_request_is_not_found(cast: Cast) -> None:
    with pytest.raises(Http404):
        request_get_for_user(user=cast.admin, pk=987654)


@pytest.mark.parametrize(
    ("who", "which"),
    [
        ("worker1", "in_grid1"),
        ("worker2", "in_grid2"),
        ("resident_user", "in_grid1"),
        ("staff", "community_level"),
        ("leader", "elsewhere"),
    ],
)
def test_a_request_in_scope_is_found_with_its_relations_loaded(
    cast: Cast,
    world: World,
    who: str,
    which: str,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    wanted: Request = getattr(world, which)

    found = request_get_for_user(user=getattr(cast, who), pk=wanted.pk)

    assert found == wanted
    with django_assert_num_queries(0):
        # What a detail page shows comes with the request, in the one query.
        shown = (found.category.name, found.location.name, found.community.name, found.text)
    # Filed without a category, so triage chose it from the text.
    assert (
        shown[0]
        == {
            "in_grid1": "设施维修",  # 楼道灯不亮了
            "in_grid2": "安全隐患",  # 乱停车堵了消防通道
            "community_level": "设施维修",  # 路灯不亮
            "elsewhere": "其他",  # 友谊社区门口积水: too unsure to choose (confidence < 0.6)
        }[which]
    )
    assert shown[3] == wanted.text


# --- relations -----------------------------------------------------------------------------


DISPATCH_VERIFY = frozenset({Actor.DISPATCHER, Actor.VERIFIER, Actor.FOLLOW_UP})


@pytest.mark.parametrize(
    ("who", "relations"),
    [
        ("worker1", frozenset({Actor.ASSIGNEE})),
        ("worker2", frozenset()),
        ("resident_user", frozenset({Actor.REPORTER})),
        ("staff", DISPATCH_VERIFY),
        ("admin", DISPATCH_VERIFY),
        ("leader", frozenset()),
        ("volunteer_user", frozenset()),
    ],
)
def test_how_each_role_stands_to_a_request_in_grid1(
    cast: Cast, world: World, who: str, relations: frozenset[Actor]
) -> None:
    assert actor_relations(getattr(cast, who), world.in_grid1) == relations


def test_an_anonymous_user_has_no_relation(world: World) -> None:
    assert actor_relations(AnonymousUser(), world.in_grid1) == frozenset()


def test_a_dispatcher_of_another_community_has_no_relation(cast: Cast, world: World) -> None:
    outsider = person("友谊社工", Role.STAFF, area=cast.other_community)

    assert actor_relations(outsider, world.in_grid1) == frozenset()
    assert actor_relations(outsider, world.elsewhere) == DISPATCH_VERIFY


def test_a_committee_member_over_grid1_dispatches_there_only(cast: Cast, world: World) -> None:
    member = person("两委赵", Role.COMMITTEE, grid=cast.grid1)

    assert actor_relations(member, world.in_grid1) == DISPATCH_VERIFY
    assert actor_relations(member, world.in_grid2) == frozenset()
    assert actor_relations(member, world.community_level) == frozenset()


def test_the_resolver_stays_a_follow_up_caller_but_not_a_verifier(cast: Cast) -> None:
    staff2 = person("staff2", Role.STAFF, area=cast.community)
    request = request_submit(
        submitted_by=cast.staff, text="广场长椅坏了", channel=Channel.PATROL, location=cast.compound
    )
    move(request, Status.ACCEPTED, cast.staff)
    move(request, Status.ASSIGNED, cast.staff, assignee=staff2)
    move(request, Status.IN_PROGRESS, staff2)

    assert actor_relations(staff2, request) == DISPATCH_VERIFY | {Actor.ASSIGNEE}
    move(request, Status.RESOLVED, staff2, note="已更换")
    assert actor_relations(staff2, request) == {Actor.DISPATCHER, Actor.FOLLOW_UP, Actor.ASSIGNEE}
    # Whoever filed it without naming a resident answers the follow-up as its reporter.
    assert actor_relations(cast.staff, request) == DISPATCH_VERIFY | {Actor.REPORTER}


def test_the_phone_reporter_is_the_resident_not_the_staff_who_typed_it(
    cast: Cast, world: World
) -> None:
    assert Actor.REPORTER not in actor_relations(cast.staff, world.in_grid2)
    assert cast.neighbour.user is None
