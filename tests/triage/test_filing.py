"""Triage at filing time, corrections by dispatchers, and the one-click accept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from linli.core.errors import NotPermitted
from linli.core.models import AuditEvent
from linli.requests.models import Channel, Request, RequestEvent
from linli.requests.services import request_reclassify, request_submit
from linli.requests.workflow import Status
from linli.triage.models import Correction, Suggestion
from tests.cast import Cast
from tests.requests.support import category

ClientFor = Callable[[str], Client]


def _from_resident(cast: Cast, text: str) -> Request:
    """What the API does for a resident who gives neither category nor place."""
    return request_submit(
        submitted_by=cast.resident_user,
        reporter=cast.elder,
        text=text,
        channel=Channel.API,
        location=cast.community,
    )


def test_a_confident_reading_fills_category_and_place_and_routes_to_the_grid(
    cast: Cast,
) -> None:
    request = _from_resident(cast, "2号楼1单元门口的垃圾堆了好几天了,臭得不行")

    assert request.category.code == "sanitation"
    assert request.location == cast.unit2
    assert request.grid == cast.grid2
    assert request.status == Status.ASSIGNED
    assert request.assignee == cast.worker2
    suggestion = Suggestion.objects.get(request=request)
    assert suggestion.applied
    assert (suggestion.building, suggestion.unit) == (2, 1)
    assert suggestion.location == cast.unit2


def test_a_building_is_read_in_the_compound_named_in_the_text(cast: Cast) -> None:
    request = request_submit(
        submitted_by=cast.staff,
        text="和平小区1号楼1单元101楼道灯不亮了",
        channel=Channel.PHONE,
        location=cast.community,
    )
    assert (request.location, request.room) == (cast.unit1, "101")
    assert request.assignee == cast.worker1


def test_an_urgent_reading_flags_the_request_urgent(cast: Cast) -> None:
    request = _from_resident(cast, "1号楼1单元电梯里有人被困了,快来人!")

    assert request.urgent
    assert request.category.code == "safety"
    assert (request.due_at - request.submitted_at).total_seconds() == 2 * 3600


def test_below_the_threshold_the_request_waits_with_the_suggestion(
    cast: Cast, settings: Settings
) -> None:
    settings.LINLI_TRIAGE_THRESHOLD = 1.01  # nothing is ever sure enough
    request = _from_resident(cast, "2号楼1单元门口的垃圾堆了好几天了,臭得不行")

    assert request.category.code == "other"
    assert request.location == cast.community
    assert request.status == Status.SUBMITTED
    assert request.assignee is None
    suggestion = Suggestion.objects.get(request=request)
    assert not suggestion.applied
    assert suggestion.category == "sanitation"
    assert suggestion.location == cast.unit2


def test_given_category_and_place_are_not_triaged(cast: Cast) -> None:
    request = request_submit(
        submitted_by=cast.staff,
        text="2号楼垃圾堆了",
        channel=Channel.PHONE,
        location=cast.unit1,
        category=category("repair"),
    )
    assert request.category.code == "repair"
    assert request.location == cast.unit1
    assert not Suggestion.objects.filter(request=request).exists()


def test_a_building_that_does_not_exist_leaves_the_request_for_dispatch(cast: Cast) -> None:
    request = _from_resident(cast, "9号楼门口垃圾堆了好几天了,臭得不行")

    assert request.location == cast.community
    assert request.status == Status.SUBMITTED
    assert request.category.code == "sanitation"
    assert Suggestion.objects.get(request=request).location is None


def test_the_suggestion_is_accepted_in_one_click_and_routes_the_request(
    cast: Cast, settings: Settings, client_for: ClientFor
) -> None:
    settings.LINLI_TRIAGE_THRESHOLD = 1.01
    request = _from_resident(cast, "2号楼1单元门口的垃圾堆了好几天了,臭得不行")
    client = client_for("staff")
    page = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "系统分诊建议" in page
    assert "环境卫生" in page
    assert "采纳建议" in page

    response = client.post(reverse("requests:accept_suggestion", args=[request.pk]))

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.category.code == "sanitation"
    assert request.location == cast.unit2
    assert (request.status, request.assignee) == (Status.ASSIGNED, cast.worker2)
    suggestion = Suggestion.objects.get(request=request)
    assert suggestion.applied
    assert suggestion.accepted_by == cast.staff
    correction = Correction.objects.get(request=request)
    assert (correction.category, correction.building, correction.unit) == ("sanitation", 2, 1)
    assert correction.previous_category == "other"
    page = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "采纳建议" not in page


def test_a_dispatcher_corrects_category_and_place_which_becomes_a_labelled_example(
    cast: Cast, client_for: ClientFor
) -> None:
    request = request_submit(
        submitted_by=cast.staff,
        text="楼上天天半夜剁肉,吵得睡不着",
        channel=Channel.PHONE,
        location=cast.unit1,
        category=category("order"),
    )
    response = client_for("staff").post(
        reverse("requests:reclassify", args=[request.pk]),
        {
            "category": category("dispute").pk,
            "place": f"a{cast.building2.pk}",
            "unit": "1",
            "room": "502",
            "note": "是2号楼的邻里纠纷",
        },
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.category.code == "dispute"
    assert (request.location, request.room, request.grid) == (cast.unit2, "502", cast.grid2)
    correction = Correction.objects.get()
    assert correction.as_example() == {
        "text": "楼上天天半夜剁肉,吵得睡不着",
        "category": "dispute",
        "building": 2,
        "unit": 1,
        "room": "502",
        "urgent": False,
    }
    assert (correction.previous_category, correction.corrected_by) == ("order", cast.staff)
    note = RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.COMMENT).get().note
    assert "矛盾纠纷" in note
    assert "2号楼1单元502" in note
    assert AuditEvent.objects.filter(object_type="triage.correction").exists()


def test_the_reclassify_form_reports_a_unit_that_does_not_exist(
    cast: Cast, client_for: ClientFor
) -> None:
    request = request_submit(
        submitted_by=cast.staff,
        text="楼道灯坏了",
        channel=Channel.PHONE,
        location=cast.unit1,
        category=category("repair"),
    )
    response = client_for("staff").post(
        reverse("requests:reclassify", args=[request.pk]),
        {"category": category("repair").pk, "place": f"a{cast.building1.pk}", "unit": "7"},
    )
    assert response.status_code == 400
    assert "1号楼没有7单元" in response.content.decode()
    assert not Correction.objects.exists()


def test_only_dispatchers_may_reclassify_and_only_within_the_community(cast: Cast) -> None:
    request = request_submit(
        submitted_by=cast.staff,
        text="楼道灯坏了",
        channel=Channel.PHONE,
        location=cast.unit1,
        category=category("repair"),
    )
    with pytest.raises(NotPermitted):
        request_reclassify(
            request=request,
            actor=cast.resident_user,
            category=category("safety"),
            location=cast.unit1,
        )
    with pytest.raises(ValidationError) as exc:
        request_reclassify(
            request=request,
            actor=cast.staff,
            category=category("repair"),
            location=cast.other_community,
        )
    assert exc.value.message_dict == {"location": ["只能在本社区之内调整位置。"]}
    assert not Correction.objects.exists()


def test_the_grid_worker_sees_no_correction_form(cast: Cast, client_for: ClientFor) -> None:
    request = _from_resident(cast, "1号楼1单元楼道灯不亮了")
    assert request.assignee == cast.worker1
    page = client_for("worker1").get(reverse("requests:detail", args=[request.pk]))
    assert "调整类别或位置" not in page.content.decode()
    staff_page = client_for("staff").get(reverse("requests:detail", args=[request.pk]))
    assert "调整类别或位置" in staff_page.content.decode()


def test_the_suggestion_keeps_what_was_given_explicitly(cast: Cast, settings: Settings) -> None:
    settings.LINLI_TRIAGE_THRESHOLD = 1.01
    given_category = request_submit(
        submitted_by=cast.staff,
        text="2号楼1单元门口的垃圾堆了好几天了",
        channel=Channel.PHONE,
        location=cast.community,
        category=category("order"),
    )
    suggestion = Suggestion.objects.get(request=given_category)
    assert (suggestion.category, suggestion.location) == ("order", cast.unit2)
    given_place = request_submit(
        submitted_by=cast.staff,
        text="2号楼1单元门口的垃圾堆了好几天了",
        channel=Channel.PHONE,
        location=cast.unit1,
    )
    suggestion = Suggestion.objects.get(request=given_place)
    assert (suggestion.category, suggestion.location) == ("sanitation", None)
