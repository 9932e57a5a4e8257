"""Reads for triage pages, always from what the user may see."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.accounts.selectors import AnyUser
from linli.areas.models import Area
from linli.areas.selectors import building_of
from linli.requests.models import Request
from linli.requests.selectors import visible_requests
from linli.requests.workflow import OPEN_STATUSES
from linli.triage.chat import similar_texts

DUPLICATE_WINDOW = dt.timedelta(days=3)
# How many recent open requests of a community are compared by text (newest first).
SIMILAR_SCAN = 300


def likely_duplicate(
    *,
    user: AnyUser,
    category_code: str,
    location: Area | None,
    now: dt.datetime | None = None,
) -> Request | None:
    """The newest open request the user can see in the same building and category,
    submitted within the last three days: a new message about it is probably a repeat."""
    if location is None:
        return None
    building = building_of(location)
    if building is None:
        return None
    now = now or timezone.now()
    found: Request | None = (
        visible_requests(user)
        .filter(
            status__in=list(OPEN_STATUSES),
            category__code=category_code,
            location__path__startswith=building.path,
            submitted_at__gte=now - DUPLICATE_WINDOW,
        )
        .select_related("category", "location")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    return found


def similar_open_request(
    *,
    user: AnyUser,
    text: str,
    within: Area,
    now: dt.datetime | None = None,
) -> Request | None:
    """The newest open request the user can see inside ``within`` (a community), submitted
    within the last three days, whose text says nearly the same as ``text``: how a repeat
    is found when a message names no place (pasting a block twice files nothing twice)."""
    now = now or timezone.now()
    recent = (
        visible_requests(user)
        .filter(
            status__in=list(OPEN_STATUSES),
            location__path__startswith=within.path,
            submitted_at__gte=now - DUPLICATE_WINDOW,
        )
        .select_related("category", "location")
        .order_by("-submitted_at", "-pk")[:SIMILAR_SCAN]
    )
    for candidate in recent:
        if similar_texts(text, candidate.text):
            return candidate
    return None
