"""Volunteers for the cast: 白志愿 (the volunteer login) and two residents who volunteer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.volunteers.models import HoursStatus, ServiceRecord, Volunteer, VolunteerKind
from linli.volunteers.services import (
    service_hours_submit,
    service_record_add,
    volunteer_create,
    volunteer_update,
)
from tests.cast import Cast, make_user


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


def neighbour_with_login(cast: Cast) -> Volunteer:
    """李建军 as a volunteer who signs in (as himself, through his resident record)."""
    user = make_user("lijianjun", "李建军")
    role_assign(actor=None, user=user, role=Role.VOLUNTEER, area=cast.community)
    cast.neighbour.user = user
    cast.neighbour.save(update_fields=["user"])
    return neighbour_volunteer(cast)


def stranger(cast: Cast) -> Volunteer:
    """A volunteer of 友谊社区, outside 和平社区's staff scope."""
    user = make_user("youyi", "周友谊")
    role_assign(actor=None, user=user, role=Role.VOLUNTEER, area=cast.other_community)
    return volunteer_create(actor=None, community=cast.other_community, user=user)


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


def claim(
    volunteer: Volunteer, minutes: int, content: str, days_ago: int = 1, place: str = ""
) -> ServiceRecord:
    """The volunteer's own claim for service outside the system: it waits for review."""
    user = volunteer.user or (volunteer.resident.user if volunteer.resident else None)
    assert user is not None
    return service_hours_submit(
        actor=user,
        volunteer=volunteer,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
        minutes=minutes,
        content=content,
        place=place,
    )


def unreviewed(
    volunteer: Volunteer,
    minutes: int,
    *,
    source: str,
    source_id: str,
    status: str = HoursStatus.SUBMITTED,
    days_ago: int = 1,
) -> ServiceRecord:
    """A record of ``source`` that is not approved. The services write such sources
    approved; this proves the sums would leave out one that is not."""
    return ServiceRecord.objects.create(
        volunteer=volunteer,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
        minutes=minutes,
        content="未确认的时长",
        source=source,
        source_id=source_id,
        status=status,
        reject_reason="不实" if status == HoursStatus.REJECTED else "",
    )
