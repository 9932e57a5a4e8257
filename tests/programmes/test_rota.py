"""The volunteer rota: staff put volunteers (university students are a kind of volunteer)
on days and slots; the volunteer sees their duties and joins the site team; hours served
go to the volunteers app's service records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.programmes.models import Duty
from linli.programmes.selectors import programme_summary
from linli.programmes.services import duties_credit, duty_assign, duty_remove
from linli.volunteers.models import ServiceSource, VolunteerKind
from linli.volunteers.services import volunteer_create
from tests.cast import Cast, make_user
from tests.programmes.support import at, build_summer, summer_slot, team_volunteer

pytestmark = pytest.mark.django_db


def test_staff_put_a_student_on_the_rota_and_the_hours_go_to_the_volunteers_app(
    cast: Cast, client_for: Any
) -> None:
    summer = build_summer(cast)
    slot = summer_slot(summer)  # 课业辅导 09:00–11:00
    student_user = make_user("student", "赵同学")
    role_assign(actor=None, user=student_user, role=Role.VOLUNTEER, area=cast.community)
    student = volunteer_create(
        actor=None, community=cast.community, user=student_user, kind=VolunteerKind.STUDENT
    )
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    staff = client_for("staff")
    rota = staff.get(f"/programmes/phases/{summer.phase.pk}/rota/").content.decode()
    assert "赵同学(大学生志愿者)" in rota
    response = staff.post(
        f"/programmes/phases/{summer.phase.pk}/rota/",
        {"day": yesterday.isoformat(), "slot": slot.pk, "volunteer": student.pk},
    )
    assert response.status_code == 302
    # The same volunteer cannot be in two places at once.
    clash = staff.post(
        f"/programmes/phases/{summer.phase.pk}/rota/",
        {"day": yesterday.isoformat(), "slot": "", "volunteer": student.pk},
    ).content.decode()
    assert "赵同学 当天 09:00—11:00 已在“候鸟课堂”值班" in clash
    duty_assign(actor=None, phase=summer.phase, day=today, volunteer=student)  # whole day

    # The student sees their duties and, on the rota, signs children in on the day.
    client = client_for("student")
    duties = client.get("/programmes/duties/").content.decode()
    assert "08:30—17:00" in duties
    assert "课业辅导" in duties
    assert client.get(f"/programmes/{summer.programme.pk}/day/").status_code == 200

    # Crediting: yesterday's duty only (today's has not ended at noon), once.
    assert duties_credit(actor=None, phase=summer.phase, now=at(today, 12)) == 1
    assert duties_credit(actor=None, phase=summer.phase, now=at(today, 12)) == 0
    record = student.service_records.get()
    assert (record.minutes, record.source) == (120, ServiceSource.PROGRAMME)
    assert record.content == "候鸟课堂:课业辅导"
    assert programme_summary(summer.programme).volunteer_minutes == 120
    credited = Duty.objects.get(day=yesterday)
    with pytest.raises(ValidationError, match="已记入服务时长"):
        duty_remove(actor=None, duty=credited)


def test_duties_only_on_open_days_and_slots_of_that_day(cast: Cast) -> None:
    summer = build_summer(cast)
    volunteer = team_volunteer(summer)
    with pytest.raises(ValidationError) as caught:
        duty_assign(
            actor=None,
            phase=summer.phase,
            day=summer.phase.end_date + dt.timedelta(days=1),
            volunteer=volunteer,
        )
    assert "不是这一期的开放日" in caught.value.message_dict["day"][0]
    assert volunteer.kind == VolunteerKind.STUDENT


def test_the_summary_counts_approved_duty_hours_only(cast: Cast) -> None:
    from tests.volunteers.support import unreviewed

    summer = build_summer(cast)
    volunteer = team_volunteer(summer)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    duty_assign(actor=None, phase=summer.phase, day=yesterday, volunteer=volunteer)
    duties_credit(actor=None, phase=summer.phase, now=at(timezone.localdate(), 12))
    credited = programme_summary(summer.programme).volunteer_minutes
    assert credited > 0
    other = volunteer_create(
        actor=None, community=cast.community, user=make_user("helper", "钱同学")
    )
    unreviewed(
        other,
        120,
        source=ServiceSource.PROGRAMME,
        source_id=f"programme:{summer.programme.pk}:duty:0",
    )

    summary = programme_summary(summer.programme)

    assert (summary.volunteer_minutes, summary.volunteers) == (credited, 1)
