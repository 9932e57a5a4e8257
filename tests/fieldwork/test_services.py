"""Sink-down visits and patrols: concerns and findings become routed requests, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.core.models import AuditEvent
from linli.fieldwork.models import FindingOutcome, PostingKind, SinkDownPlan
from linli.fieldwork.services import (
    patrol_finding_add,
    patrol_finish,
    patrol_start,
    plan_save,
    posting_create,
    sink_down_visit_record,
)
from linli.requests.models import Channel
from linli.requests.workflow import Status
from tests.cast import Cast, make_user
from tests.fieldwork.support import Fieldwork
from tests.requests.support import category

pytestmark = pytest.mark.django_db


def test_a_concern_becomes_a_sink_down_request_routed_to_the_grid(fw: Fieldwork) -> None:
    concern = fw.visit.concerns.get()
    request = concern.request
    assert request is not None
    assert request.channel == Channel.SINK_DOWN
    assert request.submitted_by == fw.cadre
    assert request.grid_id == fw.posting.grid_id
    # Routed as usual: a known building goes straight to its grid worker.
    assert request.status == Status.ASSIGNED
    assert request.assignee is not None
    assert request.assignee.username == "worker1"
    assert fw.visit.listeners.get().resident.name == "王秀兰"
    audited = set(AuditEvent.objects.values_list("object_type", flat=True))
    assert {"fieldwork.sinkdownvisit", "fieldwork.sinkdownconcern"} <= audited


def test_a_visit_is_refused_in_the_future_or_on_someone_elses_posting(
    cast: Cast, fw: Fieldwork
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        sink_down_visit_record(
            actor=fw.cadre, posting=fw.posting, visited_on=tomorrow, households_count=1
        )
    assert "下沉日期不能晚于今天。" in error.value.message_dict["visited_on"]
    with pytest.raises(ValidationError, match="只能记录自己包片/联点的下沉走访"):
        sink_down_visit_record(
            actor=cast.staff,
            posting=fw.posting,
            visited_on=timezone.localdate(),
            households_count=1,
        )
    with pytest.raises(ValidationError) as error:
        sink_down_visit_record(
            actor=fw.cadre,
            posting=fw.posting,
            visited_on=timezone.localdate(),
            households_count=1,
            building=cast.building2,
        )
    assert "building" in error.value.message_dict


def test_postings_need_a_cadre_and_one_place(cast: Cast) -> None:
    nobody = make_user("nobody", "无角色")
    with pytest.raises(ValidationError):
        posting_create(actor=None, cadre=nobody, kind=PostingKind.BAOPIAN, compound=cast.compound)
    with pytest.raises(ValidationError):
        posting_create(
            actor=None,
            cadre=cast.leader,
            kind=PostingKind.BAOPIAN,
            compound=cast.compound,
            grid=cast.grid1,
        )
    posting = posting_create(
        actor=None, cadre=cast.leader, kind=PostingKind.BAOPIAN, compound=cast.compound
    )
    assert posting.community == cast.community
    assert posting.place_name == cast.compound.name


def test_a_plan_is_one_per_month_and_inside_it(fw: Fieldwork) -> None:
    today = timezone.localdate()
    first = today.replace(day=1)
    plan_save(actor=fw.cadre, posting=fw.posting, month=today, planned_on=first, note="听取意见")
    plan_save(actor=fw.cadre, posting=fw.posting, month=first, planned_on=None)
    assert SinkDownPlan.objects.get().planned_on is None
    with pytest.raises(ValidationError):
        plan_save(
            actor=fw.cadre,
            posting=fw.posting,
            month=first,
            planned_on=first - dt.timedelta(days=1),
        )


def test_findings_solved_on_the_spot_are_kept_and_filed_ones_are_requests(fw: Fieldwork) -> None:
    assert fw.finding.outcome == FindingOutcome.SOLVED
    assert fw.finding.request is None
    assert str(fw.finding.photo.name).endswith(".jpg")
    assert fw.filed.outcome == FindingOutcome.FILED
    request = fw.filed.request
    assert request is not None
    assert request.channel == Channel.PATROL
    assert request.category.code == "repair"
    assert request.status == Status.ASSIGNED
    assert list(fw.patrol.buildings.all()) == [fw.finding.building]


def test_a_worker_patrols_only_their_own_grid_and_not_after_finishing(
    cast: Cast, fw: Fieldwork
) -> None:
    with pytest.raises(ValidationError, match="只能巡查自己负责的网格"):
        patrol_start(actor=cast.worker2, grid=cast.grid1)
    # An unfinished patrol is carried on, not started twice.
    assert patrol_start(actor=cast.worker1, grid=cast.grid1) == fw.patrol
    with pytest.raises(ValidationError):
        patrol_finding_add(
            actor=cast.worker1,
            patrol=fw.patrol,
            category=category("repair"),
            text="别的网格",
            solved=True,
            building=cast.building2,
        )
    patrol_finish(actor=cast.worker1, patrol=fw.patrol, note="正常")
    with pytest.raises(ValidationError, match="这次巡查已经结束"):
        patrol_finding_add(
            actor=cast.worker1,
            patrol=fw.patrol,
            category=category("repair"),
            text="晚了",
            solved=True,
        )
    assert patrol_start(actor=cast.worker1, grid=cast.grid1) != fw.patrol
