"""Who gets which kind of notification through which channel, and when.

In-app is always on. Each kind has default channels; a user's :class:`Preference` row
replaces them. Urgent requests and care alerts (and anything marked urgent) go out at
once; other kinds may wait for the daily digest. Quiet hours hold back text messages
at night, except urgent ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.selectors import is_staff_role_user, roles_of
from linli.core.roles import Role
from linli.notifications.models import Channel, Kind, Preference, QuietHours

# Never waits for a digest.
IMMEDIATE_KINDS = frozenset({Kind.URGENT_REQUEST, Kind.CARE_ALERT})

# When the daily digest goes out (local time).
DIGEST_HOUR = 8


@dataclass(frozen=True)
class Choice:
    channels: frozenset[str]
    digest: bool


DEFAULTS: dict[str, Choice] = {
    Kind.URGENT_REQUEST: Choice(frozenset({Channel.SMS, Channel.WECOM}), digest=False),
    Kind.CARE_ALERT: Choice(frozenset({Channel.SMS, Channel.WECOM}), digest=False),
    Kind.ASSIGNMENT: Choice(frozenset({Channel.SMS}), digest=False),
    Kind.OVERDUE: Choice(frozenset({Channel.WECOM}), digest=False),
    Kind.WARNING: Choice(frozenset({Channel.WECOM}), digest=True),
    Kind.REQUEST_UPDATE: Choice(frozenset(), digest=True),
    Kind.PROGRAMME: Choice(frozenset({Channel.SMS}), digest=False),
    # Claims wait days, not minutes: the staff group hears of them in the morning digest.
    Kind.HOURS_REVIEW: Choice(frozenset({Channel.WECOM}), digest=True),
    Kind.GENERAL: Choice(frozenset(), digest=True),
}


def channels_offered(user: User) -> list[str]:
    """A staff group is for staff and grid workers; residents and volunteers get SMS
    and email."""
    if is_staff_role_user(user) or Role.GRID_WORKER in roles_of(user):
        return list(Channel.values)
    return [Channel.SMS, Channel.EMAIL]


def choices_of(user: User) -> dict[str, Choice]:
    """The user's choice for every kind: their rows over the defaults."""
    offered = set(channels_offered(user))
    chosen = dict(DEFAULTS)
    for row in Preference.objects.filter(user=user):
        if row.kind in chosen:
            chosen[row.kind] = Choice(frozenset(row.channel_list), digest=row.digest)
    return {
        kind: Choice(choice.channels & offered, choice.digest and kind not in IMMEDIATE_KINDS)
        for kind, choice in chosen.items()
    }


def quiet_hours_of(user: User) -> QuietHours:
    found = QuietHours.objects.filter(user=user).first()
    return found if found is not None else QuietHours(user=user)


def quiet_until(quiet: QuietHours, at: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours ``at`` falls in (an aware time), or None."""
    if not quiet.enabled or quiet.start == quiet.end:
        return None
    local = timezone.localtime(at)
    now = local.time()
    tz = local.tzinfo
    if quiet.start < quiet.end:  # e.g. 12:00–14:00
        inside = quiet.start <= now < quiet.end
        end_day = local.date()
    else:  # across midnight, e.g. 22:00–07:00
        inside = now >= quiet.start or now < quiet.end
        end_day = local.date() + dt.timedelta(days=1) if now >= quiet.start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(end_day, quiet.end, tzinfo=tz)


def next_digest(at: dt.datetime) -> dt.datetime:
    """The next digest time after ``at`` (today's if it is still ahead)."""
    local = timezone.localtime(at)
    slot = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return slot if slot > local else slot + dt.timedelta(days=1)


def due_time(
    *, user: User | None, channel: str, urgent: bool, at: dt.datetime, quiet: QuietHours | None
) -> dt.datetime:
    """When a message may go out: ``at``, or the end of the quiet hours for a
    non-urgent text message."""
    if channel != Channel.SMS or urgent or user is None:
        return at
    end = quiet_until(quiet if quiet is not None else quiet_hours_of(user), at)
    return end if end is not None else at
