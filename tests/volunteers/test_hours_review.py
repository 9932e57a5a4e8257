"""Service-hours review: a volunteer's own claim waits (待审核) until a manager of their
community approves it (已确认) or sends it back with a reason (已退回); only approved hours
count. Hours from a verified source (a visit, an activity, a duty) are approved as written."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from linli.core.errors import Conflict
from linli.core.models import AuditEvent
from linli.notifications.models import Notification
from linli.volunteers.models import (
    HoursActor,
    HoursStatus,
    ServiceRecord,
    ServiceSource,
    hours_transition_allowed,
)
from linli.volunteers.selectors import hours_review_queue, service_summary
from linli.volunteers.services import (
    certificate_issue,
    service_hours_approve,
    service_hours_correct,
    service_hours_reject,
    service_hours_submit,
    service_record_add,
    volunteer_create,
)
from tests.cast import Cast
from tests.volunteers.support import (
    claim,
    neighbour_volunteer,
    neighbour_with_login,
    serve,
    stranger,
    unreviewed,
    volunteer_for_login,
)

pytestmark = pytest.mark.django_db

S, A, R = HoursStatus.SUBMITTED, HoursStatus.APPROVED, HoursStatus.REJECTED


def test_the_workflow_table_says_who_moves_a_claim() -> None:
    assert hours_transition_allowed(S, A, HoursActor.REVIEWER)
    assert hours_transition_allowed(S, R, HoursActor.REVIEWER)
    assert hours_transition_allowed(R, S, HoursActor.VOLUNTEER)
    assert hours_transition_allowed(S, S, HoursActor.VOLUNTEER)
    # The volunteer never approves; an approved record is final; a rejected one is not
    # approved without being corrected first.
    assert not hours_transition_allowed(S, A, HoursActor.VOLUNTEER)
    assert not hours_transition_allowed(A, R, HoursActor.REVIEWER)
    assert not hours_transition_allowed(A, S, HoursActor.VOLUNTEER)
    assert not hours_transition_allowed(R, A, HoursActor.REVIEWER)


def test_a_claim_counts_only_once_approved_and_the_volunteer_is_told(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    serve(volunteer, 60, "上门走访:陪聊")
    record = claim(volunteer, 90, "为独居老人理发", place="2号楼")
    assert record.status == S

    before = service_summary(volunteer)
    assert (before.minutes, before.record_count) == (60, 1)
    assert (before.pending_minutes, before.pending_count) == (90, 1)

    done = service_hours_approve(actor=cast.staff, record_ids=[record.pk])

    assert ([r.pk for r in done.records], done.skipped) == ([record.pk], 0)
    record.refresh_from_db()
    assert (record.status, record.reviewed_by, record.reject_reason) == (A, cast.staff, "")
    after = service_summary(volunteer)
    assert (after.minutes, after.record_count, after.pending_count) == (150, 2, 0)
    assert str(after.hours) == "2.5"
    told = Notification.objects.get(user=cast.volunteer_user)
    assert "1 条服务时长(共 1.5 小时)已确认" in told.text
    assert told.link == "/volunteers/me/"
    event = AuditEvent.objects.get(action=AuditEvent.Action.APPROVE)
    assert (event.actor, event.object_id) == (cast.staff, str(record.pk))


def test_hours_from_a_verified_source_are_approved_as_written(cast: Cast) -> None:
    volunteer = neighbour_volunteer(cast)
    record = service_record_add(
        actor=cast.staff,
        volunteer=volunteer,
        started_at=timezone.now() - dt.timedelta(days=1),
        minutes=45,
        content="上门走访:王秀兰(买菜)",
        source=ServiceSource.VISIT,
        source_id="9",
    )
    assert (record.status, record.reviewed_by) == (A, cast.staff)
    assert service_summary(volunteer).minutes == 45
    assert not hours_review_queue(user=cast.staff).exists()


def test_a_rejected_claim_carries_its_reason_and_can_be_corrected_and_resubmitted(
    cast: Cast,
) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 120, "帮忙")

    with pytest.raises(ValidationError, match="请写明退回原因"):
        service_hours_reject(actor=cast.staff, record_id=record.pk, reason="  ")
    service_hours_reject(actor=cast.staff, record_id=record.pk, reason="请写明具体做了什么")

    record.refresh_from_db()
    assert (record.status, record.reject_reason) == (R, "请写明具体做了什么")
    assert service_summary(volunteer).minutes == 0
    told = Notification.objects.get(user=cast.volunteer_user)
    assert "被退回:请写明具体做了什么" in told.text
    assert told.link == f"/volunteers/me/hours/{record.pk}/edit/"
    rejected = AuditEvent.objects.get(action=AuditEvent.Action.REJECT)
    assert rejected.note == "请写明具体做了什么"

    corrected = service_hours_correct(
        actor=cast.volunteer_user,
        record=record,
        started_at=record.started_at,
        minutes=90,
        content="为 2 号楼独居老人理发",
        place="2号楼",
    )
    assert (corrected.status, corrected.reject_reason, corrected.minutes) == (S, "", 90)
    assert service_summary(volunteer).pending_minutes == 90
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_id=str(record.pk), note="退回后重新提交"
    ).exists()


def test_an_approved_claim_is_final(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    record = claim(volunteer, 60, "清理楼道")
    service_hours_approve(actor=cast.staff, record_ids=[record.pk])

    with pytest.raises(Conflict, match="已经审核过了"):
        service_hours_reject(actor=cast.staff, record_id=record.pk, reason="重复")
    with pytest.raises(Conflict, match="已确认,不能再修改"):
        service_hours_correct(
            actor=cast.volunteer_user,
            record=record,
            started_at=record.started_at,
            minutes=600,
            content="清理楼道",
        )
    record.refresh_from_db()
    assert (record.status, record.minutes) == (A, 60)


def test_bulk_approval_leaves_what_another_reviewer_took_and_a_second_try_is_a_conflict(
    cast: Cast,
) -> None:
    volunteer = volunteer_for_login(cast)
    first = claim(volunteer, 60, "陪老人散步", days_ago=2)
    second = claim(volunteer, 30, "送报纸", days_ago=1)
    # Another reviewer sent the first back a moment earlier.
    service_hours_reject(actor=cast.admin, record_id=first.pk, reason="时间不对")

    done = service_hours_approve(actor=cast.staff, record_ids=[first.pk, second.pk])

    assert ([r.pk for r in done.records], done.skipped, done.minutes) == ([second.pk], 1, 30)
    first.refresh_from_db()
    assert first.status == R
    with pytest.raises(Conflict):
        service_hours_approve(actor=cast.staff, record_ids=[first.pk, second.pk])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APPROVE).count() == 1


def test_records_outside_the_reviewers_scope_are_not_found_and_nothing_changes(
    cast: Cast,
) -> None:
    mine = claim(volunteer_for_login(cast), 60, "陪聊")
    theirs = claim(stranger(cast), 60, "陪聊")

    with pytest.raises(Http404):
        service_hours_approve(actor=cast.staff, record_ids=[mine.pk, theirs.pk])
    with pytest.raises(Http404):
        service_hours_reject(actor=cast.staff, record_id=theirs.pk, reason="不实")
    # A grid worker does not manage volunteers: nothing is theirs to review.
    with pytest.raises(Http404):
        service_hours_approve(actor=cast.worker1, record_ids=[mine.pk])
    assert set(ServiceRecord.objects.values_list("status", flat=True)) == {S}
    assert list(hours_review_queue(user=cast.staff)) == [mine]


def test_nobody_reviews_their_own_hours(cast: Cast) -> None:
    own = volunteer_create(actor=None, community=cast.community, user=cast.staff)
    record = claim(own, 60, "周末值守")

    assert not hours_review_queue(user=cast.staff).exists()
    with pytest.raises(PermissionDenied):
        service_hours_approve(actor=cast.staff, record_ids=[record.pk])
    service_hours_approve(actor=cast.admin, record_ids=[record.pk])
    assert service_summary(own).minutes == 60


def test_only_the_volunteer_claims_and_corrects_their_own_hours(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    with pytest.raises(PermissionDenied):
        service_hours_submit(
            actor=cast.worker1,
            volunteer=volunteer,
            started_at=timezone.now() - dt.timedelta(days=1),
            minutes=60,
            content="代报",
        )
    record = claim(neighbour_with_login(cast), 60, "陪聊")
    with pytest.raises(PermissionDenied):
        service_hours_correct(
            actor=cast.volunteer_user,
            record=record,
            started_at=record.started_at,
            minutes=60,
            content="改别人的",
        )


def test_a_claim_that_cannot_be_true_is_refused_with_the_reason(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    now = timezone.now()

    def refused(started_at: dt.datetime, minutes: int, content: str = "理发") -> str:
        with pytest.raises(ValidationError) as error:
            service_hours_submit(
                actor=cast.volunteer_user,
                volunteer=volunteer,
                started_at=started_at,
                minutes=minutes,
                content=content,
            )
        return " ".join(error.value.messages)

    assert "还没有发生" in refused(now + dt.timedelta(days=1), 60)
    assert "90 天内" in refused(now - dt.timedelta(days=120), 60)
    assert "不能超过 24 小时" in refused(now - dt.timedelta(days=1), 25 * 60)
    assert "做了什么" in refused(now - dt.timedelta(days=1), 60, content=" \x00 ")

    # A day holds 24 hours in all: 20 already claimed leave room for 4, not 5.
    day = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time(0, 0)))
    day -= dt.timedelta(days=3)
    service_hours_submit(
        actor=cast.volunteer_user,
        volunteer=volunteer,
        started_at=day,
        minutes=20 * 60,
        content="防汛值守",
    )
    message = refused(day + dt.timedelta(hours=21), 5 * 60)
    assert "已记录 20.0 小时,一天合计不能超过 24 小时" in message
    service_hours_submit(
        actor=cast.volunteer_user,
        volunteer=volunteer,
        started_at=day + dt.timedelta(hours=20),
        minutes=4 * 60,
        content="防汛值守",
    )
    assert ServiceRecord.objects.filter(volunteer=volunteer).count() == 2


def test_a_certificate_certifies_approved_hours_only(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    claim(volunteer, 240, "未审核的服务")
    with pytest.raises(Conflict, match="还没有已确认的服务时长"):
        certificate_issue(actor=cast.staff, volunteer=volunteer)
    serve(volunteer, 90, "平安巡逻")
    unreviewed(volunteer, 300, source=ServiceSource.OTHER, source_id="", status=R)

    certificate = certificate_issue(actor=cast.staff, volunteer=volunteer)

    assert (certificate.minutes, certificate.record_count) == (90, 1)
    assert certificate.content_summary == "平安巡逻"


def test_the_review_queue_filters_by_status_name_grid_and_date(cast: Cast) -> None:
    mine = volunteer_for_login(cast)  # grid 2
    other = neighbour_with_login(cast)  # grid 2 too
    other.grid = cast.grid1
    other.save(update_fields=["grid"])
    old = claim(mine, 60, "陪老人散步", days_ago=10)
    recent = claim(other, 30, "送报纸", days_ago=1)
    rejected = claim(mine, 45, "帮忙", days_ago=3)
    service_hours_reject(actor=cast.staff, record_id=rejected.pk, reason="请写清楚")

    def queue(**filters: object) -> list[ServiceRecord]:
        return list(hours_review_queue(user=cast.staff, **filters))  # type: ignore[arg-type]

    assert queue() == [old, recent]  # waiting ones, oldest submitted first
    assert queue(status=R) == [rejected]
    assert set(queue(status="")) == {old, recent, rejected}
    assert queue(query="李建军") == [recent]
    assert queue(query="散步") == [old]
    assert queue(grid_id=cast.grid1.pk) == [recent]
    today = timezone.localdate()
    assert queue(since=today - dt.timedelta(days=2)) == [recent]
    assert queue(until=today - dt.timedelta(days=2)) == [old]


def test_records_from_before_the_review_step_become_approved(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    legacy = unreviewed(volunteer, 60, source=ServiceSource.VISIT, source_id="3")
    migration = importlib.import_module(
        "linli.volunteers.migrations.0005_existing_service_hours_approved"
    )

    migration.approve_existing(apps, None)

    legacy.refresh_from_db()
    assert (legacy.status, legacy.reviewed_at) == (A, legacy.created_at)
    assert service_summary(volunteer).minutes == 60
