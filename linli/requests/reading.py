"""How requests asks for a resident's text to be read, without knowing who reads it.

The reader lives in ``linli.triage``, which sits *above* requests (its suggestions and
corrections point at requests). So requests never imports triage: triage registers one
``Reader`` here from its ``AppConfig.ready`` and requests calls these functions. Without
a registered reader nothing is read: requests are filed as given and wait for a
dispatcher, no suggestion is kept and an Open311 address cannot be read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from linli.areas.models import Area, AreaKind

if TYPE_CHECKING:
    from linli.accounts.models import User
    from linli.people.models import Resident
    from linli.requests.locate import Place
    from linli.requests.models import Request

# A request located at one of these levels is "without location": its text is read to
# find the building or unit.
UNLOCATED_KINDS = frozenset({AreaKind.COMMUNITY, AreaKind.COMPOUND})


class FilingReading(Protocol):
    """What the reader made of a request's text at filing time."""

    @property
    def category(self) -> str: ...  # a category code

    @property
    def urgent(self) -> bool: ...

    @property
    def confident(self) -> bool: ...  # at least as sure as LINLI_TRIAGE_THRESHOLD

    @property
    def place(self) -> Place | None: ...  # found in the area tree, if it names one


@dataclass(frozen=True)
class AddressReading:
    """The parts of an address such as "向阳花园3号楼2单元502"."""

    compound: str | None
    building: int | None
    unit: int | None
    room: str | None


class PendingSuggestion(Protocol):
    """A reading kept for a request that a dispatcher has not yet accepted."""

    @property
    def category(self) -> str: ...

    @property
    def location(self) -> Area | None: ...

    @property
    def room(self) -> str: ...


class Reader(Protocol):
    def read_for_filing(
        self, *, text: str, within: Area, reporter: Resident | None
    ) -> FilingReading: ...

    def keep_reading(
        self,
        *,
        request: Request,
        reading: FilingReading,
        applied: bool,
        at: dt.datetime,
        category_given: bool,
        place_given: bool,
    ) -> None: ...

    def read_address(self, text: str, *, compounds: Sequence[str]) -> AddressReading: ...

    def pending_suggestion(self, request: Request) -> PendingSuggestion | None: ...

    def suggestion_accepted(
        self, *, request: Request, category: str, location: Area, actor: User, at: dt.datetime
    ) -> None: ...

    def correction_made(
        self,
        *,
        request: Request,
        actor: User,
        previous_category: str,
        previous_location: Area,
        at: dt.datetime,
    ) -> None: ...

    def urgency_reason(self, request: Request) -> str: ...

    def urgency_cleared(
        self, *, request: Request, actor: User, reason: str, at: dt.datetime
    ) -> None: ...


_reader: Reader | None = None


def register_reader(reader: Reader) -> None:
    """Called once by the app that reads texts (triage) from its ``AppConfig.ready``."""
    global _reader
    _reader = reader


def read_for_filing(*, text: str, within: Area, reporter: Resident | None) -> FilingReading | None:
    return (
        None
        if _reader is None
        else _reader.read_for_filing(text=text, within=within, reporter=reporter)
    )


def keep_reading(
    *,
    request: Request,
    reading: FilingReading,
    applied: bool,
    at: dt.datetime,
    category_given: bool,
    place_given: bool,
) -> None:
    if _reader is not None:
        _reader.keep_reading(
            request=request,
            reading=reading,
            applied=applied,
            at=at,
            category_given=category_given,
            place_given=place_given,
        )


def read_address(text: str, *, compounds: Sequence[str]) -> AddressReading | None:
    return None if _reader is None else _reader.read_address(text, compounds=compounds)


def pending_suggestion(request: Request) -> PendingSuggestion | None:
    return None if _reader is None else _reader.pending_suggestion(request)


def suggestion_accepted(
    *, request: Request, category: str, location: Area, actor: User, at: dt.datetime
) -> None:
    """A dispatcher set ``category`` and ``location``: if that is what was suggested, the
    suggestion counts as accepted."""
    if _reader is not None:
        _reader.suggestion_accepted(
            request=request, category=category, location=location, actor=actor, at=at
        )


def urgency_reason(request: Request) -> str:
    """The words that made the reader call ``request`` urgent ("" if it did not)."""
    return "" if _reader is None else _reader.urgency_reason(request)


def urgency_cleared(*, request: Request, actor: User, reason: str, at: dt.datetime) -> None:
    """A dispatcher cleared an urgent flag as a false alarm (already saved)."""
    if _reader is not None:
        _reader.urgency_cleared(request=request, actor=actor, reason=reason, at=at)


def correction_made(
    *,
    request: Request,
    actor: User,
    previous_category: str,
    previous_location: Area,
    at: dt.datetime,
) -> None:
    """A dispatcher changed a request's category or place (already saved)."""
    if _reader is not None:
        _reader.correction_made(
            request=request,
            actor=actor,
            previous_category=previous_category,
            previous_location=previous_location,
            at=at,
        )
