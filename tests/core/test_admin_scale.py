"""The admin at the register's size: keys to large tables are record numbers, and its
lists and pages send the same statements however many rows there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linli.areas.models import AreaKind
from linli.areas.services import area_create
from linli.people.models import Gender, Resident
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _admin(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.admin)
    return client


def _statements(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_keys_to_the_register_are_record_numbers_not_selects(cast: Cast) -> None:
    client = _admin(cast)
    patrol = client.get("/admin/fieldwork/patrol/add/").content.decode()
    assert '<select name="buildings"' not in patrol
    assert 'class="vManyToManyRawIdAdminField"' in patrol
    survey = client.get("/admin/surveys/survey/add/").content.decode()
    assert '<select name="audience_area"' not in survey
    assert 'name="audience_area"' in survey
    assert f'<option value="{cast.unit1.pk}"' not in survey
    # As for a field named in raw_id_fields: no edit, delete or view buttons, which the
    # admin's script only brings to life beside a select.
    for button in ("change_id_audience_area", "delete_id_audience_area", "view_id_audience_area"):
        assert f'id="{button}"' not in survey


def test_a_record_number_list_has_a_limit(cast: Cast) -> None:
    """A comma list is one field to Django's field limit: 260,000 numbers were more SQL
    variables than SQLite takes."""
    response = _admin(cast).post(
        "/admin/fieldwork/patrol/add/",
        {"buildings": ",".join(str(n) for n in range(1, 1002))},
    )
    assert response.status_code == 200
    assert "一次最多选择 1000 项。" in response.content.decode()


def test_the_residents_list_does_not_ask_again_for_each_row(cast: Cast) -> None:
    client = _admin(cast)
    before = _statements(client, "/admin/people/resident/")
    for n in range(5):
        Resident.objects.create(
            name=f"居民{n}",
            gender=Gender.FEMALE,
            birth_date=dt.date(1950, 1, 1),
            household=cast.household1,
            area=cast.unit1,
        )
    assert _statements(client, "/admin/people/resident/") == before


def test_an_areas_page_does_not_read_the_areas_below_it(cast: Cast) -> None:
    client = _admin(cast)
    url = f"/admin/areas/area/{cast.county.pk}/change/"
    before = _statements(client, url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    below = cast.county.path + "%"
    assert not [q for q in captured.captured_queries if "LIKE" in q["sql"] and below in q["sql"]]
    for n in range(3):
        area_create(
            actor=None,
            parent=cast.community,
            kind=AreaKind.COMPOUND,
            name=f"小区{n}",
            code=f"{cast.community.code}5{n}0",
        )
    assert _statements(client, url) == before
