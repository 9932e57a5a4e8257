"""Open311 GeoReport v2: discovery, services, filing and reading requests, JSON and XML."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from linli.accounts.models import User
from linli.accounts.services import api_token_create
from linli.areas.models import AreaKind
from linli.areas.services import area_create
from linli.requests.models import Channel, Request
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, move, resolved

BASE = "/open311/v2"


def key_for(user: User) -> str:
    _token, secret = api_token_create(user=user, name="open311")
    return secret


def test_discovery_names_the_endpoint_and_both_formats(db: None, client: Client) -> None:
    response = client.get(f"{BASE}/discovery.json")

    assert response.status_code == 200
    endpoint = response.json()["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["application/json", "text/xml"]


def test_services_list_the_active_categories_in_json_and_xml(cast: Cast, client: Client) -> None:
    as_json = client.get(f"{BASE}/services.json").json()
    as_xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)

    codes = [s["service_code"] for s in as_json]
    assert codes[:3] == ["sanitation", "repair", "safety"]
    first = as_json[0]
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert first["metadata"] is False
    assert first["type"] == "realtime"
    assert as_xml.tag == "services"
    assert [s.findtext("service_code") for s in as_xml.findall("service")] == codes
    assert as_xml.find("service/metadata") is not None
    assert as_xml.findtext("service/metadata") == "false"


def test_a_service_definition_has_no_extra_attributes_and_unknown_is_404(
    cast: Cast, client: Client
) -> None:
    code = client.get(f"{BASE}/services.json").json()[0]["service_code"]

    known = client.get(f"{BASE}/services/{code}.json")
    unknown = client.get(f"{BASE}/services/no-such-thing.xml")

    assert known.json() == {"service_code": code, "attributes": []}
    assert unknown.status_code == 404
    error = ET.fromstring(unknown.content)
    assert error.tag == "errors"
    assert error.findtext("error/code") == "service_not_found"
    assert "no-such-thing" in (error.findtext("error/description") or "")


def test_an_unknown_format_is_404(client: Client) -> None:
    assert client.get(f"{BASE}/services.csv").status_code == 404


def test_posting_a_request_with_an_address_files_and_routes_it(cast: Cast, client: Client) -> None:
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key_for(cast.staff),
            "service_code": "repair",
            "address_string": "和平小区1号楼1单元101",
            "description": "楼道扶手松动,老人上下楼危险",
            "last_name": "王",
            "first_name": "秀兰",
        },
    )

    assert response.status_code == 201, response.content
    [reply] = response.json()
    filed = Request.objects.get(number=reply["service_request_id"])
    assert (filed.channel, filed.location, filed.room) == (Channel.OPEN311, cast.unit1, "101")
    assert filed.category.code == "repair"
    assert filed.reporter_name == "王秀兰"
    # A unit is a grid's: routed to its grid worker at once.
    assert (filed.status, filed.assignee) == (Status.ASSIGNED, cast.worker1)


def test_posting_by_area_code_in_xml(cast: Cast, client: Client) -> None:
    response = client.post(
        f"{BASE}/requests.xml",
        {
            "api_key": key_for(cast.staff),
            "service_code": "sanitation",
            "address_id": cast.building2.code,
            "description": "2号楼门口垃圾堆了三天",
        },
    )

    assert response.status_code == 201
    root = ET.fromstring(response.content)
    number = root.findtext("request/service_request_id")
    filed = Request.objects.get(number=number)
    assert (filed.location, filed.grid) == (cast.building2, cast.grid2)


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"api_key": ""}, 403, "api_key_required"),
        ({"api_key": "wrong"}, 403, "api_key_invalid"),
        ({"service_code": ""}, 400, "service_code_required"),
        ({"service_code": "nope"}, 404, "service_not_found"),
        ({"description": " "}, 400, "description_required"),
        ({"address_string": "", "lat": "37.1", "long": "111.7"}, 400, "address_required"),
        ({"address_string": "楼下"}, 400, "address_not_found"),
        ({"address_string": "", "address_id": "999999"}, 400, "invalid"),
    ],
)
def test_bad_posts_get_the_open311_error_shape(
    cast: Cast, client: Client, params: dict[str, str], status: int, code: str
) -> None:
    body: dict[str, str] = {
        "api_key": key_for(cast.staff),
        "service_code": "sanitation",
        "address_string": "和平小区1号楼",
        "description": "垃圾没人清",
        **params,
    }

    response = client.post(f"{BASE}/requests.json", body)

    assert response.status_code == status, response.content
    [error] = response.json()
    assert error["code"] == code
    assert error["description"]
    assert Request.objects.count() == 0


def _get(client: Client, path: str, user: User, **params: Any) -> Any:
    response = client.get(f"{BASE}/{path}", {"api_key": key_for(user), **params})
    return response.status_code, response


def test_reads_without_a_key_are_public_and_keyed_reads_are_scoped(
    cast: Cast, client: Client
) -> None:
    mine = file_request(cast)  # 1号楼: grid 1
    theirs = file_request(cast, cast.unit2)  # 2号楼: grid 2

    anonymous = client.get(f"{BASE}/requests.json")
    _status, for_worker1 = _get(client, "requests.json", cast.worker1)
    _status, for_staff = _get(client, "requests.json", cast.staff)

    assert anonymous.status_code == 200
    assert {r["service_request_id"] for r in anonymous.json()} == {mine.number, theirs.number}
    assert [r["service_request_id"] for r in for_worker1.json()] == [mine.number]
    assert {r["service_request_id"] for r in for_staff.json()} == {mine.number, theirs.number}
    status, other_grid = _get(client, f"requests/{theirs.number}.json", cast.worker1)
    assert status == 404
    assert other_grid.json()[0]["code"] == "not_found"


def test_a_request_reads_back_with_status_notes_and_address(cast: Cast, client: Client) -> None:
    done = move(resolved(cast), Status.CLOSED, cast.staff, note="已核实,扶手加固完毕")

    status, response = _get(client, f"requests/{done.number}.json", cast.staff)

    assert status == 200
    [item] = response.json()
    assert item["service_request_id"] == done.number
    assert item["status"] == "closed"
    # The resolution is public; the verifier's note on closing is the workers' own.
    assert item["status_notes"] == "已关闭。办理结果:已更换灯泡"
    assert "已核实" not in response.content.decode()
    assert item["address"] == "和平社区和平小区1号楼1单元101室"
    assert item["address_id"] == cast.unit1.code
    assert item["agency_responsible"] == "第1网格"
    assert item["expected_datetime"] == done.due_at.isoformat()


def test_search_filters_by_status_code_and_ids(cast: Cast, client: Client) -> None:
    open_one = file_request(cast, category_code="sanitation")
    closed = move(resolved(cast), Status.CLOSED, cast.staff)

    _s, only_open = _get(client, "requests.json", cast.staff, status="open")
    _s, only_closed = _get(client, "requests.json", cast.staff, status="closed")
    _s, by_code = _get(client, "requests.json", cast.staff, service_code="sanitation")
    _s, by_id = _get(
        client, "requests.json", cast.staff, service_request_id=closed.number, status="open"
    )
    status, bad = _get(client, "requests.json", cast.staff, status="pending")

    assert [r["service_request_id"] for r in only_open.json()] == [open_one.number]
    assert [r["service_request_id"] for r in only_closed.json()] == [closed.number]
    assert [r["service_request_id"] for r in by_code.json()] == [open_one.number]
    # With ids, the specification ignores every other parameter.
    assert [r["service_request_id"] for r in by_id.json()] == [closed.number]
    assert status == 400
    assert bad.json()[0]["code"] == "invalid_status"


def test_the_list_reads_in_a_fixed_number_of_queries(cast: Cast, client: Client) -> None:
    key = key_for(cast.staff)
    file_request(cast)
    client.get(f"{BASE}/requests.xml", {"api_key": key})  # stamps the key's last use once

    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}/requests.xml", {"api_key": key})
    for _ in range(5):
        file_request(cast, cast.unit2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{BASE}/requests.xml", {"api_key": key})

    assert len(ET.fromstring(response.content).findall("request")) == 6
    assert len(many) == len(few)


def test_a_token_is_the_request_number(cast: Cast, client: Client) -> None:
    filed = file_request(cast)

    status, response = _get(client, f"tokens/{filed.number}.json", cast.worker1)

    assert status == 200
    assert response.json() == [{"service_request_id": filed.number, "token": filed.number}]


def test_discovery_in_xml_lists_the_formats(db: None, client: Client) -> None:
    response = client.get(f"{BASE}/discovery.xml")

    assert response.status_code == 200
    discovery = ET.fromstring(response.content)
    formats = discovery.findall("endpoints/endpoint/formats/format")
    assert [f.text for f in formats] == ["application/json", "text/xml"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start_date=0001-01-01T00:00:00%2B08:00", "start_date:日期应在 1900 年到 2100 年之间。"),
        ("end_date=9999-12-31T23:59:59%2B08:00", "end_date:日期应在 1900 年到 2100 年之间。"),
        ("start_date=2026-01-01T00:00:00%2B99:00", "start_date:时区偏移应在 ±14:00 以内"),
        ("start_date=2026-01-01T00:00:00+99:00", "start_date:时区偏移应在 ±14:00 以内"),
        ("start_date=soon", "start_date:日期时间格式应为"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_implausible_dates_are_an_open311_400(
    cast: Cast, client: Client, query: str, message: str, fmt: str
) -> None:
    response = client.get(f"{BASE}/requests.{fmt}?api_key={key_for(cast.worker1)}&{query}")

    assert response.status_code == 400
    if fmt == "json":
        [error] = response.json()
        assert set(error) == {"code", "description"}
        assert error["code"] == "invalid_date"
        assert error["description"].startswith(message)
    else:
        root = ET.fromstring(response.content)
        assert root.findtext("error/code") == "invalid_date"
        assert (root.findtext("error/description") or "").startswith(message)


def test_a_start_date_without_offset_is_read_as_shanghai_time(cast: Cast, client: Client) -> None:
    filed = file_request(cast)
    Request.objects.filter(pk=filed.pk).update(
        submitted_at=dt.datetime(2026, 3, 1, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    key = key_for(cast.worker1)
    after = client.get(f"{BASE}/requests.json?api_key={key}&start_date=2026-03-01T08:00:00")
    before = client.get(f"{BASE}/requests.json?api_key={key}&start_date=2026-03-01T09:00:00")

    assert [r["service_request_id"] for r in after.json()] == [filed.number]
    assert before.json() == []


def test_status_notes_never_show_the_workers_internal_notes(cast: Cast, client: Client) -> None:
    filed = file_request(cast, cast.compound)  # waits for dispatch
    accepted = move(filed, Status.ACCEPTED, cast.staff, note="内部:这户与邻居有纠纷,先别上门")

    for fmt in ("json", "xml"):
        status, response = _get(client, f"requests/{accepted.number}.{fmt}", cast.staff)
        assert status == 200
        assert "纠纷" not in response.content.decode()
    _s, response = _get(client, f"requests/{accepted.number}.json", cast.staff)
    assert response.json()[0]["status_notes"] == "已受理"


@pytest.mark.parametrize("header", ["X-Api-Key", "Authorization"])
def test_the_key_may_come_in_a_header_and_is_never_echoed(
    cast: Cast, client: Client, header: str
) -> None:
    key = key_for(cast.staff)
    headers = {header: key if header == "X-Api-Key" else f"Bearer {key}"}
    mine = file_request(cast)

    posted = client.post(
        f"{BASE}/requests.json",
        {"service_code": "repair", "address_id": cast.unit1.code, "description": "楼道灯不亮"},
        headers=headers,
    )
    listed = client.get(f"{BASE}/requests.xml", headers=headers)
    detail = client.get(f"{BASE}/requests/{mine.number}.json", headers=headers)
    token = client.get(f"{BASE}/tokens/{mine.number}.json", headers=headers)
    discovery = client.get(f"{BASE}/discovery.json", {"api_key": key})

    assert posted.status_code == 201, posted.content
    assert Request.objects.filter(number=posted.json()[0]["service_request_id"]).exists()
    numbers = [r.findtext("service_request_id") for r in ET.fromstring(listed.content)]
    assert mine.number in numbers
    assert detail.json()[0]["service_request_id"] == mine.number
    assert token.status_code == 200
    for response in (posted, listed, detail, token, discovery):
        assert key not in response.content.decode()
        assert key not in response.get("Location", "")


def test_a_wrong_key_in_a_header_is_refused_even_with_a_good_one_in_the_query(
    cast: Cast, client: Client
) -> None:
    response = client.get(
        f"{BASE}/requests.json", {"api_key": key_for(cast.staff)}, headers={"X-Api-Key": "wrong"}
    )
    assert response.status_code == 403
    assert response.json()[0]["code"] == "api_key_invalid"


@pytest.mark.parametrize(
    "address",
    [
        "和平小区01号楼1单元101室",
        # A hotline platform's full address: the street number before the compound is
        # not the building's.
        "孝义市府前街12号和平小区1号楼1单元101",
        # Traditional characters, a floor, a landmark: a hotline's ways of writing it.
        "孝义市府前街12号和平小區1号楼1单元101",
        "和平小区1号楼1单元1层101",
        "和平小区1号楼1单元101(近2号门)",
    ],
)
def test_an_address_whose_numbers_are_all_read_still_files(
    cast: Cast, client: Client, address: str
) -> None:
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key_for(cast.staff),
            "service_code": "repair",
            "address_string": address,
            "description": "楼道灯坏了",
        },
    )

    assert response.status_code == 201, response.content
    filed = Request.objects.get()
    assert (filed.location, filed.room) == (cast.unit1, "101")


def test_repeated_search_parameters_are_all_taken(cast: Cast, client: Client) -> None:
    """``status=open&status=closed`` (a list sent as repeated parameters, as most HTTP
    clients send one) is the same as ``status=open,closed``, not only the last one."""
    open_one = file_request(cast, category_code="sanitation")
    closed = move(resolved(cast), Status.CLOSED, cast.staff)
    key = key_for(cast.staff)

    statuses = client.get(f"{BASE}/requests.json?api_key={key}&status=open&status=closed").json()
    by_ids = client.get(
        f"{BASE}/requests.json?api_key={key}"
        f"&service_request_id={open_one.number}&service_request_id={closed.number}"
    ).json()
    codes = client.get(
        f"{BASE}/requests.json?api_key={key}&service_code=sanitation&service_code=repair"
    ).json()

    both = {open_one.number, closed.number}
    assert {r["service_request_id"] for r in statuses} == both
    assert {r["service_request_id"] for r in by_ids} == both
    assert {r["service_request_id"] for r in codes} == both


@pytest.mark.parametrize(
    ("method", "path", "named", "allowed"),
    [
        ("put", "requests.json", "GET、POST", "GET, POST, HEAD, OPTIONS"),
        ("delete", "requests.xml", "GET、POST", "GET, POST, HEAD, OPTIONS"),
        ("post", "services.json", "GET", "GET, HEAD, OPTIONS"),
        ("post", "services.xml", "GET", "GET, HEAD, OPTIONS"),
        ("post", "discovery.json", "GET", "GET, HEAD, OPTIONS"),
        ("patch", "services/repair.xml", "GET", "GET, HEAD, OPTIONS"),
        ("post", "openapi.json", "GET", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_wrong_method_is_a_405_in_the_open311_error_shape(
    db: None, method: str, path: str, named: str, allowed: str
) -> None:
    """A third-party client that calls with the wrong method reads an Open311 error
    (``[{code, description}]``, in its format), not an empty page or a CSRF page; the
    message names the methods a person would call, ``Allow`` every one."""
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(f"{BASE}/{path}")

    assert response.status_code == 405
    assert response["Allow"] == allowed
    if path.endswith(".xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "method_not_allowed"
        assert root.findtext("error/description") == f"此地址只接受 {named} 请求。"
    else:
        [error] = response.json()
        assert error["code"] == "method_not_allowed"
        assert error["description"] == f"此地址只接受 {named} 请求。"


@pytest.mark.parametrize(
    "path", ["services.json", "requests.xml", "discovery.json", "openapi.json"]
)
def test_head_is_answered_as_get(cast: Cast, client: Client, path: str) -> None:
    """A client (or a link checker) asking with HEAD gets GET's status and headers."""
    head = client.head(f"{BASE}/{path}")
    get = client.get(f"{BASE}/{path}")

    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]


