"""List pages and home pages run a fixed number of queries however much data there is."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.areas.models import area_children
from linli.areas.services import grid_create
from linli.core.roles import Role
from linli.people.models import Tag, TagCode
from linli.people.services import emergency_contact_add
from tests.cast import Cast
from tests.people.factories import add_building, add_household

ClientFor = Callable[[str], Client]


def _count(client: Client, url: str) -> int:
    client.get(url)  # warm up: sessions, content types, translations
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _grow(cast: Cast, *, step: int) -> None:
    """More buildings, grids, households, residents, tags and contacts in both grids."""
    tags = {
        Tag.objects.get(code=TagCode.LIVING_ALONE): "",
        Tag.objects.get(code=TagCode.CHRONIC_ILLNESS): "高血压",
    }
    grid = grid_create(
        actor=None,
        community=cast.community,
        code=f"141181200001{100 + step:03d}",
        name=f"新网格{step}",
    )
    worker = User.objects.create(username=f"extra-worker{step}")
    role_assign(actor=None, user=worker, role=Role.GRID_WORKER, grid=grid)
    for number, target in (
        (10 + step * 3, cast.grid1),
        (11 + step * 3, cast.grid2),
        (12 + step * 3, grid),
    ):
        building = add_building(cast.compound, target, number, units=2)
        unit = area_children(building).first()
        assert unit is not None
        for _ in range(3):
            household = add_household(unit, members=2, tags=tags)
            first = household.members.first()
            assert first is not None
            emergency_contact_add(
                resident=first, actor=None, name="子女", relation="儿子", phone="13500009999"
            )
    for _ in range(3):
        add_household(cast.unit1, members=2, tags=tags)
        add_household(cast.unit2, members=2, tags=tags)


def _assert_constant(cast: Cast, client: Client, url: str) -> None:
    """The statements do not grow with the data. A list that fits on its first page knows
    its size from its rows and sends no count (``CappedPaginator``); once it is longer
    than a page it counts (one statement, two on PostgreSQL), and sends no more however
    long it grows."""
    counts = [_count(client, url)]
    for step in (1, 2, 3):
        _grow(cast, step=step)
        counts.append(_count(client, url))
    assert counts == sorted(counts), counts
    # the count: one statement, two on PostgreSQL (the planner's estimate first)
    assert counts[-1] - counts[0] <= (2 if connection.vendor == "postgresql" else 1), counts
    assert counts[-1] == counts[-2], counts


@pytest.mark.parametrize("username", ["worker1", "staff", "leader", "admin"])
def test_residents_list_queries_do_not_grow_with_residents(
    cast: Cast, client_for: ClientFor, username: str
) -> None:
    _assert_constant(cast, client_for(username), reverse("people:resident_list"))


def test_filtered_residents_list_queries_do_not_grow(cast: Cast, client_for: ClientFor) -> None:
    living_alone = Tag.objects.get(code=TagCode.LIVING_ALONE)
    url = reverse("people:resident_list") + f"?grid={cast.grid1.pk}&tag={living_alone.pk}"
    _assert_constant(cast, client_for("staff"), url)


@pytest.mark.parametrize("username", ["worker1", "staff"])
def test_households_list_queries_do_not_grow(
    cast: Cast, client_for: ClientFor, username: str
) -> None:
    _assert_constant(cast, client_for(username), reverse("people:household_list"))


def test_community_grids_page_queries_do_not_grow_with_grids_and_buildings(
    cast: Cast, client_for: ClientFor
) -> None:
    url = reverse("people:community_grids", args=[cast.community.pk])
    _assert_constant(cast, client_for("staff"), url)


def test_grid_page_queries_do_not_grow(cast: Cast, client_for: ClientFor) -> None:
    url = reverse("people:grid_detail", args=[cast.grid1.pk])
    _assert_constant(cast, client_for("worker1"), url)


def test_building_page_queries_do_not_grow(cast: Cast, client_for: ClientFor) -> None:
    url = reverse("people:building_detail", args=[cast.building1.pk])
    _assert_constant(cast, client_for("worker1"), url)


@pytest.mark.parametrize("username", ["staff", "worker1", "leader", "admin", "resident"])
def test_home_page_queries_do_not_grow(cast: Cast, client_for: ClientFor, username: str) -> None:
    _assert_constant(cast, client_for(username), reverse("home"))


def test_residents_list_stays_within_a_tight_bound(
    cast: Cast, client_for: ClientFor, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    _grow(cast, step=1)
    client = client_for("worker1")
    client.get(reverse("people:resident_list"))
    with django_assert_max_num_queries(15):
        client.get(reverse("people:resident_list"))


def test_households_list_is_paginated_in_a_stable_order(cast: Cast, client_for: ClientFor) -> None:
    for _ in range(11):
        add_household(cast.unit1)
    for _ in range(11):
        add_household(cast.unit2)
    client = client_for("staff")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        first = client.get(reverse("people:household_list"))
        second = client.get(reverse("people:household_list"), {"page": 2})
    labels = [label for _h, label in first.context["rows"]] + [
        label for _h, label in second.context["rows"]
    ]
    assert len(labels) == 24
    assert labels[0] == "和平小区1号楼1单元101室"
    assert labels[-1] == "和平小区2号楼1单元602室"
