"""Mediation records (调解) on dispute requests: parties, sessions, outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.accounts.models import User
from linli.core.errors import InvalidTransition, NotPermitted
from linli.core.models import AuditEvent
from linli.requests.models import Mediation, MediationSession, Request, RequestEvent
from linli.requests.services import mediation_add_session, mediation_conclude, mediation_start
from tests.cast import Cast
from tests.requests.support import file_request, local, waiting

PARTIES = "张某(1号楼1单元201)\n\n 李某(1号楼1单元301) \n"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    # Disputes are filed "now" and concluded at a fixed 16:00 on 1 December: "now" precedes it.
    with time_machine.travel(local(2026, 12, 1, 9), tick=True):
        yield


def _dispute(cast: Cast) -> Request:
    """A noise dispute in 1号楼1单元, routed to worker1."""
    return file_request(cast, text="楼上装修太吵,晚上十点还在砸墙", category_code="dispute")


def _mediation_notes(request: Request) -> list[str]:
    return list(
        RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.MEDIATION).values_list(
            "note", flat=True
        )
    )


def _started(cast: Cast, actor: User | None = None) -> Mediation:
    return mediation_start(request=_dispute(cast), actor=actor or cast.worker1, parties=PARTIES)


def test_the_assignee_starts_a_mediation_with_the_parties(cast: Cast) -> None:
    request = _dispute(cast)

    mediation = mediation_start(
        request=request, actor=cast.worker1, parties=PARTIES, at=local(2026, 11, 28, 10)
    )

    assert mediation.request == request
    assert mediation.outcome == Mediation.Outcome.PENDING
    assert mediation.party_list == ["张某(1号楼1单元201)", "李某(1号楼1单元301)"]
    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.MEDIATION)
    assert event.note == "登记当事人:张某(1号楼1单元201)、李某(1号楼1单元301)"
    assert (event.actor, event.created_at) == (cast.worker1, local(2026, 11, 28, 10))
    assert AuditEvent.objects.filter(object_type="requests.mediation", action="create").exists()


def test_starting_again_updates_the_parties_of_the_one_record(cast: Cast) -> None:
    mediation = _started(cast)

    again = mediation_start(request=mediation.request, actor=cast.staff, parties="张某\n李某\n王某")

    assert again.pk == mediation.pk
    assert Mediation.objects.get().party_list == ["张某", "李某", "王某"]


def test_only_dispute_requests_have_a_mediation(cast: Cast) -> None:
    request = file_request(cast, category_code="repair")

    with pytest.raises(InvalidTransition) as exc:
        mediation_start(request=request, actor=cast.worker1, parties=PARTIES)

    assert exc.value.message == "只有矛盾纠纷类诉求才有调解记录。"
    assert not Mediation.objects.exists()


def test_parties_are_required(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        mediation_start(request=_dispute(cast), actor=cast.worker1, parties=" \n ")

    assert exc.value.message_dict == {"parties": ["请填写当事人,每行一位。"]}


def test_sessions_are_recorded_on_the_timeline(cast: Cast) -> None:
    mediation = _started(cast)
    day = timezone.localdate() - dt.timedelta(days=1)

    session = mediation_add_session(
        mediation=mediation,
        actor=cast.worker1,
        held_on=day,
        mediators=" 陈网格、人民调解员老赵 ",
        notes="双方到场,约定装修时间为早八点至晚六点。",
    )

    assert MediationSession.objects.get() == session
    assert (session.held_on, session.mediators) == (day, "陈网格、人民调解员老赵")
    assert _mediation_notes(mediation.request)[-1] == f"{day} 调解(调解人:陈网格、人民调解员老赵)"


def test_a_session_held_today_is_fine_but_not_tomorrow(cast: Cast) -> None:
    mediation = _started(cast)
    today = timezone.localdate()
    mediation_add_session(
        mediation=mediation, actor=cast.worker1, held_on=today, mediators="陈网格", notes="初次"
    )

    with pytest.raises(ValidationError) as exc:
        mediation_add_session(
            mediation=mediation,
            actor=cast.worker1,
            held_on=today + dt.timedelta(days=1),
            mediators="陈网格",
            notes="预约",
        )

    assert exc.value.message_dict == {"held_on": ["调解日期不能晚于今天。"]}
    assert MediationSession.objects.count() == 1


def test_a_session_needs_mediators_and_notes(cast: Cast) -> None:
    mediation = _started(cast)

    with pytest.raises(ValidationError) as exc:
        mediation_add_session(
            mediation=mediation,
            actor=cast.worker1,
            held_on=timezone.localdate(),
            mediators=" ",
            notes="",
        )

    assert exc.value.message_dict == {
        "mediators": ["请填写调解人。"],
        "notes": ["请填写调解经过。"],
    }
    assert not MediationSession.objects.exists()


def test_concluding_with_an_agreement_needs_its_text(cast: Cast) -> None:
    mediation = _started(cast)

    with pytest.raises(ValidationError) as exc:
        mediation_conclude(mediation=mediation, actor=cast.worker1, outcome="agreement")

    assert exc.value.message_dict == {"agreement_text": ["达成协议的,请填写协议内容。"]}
    assert Mediation.objects.get().outcome == Mediation.Outcome.PENDING


@pytest.mark.parametrize("outcome", ["pending", "", "settled"])
def test_concluding_needs_a_real_outcome(cast: Cast, outcome: str) -> None:
    mediation = _started(cast)

    with pytest.raises(ValidationError) as exc:
        mediation_conclude(mediation=mediation, actor=cast.worker1, outcome=outcome)

    assert exc.value.message_dict == {"outcome": ["请选择调解结果。"]}


def test_an_agreement_concludes_the_mediation(cast: Cast) -> None:
    mediation = _started(cast)
    at = local(2026, 12, 1, 16)

    concluded = mediation_conclude(
        mediation=mediation,
        actor=cast.worker1,
        outcome="agreement",
        agreement_text=" 装修时间限定为8:00—18:00,周末不施工。 ",
        at=at,
    )

    stored = Mediation.objects.get(pk=concluded.pk)
    assert stored.outcome == Mediation.Outcome.AGREEMENT
    assert stored.agreement_text == "装修时间限定为8:00—18:00,周末不施工。"
    assert stored.concluded_at == at
    assert _mediation_notes(mediation.request)[-1] == "调解结果:达成协议"


@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        ("no_agreement", "未达成协议"),
        ("referred_judicial", "移交司法所"),
        ("referred_court", "引导诉讼"),
    ],
)
def test_other_outcomes_need_no_agreement_text(cast: Cast, outcome: str, label: str) -> None:
    mediation = _started(cast)

    mediation_conclude(mediation=mediation, actor=cast.staff, outcome=outcome)

    assert Mediation.objects.get().outcome == outcome
    assert _mediation_notes(mediation.request)[-1] == f"调解结果:{label}"


@pytest.mark.parametrize("who", ["worker2", "resident_user", "leader", "volunteer_user"])
def test_only_the_assignee_or_a_dispatcher_records_mediation(cast: Cast, who: str) -> None:
    actor: User = getattr(cast, who)
    request = _dispute(cast)

    with pytest.raises(NotPermitted) as exc:
        mediation_start(request=request, actor=actor, parties=PARTIES)
    assert exc.value.message == "只有承办人或社区两委可以记录调解。"

    mediation = mediation_start(request=request, actor=cast.worker1, parties=PARTIES)
    with pytest.raises(NotPermitted):
        mediation_add_session(
            mediation=mediation,
            actor=actor,
            held_on=timezone.localdate(),
            mediators="某人",
            notes="经过",
        )
    with pytest.raises(NotPermitted):
        mediation_conclude(mediation=mediation, actor=actor, outcome="no_agreement")
    assert not MediationSession.objects.exists()
    assert Mediation.objects.get().outcome == Mediation.Outcome.PENDING


def test_a_dispatcher_records_mediation_on_an_undispatched_dispute(cast: Cast) -> None:
    request = waiting(cast, category_code="dispute")

    mediation = mediation_start(request=request, actor=cast.staff, parties=PARTIES)

    assert mediation.request == request
    with pytest.raises(NotPermitted):
        mediation_start(request=request, actor=cast.worker1, parties=PARTIES)
