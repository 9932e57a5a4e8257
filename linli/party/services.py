"""Writes for party work: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind, Grid
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.organisations.models import Organisation
from linli.party.models import (
    MemberKind,
    PartyDay,
    PartyDayConcern,
    PartyDayState,
    PartyMember,
    Position,
    PostKind,
    VanguardPost,
)
from linli.people.models import Resident
from linli.requests.models import Channel, Request
from linli.requests.services import request_submit

PARTY_KINDS = (
    Organisation.Kind.PARTY_COMMITTEE,
    Organisation.Kind.PARTY_BRANCH,
    Organisation.Kind.PARTY_GROUP,
)
# A committee has branches, a branch has grid groups.
_PARENT_KIND: dict[str, str] = {
    Organisation.Kind.PARTY_BRANCH: Organisation.Kind.PARTY_COMMITTEE,
    Organisation.Kind.PARTY_GROUP: Organisation.Kind.PARTY_BRANCH,
}


@transaction.atomic
def party_organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    area: Area,
    parent: Organisation | None = None,
    grid: Grid | None = None,
    short_name: str = "",
) -> Organisation:
    """A committee (at a community), a branch (under a committee) or a grid group
    (under a branch, in one grid)."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("请填写党组织名称。")]
    if kind not in PARTY_KINDS:
        errors["kind"] = [_("请选择党委、党支部或网格党小组。")]
    elif kind == Organisation.Kind.PARTY_COMMITTEE:
        if area.kind != AreaKind.COMMUNITY:
            errors["area"] = [_("社区党委须设在社区。")]
    elif parent is None or parent.kind != _PARENT_KIND[kind]:
        errors["parent"] = [
            _("党支部须隶属于党委。")
            if kind == Organisation.Kind.PARTY_BRANCH
            else _("网格党小组须隶属于党支部。")
        ]
    if kind == Organisation.Kind.PARTY_GROUP and grid is None:
        errors["grid"] = [_("网格党小组须指定所在网格。")]
    if Organisation.objects.filter(name=name).exists():
        errors["name"] = [_("已有同名的组织。")]
    if errors:
        raise ValidationError(errors)
    organisation = Organisation.objects.create(
        name=name, short_name=short_name.strip(), kind=kind, parent=parent, area=area, grid=grid
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=organisation,
        fields=["name", "kind", "parent", "grid"],
    )
    return organisation


@transaction.atomic
def member_create(
    *,
    actor: User | None,
    organisation: Organisation,
    community: Area,
    kind: str = MemberKind.DIRECT,
    resident: Resident | None = None,
    user: User | None = None,
    name: str = "",
    position: str = Position.MEMBER,
    grid: Grid | None = None,
    home_organisation: str = "",
    reported_on: dt.date | None = None,
) -> PartyMember:
    errors: dict[str, list[str]] = {}
    if resident is None and user is None:
        errors["resident"] = [_("党员须关联一位居民或一个登录账号。")]
    if organisation.kind not in PARTY_KINDS:
        errors["organisation"] = [_("请选择一个党组织。")]
    if community.kind != AreaKind.COMMUNITY:
        errors["community"] = [_("请选择党员所属的社区。")]
    if kind == MemberKind.DUAL_REPORT:
        if not home_organisation.strip():
            errors["home_organisation"] = [_("双报到党员须填写原单位党组织。")]
        if reported_on is None:
            errors["reported_on"] = [_("双报到党员须填写报到日期。")]
        if grid is None:
            errors["grid"] = [_("双报到党员须指定服务的网格。")]
    if resident is not None and PartyMember.objects.filter(resident=resident).exists():
        errors["resident"] = [_("这位居民已登记为党员。")]
    if user is not None and PartyMember.objects.filter(user=user).exists():
        errors["user"] = [_("这个账号已登记为党员。")]
    if errors:
        raise ValidationError(errors)
    name = (
        name.strip()
        or (resident.name if resident else "")
        or (user.get_full_name() if user else "")
    )
    member = PartyMember(
        name=name,
        kind=kind,
        resident=resident,
        user=user,
        organisation=organisation,
        position=position,
        community=community,
        grid=grid,
        home_organisation=home_organisation.strip(),
        reported_on=reported_on,
    )
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=member,
        fields=["name", "kind", "organisation", "position", "grid"],
    )
    return member


# The kinds of organisation the registration page (and the API) puts a member into.
MEMBER_ORGANISATION_KINDS = (Organisation.Kind.PARTY_BRANCH, Organisation.Kind.PARTY_GROUP)


