"""Follow-up (回访): the reporter or staff on the phone records whether it was solved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError

from linli.accounts.models import User
from linli.core.errors import InvalidTransition, NotPermitted
from linli.core.models import AuditEvent
from linli.notifications.models import Notification
from linli.requests.models import Channel, Feedback, Request, RequestEvent
from linli.requests.services import request_feedback, request_submit
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, in_progress, local, move, resolved, waiting


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    # Requests are resolved "now" and rated at a fixed 10:00 on 2 December: "now" precedes it.
    with time_machine.travel(local(2026, 12, 2, 9), tick=True):
        yield


def _feedback(
    request: Request,
    actor: User,
    *,
    resolved: bool = True,
    satisfaction: str = "satisfied",
    comment: str = "",
    via: str = Feedback.Via.REPORTER,
) -> Feedback:
    return request_feedback(
        request=request,
        actor=actor,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=comment,
        via=via,
        at=local(2026, 12, 2, 10),
    )


def test_the_reporter_rates_a_resolved_request(cast: Cast) -> None:
    request = resolved(cast)

    feedback = _feedback(request, cast.resident_user, comment=" 修得很快,谢谢! ")

    assert (feedback.resolved, feedback.satisfaction, feedback.via) == (
        True,
        "satisfied",
        "reporter",
    )
    assert (feedback.comment, feedback.recorded_by) == ("修得很快,谢谢!", cast.resident_user)
    assert feedback.created_at == local(2026, 12, 2, 10)
    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.FEEDBACK)
    assert event.note == "居民自评:已解决,满意。修得很快,谢谢!"
    assert event.actor == cast.resident_user
    request.refresh_from_db()
    assert (request.status, request.reopen_count) == (Status.RESOLVED, 0)
    assert AuditEvent.objects.filter(object_type="requests.feedback").count() == 1


def test_staff_record_a_phone_follow_up_on_a_closed_request(cast: Cast) -> None:
    request = move(resolved(cast), Status.CLOSED, cast.staff)

    feedback = _feedback(
        request, cast.staff, satisfaction="basically_satisfied", via=Feedback.Via.PHONE
    )

    assert (feedback.via, feedback.recorded_by) == ("phone", cast.staff)
    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.FEEDBACK)
    assert event.note == "电话回访:已解决,基本满意。"
    assert Request.objects.get(pk=request.pk).status == Status.CLOSED


@pytest.mark.parametrize("who", ["worker1", "worker2", "staff", "leader", "admin"])
def test_only_the_reporter_rates_as_the_reporter(cast: Cast, who: str) -> None:
    request = resolved(cast)

    with pytest.raises(NotPermitted) as exc:
        _feedback(request, getattr(cast, who))

    assert exc.value.message == "只有反映人本人可以评价。"
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("who", ["worker1", "resident_user", "leader"])
def test_only_staff_record_a_phone_follow_up(cast: Cast, who: str) -> None:
    request = resolved(cast)

    with pytest.raises(NotPermitted) as exc:
        _feedback(request, getattr(cast, who), via=Feedback.Via.PHONE)

    assert exc.value.message == "只有社区工作人员可以登记回访结果。"


def _patrol_request_resolved_by(cast: Cast, resolver: User) -> Request:
    """Filed by worker1 from a patrol (no resident named), handled by ``resolver``."""
    request = request_submit(
        submitted_by=cast.worker1,
        text="3号楼前井盖松动",
        channel=Channel.PATROL,
        location=cast.building1,
    )
    if resolver != cast.worker1:
        move(request, Status.ASSIGNED, cast.staff, assignee=resolver)
    move(request, Status.IN_PROGRESS, resolver)
    return move(request, Status.RESOLVED, resolver, note="已固定")


def test_whoever_filed_without_a_named_reporter_rates_it(cast: Cast) -> None:
    request = _patrol_request_resolved_by(cast, cast.staff)

    feedback = _feedback(request, cast.worker1)

    assert (feedback.via, feedback.recorded_by) == ("reporter", cast.worker1)


def test_whoever_resolved_a_request_never_rates_it(cast: Cast) -> None:
    request = _patrol_request_resolved_by(cast, cast.worker1)

    with pytest.raises(NotPermitted) as exc:
        _feedback(request, cast.worker1)
    assert exc.value.message == "办理人不能为自己办理的诉求登记回访评价。"
    _feedback(request, cast.staff, via=Feedback.Via.PHONE)


def test_staff_who_resolved_do_not_record_the_phone_follow_up(cast: Cast) -> None:
    request = _patrol_request_resolved_by(cast, cast.staff)

    with pytest.raises(NotPermitted):
        _feedback(request, cast.staff, via=Feedback.Via.PHONE)


@pytest.mark.parametrize("state", ["waiting", "assigned", "in_progress", "rejected"])
def test_no_follow_up_before_the_request_is_resolved(cast: Cast, state: str) -> None:
    if state == "waiting":
        request = waiting(cast)
    elif state == "assigned":
        request = file_request(cast)
    elif state == "in_progress":
        request = in_progress(cast)
    else:
        request = move(waiting(cast), Status.REJECTED, cast.staff, note="重复反映")

    with pytest.raises(InvalidTransition) as exc:
        _feedback(request, cast.resident_user)

    assert exc.value.message == "诉求还没有办结,暂时不能评价。"
    assert not Feedback.objects.exists()


def test_not_resolved_reopens_the_request_for_its_assignee(cast: Cast) -> None:
    request = resolved(cast)
    Notification.objects.all().delete()

    _feedback(
        request,
        cast.resident_user,
        resolved=False,
        satisfaction="dissatisfied",
        comment="灯还是不亮",
    )

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.reopen_count == 1
    assert request.resolved_at is None
    assert request.assignee == cast.worker1
    events = list(
        RequestEvent.objects.filter(request=request, kind__in=["feedback", "transition"])
        .order_by("-pk")[:2]
        .values_list("kind", "transition", "from_status", "to_status", "note")
    )
    assert events == [
        ("transition", "reopen", "resolved", "in_progress", "回访未解决,第 1 次重新办理"),
        ("feedback", "", "", "", "居民自评:未解决,不满意。灯还是不亮"),
    ]
    told = Notification.objects.get(user=cast.worker1)
    assert told.text == f"诉求退回重办:{request.number}「楼道灯坏了,晚上看不见」"
    assert AuditEvent.objects.filter(object_id=str(request.pk), note="reopen").count() == 1


def test_a_closed_request_reopens_and_each_reopening_is_counted(cast: Cast) -> None:
    request = move(resolved(cast), Status.CLOSED, cast.staff)

    _feedback(request, cast.staff, resolved=False, satisfaction="dissatisfied", via="phone")
    move(request, Status.RESOLVED, cast.worker1, note="重新修好")
    _feedback(request, cast.resident_user, resolved=False, satisfaction="dissatisfied")

    request.refresh_from_db()
    assert (request.status, request.reopen_count) == (Status.IN_PROGRESS, 2)
    assert request.closed_at is None
    reopenings = RequestEvent.objects.filter(request=request, transition="reopen")
    assert list(reopenings.values_list("from_status", flat=True)) == ["closed", "resolved"]


def test_resolved_but_unhappy_does_not_reopen(cast: Cast) -> None:
    request = resolved(cast)

    _feedback(request, cast.resident_user, resolved=True, satisfaction="dissatisfied")

    assert Request.objects.get(pk=request.pk).status == Status.RESOLVED


@pytest.mark.parametrize("satisfaction", ["", "very_satisfied", "满意"])
def test_satisfaction_must_be_one_of_the_three(cast: Cast, satisfaction: str) -> None:
    request = resolved(cast)

    with pytest.raises(ValidationError) as exc:
        _feedback(request, cast.resident_user, satisfaction=satisfaction)

    assert exc.value.message_dict == {"satisfaction": ["请选择满意、基本满意或不满意。"]}
    assert not Feedback.objects.exists()


def test_an_unknown_way_of_following_up_is_refused(cast: Cast) -> None:
    request = resolved(cast)

    with pytest.raises(ValidationError) as exc:
        _feedback(request, cast.staff, via="wechat")

    assert exc.value.message_dict == {"via": ["请选择回访方式。"]}


def test_the_reporter_rates_each_resolution_only_once(cast: Cast) -> None:
    request = resolved(cast)
    _feedback(request, cast.resident_user)

    with pytest.raises(InvalidTransition, match="不能重复评价"):
        _feedback(request, cast.resident_user, satisfaction="dissatisfied")

    assert Feedback.objects.filter(request=request).count() == 1
