"""``/api/v1/register``, ``/api/v1/grids`` and ``/api/v1/areas``: the register pages'
reads and writes over bearer tokens — masked, revealed only through the audited call,
scoped like the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from linli.core.models import AuditEvent
from linli.people.models import Household, Resident
from tests.cast import Cast, id_number_for
from tests.requests.test_api import Api

pytestmark = pytest.mark.django_db


def test_the_register_is_masked_and_the_reveal_is_audited(cast: Cast, client: Client) -> None:
    api = Api(client, cast.worker1)
    status, body = api.get("/api/v1/register/residents")
    assert status == 200
    assert [r["name"] for r in body["items"]] == [cast.elder.name]  # grid 1 only
    elder = body["items"][0]
    assert elder["phone"] == "138****5678"
    assert cast.elder.id_number not in str(body)
    assert elder["household"].endswith("室")

    path = f"/api/v1/register/residents/{cast.elder.pk}"
    assert api.get(path)[1]["may_reveal"] is True
    status, body = api.post(f"{path}/reveal", {"field": "id_number"})
    assert (status, body["value"]) == (200, cast.elder.id_number)
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor, event.object_id) == (cast.worker1, str(cast.elder.pk))
    assert api.post(f"{path}/reveal", {"field": "name"})[0] == 422

    # A leader reads the register but may not reveal: as on the page, a 404.
    leader = Api(client, cast.leader)
    assert leader.get(path)[1]["may_reveal"] is False
    assert leader.post(f"{path}/reveal", {"field": "phone"})[0] == 404
    # Grid 2's worker does not learn that the elder exists.
    other = Api(client, cast.worker2)
    assert other.get(path)[0] == 404
    assert other.post(f"{path}/reveal", {"field": "phone"})[0] == 404
    assert AuditEvent.objects.filter(action="reveal").count() == 1


def test_search_households_and_registering(cast: Cast, client: Client) -> None:
    api = Api(client, cast.staff)
    found = api.get("/api/v1/register/residents", q=cast.neighbour.phone)[1]
    assert [r["id"] for r in found["items"]] == [cast.neighbour.pk]
    households = api.get("/api/v1/register/households", building=cast.building1.pk)[1]
    assert [h["id"] for h in households["items"]] == [cast.household1.pk]

    status, household = api.post(
        "/api/v1/register/households", {"unit": cast.unit1.pk, "room": "601"}
    )
    assert status == 201, household
    birth = dt.date(1960, 3, 5)
    payload = {
        "name": "赵大勇",
        "gender": "male",
        "birth_date": str(birth),
        "id_number": id_number_for(birth, "male", 7),
        "phone": "13900001234",
        "household": household["id"],
    }
    status, body = api.post("/api/v1/register/residents", payload)
    assert status == 201, body
    assert body["phone"] == "139****1234"
    assert Resident.objects.get(pk=body["id"]).household_id == household["id"]
    # The same ID number twice: the service's refusal, in the API's shape.
    status, body = api.post("/api/v1/register/residents", payload)
    assert (status, body["code"]) == (422, "invalid")
    assert "id_number" in body["errors"]
    # An edit changes only what is sent: the phone number stays.
    elder_path = f"/api/v1/register/residents/{cast.elder.pk}"
    status, edited = api.post(elder_path, {"notes": "独居,耳背", "alias": "王奶奶"})
    assert (status, edited["notes"], edited["alias"]) == (200, "独居,耳背", "王奶奶")
    cast.elder.refresh_from_db()
    assert cast.elder.phone == "13812345678"
    assert Api(client, cast.worker2).post(elder_path, {"notes": "x"})[0] == 404
    # Outside the editor's scope: grid 2's worker cannot use grid 1's unit.
    worker2 = Api(client, cast.worker2)
    assert worker2.post("/api/v1/register/households", {"unit": cast.unit1.pk, "room": "602"})[
        0
    ] in {403, 404}
    assert not Household.objects.filter(room="602").exists()


def test_grids_and_areas_are_scoped(cast: Cast, client: Client) -> None:
    api = Api(client, cast.worker2)
    grids = api.get("/api/v1/grids")[1]
    assert [g["code"] for g in grids["items"]] == [cast.grid2.code]
    assert api.get(f"/api/v1/grids/{cast.grid1.pk}")[0] == 404
    assert api.get(f"/api/v1/areas/{cast.building1.pk}")[0] == 404

    staff = Api(client, cast.staff)
    grid = staff.get(f"/api/v1/grids/{cast.grid1.pk}")[1]
    assert (grid["households"], grid["residents"]) == (1, 1)
    assert [b["id"] for b in grid["buildings"]] == [cast.building1.pk]
    buildings = staff.get("/api/v1/areas", kind="building")[1]
    assert {a["id"] for a in buildings["items"]} == {cast.building1.pk, cast.building2.pk}
    community = staff.get(f"/api/v1/areas/{cast.community.pk}")[1]
    assert [c["id"] for c in community["children"]] == [cast.compound.pk]
    assert staff.get(f"/api/v1/areas/{cast.other_community.pk}")[0] == 404
