"""A third-party GeoReport v2 client against a live server.

``georeport`` (PyPI, 0.3.x) is the maintained Python client: it lists services, reads a
service definition and reads requests by id and by search, in JSON or XML, sending no
key on reads. It has no call to post a request, so the post goes through ``requests``
(its own HTTP library) exactly as the specification describes it: a form POST to
``requests.{format}`` with ``api_key``. The older ``open311`` and ``three`` packages
are Python 2 only.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
import requests
from georeport import GeoReport
from pytest_django.live_server_helper import LiveServer

from linli.accounts.services import api_token_create
from linli.requests.models import Channel, Request
from tests.cast import Cast, build_cast

# The live server needs a transactional database; serialized_rollback keeps the tags and
# request categories the data migrations seed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    return build_cast()


def _post(root: str, fmt: str, fields: dict[str, str]) -> str:
    response = requests.post(f"{root}/requests.{fmt}", data=fields, timeout=30)
    assert response.status_code == 201, response.text
    if fmt == "json":
        number: str = response.json()[0]["service_request_id"]
    else:
        number = ET.fromstring(response.content).findtext("request/service_request_id") or ""
    return number


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_georeport_client_lists_posts_and_reads_back(
    cast: Cast, live_server: LiveServer, fmt: str
) -> None:
    root = f"{live_server.url}/open311/v2"
    _token, key = api_token_create(user=cast.staff, name="georeport")
    client = GeoReport(root, jurisdiction=cast.community.code, output_format=fmt)

    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    definition = client.get_service_definition("repair")
    number = _post(
        root,
        fmt,
        {
            "api_key": key,
            "jurisdiction_id": cast.community.code,
            "service_code": "repair",
            "address_string": "和平小区1号楼1单元101",
            "description": "楼道扶手松动,老人上下楼危险",
            "last_name": "王",
            "first_name": "秀兰",
            "phone": "13812345678",
        },
    )
    one: dict[str, Any] = client.get_service_request(number)
    found = client.get_service_requests(service_request_id=number)
    searched = client.get_service_requests(service_code="repair", status="open")

    assert "repair" in codes
    assert "sanitation" in codes
    assert definition["service_code"] == "repair"
    filed = Request.objects.get(number=number)
    assert (filed.channel, filed.location, filed.room) == (Channel.OPEN311, cast.unit1, "101")
    # Read back without a key, as the client does: public and de-identified.
    assert one["service_request_id"] == number
    assert one["service_code"] == "repair"
    assert one["status"] == "open"
    assert one["address"] == "和平社区和平小区1号楼"
    assert "description" not in one
    for value in map(str, one.values()):
        for secret in ("扶手", "王秀兰", "13812345678", "1单元", "101室"):
            assert secret not in value
    # XML with one request parses to a single mapping, JSON to a list.
    listed = [found] if isinstance(found, dict) else found
    assert [r["service_request_id"] for r in listed] == [number]
    searched_list = [searched] if isinstance(searched, dict) else searched
    assert number in [r["service_request_id"] for r in searched_list]


def test_a_georeport_client_sees_an_unknown_jurisdiction_as_404(
    cast: Cast, live_server: LiveServer
) -> None:
    client = GeoReport(f"{live_server.url}/open311/v2", jurisdiction="000000000000")

    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_list()

    answer = refused.value.response
    assert answer is not None
    assert answer.status_code == 404
    assert answer.json()[0]["code"] == "jurisdiction_not_found"
