"""``/api/v1/requests`` with bearer tokens: filing, lists, moves, feedback, timeline."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import api_token_create
from linli.areas.models import Area, AreaKind
from linli.areas.services import area_create
from linli.requests.api import ApiChannel, ChannelFilter, StatusFilter
from linli.requests.models import Category, Channel, Feedback, Request
from linli.requests.services import request_submit, request_transition
from linli.requests.workflow import Status
from tests.cast import Cast

URL = "/api/v1/requests"


class Api:
    """A test client that speaks JSON with one user's bearer token."""

    def __init__(self, client: Client, user: User | None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, secret = api_token_create(user=user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        response = self.client.get(path, params, **self.headers)  # type: ignore[arg-type]
        return response.status_code, response.json()

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        response = self.client.post(
            path,
            body,
            content_type="application/json",
            **self.headers,  # type: ignore[arg-type]
        )
        return response.status_code, response.json()


@pytest.fixture
def api_for(cast: Cast, client: Client) -> Any:
    def _api_for(user: User | None) -> Api:
        return Api(client, user)

    return _api_for


def _filed(cast: Cast, location: Area, *, text: str = "楼道灯坏了", **extra: Any) -> Request:
    return request_submit(
        submitted_by=cast.resident_user,
        reporter=cast.elder,
        text=text,
        channel=Channel.RESIDENT_PAGE,
        location=location,
        **extra,
    )


# --- filing --------------------------------------------------------------------------------


def test_building_and_unit_without_compound_are_read_in_the_reporters_compound(
    cast: Cast, api_for: Any
) -> None:
    before = timezone.now()
    status, data = api_for(cast.resident_user).post(
        URL, {"text": "楼道灯不亮了", "building": 1, "unit": 1, "room": "101"}
    )
    assert status == 201, data
    assert re.fullmatch(r"\d{8}-\d{4}", data["number"])
    assert data["status"] == "assigned"
    # No category given: triage read the text as a repair.
    assert data["category"] == "repair"
    assert data["location"] == {
        "code": cast.unit1.code,
        "kind": "unit",
        "label": "和平社区和平小区1号楼1单元101室",
        "room": "101",
    }
    assert data["grid"] == cast.grid1.code
    assert data["assignee"] == "worker1"
    assert data["channel"] == "api"
    assert data["overdue"] is False
    due = dt.datetime.fromisoformat(data["due_at"])
    # The handling time of a repair (3 days).
    assert before + dt.timedelta(days=3) <= due <= timezone.now() + dt.timedelta(days=3)
    stored = Request.objects.get(pk=data["id"])
    assert stored.reporter == cast.elder
    assert stored.submitted_by == cast.resident_user


def test_a_building_number_alone_routes_to_that_buildings_grid_worker(
    cast: Cast, api_for: Any
) -> None:
    status, data = api_for(cast.resident_user).post(
        URL, {"text": "2号楼门口垃圾没人清", "building": 2, "category": "sanitation"}
    )
    assert status == 201, data
    assert data["location"]["code"] == cast.building2.code
    assert data["location"]["label"] == "和平社区和平小区2号楼"
    assert (data["grid"], data["assignee"], data["category"]) == (
        cast.grid2.code,
        "worker2",
        "sanitation",
    )


def test_staff_file_by_location_code_with_urgency_and_channel(cast: Cast, api_for: Any) -> None:
    before = timezone.now()
    status, data = api_for(cast.staff).post(
        URL,
        {
            "text": "2号楼1单元有燃气味",
            "location_code": cast.unit2.code,
            "category": "safety",
            "urgent": True,
            "channel": "phone",
        },
    )
    assert status == 201, data
    assert (data["location"]["code"], data["grid"], data["assignee"]) == (
        cast.unit2.code,
        cast.grid2.code,
        "worker2",
    )
    assert data["channel"] == "phone"
    assert dt.datetime.fromisoformat(data["due_at"]) <= timezone.now() + dt.timedelta(hours=2)
    assert dt.datetime.fromisoformat(data["due_at"]) >= before + dt.timedelta(hours=2)
    stored = Request.objects.get(pk=data["id"])
    assert stored.reporter is None
    assert stored.submitted_by == cast.staff


def test_staff_building_number_is_read_in_their_community(cast: Cast, api_for: Any) -> None:
    status, data = api_for(cast.staff).post(URL, {"text": "扶手松了", "building": 1, "unit": 1})
    assert status == 201, data
    assert (data["location"]["code"], data["assignee"]) == (cast.unit1.code, "worker1")


def test_a_building_number_two_compounds_share_asks_staff_for_a_location_code(
    cast: Cast, api_for: Any
) -> None:
    other = area_create(
        actor=None,
        parent=cast.community,
        kind=AreaKind.COMPOUND,
        name="幸福小区",
        code="141181200001002",
    )
    area_create(
        actor=None,
        parent=other,
        kind=AreaKind.BUILDING,
        name="1号楼",
        code="141181200001002001",
        grid=cast.grid2,
    )
    status, data = api_for(cast.staff).post(URL, {"text": "扶手松了", "building": 1})
    assert status == 422
    assert data["code"] == "invalid"
    assert "location_code" in data["errors"]["building"][0]
    assert "和平小区1号楼" in data["detail"]
    assert "幸福小区1号楼" in data["detail"]
    # The resident lives in 和平小区, so the same number is not ambiguous for them.
    status, data = api_for(cast.resident_user).post(URL, {"text": "扶手松了", "building": 1})
    assert status == 201
    assert data["location"]["code"] == cast.building1.code


def test_without_a_location_the_request_waits_for_dispatch_in_the_callers_community(
    cast: Cast, api_for: Any
) -> None:
    status, data = api_for(cast.resident_user).post(URL, {"text": "想咨询一下养老金"})
    assert status == 201, data
    assert data["status"] == "submitted"
    assert data["location"]["code"] == cast.community.code
    assert data["location"]["label"] == "和平社区"
    assert (data["grid"], data["assignee"]) == (None, None)


def test_unknown_category_is_422_with_the_field(cast: Cast, api_for: Any) -> None:
    status, data = api_for(cast.resident_user).post(URL, {"text": "有事", "category": "weather"})
    assert status == 422
    assert data["errors"] == {"category": ["未知的类别代码“weather”。"]}
    assert not Request.objects.exists()


def test_location_outside_the_callers_reach_looks_like_an_unknown_code(
    cast: Cast, api_for: Any
) -> None:
    api = api_for(cast.resident_user)
    outside = api.post(URL, {"text": "有事", "location_code": cast.other_community.code})
    unknown = api.post(URL, {"text": "有事", "location_code": "999999"})
    assert outside[0] == unknown[0] == 422
    assert "location_code" in outside[1]["errors"]
    assert outside[1]["errors"]["location_code"][0].replace(cast.other_community.code, "X") == (
        unknown[1]["errors"]["location_code"][0].replace("999999", "X")
    )


def test_bad_input_gets_field_errors_and_nothing_is_filed(cast: Cast, api_for: Any) -> None:
    api = api_for(cast.resident_user)
    status, data = api.post(URL, {"building": 1})
    assert status == 422
    assert data["code"] == "invalid"
    assert data["errors"]["text"] == ["此项必填。"]
    status, data = api.post(URL, {"text": "   "})
    assert (status, data["errors"]) == (422, {"text": ["请描述遇到的问题。"]})
    # Control characters are removed at the boundary: nothing left is nothing said.
    status, data = api.post(URL, {"text": "\x00\x0b\x1b"})
    assert (status, data["errors"]) == (422, {"text": ["请描述遇到的问题。"]})
    status, data = api.post(URL, {"text": "漏" * 2001})
    assert (status, data["errors"]) == (422, {"text": ["最多 2000 个字符。"]})
    status, data = api.post(URL, {"text": "水管漏了", "building": 1, "unit": 9})
    assert (status, data["errors"]) == (422, {"unit": ["1号楼没有9单元。"]})
    status, data = api.post(URL, {"text": "水管漏了", "building": 1, "unit": 1, "room": "905"})
    assert (status, data["errors"]) == (422, {"room": ["和平小区1号楼1单元没有905室。"]})
    status, data = api.post(URL, {"text": "水管漏了", "channel": "open311"})
    assert status == 422
    assert "channel" in data["errors"]
    assert not Request.objects.exists()


def test_a_user_who_may_not_file_gets_403(cast: Cast, api_for: Any) -> None:
    status, data = api_for(cast.leader).post(URL, {"text": "看看"})
    assert (status, data) == (
        403,
        {"code": "not_permitted", "detail": "您没有登记诉求的权限。", "errors": {}},
    )


def test_without_a_token_every_operation_is_401(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    anonymous = api_for(None)
    for status, data in (
        anonymous.get(URL),
        anonymous.post(URL, {"text": "有事"}),
        anonymous.get(f"{URL}/{filed.pk}"),
        anonymous.get(f"{URL}/{filed.pk}/events"),
        anonymous.post(f"{URL}/{filed.pk}/transitions", {"to": "in_progress"}),
    ):
        assert (status, data["code"]) == (401, "unauthenticated")


# --- reading -------------------------------------------------------------------------------


def test_get_one_request(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1, room="101")
    status, data = api_for(cast.worker1).get(f"{URL}/{filed.pk}")
    assert status == 200
    assert (data["id"], data["number"], data["status"], data["assignee"]) == (
        filed.pk,
        filed.number,
        "assigned",
        "worker1",
    )
    assert data["status_label"] == "已派单"
    # Filed without a category: triage read "楼道灯不亮了" as a repair.
    assert data["category_label"] == "设施维修"


def test_the_other_grids_worker_gets_404_and_does_not_see_it_in_the_list(
    cast: Cast, api_for: Any
) -> None:
    filed = _filed(cast, cast.unit1)
    mine = _filed(cast, cast.building2, text="2号楼的事")
    api = api_for(cast.worker2)
    for status, data in (
        api.get(f"{URL}/{filed.pk}"),
        api.get(f"{URL}/{filed.pk}/events"),
        api.post(f"{URL}/{filed.pk}/transitions", {"to": "in_progress"}),
        api.post(f"{URL}/{filed.pk}/feedback", {"resolved": True, "satisfaction": "satisfied"}),
    ):
        assert (status, data) == (
            404,
            {"code": "not_found", "detail": "找不到该对象。", "errors": {}},
        )
    status, data = api.get(URL)
    assert status == 200
    assert [item["id"] for item in data["items"]] == [mine.pk]
    assert data["count"] == 1
    assert Request.objects.get(pk=filed.pk).status == Status.ASSIGNED


def test_list_filters(cast: Cast, api_for: Any) -> None:
    repair = _filed(cast, cast.unit1, text="扶手松了", category=_category("repair"))
    waiting = _filed(cast, cast.community, text="咨询低保")
    by_phone = request_submit(
        submitted_by=cast.staff,
        text="2号楼有人吵架",
        channel=Channel.PHONE,
        location=cast.building2,
    )
    late = _filed(cast, cast.building2, text="垃圾", at=timezone.now() - dt.timedelta(days=30))
    api = api_for(cast.staff)

    def ids(**params: Any) -> set[int]:
        status, data = api.get(URL, **params)
        assert status == 200, data
        return {item["id"] for item in data["items"]}

    assert ids() == {repair.pk, waiting.pk, by_phone.pk, late.pk}
    assert ids(status="submitted") == {waiting.pk}
    assert ids(status="open") == {repair.pk, waiting.pk, by_phone.pk, late.pk}
    assert ids(category="repair") == {repair.pk}
    assert ids(grid=cast.grid2.code) == {by_phone.pk, late.pk}
    assert ids(channel="phone") == {by_phone.pk}
    assert ids(overdue="true") == {late.pk}
    assert ids(overdue="false") == {repair.pk, waiting.pk, by_phone.pk}
    assert ids(category="no-such-thing") == set()
    status, data = api.get(URL, overdue="true")
    assert data["items"][0]["overdue"] is True
    status, data = api.get(URL, status="nonsense")
    assert status == 422
    assert "status" in data["errors"]


def _category(code: str) -> Category:
    return Category.objects.get(code=code)


def test_list_is_paginated_overdue_first(cast: Cast, api_for: Any) -> None:
    late = _filed(cast, cast.unit1, text="超期的", at=timezone.now() - dt.timedelta(days=30))
    for n in range(4):
        _filed(cast, cast.unit1, text=f"第{n}件")
    api = api_for(cast.staff)
    status, first = api.get(URL, page=1, page_size=2)
    assert status == 200
    assert first["count"] == 5
    assert len(first["items"]) == 2
    assert first["items"][0]["id"] == late.pk
    _, third = api.get(URL, page=3, page_size=2)
    assert len(third["items"]) == 1
    seen = {i["id"] for page in (1, 2, 3) for i in api.get(URL, page=page, page_size=2)[1]["items"]}
    assert len(seen) == 5
    assert api.get(URL, page=0)[0] == 422


def test_listing_takes_the_same_number_of_queries_for_more_requests(
    cast: Cast, api_for: Any
) -> None:
    api = api_for(cast.staff)
    _filed(cast, cast.unit1)
    api.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL)[0] == 200
    for location in (cast.unit2, cast.building1, cast.community, cast.compound):
        _filed(cast, location, room="")
    with CaptureQueriesContext(connection) as many:
        _status, data = api.get(URL)
    assert data["count"] == 5
    assert len(many) == len(few)


# --- moving and rating -----------------------------------------------------------------------


def test_assignee_starts_and_resolves_then_staff_close(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    worker = api_for(cast.worker1)
    moves = f"{URL}/{filed.pk}/transitions"
    status, data = worker.post(moves, {"to": "in_progress"})
    assert (status, data["status"]) == (200, "in_progress")
    status, data = worker.post(moves, {"to": "resolved", "note": "换了灯泡"})
    assert (status, data["status"]) == (200, "resolved")
    status, data = api_for(cast.staff).post(moves, {"to": "closed", "note": "电话核实"})
    assert (status, data["status"]) == (200, "closed")
    assert data["overdue"] is False


def test_an_invalid_transition_is_409_in_chinese(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    status, data = api_for(cast.staff).post(f"{URL}/{filed.pk}/transitions", {"to": "closed"})
    assert (status, data) == (
        409,
        {
            "code": "invalid_transition",
            "detail": "诉求当前为“已派单”,不能改为“已关闭”。",
            "errors": {},
        },
    )


def test_a_transition_the_caller_may_not_make_is_403_in_chinese(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    status, data = api_for(cast.resident_user).post(
        f"{URL}/{filed.pk}/transitions", {"to": "in_progress"}
    )
    assert (status, data) == (
        403,
        {"code": "not_permitted", "detail": "您不能对这条诉求执行“开始处理”。", "errors": {}},
    )
    assert Request.objects.get(pk=filed.pk).status == Status.ASSIGNED


def test_a_missing_note_is_422_with_the_field(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    worker = api_for(cast.worker1)
    worker.post(f"{URL}/{filed.pk}/transitions", {"to": "in_progress"})
    status, data = worker.post(f"{URL}/{filed.pk}/transitions", {"to": "resolved"})
    assert status == 422
    assert data == {
        "code": "invalid",
        "detail": "请填写办结的理由或说明。",
        "errors": {"note": ["请填写办结的理由或说明。"]},
    }


def test_dispatcher_reassigns_by_username(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    staff = api_for(cast.staff)
    moves = f"{URL}/{filed.pk}/transitions"
    status, data = staff.post(moves, {"to": "assigned", "assignee": "worker2", "note": "顺路"})
    assert (status, data["assignee"]) == (200, "worker2")
    status, data = staff.post(moves, {"to": "assigned", "assignee": "nobody"})
    assert status == 422
    assert list(data["errors"]) == ["assignee"]


def test_reporter_rates_a_resolved_request(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    request_transition(request=filed, to=Status.IN_PROGRESS, actor=cast.worker1)
    request_transition(request=filed, to=Status.RESOLVED, actor=cast.worker1, note="修好了")
    status, data = api_for(cast.resident_user).post(
        f"{URL}/{filed.pk}/feedback",
        {"resolved": True, "satisfaction": "basically_satisfied", "comment": "还行"},
    )
    assert (status, data["status"]) == (200, "resolved")
    feedback = Feedback.objects.get(request=filed)
    assert (feedback.resolved, feedback.satisfaction, feedback.comment, feedback.via) == (
        True,
        "basically_satisfied",
        "还行",
        "reporter",
    )


def test_not_resolved_feedback_reopens_and_others_may_not_rate(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    feedback_url = f"{URL}/{filed.pk}/feedback"
    body = {"resolved": False, "satisfaction": "dissatisfied", "comment": "灯还是不亮"}
    status, data = api_for(cast.resident_user).post(feedback_url, body)
    assert (status, data) == (
        409,
        {"code": "invalid_transition", "detail": "诉求还没有办结,暂时不能评价。", "errors": {}},
    )
    request_transition(request=filed, to=Status.IN_PROGRESS, actor=cast.worker1)
    request_transition(request=filed, to=Status.RESOLVED, actor=cast.worker1, note="修好了")
    status, data = api_for(cast.worker1).post(feedback_url, body)
    assert (status, data) == (
        403,
        {"code": "not_permitted", "detail": "只有反映人本人可以评价。", "errors": {}},
    )
    status, data = api_for(cast.resident_user).post(feedback_url, body)
    assert (status, data["status"]) == (200, "in_progress")
    assert Request.objects.get(pk=filed.pk).reopen_count == 1
    status, data = api_for(cast.resident_user).post(
        feedback_url, {"resolved": True, "satisfaction": "so-so"}
    )
    assert status == 422
    assert "satisfaction" in data["errors"]


def test_staff_record_a_phone_follow_up(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    request_transition(request=filed, to=Status.IN_PROGRESS, actor=cast.worker1)
    request_transition(request=filed, to=Status.RESOLVED, actor=cast.worker1, note="修好了")
    status, _data = api_for(cast.staff).post(
        f"{URL}/{filed.pk}/feedback",
        {"resolved": True, "satisfaction": "satisfied", "via": "phone"},
    )
    assert status == 200
    assert Feedback.objects.get(request=filed).recorded_by == cast.staff


def test_events_are_the_timeline(cast: Cast, api_for: Any) -> None:
    filed = _filed(cast, cast.unit1)
    request_transition(request=filed, to=Status.IN_PROGRESS, actor=cast.worker1)
    status, data = api_for(cast.resident_user).get(f"{URL}/{filed.pk}/events")
    assert status == 200
    assert [(e["kind"], e["actor"], e["from"], e["to"]) for e in data] == [
        ("submitted", "resident", None, "submitted"),
        ("auto", None, "submitted", "accepted"),
        ("auto", None, "accepted", "assigned"),
        ("transition", "worker1", "assigned", "in_progress"),
    ]
    assert data[0]["note"] == "通过“居民自助”提交"
    assert data[2]["note"] == "系统自动派给网格员 陈网格"
    assert data[3]["transition"] == "start"
    dt.datetime.fromisoformat(data[0]["at"])


# --- the document ----------------------------------------------------------------------------


def test_openapi_lists_the_request_operations_with_chinese_summaries(
    db: None, client: Client
) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        ("/api/v1/requests", "post"): "提交诉求",
        ("/api/v1/requests", "get"): "诉求列表(可筛选、分页)",
        ("/api/v1/requests/{request_id}", "get"): "查看一条诉求",
        ("/api/v1/requests/{request_id}/transitions", "post"): None,
        ("/api/v1/requests/{request_id}/feedback", "post"): None,
        ("/api/v1/requests/{request_id}/events", "get"): None,
    }
    for (path, method), summary in expected.items():
        operation = paths[path][method]
        assert re.search(r"[\u4e00-\u9fff]", operation["summary"]), (path, method)
        if summary is not None:
            assert operation["summary"] == summary
        assert operation["security"] == [{"BearerTokenAuth": []}]
    listing = paths["/api/v1/requests"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "status",
        "category",
        "grid",
        "channel",
        "overdue",
        "page",
        "page_size",
    }
    events = paths["/api/v1/requests/{request_id}/events"]["get"]
    assert "409" not in paths["/api/v1/requests/{request_id}"]["get"]["responses"]
    assert "404" in events["responses"]


def test_the_api_names_every_channel_and_status_the_models_know() -> None:
    assert set(get_args(ChannelFilter)) == set(Channel.values)
    assert set(get_args(ApiChannel)) == set(Channel.values) - {Channel.OPEN311}
    assert set(get_args(StatusFilter)) == set(Status.values) | {"open", "waiting"}
