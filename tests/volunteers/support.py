"""Volunteers for the cast: 白志愿 (the volunteer login) and two residents who volunteer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.volunteers.models import Volunteer, VolunteerKind
from linli.volunteers.services import service_record_add, volunteer_create, volunteer_update
from tests.cast import Cast


def volunteer_for_login(cast: Cast) -> Volunteer:
    return volunteer_create(
        actor=None,
        community=cast.community,
        user=cast.volunteer_user,
        name="白志愿",
        kind=VolunteerKind.PARTY_MEMBER,
        grid=cast.grid2,
    )


def neighbour_volunteer(cast: Cast) -> Volunteer:
    return volunteer_create(
        actor=None,
        community=cast.community,
        resident=cast.neighbour,
        kind=VolunteerKind.DUAL_REPORT,
        grid=cast.grid2,
    )


def with_slots(volunteer: Volunteer, *slots: tuple[int, str]) -> Volunteer:
    return volunteer_update(
        actor=None,
        volunteer=volunteer,
        kind=volunteer.kind,
        grid=volunteer.grid,
        active=True,
        availability=slots,
    )


def serve(volunteer: Volunteer, minutes: int, content: str, days_ago: int = 1) -> None:
    service_record_add(
        actor=None,
        volunteer=volunteer,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
        minutes=minutes,
        content=content,
    )
