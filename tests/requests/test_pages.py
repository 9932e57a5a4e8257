"""The request pages through the test client: report, follow, handle, dispatch, verify."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import User
from linli.core.roles import Role
from linli.organisations.models import Organisation
from linli.requests.models import Channel, Feedback, Mediation, Request, RequestPhoto
from linli.requests.services import request_submit, request_transition
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import (
    category,
    file_request,
    in_progress,
    jpeg_bytes,
    move,
    person,
    resolved,
    upload,
    waiting,
)

ClientFor = Callable[[str], Client]


def _html(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return content.decode()


def _overdue(cast: Cast, *, days: int = 3) -> Request:
    """A sanitation request (24 hours) filed ``days`` ago at 1号楼1单元: routed to
    worker1 and long past due."""
    return file_request(
        cast,
        text="楼道堆满杂物,堵住了消防通道",
        category_code="sanitation",
        at=timezone.now() - dt.timedelta(days=days),
    )


# --- who may open what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["requests:report", "requests:mine", "requests:tasks", "requests:queue", "requests:file"],
)
def test_anonymous_visitors_are_sent_to_log_in(cast: Cast, client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_visitor_cannot_open_a_request(cast: Cast, client: Client) -> None:
    request = file_request(cast)
    response = client.get(reverse("requests:detail", args=[request.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("requests:detail", None),
        ("requests:transition", {"to": "in_progress"}),
        ("requests:feedback", {"resolved": "yes", "satisfaction": "satisfied"}),
        ("requests:mediation", {"parties": "张某"}),
        ("requests:mediation_session", {"held_on": "2026-01-01", "mediators": "x", "notes": "y"}),
        ("requests:mediation_conclude", {"outcome": "agreement", "agreement_text": "z"}),
    ],
)
def test_the_other_grids_worker_gets_404(
    cast: Cast, client_for: ClientFor, name: str, data: dict[str, str] | None
) -> None:
    request = file_request(cast, category_code="dispute")
    assert request.grid == cast.grid1
    client = client_for("worker2")
    url = reverse(name, args=[request.pk])
    response = client.get(url) if data is None else client.post(url, data)
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == Status.ASSIGNED


def test_the_other_grids_worker_cannot_see_a_photo(cast: Cast, client_for: ClientFor) -> None:
    request = file_request(cast, photos=[upload(jpeg_bytes())])
    photo = request.photos.get()
    url = reverse("requests:photo", args=[request.pk, photo.pk])
    assert client_for("worker2").get(url).status_code == 404
    response = client_for("worker1").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_queue_needs_the_capability_to_view_requests(cast: Cast, client_for: ClientFor) -> None:
    assert client_for("resident").get(reverse("requests:queue")).status_code == 403
    assert client_for("volunteer").get(reverse("requests:queue")).status_code == 403


def test_filing_needs_the_capability_to_file(cast: Cast, client_for: ClientFor) -> None:
    assert client_for("resident").get(reverse("requests:file")).status_code == 403
    assert client_for("leader").get(reverse("requests:file")).status_code == 403


# --- residents -----------------------------------------------------------------------------


def test_resident_reports_a_problem_at_home_with_photos(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("resident")
    page = client.get(reverse("requests:report"))
    html = _html(page)
    assert page.status_code == 200
    assert "需要马上有人来" in html
    assert 'value="home"' in html
    assert "checked" in html
    assert 'accept="image/*"' in html
    assert "capture" in html
    assert "multiple" in html

    response = client.post(
        reverse("requests:report"),
        {
            "text": "楼道灯坏了,晚上看不见",
            "place": "home",
            "urgent": "on",
            "photos": [upload(jpeg_bytes(), "a.jpg"), upload(jpeg_bytes(), "b.jpg")],
        },
    )
    created = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("requests:detail", args=[created.pk])
    assert created.location == cast.unit1
    assert created.room == "101"
    assert created.reporter == cast.elder
    assert created.channel == Channel.RESIDENT_PAGE
    assert created.urgent
    assert created.assignee == cast.worker1
    assert created.photos.filter(kind=RequestPhoto.Kind.REPORT).count() == 2

    detail = client.get(response["Location"])
    html = _html(detail)
    assert "已收到您反映的问题" in html
    assert "楼道灯坏了" in html
    assert "和平小区1号楼1单元101室" in html
    # The automatic routing, in the resident's words (not 系统 / 自动流转).
    assert "社区已收到,正在安排人手" in html
    assert "已安排专人来办" in html
    assert "系统" not in html.split("办理过程", 1)[1]
    # The facts, too, in plain words: who comes and by when, not the office's 承办人 / 办理时限.
    assert "谁来办" in html
    assert "最迟办好" in html
    assert "承办人" not in html
    assert "办理时限" not in html
    for photo in created.photos.all():
        assert reverse("requests:photo", args=[created.pk, photo.pk]) in html


def test_resident_may_report_another_building_of_their_compound(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("resident")
    response = client.post(
        reverse("requests:report"),
        {"text": "2号楼门口的路灯不亮", "place": f"b{cast.building2.pk}"},
    )
    assert response.status_code == 302
    created = Request.objects.get()
    assert created.location == cast.building2
    assert created.grid == cast.grid2
    assert created.assignee == cast.worker2
    # The reporter still follows it, though it is in the other grid.
    assert client.get(response["Location"]).status_code == 200


def test_report_without_text_keeps_the_input_and_explains_in_chinese(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("resident").post(
        reverse("requests:report"), {"text": "  ", "place": "compound", "urgent": "on"}
    )
    html = _html(response)
    assert response.status_code == 400
    assert "请描述遇到的问题。" in html
    assert re.search(r'value="compound"[^>]*checked', html)
    assert re.search(r'name="urgent"[^>]*checked', html)
    assert not Request.objects.exists()


def test_report_with_a_broken_photo_says_so(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("resident").post(
        reverse("requests:report"),
        {"text": "水管漏水", "place": "home", "photos": [upload(b"not an image", "x.jpg")]},
    )
    assert response.status_code == 400
    assert "无法识别的图片文件" in _html(response)
    assert "水管漏水" in _html(response)
    assert not Request.objects.exists()


def test_a_user_without_a_resident_record_gets_an_explanation(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").get(reverse("requests:report"))
    assert response.status_code == 200
    assert "还没有和居民信息关联" in _html(response)
    assert "<textarea" not in _html(response)


def test_my_requests_lists_newest_first_with_status_and_overdue(
    cast: Cast, client_for: ClientFor
) -> None:
    old = _overdue(cast)
    new = file_request(cast, text="电梯异响")
    other = file_request(cast, cast.unit2, text="别人的诉求", reporter=cast.neighbour)
    other.submitted_by = None
    other.save()
    html = _html(client_for("resident").get(reverse("requests:mine")))
    assert html.index(new.text) < html.index(old.text)
    assert "已超期" in html
    # In plain words, not office terms (issue 17): who has it and by when.
    assert "已派单" not in html
    assert "已交给网格员陈网格,预计" in html
    assert "别人的诉求" not in html


def test_my_requests_has_an_empty_state(cast: Cast, client_for: ClientFor) -> None:
    html = _html(client_for("resident").get(reverse("requests:mine")))
    assert "您还没有反映过问题" in html


# --- grid workers --------------------------------------------------------------------------


def test_tasks_show_overdue_first_then_the_soonest_deadline(
    cast: Cast, client_for: ClientFor
) -> None:
    later = file_request(cast, text="健身器材坏了")  # other: 7 days
    sooner = file_request(cast, text="垃圾没人清运", category_code="sanitation")  # 24 h
    late = _overdue(cast)
    file_request(cast, cast.unit2, text="第二网格的事")
    response = client_for("worker1").get(reverse("requests:tasks"))
    html = _html(response)
    assert response.status_code == 200
    assert html.index(late.text) < html.index(sooner.text) < html.index(later.text)
    assert "第二网格的事" not in html
    assert "已超期" in html
    assert "还剩" in html
    assert "和平小区1号楼1单元101室" in html
    assert "开始处理" in html


def test_worker_starts_with_one_tap_and_resolves_with_a_note(
    cast: Cast, client_for: ClientFor
) -> None:
    request = file_request(cast)
    client = client_for("worker1")
    url = reverse("requests:transition", args=[request.pk])
    started = client.post(url, {"to": "in_progress", "next": "tasks"})
    assert started.status_code == 302
    assert started["Location"] == reverse("requests:tasks")
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert "办结" in _html(client.get(reverse("requests:tasks")))

    done = client.post(
        url,
        {"to": "resolved", "note": "已更换灯泡", "next": "tasks", "photo": upload(jpeg_bytes())},
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.RESOLVED
    assert request.resolution_note == "已更换灯泡"
    assert request.photos.filter(kind=RequestPhoto.Kind.RESOLUTION).count() == 1
    assert "手上没有待办的诉求" in _html(client.get(reverse("requests:tasks")))


def test_starting_through_htmx_returns_the_updated_card(cast: Cast, client_for: ClientFor) -> None:
    request = file_request(cast)
    response = client_for("worker1").post(
        reverse("requests:transition", args=[request.pk]),
        {"to": "in_progress", "next": "tasks"},
        headers={"HX-Request": "true"},
    )
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="task-{request.pk}"' in html
    assert "确认办结" in html


def test_resolving_without_a_note_is_refused_with_the_reason(
    cast: Cast, client_for: ClientFor
) -> None:
    request = in_progress(cast)
    response = client_for("worker1").post(
        reverse("requests:transition", args=[request.pk]), {"to": "resolved", "note": ""}
    )
    assert response.status_code == 400
    assert "请填写办结的理由或说明。" in _html(response)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


# --- transitions from the detail page ------------------------------------------------------


def test_a_transition_not_allowed_is_403(cast: Cast, client_for: ClientFor) -> None:
    request = resolved(cast)
    # The reporter can see the request but may not verify it.
    response = client_for("resident").post(
        reverse("requests:transition", args=[request.pk]), {"to": "closed"}
    )
    assert response.status_code == 403
    assert "您不能对这条诉求执行“核实关闭”。" in _html(response)
    request.refresh_from_db()
    assert request.status == Status.RESOLVED


def test_an_invalid_transition_is_409_with_a_chinese_message(
    cast: Cast, client_for: ClientFor
) -> None:
    request = file_request(cast)
    response = client_for("staff").post(
        reverse("requests:transition", args=[request.pk]), {"to": "closed"}
    )
    assert response.status_code == 409
    assert "诉求当前为“已派单”,不能改为“已关闭”。" in _html(response)
    response = client_for("staff").post(
        reverse("requests:transition", args=[request.pk]), {"to": "bogus"}
    )
    assert response.status_code == 409
    assert "未知的状态" in _html(response)


def test_staff_verify_and_close_a_resolved_request(cast: Cast, client_for: ClientFor) -> None:
    request = resolved(cast)
    client = client_for("staff")
    page = _html(client.get(reverse("requests:detail", args=[request.pk])))
    assert "核实关闭" in page
    assert "退回重办" in page
    assert "138****5678" in page  # the reporter's phone, masked
    response = client.post(reverse("requests:transition", args=[request.pk]), {"to": "closed"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    html = _html(client.get(response["Location"]))
    assert "已核实关闭" in html
    assert "已办结待核实 → 已关闭" in html


def test_rework_needs_a_reason(cast: Cast, client_for: ClientFor) -> None:
    request = resolved(cast)
    client = client_for("staff")
    url = reverse("requests:transition", args=[request.pk])
    refused = client.post(url, {"to": "in_progress", "note": ""})
    assert refused.status_code == 400
    assert "请填写退回重办的理由或说明。" in _html(refused)
    assert client.post(url, {"to": "in_progress", "note": "灯还是不亮"}).status_code == 302
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


def test_dispatcher_accepts_and_assigns_a_waiting_request(
    cast: Cast, client_for: ClientFor
) -> None:
    request = waiting(cast)
    client = client_for("staff")
    url = reverse("requests:transition", args=[request.pk])
    assert client.post(url, {"to": "accepted"}).status_code == 302
    page = _html(client.get(reverse("requests:detail", args=[request.pk])))
    assert "派单" in page
    assert "陈网格" in page
    assert "李网格" in page
    assert client.post(url, {"to": "assigned", "assignee": str(cast.worker2.pk)}).status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ASSIGNED
    assert request.assignee == cast.worker2


def test_assigning_without_anyone_is_refused(cast: Cast, client_for: ClientFor) -> None:
    request = waiting(cast)
    client = client_for("staff")
    url = reverse("requests:transition", args=[request.pk])
    client.post(url, {"to": "accepted"})
    response = client.post(url, {"to": "assigned", "note": "请尽快"})
    assert response.status_code == 400
    html = _html(response)
    assert "请选择承办人或承办单位。" in html
    assert "请尽快" in html


def test_dispatcher_may_assign_to_an_organisation(cast: Cast, client_for: ClientFor) -> None:
    team = Organisation.objects.create(
        name="和平社区志愿服务队", kind=Organisation.Kind.SOCIAL, area=cast.community
    )
    request = waiting(cast)
    client = client_for("staff")
    url = reverse("requests:transition", args=[request.pk])
    client.post(url, {"to": "accepted"})
    response = client.post(url, {"to": "assigned", "organisation": str(team.pk)})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.assignee_organisation == team


def test_resident_sees_the_timeline_but_no_actions(cast: Cast, client_for: ClientFor) -> None:
    request = in_progress(cast)
    html = _html(client_for("resident").get(reverse("requests:detail", args=[request.pk])))
    assert "办理过程" in html
    # In the resident's words, not the office's 已派单 → 处理中.
    assert "工作人员开始处理了" in html
    assert "→" not in html.split("办理过程", 1)[1]
    assert "陈网格" in html
    assert 'name="to"' not in html
    assert "138****5678" not in html


# --- follow-up -----------------------------------------------------------------------------


def test_reporter_rates_a_resolved_request(cast: Cast, client_for: ClientFor) -> None:
    request = resolved(cast)
    client = client_for("resident")
    page = _html(client.get(reverse("requests:detail", args=[request.pk])))
    assert "请您评价这次办理" in page
    assert "基本满意" in page
    response = client.post(
        reverse("requests:feedback", args=[request.pk]),
        {"resolved": "yes", "satisfaction": "satisfied", "comment": "很及时", "via": "reporter"},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.resolved
    assert feedback.satisfaction == "satisfied"
    after = _html(client.get(response["Location"]))
    assert "谢谢您的评价" in after
    assert "请您评价这次办理" not in after  # rated once per resolution


def test_not_resolved_reopens_the_request(cast: Cast, client_for: ClientFor) -> None:
    request = resolved(cast)
    client_for("resident").post(
        reverse("requests:feedback", args=[request.pk]),
        {"resolved": "no", "satisfaction": "dissatisfied", "comment": "灯还是不亮"},
    )
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.reopen_count == 1


def test_feedback_without_a_choice_is_explained(cast: Cast, client_for: ClientFor) -> None:
    request = resolved(cast)
    response = client_for("resident").post(
        reverse("requests:feedback", args=[request.pk]), {"comment": "还行"}
    )
    assert response.status_code == 400
    html = _html(response)
    assert "请选择问题是否解决。" in html
    assert "请选择满意、基本满意或不满意。" in html
    assert "还行" in html


def test_feedback_before_resolution_is_409(cast: Cast, client_for: ClientFor) -> None:
    request = file_request(cast)
    response = client_for("resident").post(
        reverse("requests:feedback", args=[request.pk]),
        {"resolved": "yes", "satisfaction": "satisfied"},
    )
    assert response.status_code == 409
    assert "诉求还没有办结,暂时不能评价。" in _html(response)


def test_staff_record_a_phone_follow_up(cast: Cast, client_for: ClientFor) -> None:
    request = resolved(cast)
    move(request, Status.CLOSED, cast.staff)
    client = client_for("staff")
    assert "登记回访结果" in _html(client.get(reverse("requests:detail", args=[request.pk])))
    response = client.post(
        reverse("requests:feedback", args=[request.pk]),
        {"via": "phone", "resolved": "yes", "satisfaction": "basically_satisfied"},
    )
    assert response.status_code == 302
    assert Feedback.objects.get().via == Feedback.Via.PHONE
    # A worker is neither reporter nor follow-up staff: refused.
    denied = client_for("worker1").post(
        reverse("requests:feedback", args=[request.pk]),
        {"via": "phone", "resolved": "yes", "satisfaction": "satisfied"},
    )
    assert denied.status_code == 403


# --- mediation -----------------------------------------------------------------------------


def test_a_dispute_is_mediated_from_its_page(cast: Cast, client_for: ClientFor) -> None:
    request = file_request(cast, text="楼上漏水到楼下,两家吵起来了", category_code="dispute")
    client = client_for("staff")
    page = _html(client.get(reverse("requests:detail", args=[request.pk])))
    assert "调解记录" in page
    assert "开始调解" in page
    assert (
        client.post(
            reverse("requests:mediation", args=[request.pk]),
            {"parties": "张某(1号楼201)\n李某(1号楼101)"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("requests:mediation_session", args=[request.pk]),
            {
                "held_on": timezone.localdate().isoformat(),
                "mediators": "刘社工",
                "notes": "双方到场",
            },
        ).status_code
        == 302
    )
    missing = client.post(
        reverse("requests:mediation_conclude", args=[request.pk]), {"outcome": "agreement"}
    )
    assert missing.status_code == 400
    assert "达成协议的,请填写协议内容。" in _html(missing)
    assert (
        client.post(
            reverse("requests:mediation_conclude", args=[request.pk]),
            {"outcome": "agreement", "agreement_text": "张某负责维修防水"},
        ).status_code
        == 302
    )
    mediation = Mediation.objects.get()
    assert mediation.outcome == Mediation.Outcome.AGREEMENT
    html = _html(client.get(reverse("requests:detail", args=[request.pk])))
    assert "张某(1号楼201)" in html
    assert "双方到场" in html
    assert "张某负责维修防水" in html
    assert "达成协议" in html


def test_a_session_before_the_parties_is_explained(cast: Cast, client_for: ClientFor) -> None:
    request = file_request(cast, category_code="dispute")
    response = client_for("staff").post(
        reverse("requests:mediation_session", args=[request.pk]),
        {"held_on": timezone.localdate().isoformat(), "mediators": "刘社工", "notes": "x"},
    )
    assert response.status_code == 400
    assert "请先登记当事人" in _html(response)


def test_a_resident_cannot_record_mediation(cast: Cast, client_for: ClientFor) -> None:
    request = file_request(cast, category_code="dispute")
    response = client_for("resident").post(
        reverse("requests:mediation", args=[request.pk]), {"parties": "张某"}
    )
    assert response.status_code == 403
    assert not Mediation.objects.exists()


# --- dispatcher queue ----------------------------------------------------------------------


def test_queue_filters_and_marks_overdue(cast: Cast, client_for: ClientFor) -> None:
    late = _overdue(cast)
    queued = waiting(cast)
    queued.text = "小区门口积水"
    queued.save()
    fresh = file_request(cast, cast.unit2, text="二号楼电梯停了", reporter=cast.neighbour)
    client = client_for("staff")
    html = _html(client.get(reverse("requests:queue")))
    assert late.text in html
    assert queued.text in html
    assert fresh.text in html
    assert "已超期" in html
    assert html.index(late.text) < html.index(fresh.text)

    waiting_only = _html(client.get(reverse("requests:queue"), {"status": "waiting"}))
    assert queued.text in waiting_only
    assert late.text not in waiting_only
    overdue_only = _html(client.get(reverse("requests:queue"), {"overdue": "on"}))
    assert late.text in overdue_only
    assert fresh.text not in overdue_only
    by_grid = _html(client.get(reverse("requests:queue"), {"grid": str(cast.grid2.pk)}))
    assert fresh.text in by_grid
    assert late.text not in by_grid
    by_text = _html(client.get(reverse("requests:queue"), {"q": "电梯"}))
    assert fresh.text in by_text
    assert late.text not in by_text
    by_channel = _html(client.get(reverse("requests:queue"), {"channel": "phone"}))
    assert "没有符合条件的诉求" in by_channel
    # "二号楼电梯停了" was filed without a category: triage made it a repair.
    by_category = _html(
        client.get(reverse("requests:queue"), {"category": str(category("repair").pk)})
    )
    assert fresh.text in by_category
    other = _html(client.get(reverse("requests:queue"), {"category": str(category("other").pk)}))
    assert fresh.text not in other


def test_queue_serves_an_htmx_fragment(cast: Cast, client_for: ClientFor) -> None:
    file_request(cast)
    response = client_for("staff").get(
        reverse("requests:queue"), {"status": "open"}, headers={"HX-Request": "true"}
    )
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "楼道灯坏了" in html


def test_a_grid_worker_sees_only_their_grid_in_the_queue(cast: Cast, client_for: ClientFor) -> None:
    file_request(cast, text="一号楼的事")
    file_request(cast, cast.unit2, text="二号楼的事", reporter=cast.neighbour)
    html = _html(client_for("worker1").get(reverse("requests:queue")))
    assert "一号楼的事" in html
    assert "二号楼的事" not in html


def test_queue_is_paginated(cast: Cast, client_for: ClientFor, settings: object) -> None:
    settings.LINLI_PAGE_SIZE = 2  # type: ignore[attr-defined]
    for n in range(5):
        file_request(cast, text=f"第{n}件事")
    html = _html(client_for("staff").get(reverse("requests:queue")))
    assert "第 1 / 3 页" in html


# --- filing on someone's behalf ------------------------------------------------------------


def test_staff_file_a_phone_call_for_a_registered_resident(
    cast: Cast, client_for: ClientFor
) -> None:
    client = client_for("staff")
    page = _html(client.get(reverse("requests:file")))
    assert "王秀兰" in page
    assert "李建军" in page
    assert "和平小区2号楼" in page
    response = client.post(
        reverse("requests:file"),
        {
            "channel": "phone",
            "reporter": str(cast.neighbour.pk),
            "place": f"b{cast.building2.pk}",
            "unit": "1",
            "room": "502",
            "category": str(category("repair").pk),
            "text": "家里水管爆了",
            "urgent": "on",
        },
    )
    assert response.status_code == 302
    created = Request.objects.get()
    assert created.channel == Channel.PHONE
    assert created.reporter == cast.neighbour
    assert created.location == cast.unit2
    assert created.room == "502"
    assert created.category.code == "repair"
    assert created.urgent
    assert created.submitted_by == cast.staff
    assert created.assignee == cast.worker2


def test_filing_for_an_unknown_place_waits_for_dispatch(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("staff").post(
        reverse("requests:file"),
        {
            "channel": "sink_down",
            "reporter_name": "路过的大爷",
            "place": f"c{cast.community.pk}",
            "text": "附近有井盖松动",
        },
    )
    assert response.status_code == 302
    created = Request.objects.get()
    assert created.location == cast.community
    assert created.status == Status.SUBMITTED
    # No category chosen: triage read a loose manhole cover as a safety hazard.
    assert created.category.code == "safety"
    assert created.reporter_name == "路过的大爷"


def test_filing_explains_what_is_missing_and_keeps_the_input(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("staff").post(
        reverse("requests:file"),
        {"channel": "patrol", "place": f"b{cast.building1.pk}", "unit": "9", "text": "路灯坏"},
    )
    html = _html(response)
    assert response.status_code == 400
    assert "1号楼没有9单元。" in html
    assert "请选择已登记的居民,或填写反映人姓名。" in html
    assert "路灯坏" in html
    assert not Request.objects.exists()


def test_a_worker_files_only_residents_they_may_see(cast: Cast, client_for: ClientFor) -> None:
    client = client_for("worker1")
    page = _html(client.get(reverse("requests:file")))
    assert "王秀兰" in page
    assert "李建军" not in page
    response = client.post(
        reverse("requests:file"),
        {
            "channel": "patrol",
            "reporter": str(cast.neighbour.pk),
            "place": f"b{cast.building1.pk}",
            "text": "x",
        },
    )
    assert response.status_code == 400
    assert not Request.objects.exists()


# --- the cadre's overdue list and the menu -------------------------------------------------


def _cadre(cast: Cast) -> User:
    return person("cadre", Role.CADRE, area=cast.community)


def test_overdue_requests_show_on_the_cadres_home_page(cast: Cast, client_for: ClientFor) -> None:
    _cadre(cast)
    late = _overdue(cast)
    file_request(cast, text="刚反映的事")
    html = _html(client_for("cadre").get(reverse("home")))
    assert "超期诉求" in html
    assert late.text in html
    assert "刚反映的事" not in html
    assert "已超期" in html


def test_a_cadre_of_the_other_grid_does_not_see_grid_ones_overdue(
    cast: Cast, client_for: ClientFor
) -> None:
    person("cadre2", Role.CADRE, grid=cast.grid2)
    _overdue(cast)
    html = _html(client_for("cadre2").get(reverse("home")))
    assert "超期诉求" in html
    assert "您负责的区域里没有超期的诉求" in html


def test_grid_workers_and_residents_do_not_get_the_overdue_section(
    cast: Cast, client_for: ClientFor
) -> None:
    _overdue(cast)
    assert "超期诉求" not in _html(client_for("worker1").get(reverse("home")))
    assert "超期诉求" not in _html(client_for("resident").get(reverse("home")))


def test_menu_offers_each_role_its_request_pages(cast: Cast, client_for: ClientFor) -> None:
    file_request(cast)  # notifies worker1
    resident = _html(client_for("resident").get(reverse("home")))
    assert reverse("requests:report") in resident
    assert reverse("requests:mine") in resident
    assert f'href="{reverse("requests:queue")}"' not in resident
    worker = _html(client_for("worker1").get(reverse("home")))
    assert reverse("requests:tasks") in worker
    assert 'class="nav-count"' in worker
    staff = _html(client_for("staff").get(reverse("home")))
    assert f'href="{reverse("requests:queue")}"' in staff
    assert reverse("notifications:list") in staff


# --- query counts --------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _more(cast: Cast, n: int) -> None:
    team = Organisation.objects.get_or_create(
        name="服务队", defaults={"kind": Organisation.Kind.SOCIAL, "area": cast.community}
    )[0]
    for i in range(n):
        request = request_submit(
            submitted_by=cast.staff,
            text=f"诉求{i}",
            channel=Channel.PHONE,
            location=[cast.unit1, cast.unit2, cast.compound][i % 3],
            reporter=[cast.elder, cast.neighbour][i % 2],
            at=timezone.now() - dt.timedelta(days=(i % 2) * 10),
        )
        if i % 3 == 2:
            move(request, Status.ACCEPTED, cast.staff)
            request_transition(
                request=request, to=Status.ASSIGNED, actor=cast.staff, organisation=team
            )


@pytest.mark.parametrize("username", ["staff", "worker1"])
def test_queue_queries_do_not_grow_with_more_requests(
    cast: Cast, client_for: ClientFor, username: str
) -> None:
    _more(cast, 3)
    client = client_for(username)
    few = _count(client, reverse("requests:queue"))
    _more(cast, 15)
    assert _count(client, reverse("requests:queue")) == few


def test_tasks_queries_do_not_grow_with_more_requests(cast: Cast, client_for: ClientFor) -> None:
    _more(cast, 3)
    client = client_for("worker1")
    few = _count(client, reverse("requests:tasks"))
    _more(cast, 15)
    assert _count(client, reverse("requests:tasks")) == few


def test_my_requests_queries_do_not_grow(cast: Cast, client_for: ClientFor) -> None:
    _more(cast, 3)
    client = client_for("resident")
    few = _count(client, reverse("requests:mine"))
    _more(cast, 15)
    assert _count(client, reverse("requests:mine")) == few


def test_cadre_home_queries_do_not_grow(cast: Cast, client_for: ClientFor) -> None:
    _cadre(cast)
    _more(cast, 3)
    client = client_for("cadre")
    few = _count(client, reverse("home"))
    _more(cast, 15)
    assert _count(client, reverse("home")) == few
