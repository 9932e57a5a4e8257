from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.volunteers.models import ServiceSource
from linli.volunteers.selectors import points_for_minutes, service_summary
from linli.volunteers.services import service_record_add
from tests.cast import Cast
from tests.volunteers.support import serve, volunteer_for_login

pytestmark = pytest.mark.django_db


def test_hours_are_the_sum_of_service_minutes(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    serve(volunteer, 45, "上门走访:买菜、量血压")
    serve(volunteer, 30, "电话问候")
    serve(volunteer, 75, "上门走访:送药")

    summary = service_summary(volunteer)

    assert summary.minutes == 150
    assert summary.record_count == 3
    assert str(summary.hours) == "2.5"


def test_points_follow_the_configured_rate(cast: Cast, settings: object) -> None:
    volunteer = volunteer_for_login(cast)
    serve(volunteer, 90, "陪聊")
    settings.LINLI_VOLUNTEER_POINTS_PER_HOUR = 10  # type: ignore[attr-defined]
    assert service_summary(volunteer).points == 15
    settings.LINLI_VOLUNTEER_POINTS_PER_HOUR = 4  # type: ignore[attr-defined]
    assert service_summary(volunteer).points == 6
    # Partial points are not rounded up: 20 minutes at 4 an hour is 1.33 → 1.
    assert points_for_minutes(20) == 1


def test_a_visit_is_recorded_once(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    kwargs = {
        "actor": None,
        "volunteer": volunteer,
        "started_at": timezone.now(),
        "minutes": 40,
        "content": "上门走访",
        "source": ServiceSource.VISIT,
        "source_id": "17",
    }
    service_record_add(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(IntegrityError), transaction.atomic():
        service_record_add(**kwargs)  # type: ignore[arg-type]
    assert service_summary(volunteer).minutes == 40


def test_no_service_time_is_refused(cast: Cast) -> None:
    volunteer = volunteer_for_login(cast)
    with pytest.raises(ValidationError) as error:
        service_record_add(
            actor=None,
            volunteer=volunteer,
            started_at=timezone.now() - dt.timedelta(hours=1),
            minutes=0,
            content="路途",
        )
    assert "服务时长须大于 0 分钟" in str(error.value)
