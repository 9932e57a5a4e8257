"""Resident.area: where a person belongs, with or without a household, and so whose
scope covers them (a person registered 「暂不登记住户」 is not lost to the register)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from linli.accounts.services import role_assign
from linli.areas.models import Area, AreaKind
from linli.care.models import CarePlan
from linli.care.selectors import care_team_of, visible_plans
from linli.care.services import care_plan_save
from linli.core.roles import Role
from linli.people.models import Resident
from linli.people.services import ResidentData, household_update, resident_create, resident_update
from linli.privacy.services import resident_anonymise
from tests.cast import Cast, make_user
from tests.people.factories import add_building

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]


def _register_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "周新来",
        "alias": "",
        "gender": "male",
        "birth_date": "1985-04-12",
        "id_number": "",
        "phone": "",
        "household": "",
        "area": "",
        "relation_to_head": "head",
        "notes": "刚搬来,还没有租房合同",
    }
    form.update(overrides)
    return form


def _other_community_staff(cast: Cast) -> str:
    user = make_user("staff_other", "友谊社工")
    role_assign(actor=None, user=user, role=Role.STAFF, area=cast.other_community)
    return user.username


def _can_open(client: Client, resident: Resident) -> bool:
    status = client.get(reverse("people:resident_detail", args=[resident.pk])).status_code
    assert status in (200, 404)
    return status == 200


# --- registering without a household ----------------------------------------------------


def test_staff_registers_a_person_without_a_household_at_the_compound_and_keeps_them(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("staff")
    response = client.post(reverse("people:resident_create"), _register_form(area=cast.compound.pk))
    assert response.status_code == 302
    resident = Resident.objects.get(name="周新来")
    assert resident.household is None
    assert resident.area == cast.compound
    assert response["Location"] == reverse("people:resident_detail", args=[resident.pk])

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "和平社区和平小区" in page.content.decode()
    assert "周新来" in client.get(reverse("people:resident_list")).content.decode()

    edit_url = reverse("people:resident_edit", args=[resident.pk])
    assert client.get(edit_url).context["form"]["area"].value() == cast.compound.pk
    edited = client.post(edit_url, _register_form(area=cast.compound.pk, alias="小周"))
    assert edited.status_code == 302
    resident.refresh_from_db()
    assert resident.alias == "小周"

    export = client.post(reverse("people:personal_data", args=[resident.pk]), {"format": "json"})
    assert export.status_code == 200
    assert json.loads(export.content)["name"] == "周新来"

    anonymised = client.post(reverse("people:anonymise", args=[resident.pk]), {"confirm": "on"})
    assert anonymised.status_code == 302
    resident.refresh_from_db()
    assert resident.anonymised_at is not None
    assert resident.area == cast.compound  # still counted in the compound


def test_compound_level_person_is_out_of_every_grid_and_of_the_next_community(
    cast: Cast, client_for: ClientFor
) -> None:
    resident = resident_create(
        actor=cast.staff,
        data=ResidentData(
            name="周新来", gender="male", birth_date=dt.date(1985, 4, 12), area=cast.compound
        ),
    )
    other_staff = _other_community_staff(cast)
    for username in ("worker1", "worker2", other_staff):
        client = client_for(username)
        assert not _can_open(client, resident), username
        assert client.get(reverse("people:resident_edit", args=[resident.pk])).status_code == 404


def test_person_placed_in_a_building_belongs_to_that_buildings_grid(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("staff")
    client.post(reverse("people:resident_create"), _register_form(area=cast.building1.pk))
    resident = Resident.objects.get(name="周新来")
    assert resident.area == cast.building1

    worker = client_for("worker1")
    assert _can_open(worker, resident)
    edit_url = reverse("people:resident_edit", args=[resident.pk])
    assert worker.get(edit_url).status_code == 200
    saved = worker.post(edit_url, _register_form(area=cast.building1.pk, alias="小周"))
    assert saved.status_code == 302
    resident.refresh_from_db()
    assert resident.alias == "小周"
    # Grid workers export and anonymise nobody (the role table); the 404 says nothing.
    assert worker.post(reverse("people:personal_data", args=[resident.pk])).status_code == 404

    other_staff = _other_community_staff(cast)
    for username in ("worker2", other_staff):
        outsider = client_for(username)
        assert not _can_open(outsider, resident), username
        assert outsider.get(edit_url).status_code == 404
        assert (
            outsider.post(
                reverse("people:personal_data", args=[resident.pk]), {"format": "json"}
            ).status_code
            == 404
        )
        assert (
            outsider.post(
                reverse("people:anonymise", args=[resident.pk]), {"confirm": "on"}
            ).status_code
            == 404
        )

    staff = client_for("staff")
    assert (
        staff.post(
            reverse("people:personal_data", args=[resident.pk]), {"format": "json"}
        ).status_code
        == 200
    )
    assert (
        staff.post(reverse("people:anonymise", args=[resident.pk]), {"confirm": "on"}).status_code
        == 302
    )
    resident.refresh_from_db()
    assert resident.anonymised_at is not None
    assert resident.area == cast.compound  # coarsened: no longer the building


def test_grid_worker_is_offered_only_the_buildings_of_their_grid(
    cast: Cast, client_for: ClientFor
) -> None:
    choices = dict(
        client_for("worker1")
        .get(reverse("people:resident_create"))
        .context["form"]
        .fields["area"]
        .choices
    )
    assert cast.building1.pk in choices
    assert cast.building2.pk not in choices
    assert cast.compound.pk not in choices
    assert cast.community.pk not in choices

    staff_choices = dict(
        client_for("staff")
        .get(reverse("people:resident_create"))
        .context["form"]
        .fields["area"]
        .choices
    )
    assert {cast.community.pk, cast.compound.pk, cast.building1.pk, cast.building2.pk} <= set(
        staff_choices
    )
    assert cast.unit1.pk not in staff_choices
    assert cast.other_community.pk not in staff_choices


def test_a_place_outside_the_editors_scope_is_refused(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("worker1").post(
        reverse("people:resident_create"), _register_form(area=cast.building2.pk)
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not Resident.objects.filter(name="周新来").exists()


def test_form_without_household_or_place_is_refused_in_chinese(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("staff").post(
        reverse("people:resident_create"), _register_form(id_number="141181198504120014")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["area"] == ["未登记住户的居民,请选择其所属的社区、小区或楼栋。"]
    content = response.content.decode()
    assert "未登记住户的居民,请选择其所属的社区、小区或楼栋。" in content
    assert "刚搬来,还没有租房合同" in content  # nothing typed is lost
    assert not Resident.objects.filter(name="周新来").exists()


def test_a_unit_is_not_a_place_without_a_room(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        resident_create(
            actor=None,
            data=ResidentData(
                name="周新来", gender="male", birth_date=dt.date(1985, 4, 12), area=cast.unit1
            ),
        )
    assert caught.value.message_dict == {"area": ["所属区域只能是社区、小区或楼栋。"]}


# --- area follows the household ----------------------------------------------------------


def test_a_resident_with_a_household_belongs_to_its_unit(cast: Cast) -> None:
    assert cast.elder.area == cast.unit1
    assert cast.neighbour.area == cast.unit2
    # A place given together with a household is ignored: the flat says where they live.
    resident = resident_create(
        actor=None,
        data=ResidentData(
            name="周新来",
            gender="male",
            birth_date=dt.date(1985, 4, 12),
            household=cast.household2,
            area=cast.compound,
        ),
    )
    assert resident.area == cast.unit2


def _same_person(resident: Resident, **changes: object) -> ResidentData:
    fields: dict[str, object] = {
        "name": resident.name,
        "alias": resident.alias,
        "gender": resident.gender,
        "birth_date": resident.birth_date,
        "id_number": resident.id_number,
        "phone": resident.phone,
        "household": resident.household,
        "relation_to_head": resident.relation_to_head,
        "notes": resident.notes,
    }
    fields.update(changes)
    return ResidentData(**fields)  # type: ignore[arg-type]


def test_area_follows_the_resident_between_households_and_out_of_them(cast: Cast) -> None:
    elder = cast.elder
    resident_update(
        resident=elder,
        actor=cast.staff,
        data=_same_person(elder, household=None, area=cast.building1),
    )
    elder.refresh_from_db()
    assert (elder.household, elder.area) == (None, cast.building1)

    resident_update(
        resident=elder, actor=cast.staff, data=_same_person(elder, household=cast.household2)
    )
    elder.refresh_from_db()
    assert (elder.household, elder.area) == (cast.household2, cast.unit2)


def test_area_follows_a_household_moved_to_another_unit(cast: Cast) -> None:
    building3 = add_building(cast.compound, cast.grid2, 3)
    unit3 = Area.objects.get(path__startswith=building3.path, kind=AreaKind.UNIT)
    household_update(household=cast.household1, actor=cast.staff, unit=unit3, room="101", notes="")
    cast.elder.refresh_from_db()
    assert cast.elder.area == unit3
    assert cast.elder.area != cast.unit1


def test_anonymising_a_person_with_a_household_keeps_only_the_compound(cast: Cast) -> None:
    resident_anonymise(actor=cast.staff, resident=cast.neighbour, confirmed=True)
    cast.neighbour.refresh_from_db()
    assert cast.neighbour.household is None
    assert cast.neighbour.area == cast.compound


# --- the scope reaches care for people without a household -----------------------------


def test_care_for_a_building_level_person_reaches_that_grids_worker(cast: Cast) -> None:
    resident = resident_create(
        actor=None,
        data=ResidentData(
            name="周新来", gender="male", birth_date=dt.date(1950, 4, 12), area=cast.building1
        ),
    )
    plan = care_plan_save(actor=None, resident=resident, visits_per_week=1)
    assert list(visible_plans(cast.worker1)) == [plan]
    assert not visible_plans(cast.worker2).exists()
    assert set(visible_plans(cast.staff)) == set(CarePlan.objects.all())
    team = {u.username for u in care_team_of(resident)}
    assert {"worker1", "staff"} <= team
    assert "worker2" not in team


# --- migration 0005: backfill ------------------------------------------------------------


def test_migration_fills_area_from_the_household_unit(cast: Cast) -> None:
    migration = importlib.import_module("linli.people.migrations.0005_resident_area")
    homeless = resident_create(
        actor=None,
        data=ResidentData(
            name="周新来", gender="male", birth_date=dt.date(1985, 4, 12), area=cast.compound
        ),
    )
    # Rows as they were before the field: no area at all.
    Resident.objects.update(area=None)
    migration.backfill_resident_area(apps, None)
    areas = dict(Resident.objects.values_list("pk", "area_id"))
    assert areas[cast.elder.pk] == cast.unit1.pk
    assert areas[cast.neighbour.pk] == cast.unit2.pk
    # Nothing says where a legacy person without a household belongs: left for an editor.
    assert areas[homeless.pk] is None
