"""``linli scale generate``: a coherent larger world, deterministic by seed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from linli.accounts.models import User
from linli.accounts.selectors import forget_cached_scopes
from linli.areas.models import Area, AreaKind
from linli.core import crypto
from linli.core.validators import validate_id_number
from linli.demo.scale import generate
from linli.people.models import Resident
from linli.requests.models import Request, RequestEvent
from linli.requests.selectors import _legacy_visible_requests, visible_requests


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


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people() -> None:
    generate(residents=100, seed=3, log=lambda _line: None)
    first = list(Resident.objects.order_by("pk").values_list("name", "birth_date"))
    Request.objects.all().delete()
    Resident.objects.all().delete()
    out = StringIO()
    call_command("scale", "generate", "--residents", "100", "--seed", "3", stdout=out)
    second = list(Resident.objects.order_by("pk").values_list("name", "birth_date"))
    assert second == first
    assert "完成:100 居民" in out.getvalue()
