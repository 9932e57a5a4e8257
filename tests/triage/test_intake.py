"""The group-chat intake page: paste, check the drafts, file them (or link repeats)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.requests.models import Channel, Request, RequestEvent
from linli.requests.services import request_submit
from linli.requests.workflow import Status
from linli.triage.selectors import likely_duplicate
from tests.cast import Cast
from tests.requests.support import category

ClientFor = Callable[[str], Client]
URL = reverse("requests:intake")

BLOCK = """张三 10:32
2号楼1单元门口的垃圾堆了好几天了,臭得不行
李四 10:33
[表情]
[2026-11-28 10:35] 王大妈: 谢谢网格员👍
[2026-11-28 10:36] 赵六：1号楼1单元101的电梯里有人被困了,快来人
刘奶奶：收到
"""


def _management(total: int) -> dict[str, str]:
    return {
        "form-TOTAL_FORMS": str(total),
        "form-INITIAL_FORMS": str(total),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "200",
    }


def _drafts(response: Any) -> list[dict[str, Any]]:
    formset = response.context["formset"]
    return [form.initial for form in formset.forms]


def test_paste_gives_one_triaged_draft_per_actionable_message(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("staff")
    assert client.get(URL).status_code == 200

    response = client.post(URL, {"step": "read", "block": BLOCK, "community": cast.community.pk})

    assert response.status_code == 200
    drafts = _drafts(response)
    assert [d["sender"] for d in drafts] == ["张三", "赵六"]
    assert drafts[0]["category"] == category("sanitation").pk
    assert drafts[0]["place"] == f"a{cast.building2.pk}"
    assert (drafts[0]["unit"], drafts[0]["urgent"], drafts[0]["action"]) == (1, False, "file")
    assert drafts[1]["category"] == category("safety").pk
    assert (drafts[1]["place"], drafts[1]["unit"], drafts[1]["room"]) == (
        f"a{cast.building1.pk}",
        1,
        "101",
    )
    assert drafts[1]["urgent"] is True
    page = response.content.decode()
    assert "已略过 3 条闲聊" in page
    assert "全部确认并登记" in page


def test_confirming_files_every_draft_with_the_corrections(
    cast: Cast, client_for: ClientFor
) -> None:
    data = {
        "step": "file",
        "community": str(cast.community.pk),
        **_management(2),
        "form-0-action": "file",
        "form-0-sender": "张三",
        "form-0-text": "2号楼1单元门口的垃圾堆了好几天了",
        "form-0-category": str(category("sanitation").pk),
        "form-0-place": f"a{cast.building2.pk}",
        "form-0-unit": "1",
        "form-1-action": "file",
        "form-1-sender": "赵六",
        "form-1-text": "电梯里有人被困了",
        "form-1-category": str(category("safety").pk),
        "form-1-place": f"a{cast.building1.pk}",  # corrected by staff: was unknown
        "form-1-unit": "1",
        "form-1-room": "101",
        "form-1-urgent": "on",
    }
    response = client_for("staff").post(URL, data)

    assert response.status_code == 302
    filed = list(Request.objects.order_by("pk"))
    assert [(r.reporter_name, r.channel, r.location, r.room) for r in filed] == [
        ("张三", Channel.CHAT, cast.unit2, ""),
        ("赵六", Channel.CHAT, cast.unit1, "101"),
    ]
    assert [r.category.code for r in filed] == ["sanitation", "safety"]
    assert [r.urgent for r in filed] == [False, True]
    assert [r.assignee for r in filed] == [cast.worker2, cast.worker1]
    assert all(r.submitted_by == cast.staff for r in filed)


def test_a_repeat_of_an_open_request_is_shown_and_linked_not_filed_twice(
    cast: Cast, client_for: ClientFor
) -> None:
    earlier = request_submit(
        submitted_by=cast.staff,
        text="2号楼垃圾没人收",
        channel=Channel.PHONE,
        location=cast.building2,
        category=category("sanitation"),
    )
    client = client_for("staff")
    response = client.post(URL, {"step": "read", "block": BLOCK, "community": cast.community.pk})
    drafts = _drafts(response)
    assert (drafts[0]["action"], drafts[0]["duplicate"]) == ("link", earlier.pk)
    assert drafts[1]["duplicate"] is None
    page = response.content.decode()
    assert "可能重复" in page
    assert earlier.number in page

    data = {
        "step": "file",
        "community": str(cast.community.pk),
        **_management(1),
        "form-0-action": "link",
        "form-0-sender": "张三",
        "form-0-text": "2号楼1单元门口的垃圾堆了好几天了",
        "form-0-category": str(category("sanitation").pk),
        "form-0-place": f"a{cast.building2.pk}",
        "form-0-duplicate": str(earlier.pk),
    }
    assert client.post(URL, data).status_code == 302

    assert Request.objects.count() == 1
    note = RequestEvent.objects.filter(request=earlier, kind=RequestEvent.Kind.COMMENT).get()
    assert note.note.startswith("张三 通过“群聊”再次反映")
    assert note.actor == cast.staff


def test_duplicates_are_open_same_building_same_category_within_three_days(cast: Cast) -> None:
    now = timezone.now()
    old = request_submit(
        submitted_by=cast.staff,
        text="2号楼垃圾没人收",
        channel=Channel.PHONE,
        location=cast.unit2,
        category=category("sanitation"),
        at=now - dt.timedelta(days=4),
    )

    def found(code: str, where: Any) -> Request | None:
        return likely_duplicate(user=cast.staff, category_code=code, location=where, now=now)

    assert found("sanitation", cast.building2) is None  # older than three days
    recent = request_submit(
        submitted_by=cast.staff,
        text="2号楼垃圾没人收",
        channel=Channel.PHONE,
        location=cast.unit2,
        category=category("sanitation"),
        at=now - dt.timedelta(days=2),
    )
    assert found("sanitation", cast.building2) == recent
    assert found("sanitation", cast.unit2) == recent
    assert found("repair", cast.building2) is None
    assert found("sanitation", cast.building1) is None
    assert found("sanitation", cast.community) is None
    recent.status = Status.CLOSED
    recent.save(update_fields=["status"])
    assert found("sanitation", cast.building2) is None
    # The worker of the other grid does not see them, so is not told about them.
    old.delete()


def test_a_refused_draft_files_nothing_and_keeps_the_input(
    cast: Cast, client_for: ClientFor
) -> None:
    data = {
        "step": "file",
        "community": str(cast.community.pk),
        **_management(2),
        "form-0-action": "file",
        "form-0-text": "2号楼1单元门口的垃圾堆了好几天了",
        "form-0-category": str(category("sanitation").pk),
        "form-0-place": f"a{cast.building2.pk}",
        "form-1-action": "file",
        "form-1-text": "电梯坏了",
        "form-1-category": str(category("repair").pk),
        "form-1-place": f"a{cast.building1.pk}",
        "form-1-unit": "1",
        "form-1-room": "999",
    }
    response = client_for("staff").post(URL, data)

    assert response.status_code == 400
    assert not Request.objects.exists()
    page = response.content.decode()
    assert "没有999室" in page
    assert "电梯坏了" in page


def test_only_chatter_is_explained_and_residents_may_not_use_the_page(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("staff").post(
        URL,
        {
            "step": "read",
            "block": "张三 10:00\n谢谢\n李四 10:01\n[表情]",
            "community": cast.community.pk,
        },
    )
    assert response.status_code == 400
    assert "没有找到需要登记的消息" in response.content.decode()
    assert client_for("resident").get(URL).status_code == 403


def test_a_repeat_within_the_same_paste_is_marked_and_not_filed_by_default(
    cast: Cast, client_for: ClientFor
) -> None:
    block = (
        "张三 10:32\n2号楼1单元门口的垃圾堆了好几天了\n"
        "李四 10:40\n2号楼门口垃圾又堆成山了,臭死了\n"
        "王五 10:41\n1号楼1单元楼道灯不亮了\n"
    )
    response = client_for("staff").post(
        URL, {"step": "read", "block": block, "community": cast.community.pk}
    )
    drafts = _drafts(response)
    assert [d["action"] for d in drafts] == ["file", "skip", "file"]
    assert [d.get("same_as") for d in drafts] == [None, 1, None]
    assert "与本次第 1 条同楼栋同类别" in response.content.decode()