@transaction.atomic
def member_register(
    *,
    actor: User,
    organisation: Organisation,
    kind: str = MemberKind.DIRECT,
    id_number: str = "",
    username: str = "",
    position: str = Position.MEMBER,
    grid: Grid | None = None,
    home_organisation: str = "",
    reported_on: dt.date | None = None,
) -> PartyMember:
    """Register a party member as the registration page does: a resident found by ID number
    among those ``actor`` manages (``party.manage`` scope), or else a login account (a
    member who lives elsewhere); the member belongs to the organisation's community.

    ``organisation`` and ``grid`` are the caller's to choose within ``actor``'s scope
    (:func:`~linli.party.selectors.organisation_get_for_user`,
    :func:`~linli.party.selectors.member_grids`)."""
    # The selectors import this module (for PARTY_KINDS): imported here, when called.
    from linli.party.selectors import organisation_community, resident_for_membership

    errors: dict[str, list[str]] = {}
    resident = None
    member_user = None
    if id_number.strip():
        resident = resident_for_membership(actor, id_number)
        if resident is None:
            errors["id_number"] = [_("本社区登记在册的居民中没有这个身份证号。")]
    elif username.strip():
        member_user = User.objects.filter(username=username.strip(), is_active=True).first()
        if member_user is None:
            errors["username"] = [_("没有这个登录账号。")]
    else:
        errors[NON_FIELD_ERRORS] = [_("请填写身份证号或登录账号,二者选其一。")]
    community = organisation_community(organisation)
    if organisation.kind not in MEMBER_ORGANISATION_KINDS:
        errors["organisation"] = [_("请选择党支部或网格党小组。")]
    elif community is None:
        errors["organisation"] = [_("这个党组织还没有归属社区。")]
    if errors or community is None:  # (no community: its error is in ``errors``)
        raise ValidationError(errors)
    return member_create(
        actor=actor,
        organisation=organisation,
        community=community,
        kind=kind,
        resident=resident,
        user=member_user,
        position=position,
        grid=grid,
        home_organisation=home_organisation,
        reported_on=reported_on,
    )


@transaction.atomic
def post_add(
    *,
    actor: User | None,
    member: PartyMember,
    kind: str,
    buildings: Iterable[Area] = (),
    note: str = "",
) -> VanguardPost:
    if kind not in PostKind.values:
        raise ValidationError({"kind": [_("请选择先锋岗位。")]})
    buildings = list(buildings)
    if any(b.kind != AreaKind.BUILDING for b in buildings):
        raise ValidationError({"buildings": [_("负责范围只能选择楼栋。")]})
    post = VanguardPost.objects.create(member=member, kind=kind, note=note.strip()[:200])
    post.buildings.set(buildings)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=post,
        fields=["member", "kind", "buildings"],
    )
    return post


@transaction.atomic
def party_day_plan(
    *,
    actor: User | None,
    organisation: Organisation,
    topic: str,
    planned_for: dt.date,
    place: str = "",
) -> PartyDay:
    errors: dict[str, list[str]] = {}
    if organisation.kind not in (Organisation.Kind.PARTY_BRANCH, Organisation.Kind.PARTY_GROUP):
        errors["organisation"] = [_("主题党日由党支部或网格党小组举办。")]
    if not topic.strip():
        errors["topic"] = [_("请填写党日主题。")]
    if errors:
        raise ValidationError(errors)
    day = PartyDay.objects.create(
        organisation=organisation,
        topic=topic.strip()[:100],
        place=place.strip()[:100],
        planned_for=planned_for,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=day,
        fields=["organisation", "topic", "planned_for"],
    )
    return day


def organisation_members(organisation: Organisation) -> list[PartyMember]:
    """Active members of ``organisation`` and of the groups under it."""
    ids = [organisation.pk, *organisation.children.values_list("pk", flat=True)]
    return list(PartyMember.objects.filter(organisation_id__in=ids, active=True))


@dataclass(frozen=True)
class ConcernIn:
    """A small problem raised at a party day: what, and where (a building, unit or compound)."""

    text: str
    location: Area
    reporter: Resident | None = None


