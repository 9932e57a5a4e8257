"""Moving a request through the workflow: who may, what each move needs, what it leaves."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pytest_django.fixtures import Settings

from linli.accounts.models import User
from linli.core.errors import InvalidTransition, NotPermitted
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.notifications.models import Notification
from linli.organisations.models import Organisation
from linli.requests.models import Request, RequestEvent, RequestPhoto
from linli.requests.services import request_transition
from linli.requests.workflow import Status
from tests.cast import Cast, make_user
from tests.requests.support import (
    file_request,
    in_progress,
    jpeg_bytes,
    local,
    move,
    person,
    resolved,
    timeline,
    upload,
    waiting,
)


def _audits(request: Request) -> int:
    return AuditEvent.objects.filter(
        object_type="requests.request", object_id=str(request.pk)
    ).count()


def _staff2(cast: Cast) -> User:
    return person("staff2", Role.STAFF, area=cast.community)


# --- the full path -------------------------------------------------------------------------


def test_dispatcher_accepts_assigns_worker_starts_resolves_and_verifier_closes(
    cast: Cast,
) -> None:
    request = waiting(cast, at=local(2026, 11, 28, 8))

    move(request, Status.ACCEPTED, cast.staff, at=local(2026, 11, 28, 9))
    move(request, Status.ASSIGNED, cast.staff, assignee=cast.worker1, at=local(2026, 11, 28, 9, 5))
    move(request, Status.IN_PROGRESS, cast.worker1, at=local(2026, 11, 28, 10))
    move(request, Status.RESOLVED, cast.worker1, note="已清理楼道", at=local(2026, 11, 28, 15))
    move(request, Status.CLOSED, cast.staff, at=local(2026, 11, 29, 9))

    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.accepted_at == local(2026, 11, 28, 9)
    assert request.assignee == cast.worker1
    assert request.resolved_at == local(2026, 11, 28, 15)
    assert request.resolved_by == cast.worker1
    assert request.resolution_note == "已清理楼道"
    assert request.closed_at == local(2026, 11, 29, 9)
    assert timeline(request) == [
        ("submitted", "", "", "submitted"),
        ("transition", "accept", "submitted", "accepted"),
        ("transition", "assign", "accepted", "assigned"),
        ("transition", "start", "assigned", "in_progress"),
        ("transition", "resolve", "in_progress", "resolved"),
        ("transition", "close", "resolved", "closed"),
    ]


def test_every_transition_writes_one_event_and_one_audit_record(cast: Cast) -> None:
    request = waiting(cast)
    steps: list[tuple[Status, User, str, User | None]] = [
        (Status.ACCEPTED, cast.staff, "", None),
        (Status.ASSIGNED, cast.staff, "", cast.worker1),
        (Status.IN_PROGRESS, cast.worker1, "", None),
        (Status.RESOLVED, cast.worker1, "已修好", None),
        (Status.IN_PROGRESS, cast.staff, "灯还是不亮", None),
        (Status.ASSIGNED, cast.staff, "换人处理", cast.worker2),
        (Status.IN_PROGRESS, cast.worker2, "", None),
        (Status.RESOLVED, cast.worker2, "换了灯座", None),
        (Status.CLOSED, cast.staff, "", None),
    ]
    for number, (to, actor, note, assignee) in enumerate(steps):
        at = local(2026, 12, 1, 8 + number)
        events_before, audits_before = request.events.count(), _audits(request)
        source = request.status

        move(request, to, actor, note=note, assignee=assignee, at=at)

        assert request.events.count() == events_before + 1
        assert _audits(request) == audits_before + 1
        event = request.events.order_by("-pk").first()
        assert event is not None
        assert (event.kind, event.actor, event.created_at) == ("transition", actor, at)
        assert (event.from_status, event.to_status) == (source, to)
        assert event.note.startswith(note)
        audit = AuditEvent.objects.filter(object_id=str(request.pk)).order_by("-pk").first()
        assert audit is not None
        assert (audit.actor, audit.action, audit.note) == (actor, "update", event.transition)


def test_assigning_names_the_assignee_on_the_timeline_and_tells_them(cast: Cast) -> None:
    request = waiting(cast)
    move(request, Status.ACCEPTED, cast.staff)

    move(request, Status.ASSIGNED, cast.staff, note="尽快处理", assignee=cast.worker1)

    event = request.events.get(transition="assign")
    assert event.note == "尽快处理;承办:陈网格"
    told = Notification.objects.get(user=cast.worker1)
    assert told.text.startswith(f"诉求派给您:{request.number}")


def test_the_callers_object_is_refreshed(cast: Cast) -> None:
    request = file_request(cast)

    returned = move(request, Status.IN_PROGRESS, cast.worker1)

    assert request.status == returned.status == Status.IN_PROGRESS


def test_resolving_needs_a_note(cast: Cast) -> None:
    request = in_progress(cast)

    with pytest.raises(ValidationError) as exc:
        move(request, Status.RESOLVED, cast.worker1, note="  ")

    assert exc.value.message_dict == {"note": ["请填写办结的理由或说明。"]}
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


def test_resolving_tells_the_dispatchers_and_asks_the_reporter_to_rate(cast: Cast) -> None:
    request = resolved(cast)

    assert Notification.objects.get(user=cast.staff).text.startswith(
        f"诉求已办结,请核实:{request.number}"
    )
    assert Notification.objects.get(user=cast.resident_user).text.startswith(
        "您反映的问题已办结,请评价:"
    )


def test_resolution_photo_is_stored_with_the_resolution(
    cast: Cast, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    request = in_progress(cast)

    request_transition(
        request=request,
        to=Status.RESOLVED,
        actor=cast.worker1,
        note="已修好",
        photo=upload(jpeg_bytes()),
    )

    photo = RequestPhoto.objects.get(request=request)
    assert (photo.kind, photo.uploaded_by) == (RequestPhoto.Kind.RESOLUTION, cast.worker1)


# --- reject, rework, reassign --------------------------------------------------------------


def test_rejecting_needs_a_reason(cast: Cast) -> None:
    request = waiting(cast)

    with pytest.raises(ValidationError) as exc:
        move(request, Status.REJECTED, cast.staff)

    assert exc.value.message_dict == {"note": ["请填写不予受理的理由或说明。"]}
    assert Request.objects.get(pk=request.pk).status == Status.SUBMITTED
    assert not request.events.filter(kind="transition").exists()


def test_rejecting_with_a_reason_finishes_the_request_and_tells_the_reporter(cast: Cast) -> None:
    request = waiting(cast)

    move(request, Status.REJECTED, cast.staff, note="不属于社区职责,请拨打12345")

    assert request.status == Status.REJECTED
    assert request.closed_at is not None
    assert request.events.get(transition="reject").note == "不属于社区职责,请拨打12345"
    assert Notification.objects.get(user=cast.resident_user).text.startswith(
        "您反映的问题已不予受理:"
    )


def test_rework_needs_a_reason(cast: Cast) -> None:
    request = resolved(cast)

    with pytest.raises(ValidationError) as exc:
        move(request, Status.IN_PROGRESS, cast.staff)

    assert exc.value.message_dict == {"note": ["请填写退回重办的理由或说明。"]}


def test_rework_returns_the_request_to_the_assignee_in_progress(cast: Cast) -> None:
    request = resolved(cast)

    move(request, Status.IN_PROGRESS, cast.staff, note="现场核实灯仍不亮")

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.resolved_at is None
    assert request.assignee == cast.worker1
    assert request.events.get(transition="rework").note == "现场核实灯仍不亮"
    assert Notification.objects.filter(user=cast.worker1, text__startswith="诉求退回重办:").exists()


@pytest.mark.parametrize("started", [False, True])
def test_dispatcher_reassigns_from_assigned_or_in_progress(cast: Cast, started: bool) -> None:
    request = in_progress(cast) if started else file_request(cast)
    source = request.status

    move(request, Status.ASSIGNED, cast.staff, note="陈网格休假", assignee=cast.worker2)

    assert request.status == Status.ASSIGNED
    assert request.assignee == cast.worker2
    event = request.events.get(transition="reassign")
    assert (event.from_status, event.to_status) == (source, Status.ASSIGNED)
    assert event.note == "陈网格休假;承办:李网格"
    assert Notification.objects.filter(user=cast.worker2, text__startswith="诉求派给您").exists()
    # The old assignee no longer acts on it.
    with pytest.raises(NotPermitted):
        move(request, Status.IN_PROGRESS, cast.worker1)


def test_assigning_to_a_partner_unit_lets_the_dispatchers_record_its_work(cast: Cast) -> None:
    hospital = Organisation.objects.create(name="孝义市人民医院", kind=Organisation.Kind.HOSPITAL)
    staff2 = _staff2(cast)
    request = waiting(cast)
    move(request, Status.ACCEPTED, cast.staff)

    request_transition(request=request, to=Status.ASSIGNED, actor=cast.staff, organisation=hospital)
    with pytest.raises(NotPermitted):
        move(request, Status.IN_PROGRESS, cast.worker1)
    move(request, Status.IN_PROGRESS, cast.staff)
    move(request, Status.RESOLVED, cast.staff, note="医院已上门义诊")

    assert request.assignee_organisation == hospital
    with pytest.raises(NotPermitted):
        move(request, Status.CLOSED, cast.staff)
    move(request, Status.CLOSED, staff2)
    assert request.status == Status.CLOSED


# --- the resolver never closes -------------------------------------------------------------


def test_a_staff_member_who_resolved_cannot_close_or_send_back_their_own_work(
    cast: Cast,
) -> None:
    staff2 = _staff2(cast)
    request = waiting(cast)
    move(request, Status.ACCEPTED, cast.staff)
    move(request, Status.ASSIGNED, cast.staff, assignee=staff2)
    move(request, Status.IN_PROGRESS, staff2)
    move(request, Status.RESOLVED, staff2, note="已协调物业清理")

    with pytest.raises(NotPermitted) as exc:
        move(request, Status.CLOSED, staff2)
    assert exc.value.message == "您不能对这条诉求执行“核实关闭”。"
    with pytest.raises(NotPermitted):
        move(request, Status.IN_PROGRESS, staff2, note="自己退回")

    assert Request.objects.get(pk=request.pk).status == Status.RESOLVED
    move(request, Status.CLOSED, cast.staff)
    assert request.status == Status.CLOSED


def test_the_resolver_is_not_asked_to_verify_their_own_work(cast: Cast) -> None:
    staff2 = _staff2(cast)
    request = waiting(cast)
    move(request, Status.ACCEPTED, cast.staff)
    move(request, Status.ASSIGNED, cast.staff, assignee=staff2)
    move(request, Status.IN_PROGRESS, staff2)

    move(request, Status.RESOLVED, staff2, note="已处理")

    assert Notification.objects.filter(user=cast.staff, text__startswith="诉求已办结").exists()
    assert not Notification.objects.filter(user=staff2, text__startswith="诉求已办结").exists()


# --- invalid moves -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "to", "message"),
    [
        ("waiting", Status.CLOSED, "诉求当前为“待受理”,不能改为“已关闭”。"),
        ("waiting", Status.IN_PROGRESS, "诉求当前为“待受理”,不能改为“处理中”。"),
        ("assigned", Status.RESOLVED, "诉求当前为“已派单”,不能改为“已办结待核实”。"),
        ("assigned", Status.ACCEPTED, "诉求当前为“已派单”,不能改为“已受理”。"),
        ("closed", Status.IN_PROGRESS, "诉求当前为“已关闭”,不能改为“处理中”。"),
        ("closed", Status.RESOLVED, "诉求当前为“已关闭”,不能改为“已办结待核实”。"),
    ],
)
def test_moves_outside_the_table_are_invalid_with_a_chinese_message(
    cast: Cast, setup: str, to: Status, message: str
) -> None:
    if setup == "waiting":
        request = waiting(cast)
    elif setup == "assigned":
        request = file_request(cast)
    else:
        request = move(resolved(cast), Status.CLOSED, cast.staff)
    status, events = request.status, request.events.count()

    with pytest.raises(InvalidTransition) as exc:
        move(request, to, cast.admin, note="试试")

    assert exc.value.message == message
    assert (exc.value.status_code, exc.value.code) == (409, "invalid_transition")
    request.refresh_from_db()
    assert (request.status, request.events.count()) == (status, events)


def test_an_unknown_status_is_an_invalid_transition(cast: Cast) -> None:
    with pytest.raises(InvalidTransition) as exc:
        request_transition(request=waiting(cast), to="done", actor=cast.staff)

    assert exc.value.message == "未知的状态“done”。"


def test_reopening_is_not_a_plain_transition(cast: Cast) -> None:
    request = move(resolved(cast), Status.CLOSED, cast.staff)

    with pytest.raises(InvalidTransition):
        move(request, Status.IN_PROGRESS, cast.resident_user, note="没修好")


# --- wrong actors --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["worker2", "resident_user", "leader", "staff"])
def test_only_the_assignee_may_start(cast: Cast, who: str) -> None:
    request = file_request(cast)

    with pytest.raises(NotPermitted) as exc:
        move(request, Status.IN_PROGRESS, getattr(cast, who))

    assert exc.value.message == "您不能对这条诉求执行“开始处理”。"
    assert exc.value.status_code == 403
    assert Request.objects.get(pk=request.pk).status == Status.ASSIGNED


@pytest.mark.parametrize("who", ["worker2", "resident_user", "leader", "staff"])
def test_only_the_assignee_may_resolve(cast: Cast, who: str) -> None:
    request = in_progress(cast)

    with pytest.raises(NotPermitted):
        move(request, Status.RESOLVED, getattr(cast, who), note="办好了")


@pytest.mark.parametrize("who", ["worker1", "worker2", "resident_user", "leader", "volunteer_user"])
def test_only_dispatchers_accept_reject_and_assign(cast: Cast, who: str) -> None:
    actor: User = getattr(cast, who)
    request = waiting(cast)

    with pytest.raises(NotPermitted):
        move(request, Status.ACCEPTED, actor)
    with pytest.raises(NotPermitted):
        move(request, Status.REJECTED, actor, note="不管")
    move(request, Status.ACCEPTED, cast.staff)
    with pytest.raises(NotPermitted):
        move(request, Status.ASSIGNED, actor, assignee=cast.worker1)


@pytest.mark.parametrize("who", ["worker1", "worker2", "resident_user", "leader"])
def test_only_verifiers_close_or_send_back(cast: Cast, who: str) -> None:
    request = resolved(cast)

    with pytest.raises(NotPermitted):
        move(request, Status.CLOSED, getattr(cast, who))
    with pytest.raises(NotPermitted):
        move(request, Status.IN_PROGRESS, getattr(cast, who), note="重办")


def test_a_dispatcher_of_another_community_may_not_touch_this_one(cast: Cast) -> None:
    elsewhere = person("staff_youyi", Role.STAFF, area=cast.other_community)
    request = waiting(cast)

    with pytest.raises(NotPermitted):
        move(request, Status.ACCEPTED, elsewhere)


def test_the_superuser_may_dispatch(cast: Cast) -> None:
    request = waiting(cast)

    move(request, Status.ACCEPTED, cast.admin)

    assert request.status == Status.ACCEPTED


# --- the assignee must answer for the place ------------------------------------------------


def test_assigning_needs_an_assignee(cast: Cast) -> None:
    request = move(waiting(cast), Status.ACCEPTED, cast.staff)

    with pytest.raises(ValidationError) as exc:
        move(request, Status.ASSIGNED, cast.staff)

    assert exc.value.message_dict == {"assignee": ["请选择承办人或承办单位。"]}


@pytest.mark.parametrize("who", ["resident_user", "leader", "admin", "outsider", "other_worker"])
def test_assignee_must_be_someone_responsible_for_the_place(cast: Cast, who: str) -> None:
    candidates: dict[str, User] = {
        "resident_user": cast.resident_user,
        "leader": cast.leader,
        "admin": cast.admin,
        "outsider": make_user("outsider"),
    }
    if who == "other_worker":
        from linli.areas.services import grid_create

        grid = grid_create(
            actor=None, community=cast.other_community, code="141181200002001", name="友谊1网格"
        )
        candidates[who] = person("worker_youyi", Role.GRID_WORKER, grid=grid)
    assignee = candidates[who]
    request = move(waiting(cast), Status.ACCEPTED, cast.staff)

    with pytest.raises(ValidationError) as exc:
        move(request, Status.ASSIGNED, cast.staff, assignee=assignee)

    assert exc.value.message_dict == {"assignee": [f"{assignee} 不负责这个地方,不能派给他/她。"]}
    request.refresh_from_db()
    assert (request.status, request.assignee) == (Status.ACCEPTED, None)


@pytest.mark.parametrize("who", ["worker1", "worker2", "staff", "volunteer_user"])
def test_grid_workers_staff_and_volunteers_of_the_community_can_be_assigned(
    cast: Cast, who: str
) -> None:
    request = move(waiting(cast), Status.ACCEPTED, cast.staff)

    move(request, Status.ASSIGNED, cast.staff, assignee=getattr(cast, who))

    assert request.assignee == getattr(cast, who)


def test_an_inactive_user_cannot_be_assigned(cast: Cast) -> None:
    cast.worker2.is_active = False
    cast.worker2.save(update_fields=["is_active"])
    request = move(waiting(cast), Status.ACCEPTED, cast.staff)

    with pytest.raises(ValidationError):
        move(request, Status.ASSIGNED, cast.staff, assignee=cast.worker2)


def test_events_carry_when_they_happened(cast: Cast) -> None:
    request = file_request(cast, at=local(2026, 5, 1, 8))

    move(request, Status.IN_PROGRESS, cast.worker1, at=local(2026, 5, 1, 9))

    assert list(
        RequestEvent.objects.filter(request=request).values_list("created_at", flat=True)
    ) == [
        local(2026, 5, 1, 8),
        local(2026, 5, 1, 8),
        local(2026, 5, 1, 8),
        local(2026, 5, 1, 9),
    ]
