"""``/api/v1/requests/intake``: the group-chat intake with a token — preview the drafts
(nothing saved), then file the checked drafts all together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from linli.accounts.models import User
from linli.core.models import AuditEvent
from linli.requests.models import Channel, Request, RequestEvent
from linli.requests.services import request_submit
from linli.triage.models import Correction
from tests.cast import Cast
from tests.requests.support import category
from tests.requests.test_api import Api

PREVIEW = "/api/v1/requests/intake/preview"
FILE = "/api/v1/requests/intake"

BLOCK = """张三 10:32
2号楼1单元门口的垃圾堆了好几天了,臭得不行
李四 10:33
[表情]
[2026-11-28 10:35] 王大妈: 谢谢网格员👍
[2026-11-28 10:36] 赵六：1号楼1单元101的电梯里有人被困了,快来人
刘奶奶：收到
"""


@pytest.fixture
def api_for(client: Client) -> Callable[[User], Api]:
    return lambda user: Api(client, user)


def _two_drafts(cast: Cast) -> list[dict[str, Any]]:
    return [
        {
            "action": "file",
            "sender": "张三",
            "text": "2号楼1单元门口的垃圾堆了好几天了",
            "category": "sanitation",
            "place": cast.building2.pk,
            "unit": 1,
        },
        {
            "action": "file",
            "sender": "赵六",
            "text": "电梯里有人被困了",
            "category": "safety",
            "place": cast.building1.pk,
            "unit": 1,
            "room": "101",
            "urgent": True,
        },
    ]


def test_preview_reads_each_message_into_a_draft_and_saves_nothing(
    cast: Cast, api_for: Any
) -> None:
    status, body = api_for(cast.staff).post(
        PREVIEW, {"community": cast.community.pk, "text": BLOCK}
    )

    assert status == 200, body
    assert body["community"]["id"] == cast.community.pk
    drafts = body["drafts"]
    assert [d["sender"] for d in drafts] == ["张三", "赵六"]
    assert (drafts[0]["category"], drafts[0]["place"], drafts[0]["unit"]) == (
        "sanitation",
        cast.building2.pk,
        1,
    )
    assert (drafts[0]["urgent"], drafts[0]["action"]) == (False, "file")
    assert (drafts[1]["category"], drafts[1]["place"], drafts[1]["unit"], drafts[1]["room"]) == (
        "safety",
        cast.building1.pk,
        1,
        "101",
    )
    assert drafts[1]["urgent"] is True
    assert drafts[1]["read"] == {"category": "safety", "urgent": True}
    assert [m["sender"] for m in body["skipped"]] == ["李四", "王大妈", "刘奶奶"]
    assert not Request.objects.exists()


def test_the_one_community_need_not_be_named_and_a_repeat_is_shown(
    cast: Cast, api_for: Any
) -> None:
    earlier = request_submit(
        submitted_by=cast.staff,
        text="2号楼垃圾没人收",
        channel=Channel.PHONE,
        location=cast.building2,
        category=category("sanitation"),
    )
    status, body = api_for(cast.staff).post(PREVIEW, {"text": BLOCK})

    assert status == 200, body
    first = body["drafts"][0]
    assert (first["action"], first["duplicate"], first["duplicate_number"]) == (
        "link",
        earlier.pk,
        earlier.number,
    )
    assert first["duplicate_why"] == "place"


def test_filing_the_checked_drafts_files_them_all_with_corrections(
    cast: Cast, api_for: Any
) -> None:
    drafts = _two_drafts(cast)
    # Triage read the second as not urgent; staff ticked it: a correction to learn from.
    drafts[1]["read"] = {"category": "safety", "urgent": False}
    status, body = api_for(cast.staff).post(
        FILE, {"community": cast.community.pk, "drafts": drafts}
    )

    assert status == 201, body
    filed = list(Request.objects.order_by("pk"))
    assert [r.pk for r in filed] == [r["id"] for r in body["filed"]]
    assert body["linked"] == []
    assert [(r.reporter_name, r.channel, r.location, r.room) for r in filed] == [
        ("张三", Channel.CHAT, cast.unit2, ""),
        ("赵六", Channel.CHAT, cast.unit1, "101"),
    ]
    assert [r.category.code for r in filed] == ["sanitation", "safety"]
    assert [r.urgent for r in filed] == [False, True]
    assert [r.assignee for r in filed] == [cast.worker2, cast.worker1]
    assert all(r.submitted_by == cast.staff for r in filed)
    assert Correction.objects.get().request == filed[1]
    assert AuditEvent.objects.filter(actor=cast.staff, object_id=str(filed[0].pk)).exists()


def test_a_repeat_is_linked_and_a_skipped_draft_is_not_filed(cast: Cast, api_for: Any) -> None:
    earlier = request_submit(
        submitted_by=cast.staff,
        text="2号楼垃圾没人收",
        channel=Channel.PHONE,
        location=cast.building2,
        category=category("sanitation"),
    )
    drafts = _two_drafts(cast)
    drafts[0].update(action="link", duplicate=earlier.pk)
    drafts[1].update(action="skip", place=None)  # a skipped draft needs no place

    status, body = api_for(cast.staff).post(FILE, {"drafts": drafts})

    assert status == 201, body
    assert body["filed"] == []
    assert [r["id"] for r in body["linked"]] == [earlier.pk]
    assert Request.objects.count() == 1
    note = RequestEvent.objects.filter(request=earlier, kind=RequestEvent.Kind.COMMENT).get()
    assert note.note.startswith("张三 通过“群聊”再次反映")


def test_one_wrong_draft_files_nothing_and_says_which_draft_and_field(
    cast: Cast, api_for: Any
) -> None:
    drafts = _two_drafts(cast)
    drafts[1]["room"] = "999"

    status, body = api_for(cast.staff).post(FILE, {"drafts": drafts})

    assert status == 422
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["drafts.1.room"]
    assert "没有999室" in body["errors"]["drafts.1.room"][0]
    assert not Request.objects.exists()


def test_a_draft_the_service_refuses_rolls_back_the_drafts_filed_before_it(
    cast: Cast, api_for: Any
) -> None:
    """The first draft is filed inside the transaction, the second is refused by the
    service (its request to link to is outside the caller's scope): nothing is kept."""
    hidden = request_submit(
        submitted_by=cast.admin,
        text="别的社区的诉求",
        channel=Channel.PHONE,
        location=cast.other_community,
        category=category("repair"),
    )
    drafts = _two_drafts(cast)
    drafts[1].update(action="link", duplicate=hidden.pk)

    status, body = api_for(cast.staff).post(FILE, {"drafts": drafts})

    assert status == 422, body
    assert list(body["errors"]) == ["drafts.1"]
    assert body["errors"]["drafts.1"] == ["无法并入这条诉求。"]
    assert list(Request.objects.all()) == [hidden]
    assert not RequestEvent.objects.filter(request=hidden, kind=RequestEvent.Kind.COMMENT).exists()


def test_invalid_drafts_are_named_each_with_their_field(cast: Cast, api_for: Any) -> None:
    drafts = [
        {"text": "   ", "category": "nonsense", "place": cast.other_community.pk},
        {"text": "楼道灯不亮", "category": "repair", "place": cast.community.pk, "unit": 1},
        {"action": "link", "text": "又坏了", "category": "repair", "place": cast.building1.pk},
    ]
    status, body = api_for(cast.staff).post(FILE, {"drafts": drafts})

    assert status == 422
    assert body["errors"] == {
        "drafts.0.text": ["请填写反映的内容。"],
        "drafts.0.category": ["未知的类别代码“nonsense”。"],
        "drafts.0.place": ["请选择位置。"],
        "drafts.1.unit": ["选择楼栋后才能填单元号。"],
        "drafts.2.action": ["没有可以并入的诉求,请登记为新诉求或不登记。"],
    }
    assert not Request.objects.exists()


def test_bodies_are_checked_before_anything_is_read(cast: Cast, api_for: Any) -> None:
    api = api_for(cast.staff)
    status, body = api.post(FILE, {"drafts": []})
    assert (status, list(body["errors"])) == (422, ["drafts"])
    status, body = api.post(PREVIEW, {"text": "张三 10:00\n谢谢\n李四 10:01\n[表情]"})
    assert status == 422
    assert body["errors"] == {"text": ["没有找到需要登记的消息(只有问候、感谢、表情等)。"]}
    status, body = api.post(PREVIEW, {"text": "  "})
    assert (status, body["errors"]) == (422, {"text": ["请粘贴群聊记录。"]})
    status, body = api.post(PREVIEW, {"text": "x" * 20001})
    assert (status, list(body["errors"])) == (422, ["text"])


def test_residents_may_not_and_another_community_is_out_of_scope(cast: Cast, api_for: Any) -> None:
    status, body = api_for(cast.resident_user).post(PREVIEW, {"text": BLOCK})
    assert (status, body["code"]) == (403, "not_permitted")
    status, body = api_for(cast.resident_user).post(FILE, {"drafts": _two_drafts(cast)})
    assert (status, body["code"]) == (403, "not_permitted")

    staff = api_for(cast.staff)
    status, body = staff.post(PREVIEW, {"community": cast.other_community.pk, "text": BLOCK})
    assert (status, body["code"]) == (404, "not_found")
    status, body = staff.post(
        FILE, {"community": cast.other_community.pk, "drafts": _two_drafts(cast)}
    )
    assert (status, body["code"]) == (404, "not_found")
    assert not Request.objects.exists()


def test_pasted_text_passes_the_boundary_normaliser(cast: Cast, api_for: Any) -> None:
    drafts = _two_drafts(cast)[:1]
    drafts[0]["text"] = "垃圾\x00堆了\x1b好几天"
    status, body = api_for(cast.staff).post(FILE, {"drafts": drafts})
    assert status == 201, body
    assert Request.objects.get().text == "垃圾堆了好几天"


def test_a_preview_can_be_sent_back_as_it_came(cast: Cast, api_for: Any) -> None:
    api: Api = api_for(cast.staff)
    _status, preview = api.post(PREVIEW, {"text": BLOCK})
    status, body = api.post(FILE, {"drafts": preview["drafts"]})
    assert status == 201, body
    assert len(body["filed"]) == 2
    # Kept as triage read them: no correction.
    assert not Correction.objects.exists()
