"""``linli scale generate``: a coherent larger world, deterministic by seed."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import forget_cached_scopes
from linli.areas.models import Area, AreaKind
from linli.care.models import CarePlan, Visit
from linli.care.services import plans_place_refresh
from linli.core import crypto
from linli.core.validators import validate_id_number
from linli.demo.scale import generate
from linli.people.models import Resident, TagCode, age_on
from linli.requests.models import Request, RequestEvent
from linli.requests.selectors import _legacy_visible_requests, visible_requests
from linli.volunteers.models import ServiceRecord, ServiceSource, Volunteer


@pytest.mark.django_db
def test_the_generated_world_is_coherent_and_scoped_as_before() -> None:
    report = generate(residents=800, seed=7, log=lambda _line: None)

    assert report.residents == Resident.objects.count() == 800
    assert report.requests == Request.objects.count() == 800
    assert report.events == RequestEvent.objects.count() > 800
    for resident in Resident.objects.order_by("pk")[:50]:
        assert validate_id_number(resident.id_number) == resident.id_number
        assert resident.phone_hash == crypto.blind_index("phone", resident.phone)
    # Stored encrypted: the column does not hold the number.
    first = Resident.objects.order_by("pk")[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_resident WHERE id = %s", [first.pk])
        row = cursor.fetchone()
    assert row is not None
    assert first.phone.isdigit()
    assert first.phone not in str(row[0])
    for request in Request.objects.select_related("location", "community", "grid")[:100]:
        assert request.location.path.startswith(request.community.path)
        assert request.community.kind == AreaKind.COMMUNITY
        assert request.grid is not None
        assert request.grid.community_id == request.community_id
    assert Area.objects.filter(kind=AreaKind.UNIT).count() >= 800 / 2.5 / 12
    for user in User.objects.filter(username__startswith="scale-"):
        forget_cached_scopes(user)
        new = set(visible_requests(user).values_list("pk", flat=True))
        old = set(_legacy_visible_requests(user).values_list("pk", flat=True))
        assert new == old
        assert new

    # Care: plans only for people over 70 living alone (tagged, alone in the household),
    # a year of visits without readings, each volunteer's visit credited once.
    assert report.care_plans == CarePlan.objects.count() > 0
    today = timezone.localdate()
    plans = CarePlan.objects.select_related(
        "resident__area", "primary_volunteer__community", "community"
    )
    for plan in plans:
        person = plan.resident
        assert age_on(person.birth_date, today) >= 70
        assert person.tags.filter(code=TagCode.LIVING_ALONE).exists()
        assert person.household_id is not None
        assert Resident.objects.filter(household_id=person.household_id).count() == 1
        assert plan.primary_volunteer is not None
        assert person.area is not None
        assert person.area.path.startswith(plan.primary_volunteer.community.path)
        # The community the plan keeps, loaded with it (what plans_place_refresh would set).
        assert plan.community == plan.primary_volunteer.community
        assert plan.backup_volunteer_id != plan.primary_volunteer_id
    # What the generator loaded is what plans_place_refresh keeps.
    loaded = dict(CarePlan.objects.values_list("pk", "community_id"))
    assert plans_place_refresh(CarePlan.objects.all()) == len(loaded)
    assert dict(CarePlan.objects.values_list("pk", "community_id")) == loaded
    assert report.visits == Visit.objects.count() > report.care_plans * 30
    assert not Visit.objects.exclude(readings_encrypted="").exists()
    assert report.volunteers == Volunteer.objects.filter(resident__isnull=False).count() > 0
    records = ServiceRecord.objects.filter(source=ServiceSource.VISIT)
    assert report.service_records == records.count() == Visit.objects.count()
    visit = Visit.objects.order_by("pk").first()
    assert visit is not None
    record = records.get(source_id=str(visit.pk))
    assert record.volunteer_id == visit.volunteer_id
    assert record.started_at == visit.visited_at
    assert record.minutes == (visit.duration_minutes or {"home": 30, "phone": 10}[visit.kind])


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people() -> None:
    generate(residents=100, seed=3, log=lambda _line: None)
    first = list(Resident.objects.order_by("pk").values_list("name", "birth_date"))
    visits = list(Visit.objects.order_by("pk").values_list("visited_at", "kind", "services"))
    assert visits
    ServiceRecord.objects.all().delete()
    Volunteer.objects.all().delete()
    Request.objects.all().delete()
    Resident.objects.all().delete()
    out = StringIO()
    call_command("scale", "generate", "--residents", "100", "--seed", "3", stdout=out)
    second = list(Resident.objects.order_by("pk").values_list("name", "birth_date"))
    assert second == first
    again = list(Visit.objects.order_by("pk").values_list("visited_at", "kind", "services"))
    assert [(kind, services) for _at, kind, services in again] == [
        (kind, services) for _at, kind, services in visits
    ]
    assert "完成:100 居民" in out.getvalue()
    assert "各步用时:区域" in out.getvalue()


@pytest.mark.django_db
def test_load_test_accounts_log_in_and_take_a_new_password(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(residents=800, seed=5, log=lambda _line: None)
    monkeypatch.setenv("LINLI_SCALE_PASSWORD", "load-test-password-1")
    out, listing = StringIO(), tmp_path / "accounts.json"
    call_command("scale", "accounts", "--grids", "2", "--out", str(listing), stdout=out)
    accounts = json.loads(listing.read_text(encoding="utf-8"))
    assert "压力测试账号:居民 2,网格员 2" in out.getvalue()
    assert len(set(accounts["grid_workers"])) == 2  # the two grids of 800 residents
    assert all(name.startswith("scale-gw-") for name in accounts["grid_workers"])
    assert all(name.startswith("scale-staff-") for name in accounts["staff"])
    assert all(name.startswith("scale-leader-") for name in accounts["leaders"])
    everyone = [name for names in accounts.values() for name in names]
    for user in User.objects.filter(username__in=everyone):
        assert user.check_password("load-test-password-1")
    assert User.objects.filter(username__in=everyone).count() == len(everyone)
    # Each resident account belongs to a generated resident who filed in that grid.
    for username, worker in zip(accounts["residents"], accounts["grid_workers"], strict=True):
        resident = Resident.objects.get(user__username=username)
        grid = RoleAssignment.objects.get(user__username=worker).grid
        assert Request.objects.filter(reporter=resident, grid=grid).exists()
    # Nobody else can log in: the generator's other people keep unusable passwords.
    others = User.objects.filter(username__startswith="scale-").exclude(username__in=everyone)
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)

    response = client.post(
        "/accounts/login/",
        {"username": accounts["residents"][0], "password": "load-test-password-1"},
    )
    assert response.status_code == 302

    # Again, with a new password (a new topology): the same people, no new accounts.
    users = User.objects.count()
    monkeypatch.setenv("LINLI_SCALE_PASSWORD", "another-password-22")
    call_command("scale", "accounts", "--grids", "2", "--out", str(listing), stdout=StringIO())
    assert json.loads(listing.read_text(encoding="utf-8")) == accounts
    assert User.objects.count() == users
    for user in User.objects.filter(username__in=everyone):
        assert user.check_password("another-password-22")


@pytest.mark.django_db
def test_load_test_accounts_need_a_password_and_a_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = str(tmp_path / "accounts.json")
    monkeypatch.delenv("LINLI_SCALE_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="LINLI_SCALE_PASSWORD"):
        call_command("scale", "accounts", "--out", listing)
    monkeypatch.setenv("LINLI_SCALE_PASSWORD", "load-test-password-1")
    with pytest.raises(CommandError, match="linli scale generate"):
        call_command("scale", "accounts", "--out", listing)


@pytest.mark.django_db
def test_what_went_overdue_in_the_generated_year_was_escalated_then() -> None:
    """The first escalation sweep after generating finds nothing to do: every open request
    past its deadline carries its escalation and one escalation event, as the sweep writes
    them (else it would escalate and notify thousands at once)."""
    from linli.requests.selectors import overdue
    from linli.requests.services import requests_escalate_overdue

    generate(residents=800, seed=5, log=lambda _line: None)
    now = timezone.now()
    late = overdue(Request.objects.all(), now)
    assert late.exists()
    assert not late.filter(escalated_at=None).exists()
    for request in late[:50]:
        assert request.escalated_at is not None
        assert request.due_at < request.escalated_at <= now
        events = RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.ESCALATION)
        assert events.count() == 1
    assert not RequestEvent.objects.filter(
        kind=RequestEvent.Kind.ESCALATION, request__escalated_at=None
    ).exists()
    assert requests_escalate_overdue(now=now) == 0
