"""Triage at filing time: what a request without category or place is about and where.

Called by ``requests.services.request_submit``; the reader runs with the deployment's
models and the compound names of the request's community.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from linli.areas.models import Area, AreaKind
from linli.areas.selectors import ancestor_of_kind
from linli.people.models import Resident
from linli.requests.locate import Place, place_from_reading
from linli.requests.reading import UNLOCATED_KINDS
from linli.triage import engine
from linli.triage.reader import Reading

__all__ = [
    "UNLOCATED_KINDS",
    "Triage",
    "confidence_level",
    "home_compound",
    "threshold",
    "triage_text",
]


@dataclass(frozen=True)
class Triage:
    reading: Reading
    place: Place | None

    @property
    def category(self) -> str:
        return self.reading.category

    @property
    def urgent(self) -> bool:
        return self.reading.urgent

    @property
    def confident(self) -> bool:
        return self.reading.confidence >= threshold()


def threshold() -> float:
    return float(getattr(settings, "LINLI_TRIAGE_THRESHOLD", 0.6))


HIGH_CONFIDENCE = 0.8


def confidence_level(confidence: float | None) -> str:
    """The reader's confidence in words staff understand: 高 (sure, ≥ 0.8 and routed
    automatically), 中 (sure enough to route automatically), 低 (a dispatcher should look)."""
    if confidence is None:
        return ""
    if confidence >= max(HIGH_CONFIDENCE, threshold()):
        return _("高")
    if confidence >= threshold():
        return _("中")
    return _("低")


def home_compound(reporter: Resident | None) -> Area | None:
    if reporter is None or reporter.household is None:
        return None
    return ancestor_of_kind(reporter.household.unit, AreaKind.COMPOUND)


def triage_text(*, text: str, within: Area, reporter: Resident | None = None) -> Triage:
    """Read ``text`` and find its place inside ``within`` (a community or compound, or a
    building/unit whose community is searched)."""
    community = ancestor_of_kind(within, AreaKind.COMMUNITY) or within
    reading = engine.read(text, compounds=engine.compound_names(community))
    base = within if within.kind in UNLOCATED_KINDS else community
    place = place_from_reading(
        within=base,
        compound_name=reading.compound,
        home_compound=home_compound(reporter),
        building=reading.building,
        unit=reading.unit,
        room=reading.room,
    )
    return Triage(reading=reading, place=place)
