"""Anonymisation reaches everything: after it, the person's name and numbers are in no
table (but the tamper-evident security log) and on no page or API answer of the URL map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import Client

from linli.accounts.services import api_token_create
from linli.care.models import Alert, AlertStatus, CarePlan, Visit
from linli.care.selectors import care_personal_scope
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.privacy.services import resident_anonymise
from linli.requests.personal_data import REQUEST_RETENTION_DAYS
from linli.requests.workflow import Status
from linli.rosters.models import RosterAssignment
from linli.rosters.services import roster_generate
from linli.volunteers.models import ServiceRecord
from linli.volunteers.services import volunteer_update
from tests.requests.support import local, move
from tests.security.urlmap import World, build_world, endpoints, fill

pytestmark = pytest.mark.django_db

# The security log must stay as it was written (hash chain, kept ≥ 6 months by law): its
# table and the pages that show it (to auditors only) are the one exception.
EXEMPT = {AuditEvent}
EXEMPT_PAGES = ("/audit/", "/admin/core/auditevent/")


@pytest.fixture
def anonymised() -> Iterator[tuple[World, list[str]]]:
    """The security suite's world, its elder's request closed half a year ago, a roster
    built, and then the elder anonymised on request."""
    with time_machine.travel(local(2026, 6, 1, 9), tick=True):
        world = build_world()
        cast = world.cast
        move(world.request, Status.IN_PROGRESS, cast.worker1)
        move(world.request, Status.RESOLVED, cast.worker1, note="已处理")
        move(world.request, Status.CLOSED, cast.staff)
        volunteer_update(
            actor=None,
            volunteer=world.volunteer,
            kind=world.volunteer.kind,
            grid=world.volunteer.grid,
            active=True,
            availability=[(0, "morning"), (3, "morning")],
        )
        roster_generate(actor=None, communities=[cast.community], week_start=dt.date(2026, 6, 8))
        assert RosterAssignment.objects.filter(resident=cast.elder).exists()
    elder = cast.elder
    secrets = [s for s in (elder.name, elder.alias, elder.phone, elder.id_number) if s]
    later = local(2026, 6, 2, 9) + dt.timedelta(days=REQUEST_RETENTION_DAYS)
    with time_machine.travel(later, tick=True):
        resident_anonymise(actor=cast.staff, resident=elder, confirmed=True)
        yield world, secrets


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def test_the_name_and_numbers_are_in_no_table(anonymised: tuple[World, list[str]]) -> None:
    _world, secrets = anonymised
    found = []
    for model in apps.get_models():
        if model in EXEMPT or not _text_fields(model):
            continue
        for row in model._default_manager.all().values_list(*_text_fields(model)):
            for value in row:
                text = str(value)
                found += [f"{model._meta.label}: {text[:80]}" for s in secrets if s in text]
    assert found == []


def test_care_ends_and_keeps_only_what_statistics_need(
    anonymised: tuple[World, list[str]],
) -> None:
    world, _secrets = anonymised
    elder = world.cast.elder
    plan = CarePlan.objects.get(resident=elder)
    assert (plan.active, plan.notes, plan.primary_volunteer) == (False, "", None)
    visit = Visit.objects.get(resident=elder)
    assert (visit.has_readings, visit.note, visit.concern) == (False, "", "")
    assert not Alert.objects.filter(resident=elder).exclude(status=AlertStatus.CLOSED).exists()
    # The volunteer keeps their hours, not the name of whom they served.
    record = ServiceRecord.objects.get(volunteer=world.volunteer)
    assert record.minutes > 0
    assert "已匿名" in record.content
    assert not RosterAssignment.objects.filter(resident=elder).exists()
    # The volunteer's scope no longer reaches her.
    assert (
        elder.pk not in care_personal_scope(world.cast.volunteer_user, Role.VOLUNTEER).resident_ids
    )


@pytest.mark.parametrize("who", ["admin", "staff", "worker1", "volunteer_user", "leader"])
def test_no_page_or_api_answer_shows_her(
    anonymised: tuple[World, list[str]], client: Client, who: str
) -> None:
    world, secrets = anonymised
    user = getattr(world.cast, who)
    client.force_login(user)
    _token, secret = api_token_create(user=user, name="walk")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    shown = []
    checked = 0
    for endpoint in endpoints():
        if endpoint.name in {"accounts:logout", "admin:logout"}:
            continue
        # django-otp's device pages take a device id the URL map cannot name (it fills a
        # user's id), and they answer an unknown id with an error; they hold no residents.
        if endpoint.name.startswith("admin:otp_totp_totpdevice_"):
            continue
        url = fill(endpoint, world)
        if url.startswith(EXEMPT_PAGES):
            continue
        if endpoint.name.startswith("open311:"):
            url += f"?api_key={secret}"
        response = client.get(url)
        assert response.status_code < 500, url
        raw = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
        body = raw.decode("utf-8", errors="replace")
        shown += [f"{url}: {s}" for s in secrets if s in body]
        checked += 1
    assert checked > 50
    assert shown == [], shown
