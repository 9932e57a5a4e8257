"""Activities for the cast: a free clinic in the community, relative to now."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.activities.models import Activity, ActivityKind, Audience, Status
from linli.activities.services import activity_create, activity_transition
from tests.cast import Cast


def kind(code: str = "clinic") -> ActivityKind:
    return ActivityKind.objects.get(code=code)


def clinic(
    cast: Cast,
    *,
    starts_in: dt.timedelta = dt.timedelta(days=2),
    hours: int = 3,
    capacity: int | None = None,
    audience: str = Audience.EVERYONE,
    open_: bool = True,
    title: str = "义诊进社区",
) -> Activity:
    starts_at = timezone.now() + starts_in
    activity = activity_create(
        actor=cast.staff,
        community=cast.community,
        kind=kind(),
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        place=cast.compound,
        capacity=capacity,
        audience=audience,
    )
    if open_:
        activity = activity_transition(actor=cast.staff, activity=activity, to=Status.OPEN)
    return activity
