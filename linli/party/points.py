"""党员积分: a small registry of point sources, and the ranking they add up to.

A source says how many *units* each member earned in a period (hours of service, party
days attended, requests resolved); the admin-edited :class:`~linli.party.models.PointRule`
of the same code says how many points a unit is worth. Another app (the cadres' sink-down,
say) registers its own source from its ``AppConfig.ready``::

    register_point_source(PointSource("sink_down", "下沉走访", 5, units_fn))

and a rule row appears for admins the first time points are computed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from linli.party.models import PartyDayState, PartyMember, PointRule

Units = Callable[[list[PartyMember], dt.date, dt.date], dict[int, int]]


@dataclass(frozen=True)
class PointSource:
    code: str
    label: str | StrPromise
    default_points: int
    units: Units


_sources: dict[str, PointSource] = {}


def register_point_source(source: PointSource) -> None:
    """Register (or replace) a source of points. Idempotent per code."""
    _sources[source.code] = source


def point_sources() -> list[PointSource]:
    return list(_sources.values())


def point_rules() -> dict[str, PointRule]:
    """The rule of every registered source, creating a default one where missing."""
    rules = {rule.source: rule for rule in PointRule.objects.all()}
    for source in _sources.values():
        if source.code not in rules:
            rules[source.code], _created = PointRule.objects.get_or_create(
                source=source.code,
                defaults={"label": str(source.label), "points_per_unit": source.default_points},
            )
    return rules


@dataclass(frozen=True)
class MemberPoints:
    member: PartyMember
    by_source: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_source.values())


def member_points(
    members: Iterable[PartyMember], start: dt.date, end: dt.date
) -> list[MemberPoints]:
    """Points of ``members`` earned from ``start`` to ``end`` (inclusive), highest first."""
    members = list(members)
    rules = point_rules()
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    for source in _sources.values():
        rule = rules[source.code]
        if not rule.active:
            continue
        for member_id, units in source.units(members, start, end).items():
            totals[member_id][source.code] = units * rule.points_per_unit
    rows = [MemberPoints(member=m, by_source=totals.get(m.pk, {})) for m in members]
    rows.sort(key=lambda row: (-row.total, row.member.name, row.member.pk))
    return rows


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of ``start`` and of the day after ``end``."""
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return since, until


# --- the built-in sources ---------------------------------------------------------------


def _service_hours(members: list[PartyMember], start: dt.date, end: dt.date) -> dict[int, int]:
    """Whole hours of volunteer service (``linli.volunteers``) in the period."""
    from linli.volunteers.models import ServiceRecord

    by_resident = {m.resident_id: m.pk for m in members if m.resident_id}
    by_user = {m.user_id: m.pk for m in members if m.user_id}
    since, until = period_bounds(start, end)
    records = (
        ServiceRecord.objects.counted()
        .filter(
            Q(volunteer__resident_id__in=list(by_resident))
            | Q(volunteer__user_id__in=list(by_user)),
            started_at__gte=since,
            started_at__lt=until,
        )
        .values_list("volunteer__resident_id", "volunteer__user_id", "minutes")
    )
    minutes: dict[int, int] = defaultdict(int)
    for resident_id, user_id, spent in records:
        member_id = by_resident.get(resident_id) or by_user.get(user_id)
        if member_id:
            minutes[member_id] += spent
    return {member_id: total // 60 for member_id, total in minutes.items() if total >= 60}


def _party_days(members: list[PartyMember], start: dt.date, end: dt.date) -> dict[int, int]:
    """Theme party days attended in the period."""
    rows = (
        PartyMember.objects.filter(pk__in=[m.pk for m in members])
        .annotate(
            attended=Count(
                "party_days_attended",
                filter=Q(
                    party_days_attended__state=PartyDayState.HELD,
                    party_days_attended__planned_for__gte=start,
                    party_days_attended__planned_for__lte=end,
                ),
            )
        )
        .filter(attended__gt=0)
        .values_list("pk", "attended")
    )
    return dict(rows)


def _requests_resolved(members: list[PartyMember], start: dt.date, end: dt.date) -> dict[int, int]:
    """Requests the member (through their login) resolved in the period."""
    from linli.requests.models import Request

    by_user = {m.user_id: m.pk for m in members if m.user_id}
    since, until = period_bounds(start, end)
    rows = (
        Request.objects.filter(
            resolved_by_id__in=list(by_user), resolved_at__gte=since, resolved_at__lt=until
        )
        .values("resolved_by_id")
        .annotate(n=Count("pk"))
        .values_list("resolved_by_id", "n")
    )
    return {by_user[user_id]: n for user_id, n in rows}


BUILT_IN_SOURCES = [
    PointSource("service_hours", _("志愿服务(每小时)"), 2, _service_hours),
    PointSource("party_day", _("参加主题党日(每次)"), 5, _party_days),
    PointSource("requests_resolved", _("办结诉求(每件)"), 3, _requests_resolved),
]
