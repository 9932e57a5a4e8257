"""Whole numbers from outside (record numbers in query strings and forms, a timestamp in a
cookie) pass one parser, ``core.numbers.whole_number``.

``str.isdigit`` took ``²`` — which ``int`` refuses, a 500 — and said nothing of size, so a
20-digit number overflowed the database. The hostile probe found both on pages; the
fuzzer's values now carry ``²`` too, so a new page that reads a number the old way fails
there as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from linli.activities.models import Activity
from linli.core.numbers import MAX_ID, whole_number
from linli.core.replica import PIN_COOKIE, pinned_to_primary
from tests.security.urlmap import World, build_world

pytestmark = pytest.mark.django_db

SUPERSCRIPT = "²"
HUGE = "99999999999999999999"
LINLI = Path(__file__).resolve().parents[2] / "linli"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("0", 0),
        ("42", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (HUGE, None),
        (SUPERSCRIPT, None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, a browser never sends them
        ("１２", None),  # full-width
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1_000", None),
        ("", None),
        (None, None),
        (["1"], None),
    ],
)
def test_only_ascii_digits_within_64_bits_are_a_number(raw: object, number: int | None) -> None:
    assert whole_number(raw) == number


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize("value", [SUPERSCRIPT, HUGE])
@pytest.mark.parametrize(
    ("name", "parameters"),
    [
        ("people:household_list", ["building"]),
        ("people:resident_create", ["household"]),
        ("party:ranking", ["organisation"]),
        ("imports:export_residents", ["grid", "building", "tag"]),
        ("imports:export_households", ["building"]),
    ],
)
def test_a_record_number_in_a_query_string_that_is_no_number_is_not_a_500(
    world: World, client: Client, name: str, parameters: list[str], value: str
) -> None:
    client.force_login(world.cast.staff)
    response = client.get(reverse(name), dict.fromkeys(parameters, value))
    assert response.status_code in (200, 404), (name, response.status_code)


@pytest.mark.parametrize("value", [SUPERSCRIPT, HUGE])
def test_record_numbers_in_posted_forms_that_are_no_numbers_are_refused(
    world: World, client: Client, value: str
) -> None:
    client.force_login(world.cast.staff)
    checks = [
        (reverse("volunteers:hours_approve"), {"ids": value}),
        (reverse("activities:attendance", args=[world.activity.pk]), {"signup": value}),
        (reverse("requests:intake"), {"step": "file", "community": value}),
    ]
    for url, data in checks:
        response = client.post(url, data)
        assert 400 <= response.status_code < 500, (url, response.status_code)


def test_an_activity_naming_an_organisation_by_a_huge_number_gets_a_field_error(
    world: World, client: Client
) -> None:
    client.force_login(world.cast.staff)
    before = Activity.objects.count()
    response = client.post(
        reverse("activities:create"), {"title": "义诊", "organisers": HUGE, "partners": SUPERSCRIPT}
    )
    assert response.status_code in (200, 400)
    form = response.context["form"]
    assert form.has_error("organisers", "invalid_pk_value")
    assert form.has_error("partners", "invalid_pk_value")
    assert Activity.objects.count() == before


def test_a_timestamp_cookie_that_is_no_number_is_ignored(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.COOKIES[PIN_COOKIE] = SUPERSCRIPT
    assert pinned_to_primary(request) is False


def test_every_form_choosing_several_records_bounds_their_numbers() -> None:
    """Django's ModelMultipleChoiceField lets a 20-digit number reach the database;
    ``core.forms.RecordChoicesField`` refuses it first."""
    offenders = []
    for path in LINLI.rglob("*.py"):
        if path == LINLI / "core" / "forms.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "ModelMultipleChoiceField":
                offenders.append(f"{path.relative_to(LINLI)}:{node.lineno}")
    assert offenders == []
