"""The demo's four 文水 programmes: phases, timetables, children with consents, registers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from linli.accounts.models import User
from linli.demo.names import NameMaker
from linli.demo.programmes_world import build_programmes_world
from linli.demo.world import WorldBuilder
from linli.people.models import Consent, ConsentPurpose
from linli.programmes.models import Attendance, Enrolment, EnrolmentStatus, SlotKind
from linli.programmes.selectors import day_register, programme_summary

pytestmark = pytest.mark.django_db


def test_fengcheng_programmes_with_hancun_running_today() -> None:
    builder = WorldBuilder(seed=7)
    builder.fengcheng()
    programmes = build_programmes_world(
        today=builder.today, names=NameMaker(7), make_user=builder.user
    )
    assert [p.site.area.name for p in programmes] == [
        "韩村社区",
        "西街社区",
        "凯奇花园",
        "学府雅苑",
    ]
    hancun, xijie, dongjie, baozi = programmes
    assert baozi.phases.count() == 2
    assert xijie.phases.get().slots.filter(kind=SlotKind.SAFETY).exists()
    assert dongjie.phases.get().slots.filter(kind=SlotKind.FLAG_STORY, weekday=5).exists()
    today = timezone.localdate()
    rows = day_register(hancun, today)
    assert rows
    assert any(r.attendance and r.attendance.signed_out_at is None for r in rows)
    for enrolment in Enrolment.objects.filter(status=EnrolmentStatus.ENROLLED):
        assert Consent.objects.filter(
            resident=enrolment.child, purpose=ConsentPurpose.MINOR, withdrawn_at__isnull=True
        ).exists()
        assert enrolment.pickups.filter(relation="奶奶").exists()
    assert Enrolment.objects.filter(status=EnrolmentStatus.WAITING).exists()
    summary = programme_summary(dongjie)
    assert summary.days == 10
    assert summary.attendance_rate is not None
    assert 80 <= summary.attendance_rate <= 100
    assert summary.volunteer_minutes == 10 * 120
    assert Attendance.objects.filter(day__lt=today, signed_out_at__isnull=True).count() == 0
    assert User.objects.filter(username="hancun-lead").exists()