PREFLIGHT = {
    "Origin": "https://map.example.org",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "x-api-key, content-type",
}


def test_by_default_no_other_site_may_read_the_answers(db: None, client: Client) -> None:
    """An intranet server is out of reach of outside clients but not of the pages its
    users open: unless the operator lets origins in, a browser keeps other sites out."""
    preflight = client.options(f"{BASE}/requests.json", headers=PREFLIGHT)
    listed = client.get(f"{BASE}/services.json", headers={"Origin": "https://map.example.org"})

    assert preflight.status_code == 204
    assert preflight["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Methods" not in preflight
    assert "Access-Control-Allow-Origin" not in listed


@override_settings(LINLI_OPEN311_CORS_ORIGINS=["*"])
def test_a_browser_preflight_is_answered_for_the_key_headers(db: None, client: Client) -> None:
    """A web page on another site that sends its key in ``X-Api-Key`` makes the browser
    ask first (CORS preflight); the answer lets it, for every method the address takes."""
    response = client.options(f"{BASE}/requests.json", headers=PREFLIGHT)

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, POST, HEAD, OPTIONS"
    allowed_headers = response["Access-Control-Allow-Headers"].split(",")
    assert {h.strip().lower() for h in allowed_headers} >= {"x-api-key", "content-type"}
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"


@override_settings(LINLI_OPEN311_CORS_ORIGINS=["*"])
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("services.json", 200),
        ("openapi.json", 200),
        ("requests/NOPE.json", 404),
        ("services.yaml", 404),  # a format Open311 does not speak
    ],
)
def test_with_any_origin_let_in_every_answer_may_be_read(
    cast: Cast, client: Client, path: str, status: int
) -> None:
    """Keys, never cookies, carry who calls: a page of any site may read what curl may,
    errors and the wait of a 429 (``Retry-After``) included, and no credentials."""
    response = client.get(f"{BASE}/{path}", headers={"Origin": "https://map.example.org"})

    assert response.status_code == status
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Access-Control-Expose-Headers"] == "Retry-After"