@transaction.atomic
def party_day_record(
    *,
    actor: User,
    party_day: PartyDay,
    held_at: dt.datetime,
    members_present: Sequence[PartyMember] = (),
    residents_present: int = 0,
    summary: str = "",
    concerns: Sequence[ConcernIn] = (),
    place: str | None = None,
) -> PartyDay:
    """Record a party day as held; each concern is filed as a ``party_day`` request and
    routed as usual (a building goes to its grid worker)."""
    errors: dict[str, list[str]] = {}
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        errors["held_at"] = [_("举办时间不能晚于现在。")]
    if residents_present < 0 or residents_present > 10000:
        errors["residents_present"] = [_("参加群众人数不正确。")]
    members = organisation_members(party_day.organisation)
    member_ids = {m.pk for m in members}
    if any(m.pk not in member_ids for m in members_present):
        errors["members_present"] = [_("只能勾选本组织的党员。")]
    if errors:
        raise ValidationError(errors)
    party_day.state = PartyDayState.HELD
    party_day.held_at = held_at
    party_day.residents_present = residents_present
    party_day.members_expected = len(members)
    party_day.summary = summary.strip()
    if place is not None and place.strip():
        party_day.place = place.strip()[:100]
    party_day.recorded_by = actor
    party_day.save()
    party_day.members_present.set(members_present)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=party_day,
        fields=["state", "held_at", "members_present", "residents_present", "summary"],
    )
    for concern in concerns:
        if not concern.text.strip():
            continue
        request = request_submit(
            submitted_by=actor,
            text=concern.text,
            channel=Channel.PARTY_DAY,
            location=concern.location,
            reporter=concern.reporter,
            at=held_at,
        )
        concern_link(actor=actor, party_day=party_day, request=request)
    return party_day


@dataclass(frozen=True)
class ConcernEntry:
    """A concern as the record page (or the API) gives it: what residents raised, and the id
    of the place chosen for it (None: the first place offered)."""

    text: str
    place_id: int | None = None


# A party day recorded for a past date is taken to have been held in the afternoon.
PAST_DAY_HELD_AT = dt.time(15, 0)


@transaction.atomic
def party_day_record_by_date(
    *,
    actor: User,
    party_day: PartyDay,
    held_on: dt.date,
    members_present: Iterable[int] = (),
    residents_present: int = 0,
    summary: str = "",
    place: str | None = None,
    concerns: Sequence[ConcernEntry] = (),
    now: dt.datetime | None = None,
) -> PartyDay:
    """Record a party day as the record page does: held today (at ``now``) or on a past
    date (in the afternoon); the members present named by id, of the organisation's
    members; each concern filed as a request at its chosen place among
    :func:`~linli.party.selectors.concern_places` — ``actor``'s to file at — or at the
    first of them. Then :func:`party_day_record`."""
    from linli.party.selectors import concern_places

    now = timezone.localtime(now or timezone.now())
    errors: dict[str, list[str]] = {}
    if held_on > now.date():
        errors["held_on"] = [_("举办时间不能晚于现在。")]
    members = organisation_members(party_day.organisation)
    wanted = set(members_present)
    present = [m for m in members if m.pk in wanted]
    if len(present) != len(wanted):
        errors["members_present"] = [_("只能勾选本组织的党员。")]
    places = concern_places(actor, party_day.organisation)
    by_pk = {p.pk: p for p in places}
    located: list[ConcernIn] = []
    for concern in concerns:
        if not concern.text.strip():
            continue
        where = by_pk.get(concern.place_id) if concern.place_id else None
        if concern.place_id and where is None:
            errors["concerns"] = [_("请选择可以登记诉求的位置。")]
            break
        where = where or (places[0] if places else None)
        if where is None:
            errors["concerns"] = [_("没有可以登记诉求的位置。")]
            break
        located.append(ConcernIn(text=concern.text, location=where))
    if errors:
        raise ValidationError(errors)
    held_at = (
        now
        if held_on == now.date()
        else timezone.make_aware(dt.datetime.combine(held_on, PAST_DAY_HELD_AT))
    )
    return party_day_record(
        actor=actor,
        party_day=party_day,
        held_at=held_at,
        members_present=present,
        residents_present=residents_present,
        summary=summary,
        place=place,
        concerns=located,
    )


@transaction.atomic
def concern_link(*, actor: User | None, party_day: PartyDay, request: Request) -> PartyDayConcern:
    """Say that ``request`` was raised at ``party_day`` (the demo links existing requests)."""
    if request.channel != Channel.PARTY_DAY:
        raise ValidationError({"request": [_("只能关联来源为主题党日的诉求。")]})
    if PartyDayConcern.objects.filter(request=request).exists():
        raise ValidationError({"request": [_("这条诉求已关联到一次主题党日。")]})
    concern = PartyDayConcern.objects.create(party_day=party_day, request=request)
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=concern, fields=["party_day", "request"]
    )
    return concern
