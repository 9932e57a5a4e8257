"""``/api/v1/fieldwork``: scoped like the pages, 404 outside scope, writes audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from linli.fieldwork.models import PatrolFinding
from tests.cast import Cast
from tests.fieldwork.support import Fieldwork
from tests.requests.test_api import Api

pytestmark = pytest.mark.django_db


def test_visits_for_the_cadre_and_the_town_but_not_outsiders(
    cast: Cast, fw: Fieldwork, client: Client
) -> None:
    status, body = Api(client, cast.leader).get("/api/v1/fieldwork/visits")
    assert status == 200
    assert body["count"] == 1
    assert body["items"][0]["concerns"][0]["request_status"] == "assigned"
    outsider = Api(client, cast.worker2)
    assert outsider.get("/api/v1/fieldwork/visits")[1]["count"] == 0
    status, body = outsider.get(f"/api/v1/fieldwork/visits/{fw.visit.pk}")
    assert status == 404
    assert body["code"] == "not_found"


def test_a_cadre_records_a_visit(fw: Fieldwork, client: Client) -> None:
    status, body = Api(client, fw.cadre).post(
        "/api/v1/fieldwork/visits",
        {
            "posting": fw.posting.pk,
            "visited_on": timezone.localdate().isoformat(),
            "households_count": 2,
            "concerns": ["楼梯扶手松动"],
        },
    )
    assert status == 201
    assert body["concerns"][0]["request_number"]
    status, body = Api(client, fw.cadre).post(
        "/api/v1/fieldwork/visits",
        {"posting": fw.posting.pk, "visited_on": "2999-01-01", "households_count": 1},
    )
    assert status == 422


def test_patrol_by_api_and_the_figures(cast: Cast, client: Client) -> None:
    worker = Api(client, cast.worker1)
    status, patrol = worker.post("/api/v1/fieldwork/patrols", {"grid": cast.grid1.pk})
    assert status == 201
    url = f"/api/v1/fieldwork/patrols/{patrol['id']}"
    status, finding = worker.post(
        url + "/findings", {"category": "sanitation", "text": "绿化带垃圾", "solved": True}
    )
    assert status == 201
    assert finding["outcome"] == "solved"
    status, finding = worker.post(
        url + "/findings",
        {"category": "repair", "text": "井盖松动", "building": cast.building1.pk},
    )
    assert finding["request_number"]
    assert worker.post(url + "/finish", {"note": "完成"})[0] == 200
    assert PatrolFinding.objects.count() == 2
    assert Api(client, cast.worker2).get(url)[0] == 404
    assert Api(client, cast.worker2).post("/api/v1/fieldwork/patrols", {"grid": cast.grid1.pk})[
        0
    ] in {403, 404}
    status, figures = Api(client, cast.staff).get("/api/v1/fieldwork/figures")
    assert status == 200
    assert figures["patrols"] == 1
    assert figures["findings_solved"] == 1
    assert figures["findings_filed"] == 1
    assert figures["patrols_per_grid"] == {"第1网格": 1, "第2网格": 0}
    status, cadres = Api(client, cast.leader).get("/api/v1/fieldwork/cadres")
    assert status == 200
    assert cadres == []
    assert Api(client, cast.worker1).get("/api/v1/fieldwork/figures")[0] == 403
