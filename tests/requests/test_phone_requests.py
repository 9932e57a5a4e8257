"""Requests on the phone (issue 17): the report proposes its place from the text, the
resident reads statuses in plain words, the assignee calls the reporter (an audited
reveal) and records 「已联系」 (the first response), staff close with a confirmation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from linli.core.errors import InvalidTransition, NotPermitted
from linli.core.models import AuditEvent
from linli.requests.models import Feedback, Request, RequestEvent, Satisfaction
from linli.requests.selectors import propose_place, report_places
from linli.requests.services import (
    request_feedback,
    request_record_contact,
    request_reveal_reporter_phone,
)
from linli.requests.templatetags.requests_tags import resident_status_text
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, move

T0 = local(2026, 11, 28, 9)


def _checked_place(html: str) -> str:
    match = re.search(r'<input type="radio" name="place" value="([^"]+)"[^>]*checked', html)
    assert match, "no place is proposed"
    return match.group(1)


# --- the place, proposed from the text --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("楼道灯坏了,晚上看不见", "unit"),
        ("单元门关不上了", "unit"),
        ("楼梯扶手松了", "unit"),
        ("小区门口堆满了建筑垃圾", "compound"),
        ("小区里的路灯不亮", "compound"),
        ("楼顶的防水层坏了", "building"),
        ("家里水管爆了", "home"),
        ("有件事想反映一下", "unit"),  # nothing said: never the flat
    ],
)
def test_the_place_is_proposed_from_the_text(cast: Cast, text: str, key: str) -> None:
    assert propose_place(text, report_places(cast.elder)) == key


def test_the_report_offers_home_as_one_choice_and_collapses_other_buildings(
    cast: Cast, client_for: Any
) -> None:
    html = client_for("resident").get(reverse("requests:report")).content.decode()

    assert _checked_place(html) == "unit"  # not 「我家(…101室)」
    assert "我家(" in html
    main, _sep, collapsed = html.partition('<details class="place-others">')
    assert 'value="home"' in main
    assert 'value="unit"' in main
    assert 'value="compound"' in main
    assert re.search(r'value="b\d+"', collapsed)
    assert not re.search(r'value="b\d+"', main)
    assert 'class="actions report-submit"' in html  # 提交 stays on screen (sticky)
    assert 'id="place-hints"' in html  # the words the page proposes with


def test_a_stairwell_report_goes_to_the_units_common_area_not_the_flat(
    cast: Cast, client_for: Any
) -> None:
    response = client_for("resident").post(
        reverse("requests:report"), {"text": "楼道灯坏了,晚上看不见", "place": "unit"}
    )

    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.location, request.room) == (cast.unit1, "")


# --- plain words for residents ----------------------------------------------------------------


def test_the_resident_reads_who_has_it_and_by_when(cast: Cast, client_for: Any) -> None:
    request = file_request(cast, category_code="sanitation", at=T0)  # due in 24 hours
    assert resident_status_text(request) == "已交给网格员陈网格,预计11月29日前办好"
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0 + dt.timedelta(hours=1))
    assert resident_status_text(request) == "网格员陈网格正在处理,预计11月29日前办好"

    html = client_for("resident").get(reverse("requests:detail", args=[request.pk])).content
    page = html.decode()
    assert "网格员陈网格正在处理" in page
    assert "处理中" not in page.split("<main", 1)[-1].split("办理过程", 1)[0]
    assert "响应时限" not in page


def test_the_resident_reads_the_timeline_in_plain_words(cast: Cast, client_for: Any) -> None:
    request = file_request(cast, category_code="sanitation", at=T0)  # auto accepted, assigned
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0 + dt.timedelta(hours=1))
    move(request, Status.RESOLVED, cast.worker1, note="垃圾已清运", at=T0 + dt.timedelta(hours=2))
    url = reverse("requests:detail", args=[request.pk])

    client = client_for("resident")
    page = client.get(url).content.decode()
    timeline = page.split("办理过程", 1)[1]
    steps = re.findall(r"<b>([^<]+)</b>", timeline)
    assert steps == [
        "您反映的问题已送到社区",
        "社区已收到,正在安排人手",
        "已安排专人来办",
        "工作人员开始处理了",
        "已经办好了,请您看看是否满意",
    ]
    assert "垃圾已清运" in timeline  # the result is written for them
    for office_term in ("待受理", "已派单", "处理中", "已办结待核实", "流转", "系统", "→"):
        assert office_term not in timeline, office_term
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode().split('class="timeline"', 1)[1]
    assert "Your report has reached the community" in english
    assert "Done; please tell us if you are satisfied" in english

    # Staff still read the office's timeline.
    staff_timeline = client_for("worker1").get(url).content.decode().split("办理过程", 1)[1]
    assert "已派单 → 处理中" in staff_timeline


def test_the_rating_is_large_tiles(cast: Cast, client_for: Any) -> None:
    request = file_request(cast, at=T0)
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0)
    move(request, Status.RESOLVED, cast.worker1, note="已修好", at=T0)

    page = client_for("resident").get(reverse("requests:detail", args=[request.pk]))

    html = page.content.decode()
    assert html.count('<label class="tile">') == 5  # 解决了/还没解决 and three ratings


# --- calling the reporter ---------------------------------------------------------------------


def test_the_assignee_reveals_the_number_as_an_audited_tel_link(
    cast: Cast, client_for: Any
) -> None:
    request = file_request(cast, at=T0)
    url = reverse("requests:reveal_phone", args=[request.pk])
    client = client_for("worker1")
    detail = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "打电话给反映人" in detail
    assert "13812345678" not in detail

    response = client.post(url)

    assert response.status_code == 200
    assert 'href="tel:13812345678"' in response.content.decode()
    reveal = AuditEvent.objects.get(action="reveal")
    assert (reveal.actor, reveal.object_id, reveal.fields) == (
        cast.worker1,
        str(cast.elder.pk),
        ["phone"],
    )


@pytest.mark.parametrize("username", ["staff", "worker2", "resident"])
def test_only_the_assignee_may_reveal_the_number(
    cast: Cast, client_for: Any, username: str
) -> None:
    request = file_request(cast, at=T0)

    response = client_for(username).post(reverse("requests:reveal_phone", args=[request.pk]))

    assert response.status_code in {403, 404}
    assert "13812345678" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_contacted_is_a_timeline_event_and_the_first_response(cast: Cast, client_for: Any) -> None:
    request = file_request(cast)
    assert request.responded_at is None  # routing accepted it: not a response

    response = client_for("worker1").post(
        reverse("requests:contact", args=[request.pk]), {"next": "tasks"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("requests:tasks")
    request.refresh_from_db()
    event = request.events.get(kind=RequestEvent.Kind.CONTACTED)
    assert (event.actor, event.note) == (cast.worker1, "已与反映人联系")
    assert request.responded_at == event.created_at
    assert AuditEvent.objects.filter(
        action="update", object_id=str(request.pk), fields=["events", "responded_at"]
    ).exists()


def test_a_later_contact_or_start_keeps_the_first_response(cast: Cast) -> None:
    request = file_request(cast, at=T0)
    request_record_contact(request=request, actor=cast.worker1, at=T0 + dt.timedelta(hours=1))
    request_record_contact(request=request, actor=cast.worker1, at=T0 + dt.timedelta(hours=3))
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0 + dt.timedelta(hours=5))

    request.refresh_from_db()
    assert request.responded_at == T0 + dt.timedelta(hours=1)
    assert request.events.filter(kind=RequestEvent.Kind.CONTACTED).count() == 2


def test_no_contact_on_a_finished_request_or_by_someone_else(cast: Cast) -> None:
    request = file_request(cast, at=T0)
    with pytest.raises(NotPermitted):
        request_record_contact(request=request, actor=cast.staff)
    with pytest.raises(NotPermitted):
        request_reveal_reporter_phone(request=request, actor=cast.worker2)
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0)
    move(request, Status.RESOLVED, cast.worker1, note="已修好", at=T0)
    with pytest.raises(InvalidTransition):
        request_record_contact(request=request, actor=cast.worker1)
    assert not request.events.filter(kind=RequestEvent.Kind.CONTACTED).exists()


def test_the_task_card_offers_the_call_and_opens_the_resolve_form_as_a_sheet(
    cast: Cast, client_for: Any
) -> None:
    request = file_request(cast)
    move(request, Status.IN_PROGRESS, cast.worker1)

    html = client_for("worker1").get(reverse("requests:tasks")).content.decode()

    assert reverse("requests:reveal_phone", args=[request.pk]) in html
    assert reverse("requests:contact", args=[request.pk]) in html
    assert 'class="sheet"' in html


# --- closing ----------------------------------------------------------------------------------


def _resolved(cast: Cast) -> Request:
    request = file_request(cast, at=T0)
    move(request, Status.IN_PROGRESS, cast.worker1, at=T0)
    return move(request, Status.RESOLVED, cast.worker1, note="已修好", at=T0)


def test_staff_close_with_a_confirmation_warned_when_nobody_followed_up(
    cast: Cast, client_for: Any
) -> None:
    request = _resolved(cast)
    client = client_for("staff")

    html = client.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "确认已核实办理结果" in html
    assert "还没有回访" in html
    assert "关闭说明(可选)" in html

    response = client.post(
        reverse("requests:transition", args=[request.pk]),
        {"to": Status.CLOSED, "note": "现场核实灯已亮"},
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    event = request.events.get(transition="close")
    assert event.note == "现场核实灯已亮"


def test_closing_after_a_follow_up_gives_no_warning(cast: Cast, client_for: Any) -> None:
    request = _resolved(cast)
    request_feedback(
        request=request,
        actor=cast.staff,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        via=Feedback.Via.PHONE,
        at=T0 + dt.timedelta(hours=1),
    )

    html = client_for("staff").get(reverse("requests:detail", args=[request.pk])).content
    page = html.decode()
    assert "确认已核实办理结果" in page
    assert "还没有回访" not in page
