"""Snapshots of a place's request blocks: what the leaders' dashboard reads.

The request blocks of a place (figures, the three rates, children, trend, heat table) are
summed from the daily and month figures (:mod:`.aggregates`) plus a live count of the
days those do not decide: on a 100,000-resident town that is a few hundred milliseconds
of database and Python work, the same for every leader who opens the same place and
period. A snapshot keeps the result in the cache (Redis in production, so every app
server shares it) for ``LINLI_DASHBOARD_SNAPSHOT_SECONDS`` (default 60 s): leaders look at
figures as of the last minute, and the page says when they were counted.

A snapshot of the request blocks holds no user's data: the blocks count every request of
the place (the page is for those whose scope covers it) and carry a link to every child;
each reader's links are cut to the places they may open (:func:`selectors._links_for`).
Labels are translated, so such a snapshot is per language. The care counts depend on the
reader's care scope, so their snapshot is per place and scope (a fingerprint of it: every
leader of a town shares one).

The care counts of ``/care/`` (:func:`care_figures`) are kept the same way, per scope, for
those who only watch care (leaders); whoever records care sees them counted at once. The
register overview of a home page (:func:`area_overview`) is kept for those who only read
the register, for ten minutes and without the minute task.

Past its lifetime a snapshot is still shown, with the moment it was counted, for up to
``LINLI_SNAPSHOT_STALE_SECONDS`` (an hour) while a background task counts it again
(:func:`_kept`, :func:`recount`): the first leader back after a quiet spell no longer
waits seconds for a county's count; the next view has the new one.

Kept warm by the task queue: every page view notes what it read (:func:`_note_viewed`);
a periodic task (:func:`refresh_viewed`) counts again, each minute, what was looked at
within the last half hour — the care counts as the last reader with that scope — so a
leader who keeps the page open (the wall layout refreshes itself) or comes back finds it
already counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import pickle
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from linli.accounts.models import User
from linli.accounts.selectors import AnyUser, capabilities_of, scope_for
from linli.areas.models import Area, Grid
from linli.care import selectors as care_selectors
from linli.care.selectors import CareFigures
from linli.core.roles import Capability
from linli.core.scoping import Scope
from linli.dashboard import selectors
from linli.dashboard.selectors import CareCoverage, RequestBlocks
from linli.people import selectors as people_selectors
from linli.people.selectors import AreaOverview
from linli.requests.figures import Place

logger = logging.getLogger(__name__)

VIEWED_KEY = "linli:dashboard:viewed"
WATCH = dt.timedelta(minutes=30)  # what was looked at within this is kept counted
WATCH_MAX = 200  # at most this many snapshots are kept warm

T = TypeVar("T")
# What a view read: ("blocks", place key, start, end, language), ("care", place key,
# scope fingerprint) or ("figures", scope fingerprint); with the moment it was last read
# and, for care and figures, the reader's id.
Entry = tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    blocks: RequestBlocks
    taken_at: dt.datetime


@dataclass(frozen=True)
class Kept:
    """Any counted value and its moment, as the cache keeps it."""

    value: Any
    taken_at: dt.datetime


def lifetime() -> int:
    return int(getattr(settings, "LINLI_DASHBOARD_SNAPSHOT_SECONDS", 60))


def stale_lifetime() -> int:
    """How long past its lifetime a snapshot is still shown while it is counted again."""
    return int(getattr(settings, "LINLI_SNAPSHOT_STALE_SECONDS", 3600))


def _shape(kind: type, seen: set[type] | None = None) -> list[str]:
    """The field names of a kept dataclass and of the dataclasses in its fields."""
    seen = set() if seen is None else seen
    if kind in seen or not dataclasses.is_dataclass(kind):
        return []
    seen.add(kind)
    names = [kind.__qualname__]
    for name, hint in typing.get_type_hints(kind).items():
        names.append(name)
        for inner in (hint, *typing.get_args(hint)):
            for part in (inner, *typing.get_args(inner)):
                if isinstance(part, type):
                    names += _shape(part, seen)
    return names


# In every key: a release whose kept values have another shape (a field added to
# ``RequestBlocks`` or ``AreaOverview``) reads none of an older release's, which would
# unpickle without the new field and render blank until they expired.
SHAPE = hashlib.sha256(
    "|".join(
        name
        for kind in (RequestBlocks, CareCoverage, CareFigures, AreaOverview)
        for name in _shape(kind)
    ).encode()
).hexdigest()[:8]


def _cache_key(entry: Entry) -> str:
    return f"linli:dashboard:{SHAPE}:" + ":".join(entry)


def _kept(
    entry: Entry,
    now: dt.datetime,
    count: Callable[[], T],
    *,
    seconds: int | None = None,
    reader: int | None = None,
    stale: bool = True,
) -> tuple[T, dt.datetime]:
    """The value kept for ``entry`` if counted less than ``seconds`` (:func:`lifetime`)
    before ``now``. Older, but within :func:`stale_lifetime` of its lifetime (and
    ``stale`` allowed: the page says how old it is): the old value, while a task counts
    it again (as ``reader``, for the entries counted as a user). Otherwise ``count()``
    now, kept. :func:`is_stale` of the moment returned, with the same ``now`` and
    ``seconds``, says whether the old value was shown."""
    seconds = lifetime() if seconds is None else seconds
    try:
        kept = cache.get(_cache_key(entry))
    except (pickle.UnpicklingError, AttributeError, ImportError, TypeError, EOFError):
        kept = None  # kept by an older release in a shape this one cannot read: count again
    if isinstance(kept, Kept):
        age = now - kept.taken_at
        if dt.timedelta(0) <= age < dt.timedelta(seconds=seconds):
            return kept.value, kept.taken_at
        if stale and dt.timedelta(0) <= age < dt.timedelta(seconds=seconds + stale_lifetime()):
            _queue_recount(entry, reader, now)
            return kept.value, kept.taken_at
    return _keep(entry, now, count(), seconds=seconds), now


def _keep(entry: Entry, now: dt.datetime, value: T, *, seconds: int | None = None) -> T:
    seconds = lifetime() if seconds is None else seconds
    cache.set(
        _cache_key(entry),
        Kept(value=value, taken_at=now),
        timeout=max(seconds + stale_lifetime(), 1),
    )
    return value


def is_stale(taken_at: dt.datetime | None, now: dt.datetime, *, seconds: int | None = None) -> bool:
    """Whether a value shown as counted at ``taken_at`` is past its lifetime (and being
    counted again): the page says so."""
    seconds = lifetime() if seconds is None else seconds
    if seconds <= 0 or taken_at is None:
        return False  # no snapshot: counted on the view
    return now - taken_at >= dt.timedelta(seconds=seconds)


RECOUNT_PENDING_SECONDS = 300


def _queue_recount(entry: Entry, reader: int | None, now: dt.datetime) -> None:
    """Queue one recount of ``entry`` as of ``now`` (none while one waits; the mark
    expires if the task is lost)."""
    mark = _cache_key(entry) + ":recounting"
    if not cache.add(mark, 1, timeout=RECOUNT_PENDING_SECONDS):
        return
    from linli.dashboard.tasks import recount_snapshot

    try:
        recount_snapshot(list(entry), reader, now.isoformat())
    except Exception:
        # The queue is down: the page still has the old value to show; the next view
        # tries again.
        cache.delete(mark)
        logger.exception("could not queue the recount of a snapshot %s", entry[0])


def _blocks_entry(place: Place, start: dt.date, end: dt.date) -> Entry:
    language = translation.get_language() or ""
    return ("blocks", selectors.place_key(place), start.isoformat(), end.isoformat(), language)


def take(place: Place, *, start: dt.date, end: dt.date, now: dt.datetime) -> Snapshot:
    """Count the request blocks of ``place`` now and keep them."""
    blocks = selectors.request_blocks(place, None, start=start, end=end, now=now)
    _keep(_blocks_entry(place, start, end), now, blocks)
    return Snapshot(blocks=blocks, taken_at=now)


def request_blocks(
    place: Place,
    allowed: set[str],
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
) -> Snapshot:
    """The request blocks as the page shows them: a snapshot taken less than
    :func:`lifetime` seconds before ``now``, or counted now (and kept); with links only
    to the children in ``allowed``."""
    if lifetime() <= 0:
        blocks = selectors.request_blocks(place, allowed, start=start, end=end, now=now)
        return Snapshot(blocks=blocks, taken_at=now)
    entry = _blocks_entry(place, start, end)
    blocks, taken_at = _kept(
        entry,
        now,
        lambda: selectors.request_blocks(place, None, start=start, end=end, now=now),
    )
    _note_viewed(entry, now)
    return Snapshot(
        blocks=RequestBlocks(
            figures=blocks.figures,
            escalated_now=blocks.escalated_now,
            children=selectors._links_for(blocks.children, allowed),
            trend=blocks.trend,
            heat=blocks.heat,
        ),
        taken_at=taken_at,
    )


def _fingerprint(scope: Scope) -> str:
    parts = (
        str(scope.everything),
        ",".join(sorted(scope.area_paths)),
        ",".join(map(str, sorted(scope.grid_ids))),
        ",".join(map(str, sorted(scope.household_ids))),
        ",".join(map(str, sorted(scope.resident_ids))),
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def care_coverage(user: AnyUser, place: Place, *, now: dt.datetime) -> CareCoverage | None:
    """The care counts of ``place`` as ``user`` may see them, from a snapshot of the same
    place and scope less than :func:`lifetime` seconds old, or counted now."""
    if Capability.CARE_VIEW not in capabilities_of(user):
        return None
    if lifetime() <= 0:
        return selectors.care_coverage(user, place, now=now)
    entry = (
        "care",
        selectors.place_key(place),
        _fingerprint(scope_for(user, Capability.CARE_VIEW)),
    )
    # Not shown past its minute: the page tells the request figures' time, not this.
    coverage, _ = _kept(
        entry,
        now,
        lambda: selectors.care_coverage(user, place, now=now),
        reader=user.pk,
        stale=False,
    )
    _note_viewed(entry, now, reader=user.pk)
    return coverage


def watches_care(user: AnyUser) -> bool:
    """Whether ``user`` only watches care (a leader): sees it, records none of it."""
    caps = capabilities_of(user)
    return Capability.CARE_VIEW in caps and not caps & {
        Capability.CARE_LOG,
        Capability.CARE_MANAGE,
    }


def care_figures(user: AnyUser, *, now: dt.datetime) -> tuple[CareFigures, dt.datetime | None]:
    """The care counts of ``/care/``, and the moment of their snapshot (None: counted now).

    Whoever records care (a volunteer, a grid worker, staff) sees them counted now: the
    visit just logged must leave the due count at once. Whoever only watches
    (:func:`watches_care`) sees them from a snapshot of the same scope less than
    :func:`lifetime` seconds old: a county's plans counted through the privacy gate take
    0.6 s at 3 M residents (docs/scaling.md, session 31), the same for every leader of it.
    """
    if lifetime() <= 0 or not watches_care(user):
        return care_selectors.care_figures(user, now=now), None
    entry = ("figures", _fingerprint(scope_for(user, Capability.CARE_VIEW)))
    figures, taken_at = _kept(
        entry, now, lambda: care_selectors.care_figures(user, now=now), reader=user.pk
    )
    _note_viewed(entry, now, reader=user.pk)
    return figures, taken_at


def _note_viewed(entry: Entry, now: dt.datetime, *, reader: int | None = None) -> None:
    """Remember that ``entry`` was read (at most once a minute each), and by whom."""
    viewed: dict[Entry, tuple[float, int | None]] = cache.get(VIEWED_KEY) or {}
    last = viewed.get(entry)
    if last is not None and last[1] == reader and now.timestamp() - last[0] < 60:
        return
    viewed[entry] = (now.timestamp(), reader)
    cutoff = (now - WATCH).timestamp()
    recent = sorted(
        ((seen, item, who) for item, (seen, who) in viewed.items() if seen >= cutoff),
        key=lambda row: -row[0],
    )[:WATCH_MAX]
    cache.set(
        VIEWED_KEY,
        {item: (seen, who) for seen, item, who in recent},
        timeout=int(WATCH.total_seconds()),
    )


def _place_of(key: str) -> Place | None:
    kind, _, pk = key.partition("-")
    if not pk.isdigit():
        return None
    if kind == "grid":
        return Grid.objects.filter(pk=int(pk)).first()
    return Area.objects.filter(pk=int(pk)).first()


def register_lifetime() -> int:
    return int(getattr(settings, "LINLI_REGISTER_SNAPSHOT_SECONDS", 600))


def _register_key(user: AnyUser) -> str:
    """What a register overview depends on: the scopes of the register, of the area tree
    (the grids), of consent (who sees children without one) and the capabilities (which
    tags are shown)."""
    parts = (
        _fingerprint(scope_for(user, Capability.REGISTER_VIEW)),
        _fingerprint(scope_for(user, Capability.AREAS_VIEW)),
        _fingerprint(scope_for(user, Capability.CONSENT_RECORD)),
        ",".join(sorted(capabilities_of(user))),
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def area_overview(user: AnyUser, *, now: dt.datetime) -> tuple[AreaOverview, dt.datetime | None]:
    """The register of the user's area on their home, and the moment of its snapshot
    (None: counted now). Those who edit the register see it counted on every view; those
    who only read it (leaders, cadres) from a snapshot of the same scopes less than
    :func:`register_lifetime` seconds old (10 minutes: a register changes by the day, and
    a county's residents and households counted by place take seconds at 3 M). Counted on
    a view only, never by the minute task: a county's count each minute for every leader
    who looked in the last half hour would outgrow the minute."""
    caps = capabilities_of(user)
    seconds = register_lifetime()
    if seconds <= 0 or Capability.REGISTER_EDIT in caps:
        return people_selectors.area_overview(user), None
    entry = ("register", _register_key(user))
    return _kept(
        entry,
        now,
        lambda: people_selectors.area_overview(user),
        seconds=seconds,
        reader=user.pk,
    )


def _reader_with_scope(reader: int | None, fingerprint: str) -> User | None:
    """The active reader of a care snapshot, if their care scope is still the one it was
    kept for: counted with a scope they have since lost or gained, the snapshot would
    give every reader of the old scope the new one's counts."""
    user = User.objects.filter(pk=reader or 0, is_active=True).first()
    if user is None or _fingerprint(scope_for(user, Capability.CARE_VIEW)) != fingerprint:
        return None
    return user


def recount(entry: Entry, reader: int | None, now: dt.datetime) -> bool:
    """Count ``entry`` again now and keep it; False when it cannot be (its place is gone,
    or its reader is, or no longer has the scope it was counted for)."""
    kind = entry[0]
    if kind == "figures":
        user = _reader_with_scope(reader, entry[1])
        if user is None or not watches_care(user):
            return False
        _keep(entry, now, care_selectors.care_figures(user, now=now))
        return True
    if kind == "register":
        user = User.objects.filter(pk=reader or 0, is_active=True).first()
        if user is None or _register_key(user) != entry[1]:
            return False
        seconds = register_lifetime()
        _keep(entry, now, people_selectors.area_overview(user), seconds=seconds)
        return True
    place = _place_of(entry[1])
    if place is None:
        return False
    if kind == "blocks":
        start, end, language = entry[2:]
        with translation.override(language or None):
            blocks = selectors.request_blocks(
                place,
                None,
                start=dt.date.fromisoformat(start),
                end=dt.date.fromisoformat(end),
                now=now,
            )
        _keep(entry, now, blocks)
        return True
    user = _reader_with_scope(reader, entry[2])
    if user is None or Capability.CARE_VIEW not in capabilities_of(user):
        return False
    _keep(entry, now, selectors.care_coverage(user, place, now=now))
    return True


def recount_queued(entry: Entry, reader: int | None, viewed_at: dt.datetime) -> bool:
    """The queued recount of a snapshot shown past its lifetime (:func:`_kept`).

    Counted as of now (or of the view that queued it, whichever is later: a queue that
    runs behind must not store a count already old, under an older time than its data),
    and not at all when a newer count is kept already (the minute task's). The mark that
    kept other views from queueing it again is taken off only when the count is done."""
    now = max(viewed_at, timezone.now())
    try:
        kept = cache.get(_cache_key(entry))
        if isinstance(kept, Kept) and kept.taken_at >= now:
            return False
        return recount(entry, reader, now)
    finally:
        cache.delete(_cache_key(entry) + ":recounting")


def refresh_viewed(now: dt.datetime | None = None) -> int:
    """Count again everything looked at within :data:`WATCH`; how many snapshots."""
    now = now or timezone.now()
    cutoff = (now - WATCH).timestamp()
    viewed: dict[Entry, tuple[float, int | None]] = cache.get(VIEWED_KEY) or {}
    counted = 0
    for entry, (seen, reader) in sorted(viewed.items(), key=lambda item: -item[1][0]):
        if seen >= cutoff and recount(entry, reader, now):
            counted += 1
    return counted
