"""Staff set up a programme at a site: programme, phases, timetable, with Chinese
validation and scoped to the staff's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.programmes.models import Phase, Programme, Slot, SlotKind
from linli.programmes.services import PhaseData, phase_add, phase_update, slot_add
from tests.cast import Cast, make_user
from tests.programmes.support import build_summer, enrol_child, summer_slot

pytestmark = pytest.mark.django_db


def _phase_post(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "name": "第一期",
        "start_date": (today + dt.timedelta(days=10)).isoformat(),
        "end_date": (today + dt.timedelta(days=19)).isoformat(),
        "weekdays": ["1", "2", "3", "4", "5"],
        "opens_at": "08:30",
        "closes_at": "17:00",
        "capacity": "30",
        "min_age": "6",
        "max_age": "12",
        "fee": "0",
    }
    data.update(changes)
    return data


def test_staff_set_up_a_programme_its_phase_and_timetable(cast: Cast, client_for: Any) -> None:
    summer = build_summer(cast)
    client = client_for("staff")
    assert "新建托管项目" in client.get("/programmes/").content.decode()
    response = client.post(
        "/programmes/new/",
        {"site": summer.site.pk, "name": "快乐学习智慧一夏", "description": "三天营"},
    )
    programme = Programme.objects.get(name="快乐学习智慧一夏")
    assert response["Location"] == f"/programmes/{programme.pk}/phases/new/"

    wrong = client.post(
        f"/programmes/{programme.pk}/phases/new/",
        _phase_post(
            end_date=(timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            capacity="0",
            min_age="12",
            max_age="8",
        ),
    ).content.decode()
    assert "名额至少为 1 人" in wrong
    assert "最大年龄不能小于最小年龄" in wrong
    assert "结束日期不能早于开始日期" in wrong
    response = client.post(f"/programmes/{programme.pk}/phases/new/", _phase_post())
    phase = Phase.objects.get(programme=programme)
    assert response["Location"] == f"/programmes/phases/{phase.pk}/slots/new/"
    assert phase.weekdays == "12345"
    assert phase.fee == 0

    slot = {"weekday": "", "starts_at": "09:00", "ends_at": "10:30", "kind": SlotKind.HOMEWORK}
    response = client.post(
        f"/programmes/phases/{phase.pk}/slots/new/", {**slot, "teacher_name": "王老师"}
    )
    assert response.status_code == 302
    # Monday's safety class overlaps the everyday homework help.
    clash = client.post(
        f"/programmes/phases/{phase.pk}/slots/new/",
        {
            **slot,
            "weekday": "1",
            "kind": SlotKind.SAFETY,
            "starts_at": "10:00",
            "ends_at": "11:00",
            "teacher_name": "消防员",
        },
    ).content.decode()
    assert "与已有课程“课业辅导”(09:00—10:30)时间重叠" in clash
    client.post(
        f"/programmes/phases/{phase.pk}/slots/new/",
        {
            **slot,
            "weekday": "1",
            "kind": SlotKind.SAFETY,
            "starts_at": "10:30",
            "ends_at": "11:30",
            "teacher_name": "消防员",
        },
    )
    assert Slot.objects.filter(phase=phase).count() == 2
    homework = Slot.objects.get(phase=phase, kind=SlotKind.HOMEWORK)
    assert client.get(f"/programmes/slots/{homework.pk}/edit/").status_code == 200
    client.post(
        f"/programmes/slots/{homework.pk}/edit/",
        {**slot, "ends_at": "10:00", "teacher_name": "王老师"},
    )
    homework.refresh_from_db()
    assert homework.ends_at == dt.time(10)
    detail = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert "免费" in detail
    assert "安全小课堂" in detail
    assert "周一" in detail


def test_set_up_is_scoped_to_the_staffs_area(cast: Cast, client_for: Any) -> None:
    summer = build_summer(cast)
    slot = summer_slot(summer)
    other = make_user("other-staff", "外社区")
    role_assign(actor=None, user=other, role=Role.STAFF, area=cast.other_community)
    client = client_for("other-staff")
    for url in (
        f"/programmes/{summer.programme.pk}/edit/",
        f"/programmes/{summer.programme.pk}/phases/new/",
        f"/programmes/phases/{summer.phase.pk}/edit/",
        f"/programmes/phases/{summer.phase.pk}/rota/",
        f"/programmes/slots/{slot.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/programmes/new/").status_code == 404  # no site in their area
    # The team's volunteer signs children in but does not set the programme up.
    team = client_for("volunteer")
    assert team.get(f"/programmes/{summer.programme.pk}/").status_code == 200
    assert team.get(f"/programmes/{summer.programme.pk}/edit/").status_code == 404


def test_phase_and_slot_rules(cast: Cast) -> None:
    summer = build_summer(cast, capacity=2)
    enrol_child(summer)
    phase = summer.phase
    base = PhaseData(
        name="第一期",
        start_date=phase.start_date,
        end_date=phase.end_date,
        opens_at=phase.opens_at,
        closes_at=phase.closes_at,
        capacity=2,
        weekdays=phase.weekdays,
    )
    with pytest.raises(ValidationError) as caught:
        phase_update(
            actor=None, phase=phase, data=base.__class__(**{**base.__dict__, "capacity": 0})
        )
    assert caught.value.message_dict["capacity"] == ["名额至少为 1 人。"]
    with pytest.raises(ValidationError) as caught:
        phase_add(
            actor=None,
            programme=summer.programme,
            name="",
            start_date=phase.start_date,
            end_date=phase.end_date,
            opens_at=dt.time(9),
            closes_at=dt.time(8),
            capacity=10,
            min_age=2,
            max_age=18,
        )
    assert set(caught.value.message_dict) == {"closes_at", "min_age", "max_age"}
    slot = summer_slot(summer)  # 09:00–11:00 every open day
    # Hours that would leave the slot outside the day are refused.
    with pytest.raises(ValidationError) as caught:
        phase_update(
            actor=None,
            phase=phase,
            data=PhaseData(**{**base.__dict__, "opens_at": dt.time(10)}),
        )
    assert "请先调整课表" in caught.value.message_dict["opens_at"][0]
    # Touching slots do not overlap; a slot on Sunday overlaps the everyday one.
    slot_add(
        actor=None,
        phase=phase,
        starts_at=dt.time(11),
        ends_at=dt.time(12),
        kind=SlotKind.READING,
        teacher_name="李老师",
    )
    with pytest.raises(ValidationError) as caught:
        slot_add(
            actor=None,
            phase=phase,
            weekday=7,
            starts_at=dt.time(10),
            ends_at=dt.time(10, 30),
            kind=SlotKind.CRAFTS,
            teacher_name="李老师",
        )
    assert "时间重叠" in caught.value.message_dict["starts_at"][0]
    assert slot.weekday_label == "每天"
