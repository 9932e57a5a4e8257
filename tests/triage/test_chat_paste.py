"""Issue 17, item 6: the chat paste keeps what it knows.

An ambiguous building (1号楼 in two compounds) asks which compound, with a reason, keeping
the unit; a message without a place is found as a repeat by its words (pasting the same
block twice files nothing twice); confidence reads 高/中/低; an imagined danger is not
flagged urgent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linli.areas.models import Area, AreaKind
from linli.areas.services import area_create
from linli.core.models import AuditEvent
from linli.requests.models import Request
from linli.triage.chat import similarity
from linli.triage.filing import confidence_level
from linli.triage.models import Correction
from tests.cast import Cast
from tests.requests.support import category

ClientFor = Callable[[str], Client]
URL = reverse("requests:intake")


def _management(total: int) -> dict[str, str]:
    return {
        "form-TOTAL_FORMS": str(total),
        "form-INITIAL_FORMS": str(total),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "200",
    }


def _read(client: Client, cast: Cast, block: str) -> Any:
    response = client.post(URL, {"step": "read", "block": block, "community": cast.community.pk})
    assert response.status_code == 200
    return response


def _drafts(response: Any) -> list[dict[str, Any]]:
    return [form.initial for form in response.context["formset"].forms]


def _as_post(cast: Cast, drafts: list[dict[str, Any]], **changes: str) -> dict[str, str]:
    """The drafts as the page would post them, with ``form-N-field`` changes."""
    data = {"step": "file", "community": str(cast.community.pk), **_management(len(drafts))}
    for i, draft in enumerate(drafts):
        for key, value in draft.items():
            if value is None or value is False:
                continue
            data[f"form-{i}-{key}"] = "on" if value is True else str(value)
    data.update(changes)
    return data


@pytest.fixture
def second_compound(cast: Cast) -> tuple[Area, Area, Area]:
    """幸福小区 in the same community, with its own 1号楼 1单元."""
    compound = area_create(
        actor=None,
        parent=cast.community,
        kind=AreaKind.COMPOUND,
        name="幸福小区",
        code="141181200001002",
    )
    building = area_create(
        actor=None,
        parent=compound,
        kind=AreaKind.BUILDING,
        name="1号楼",
        code="141181200001002001",
        grid=cast.building1.grid,
    )
    unit = area_create(
        actor=None,
        parent=building,
        kind=AreaKind.UNIT,
        name="1单元",
        code="14118120000100200101",
        floors=6,
        flats_per_floor=2,
    )
    return compound, building, unit


AMBIGUOUS = "孙师傅 10:40\n1号楼1单元楼道灯坏了好几天,晚上黑乎乎的\n"


def test_an_ambiguous_building_asks_which_compound_and_keeps_the_unit(
    cast: Cast, client_for: ClientFor, second_compound: tuple[Area, Area, Area]
) -> None:
    _compound, building, unit = second_compound
    client = client_for("staff")
    response = _read(client, cast, AMBIGUOUS)

    (draft,) = _drafts(response)
    assert draft["place"] == ""  # no guess
    assert draft["candidates"] == f"a{cast.building1.pk},a{building.pk}"
    assert draft["unit"] == 1
    form = response.context["formset"].forms[0]
    # Only the two buildings it may mean, and "none of these": not every place.
    assert [key for key, _label in form.fields["place"].choices] == [
        f"a{cast.building1.pk}",
        f"a{building.pk}",
        f"a{cast.community.pk}",
    ]
    page = response.content.decode()
    assert "2个小区都有1号楼(和平小区、幸福小区),消息里没说是哪个小区。" in page
    assert "单元和房号已按消息保留" in page
    assert "哪个小区的1号楼" in page

    # Filed without an answer: asked again, in Chinese, nothing filed.
    refused = client.post(URL, _as_post(cast, _drafts(response)))
    assert refused.status_code == 400
    assert "请选择是哪个小区的1号楼。" in refused.content.decode()
    assert not Request.objects.exists()

    # One tap on 幸福小区: filed at its 1号楼 1单元, the unit the message named.
    filed = client.post(
        URL, _as_post(cast, _drafts(response), **{"form-0-place": f"a{building.pk}"})
    )
    assert filed.status_code == 302
    (request,) = Request.objects.all()
    assert request.location == unit


def test_none_of_the_candidates_files_for_dispatch_without_the_kept_unit(
    cast: Cast, client_for: ClientFor, second_compound: tuple[Area, Area, Area]
) -> None:
    client = client_for("staff")
    response = _read(client, cast, AMBIGUOUS)
    data = _as_post(cast, _drafts(response), **{"form-0-place": f"a{cast.community.pk}"})
    assert client.post(URL, data).status_code == 302
    (request,) = Request.objects.all()
    assert (request.location, request.room) == (cast.community, "")


def test_an_unambiguous_building_is_placed_without_asking(
    cast: Cast, client_for: ClientFor
) -> None:
    response = _read(client_for("staff"), cast, AMBIGUOUS)
    (draft,) = _drafts(response)
    assert (draft["place"], draft["candidates"], draft["unit"]) == (
        f"a{cast.building1.pk}",
        "",
        1,
    )
    assert "请确认位置" not in response.content.decode()


UNLOCATED = "刘大爷 09:12\n小区里有人遛狗不拴绳,把小孩吓哭了,管管吧\n"


def test_pasting_the_same_block_twice_does_not_file_the_unlocated_message_twice(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("staff")
    first = _read(client, cast, UNLOCATED)
    (draft,) = _drafts(first)
    assert (draft["action"], draft["duplicate"]) == ("file", None)
    assert client.post(URL, _as_post(cast, _drafts(first))).status_code == 302
    (filed,) = Request.objects.all()
    assert filed.location == cast.community

    again = _read(client, cast, UNLOCATED)
    (draft,) = _drafts(again)
    assert (draft["action"], draft["duplicate"], draft["duplicate_why"]) == (
        "link",
        filed.pk,
        "text",
    )
    assert "内容几乎相同" in again.content.decode()
    assert client.post(URL, _as_post(cast, _drafts(again))).status_code == 302
    assert Request.objects.count() == 1


def test_a_repeated_unlocated_message_within_one_paste_is_skipped(
    cast: Cast, client_for: ClientFor
) -> None:
    block = (
        UNLOCATED
        + "王阿姨 09:30\n小区里有人遛狗不拴绳!!把小孩吓哭了 管管吧\n"
        + ("赵六 09:40\n小区门口有人摆摊卖菜,把人行道全占了\n")
    )
    response = _read(client_for("staff"), cast, block)
    drafts = _drafts(response)
    assert [d["action"] for d in drafts] == ["file", "skip", "file"]
    assert [d.get("same_as") for d in drafts] == [None, 1, None]
    assert "与本次第 1 条内容几乎相同" in response.content.decode()


def test_similarity_is_about_the_words_not_the_punctuation() -> None:
    assert (
        similarity("小区里有人遛狗不拴绳,把小孩吓哭了", "小区里有人遛狗不拴绳!!把小孩吓哭了") == 1.0
    )
    assert similarity("小区里有人遛狗不拴绳", "3号楼楼道灯坏了") < 0.1
    assert similarity("", "楼道灯坏了") == 0.0


def test_confidence_is_shown_in_words(cast: Cast, client_for: ClientFor) -> None:
    assert [confidence_level(v) for v in (0.95, 0.8, 0.7, 0.6, 0.59, 0.1)] == [
        "高",
        "高",
        "中",
        "中",
        "低",
        "低",
    ]
    response = _read(client_for("staff"), cast, AMBIGUOUS + UNLOCATED)
    page = response.content.decode()
    assert "分诊把握:" in page
    assert "分诊把握 0." not in page
    words = {confidence_level(float(d["confidence"])) for d in _drafts(response)}
    assert all(f"分诊把握:{w}" in page for w in words)


def test_an_imagined_fire_in_the_chat_is_not_urgent(cast: Cast, client_for: ClientFor) -> None:
    block = "张三 10:00\n着火了可咋办\n李四 10:01\n1号楼1单元楼道着火了 冒黑烟 快来人\n"
    drafts = _drafts(_read(client_for("staff"), cast, block))
    assert [(d["urgent"], d["category"]) for d in drafts] == [
        (False, category("safety").pk),
        (True, category("safety").pk),
    ]


def test_unticking_an_urgent_reading_in_the_paste_is_a_correction_triage_learns_from(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("staff")
    # Read as urgent (a smell of burning, now); staff know it was a neighbour's barbecue.
    response = _read(client, cast, "张三 10:00\n1号楼1单元楼道里一股烧焦的味道\n")
    (draft,) = _drafts(response)
    assert draft["urgent"] is True
    data = _as_post(cast, [draft])
    del data["form-0-urgent"]
    assert client.post(URL, data).status_code == 302

    (request,) = Request.objects.all()
    assert request.urgent is False
    (correction,) = Correction.objects.all()
    assert (correction.request, correction.urgent, correction.category) == (
        request,
        False,
        "safety",
    )
    assert correction.urgency_cleared_reason == "群聊登记时取消了紧急"
    assert AuditEvent.objects.filter(
        object_type__icontains="correction", object_id=str(correction.pk)
    ).exists()


def test_a_reading_kept_as_it_was_records_no_correction(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("staff")
    response = _read(client, cast, UNLOCATED)
    assert client.post(URL, _as_post(cast, _drafts(response))).status_code == 302
    assert not Correction.objects.exists()
