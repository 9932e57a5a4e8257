"""Writes of triage: suggestions kept at filing, corrections recorded when staff change a
request's category or place, and training the deployment's models from them."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import ancestor_of_kind, area_label
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.requests.models import Request
from linli.triage import engine
from linli.triage.filing import Triage
from linli.triage.models import Correction, Suggestion

_LEADING = re.compile(r"\d+")


def _number(area: Area | None) -> int | None:
    if area is None:
        return None
    found = _LEADING.search(area.name)
    return int(found.group()) if found else None


def place_numbers(location: Area, room: str) -> tuple[int | None, int | None, str]:
    """(building number, unit number, room) of a request's place, as the corpus labels it."""
    building = ancestor_of_kind(location, AreaKind.BUILDING)
    unit = location if location.kind == AreaKind.UNIT else None
    return _number(building), _number(unit), room if unit is not None else ""


def suggestion_save(
    *,
    request: Request,
    triage: Triage,
    applied: bool,
    at: dt.datetime,
    category_given: bool = False,
    place_given: bool = False,
) -> Suggestion:
    """Keep what the reader made of a request (no audit: the system's own note).

    What the person filing gave explicitly is kept as it is in the suggestion, so
    accepting it changes only what triage was asked to fill in."""
    reading = triage.reading
    place = None if place_given else triage.place
    return Suggestion.objects.create(
        request=request,
        category=request.category.code if category_given else reading.category,
        building=reading.building,
        unit=reading.unit,
        room=(place.room if place else "") or "",
        compound_name=reading.compound or "",
        location=place.area if place else None,
        urgent=reading.urgent,
        urgent_reason="、".join(reading.urgent_because)[:200],
        confidence=round(reading.confidence, 3),
        applied=applied,
        created_at=at,
    )


def correction_record(
    *,
    request: Request,
    actor: User,
    previous_category: str,
    previous_location: Area,
    at: dt.datetime | None = None,
) -> Correction:
    """A labelled example from a request staff just reclassified (called inside
    ``request_reclassify``'s transaction, after the request was saved)."""
    building, unit, room = place_numbers(request.location, request.room)
    correction = Correction.objects.create(
        request=request,
        text=request.text,
        category=request.category.code,
        building=building,
        unit=unit,
        room=room,
        urgent=request.urgent,
        previous_category=previous_category,
        previous_location=area_label(previous_location)[:200],
        corrected_by=actor,
        created_at=at or timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=correction,
        fields=["category", "building"],
    )
    return correction


def correction_record_false_alarm(
    *, request: Request, actor: User, reason: str, at: dt.datetime
) -> Correction:
    """A labelled example from an urgent flag staff cleared as a false alarm (called inside
    ``request_clear_urgent``'s transaction): the text, its place and category, not urgent.
    ``linli triage train`` learns from it like from any correction."""
    building, unit, room = place_numbers(request.location, request.room)
    correction = Correction.objects.create(
        request=request,
        text=request.text,
        category=request.category.code,
        building=building,
        unit=unit,
        room=room,
        urgent=False,
        urgency_cleared_reason=reason[:200],
        previous_category=request.category.code,
        previous_location=area_label(request.location)[:200],
        corrected_by=actor,
        created_at=at,
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=correction, fields=["urgent"])
    return correction


@transaction.atomic
def correction_record_from_intake(
    *,
    request: Request,
    actor: User,
    read_category: str,
    read_urgent: bool,
    at: dt.datetime | None = None,
) -> Correction | None:
    """A labelled example from the chat paste: staff filed ``request`` with another
    category or urgency than triage read (an imagined fire unticked as urgent, a category
    changed). None when staff kept the reading. ``linli triage train`` learns from it."""
    if request.category.code == read_category and request.urgent == read_urgent:
        return None
    building, unit, room = place_numbers(request.location, request.room)
    correction = Correction.objects.create(
        request=request,
        text=request.text,
        category=request.category.code,
        building=building,
        unit=unit,
        room=room,
        urgent=request.urgent,
        urgency_cleared_reason=(
            _("群聊登记时取消了紧急") if read_urgent and not request.urgent else ""
        ),
        previous_category=read_category[:30],
        previous_location=area_label(request.location)[:200],
        corrected_by=actor,
        created_at=at or timezone.now(),
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=correction, fields=["category", "urgent"]
    )
    return correction


@transaction.atomic
def suggestion_mark_accepted(*, suggestion: Suggestion, actor: User, at: dt.datetime) -> None:
    suggestion.applied = True
    suggestion.accepted_by = actor
    suggestion.accepted_at = at
    suggestion.save(update_fields=["applied", "accepted_by", "accepted_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=suggestion, fields=["applied"])


def models_train() -> engine.TrainResult:
    """Rebuild the deployment's models from the shipped corpus plus every correction."""
    rows = [c.as_example() for c in Correction.objects.order_by("created_at", "pk")]
    result = engine.train(rows)
    audit_record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        note=f"triage_train shipped={result.shipped} corrections={result.corrections}",
    )
    return result