@override_settings(LINLI_OPEN311_CORS_ORIGINS=["https://map.example.org"])
def test_only_the_origins_listed_are_let_in(cast: Cast, client: Client) -> None:
    listed = client.get(f"{BASE}/services.json", headers={"Origin": "https://map.example.org"})
    other = client.get(f"{BASE}/services.json", headers={"Origin": "https://evil.example"})

    anonymous = client.get(f"{BASE}/services.json")

    assert listed["Access-Control-Allow-Origin"] == "https://map.example.org"
    assert "Access-Control-Allow-Origin" not in other
    # Every answer depends on the origin: no cache may give one origin's to another.
    for response in (listed, other, anonymous):
        assert "Origin" in response["Vary"]


@override_settings(LINLI_OPEN311_CORS_ORIGINS=["*"])
def test_a_json_body_refused_by_the_input_boundary_is_an_open311_error(
    cast: Cast, client: Client
) -> None:
    """A body nested too deep is refused before any view, in ``/api/v1``'s shape; under
    Open311 the client reads Open311's, with the CORS headers."""
    deep = "[" * 2_000 + "]" * 2_000
    response = client.post(f"{BASE}/requests.json", data=deep, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == [
        {"code": "too_deep", "description": "请求体嵌套过深:JSON 的列表和对象最多嵌套 32 层。"}
    ]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_body_refused_before_the_view_is_a_400_in_the_open311_error_shape(
    cast: Cast, client: Client, fmt: str
) -> None:
    """Too many form fields is refused while the body is read, before any Open311 view
    runs: the client got the site's HTML 「请求有误」 page instead of an error array."""
    fields = {f"attribute[{n}]": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(
        f"{BASE}/requests.{fmt}",
        {"api_key": key_for(cast.staff), "service_code": "repair", **fields},
    )

    assert response.status_code == 400
    if fmt == "xml":
        root = ET.fromstring(response.content)
        assert (root.tag, root.findtext("error/code")) == ("errors", "bad_request")
    else:
        [error] = response.json()
        assert error["code"] == "bad_request"
        assert "字段" in error["description"]
    assert Request.objects.count() == 0


def test_an_ambiguous_building_names_open311s_address_id_not_the_apis_field(
    cast: Cast, client: Client
) -> None:
    """Two compounds of the community have a 1号楼: the refusal told an Open311 client to
    use ``location_code``, a field of /api/v1 that GeoReport does not have."""
    second = area_create(
        actor=None,
        parent=cast.community,
        kind=AreaKind.COMPOUND,
        name="幸福小区",
        code="141181200001002",
    )
    area_create(
        actor=None,
        parent=second,
        kind=AreaKind.BUILDING,
        name="1号楼",
        code="141181200001002001",
        grid=cast.grid2,
    )

    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key_for(cast.staff),
            "service_code": "repair",
            "address_string": "1号楼",
            "description": "楼道灯坏了",
        },
    )

    assert response.status_code == 400
    [error] = response.json()
    assert "address_id" in error["description"]
    assert "location_code" not in error["description"]
    assert Request.objects.count() == 0
