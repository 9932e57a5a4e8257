"""The reader triage offers to requests (registered in ``requests.reading`` from
``TriageConfig.ready``): read a text at filing, keep the reading as a suggestion, read an
Open311 address, and learn from what dispatchers accept or correct."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from linli.accounts.models import User
from linli.areas.models import Area
from linli.people.models import Resident
from linli.requests.models import Request
from linli.requests.reading import AddressReading, FilingReading
from linli.triage.filing import Triage, triage_text
from linli.triage.models import Suggestion
from linli.triage.reader import read_message
from linli.triage.services import (
    correction_record,
    correction_record_false_alarm,
    suggestion_mark_accepted,
    suggestion_save,
)


class TriageReader:
    def read_for_filing(self, *, text: str, within: Area, reporter: Resident | None) -> Triage:
        return triage_text(text=text, within=within, reporter=reporter)

    def keep_reading(
        self,
        *,
        request: Request,
        reading: FilingReading,
        applied: bool,
        at: dt.datetime,
        category_given: bool,
        place_given: bool,
    ) -> None:
        assert isinstance(reading, Triage)  # only this reader's readings come back to it
        suggestion_save(
            request=request,
            triage=reading,
            applied=applied,
            at=at,
            category_given=category_given,
            place_given=place_given,
        )

    def read_address(self, text: str, *, compounds: Sequence[str]) -> AddressReading:
        reading = read_message(text, compounds=compounds)
        return AddressReading(
            compound=reading.compound,
            building=reading.building,
            unit=reading.unit,
            room=reading.room,
        )

    def pending_suggestion(self, request: Request) -> Suggestion | None:
        return (
            Suggestion.objects.filter(request=request, applied=False)
            .select_related("location")
            .first()
        )

    def suggestion_accepted(
        self, *, request: Request, category: str, location: Area, actor: User, at: dt.datetime
    ) -> None:
        suggestion = Suggestion.objects.filter(request=request, applied=False).first()
        if (
            suggestion is not None
            and suggestion.category == category
            and suggestion.location_id in (None, location.pk)
        ):
            suggestion_mark_accepted(suggestion=suggestion, actor=actor, at=at)

    def urgency_reason(self, request: Request) -> str:
        suggestion = Suggestion.objects.filter(request=request, urgent=True).first()
        return suggestion.urgent_reason if suggestion is not None else ""

    def urgency_cleared(
        self, *, request: Request, actor: User, reason: str, at: dt.datetime
    ) -> None:
        correction_record_false_alarm(request=request, actor=actor, reason=reason, at=at)

    def correction_made(
        self,
        *,
        request: Request,
        actor: User,
        previous_category: str,
        previous_location: Area,
        at: dt.datetime,
    ) -> None:
        correction_record(
            request=request,
            actor=actor,
            previous_category=previous_category,
            previous_location=previous_location,
            at=at,
        )
