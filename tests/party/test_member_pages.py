"""Registering party members and their 先锋岗 on pages (party.manage), not only in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.models import AuditEvent
from linli.party.models import MemberKind, PartyMember, PostKind
from tests.cast import Cast, build_cast
from tests.party.support import PartyCast, build_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return build_cast()


@pytest.fixture
def party(cast: Cast) -> PartyCast:
    return build_party(cast)


def _group1(party: PartyCast) -> int:
    return party.member.organisation_id


def test_staff_register_a_resident_as_a_member_by_id_number(
    cast: Cast, party: PartyCast, client_for: Any
) -> None:
    client = client_for("staff")
    page = client.get(reverse("party:member_new"))
    assert page.status_code == 200
    done = client.post(
        reverse("party:member_new"),
        {
            "organisation": _group1(party),
            "kind": MemberKind.DIRECT,
            "id_number": cast.elder.id_number.lower(),
            "position": "member",
            "grid": cast.grid1.pk,
        },
    )
    member = PartyMember.objects.get(resident=cast.elder)
    assert done.status_code == 302
    assert done["Location"] == reverse("party:member", args=[member.pk])
    assert (member.name, member.community, member.grid) == (
        cast.elder.name,
        cast.community,
        cast.grid1,
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(member.pk)).exists()


def test_the_form_answers_in_chinese(cast: Cast, party: PartyCast, client_for: Any) -> None:
    client = client_for("staff")
    unknown = client.post(
        reverse("party:member_new"),
        {
            "organisation": _group1(party),
            "kind": MemberKind.DIRECT,
            "id_number": "110101199003070000",
            "position": "member",
        },
    ).content.decode()
    assert "本社区登记在册的居民中没有这个身份证号" in unknown
    neither = client.post(
        reverse("party:member_new"),
        {"organisation": _group1(party), "kind": MemberKind.DIRECT, "position": "member"},
    ).content.decode()
    assert "请填写身份证号或登录账号" in neither
    dual = client.post(
        reverse("party:member_new"),
        {
            "organisation": _group1(party),
            "kind": MemberKind.DUAL_REPORT,
            "id_number": cast.elder.id_number,
            "position": "member",
        },
    ).content.decode()
    assert "双报到党员须填写原单位党组织" in dual
    assert not PartyMember.objects.filter(resident=cast.elder).exists()


def test_staff_set_up_a_vanguard_post_with_the_buildings_it_covers(
    cast: Cast, party: PartyCast, client_for: Any
) -> None:
    client = client_for("staff")
    detail = client.get(reverse("party:member", args=[party.member.pk])).content.decode()
    assert "设立先锋岗" in detail
    client.post(
        reverse("party:post_add", args=[party.member.pk]),
        {"kind": PostKind.BUILDING_HEAD, "buildings": [cast.building1.pk], "note": "每周巡楼"},
    )
    post = party.member.posts.get(kind=PostKind.BUILDING_HEAD)
    assert list(post.buildings.all()) == [cast.building1]
    assert post.note == "每周巡楼"


def test_only_party_managers_register_members(
    cast: Cast, party: PartyCast, client_for: Any
) -> None:
    worker = client_for("worker1")  # views and records party days, does not manage members
    assert worker.get(reverse("party:member_new")).status_code == 403
    assert (
        worker.post(
            reverse("party:post_add", args=[party.member.pk]), {"kind": PostKind.SAFETY}
        ).status_code
        == 404
    )
    assert (
        "设立先锋岗"
        not in worker.get(reverse("party:member", args=[party.member.pk])).content.decode()
    )
