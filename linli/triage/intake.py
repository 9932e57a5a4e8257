"""The group-chat intake (群聊消息批量录入), shared by the page (/requests/intake/) and the
API (``/api/v1/requests/intake``): split a pasted chat into messages, read each into a
draft for staff to check, and file the checked drafts all together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_label, building_of, buildings_by_number, child_by_number
from linli.core.errors import DomainError
from linli.requests.locate import filing_scope
from linli.requests.models import Category, Channel, Request
from linli.requests.selectors import request_get_for_user
from linli.requests.services import request_add_report, request_submit
from linli.triage.chat import ChatMessage, is_chatter, similar_texts, split_chat
from linli.triage.filing import triage_text
from linli.triage.selectors import likely_duplicate, similar_open_request
from linli.triage.services import correction_record_from_intake

MAX_BLOCK = 20000
MAX_DRAFTS = 200


class Action:
    FILE = "file"
    LINK = "link"
    SKIP = "skip"


# --- reading a paste into drafts -----------------------------------------------------------


def intake_places(user: User, community: Area) -> list[Area]:
    """The community, its compounds and buildings, as far as the user may file there."""
    reach = filing_scope(user)
    inside = Area.objects.filter(
        path__startswith=community.path, kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING]
    ).order_by("path")
    return [a for a in [community, *inside] if reach.covers_path(a.path)]


def intake_split(block: str) -> tuple[list[ChatMessage], list[ChatMessage]]:
    """The messages of a pasted chat to register, and the chatter left out (greetings,
    thanks, stickers)."""
    chat = split_chat(block)
    return [m for m in chat if not is_chatter(m.text)], [m for m in chat if is_chatter(m.text)]


def _unit_number(area: Area) -> int | None:
    digits = "".join(c for c in area.name if c.isdigit())
    return int(digits) if digits else None


def _candidates(user: User, community: Area, building: int | None) -> list[Area]:
    """The buildings numbered ``building`` in the community where the user may file, when
    there is more than one (5号楼 in every compound): the draft asks which one is meant."""
    if building is None:
        return []
    reach = filing_scope(user)
    found = [b for b in buildings_by_number(community, building) if reach.covers_path(b.path)]
    return found if len(found) > 1 else []


def _draft(user: User, community: Area, message: ChatMessage) -> dict[str, Any]:
    """Initial values of one draft: triage's reading, and a likely duplicate."""
    triaged = triage_text(text=message.text, within=community)
    reading, place = triaged.reading, triaged.place
    category = Category.objects.filter(code=reading.category, is_active=True).first()
    area = place.area if place is not None else community
    place_building = building_of(area) if place is not None else None
    start = place_building or area
    candidates = _candidates(user, community, reading.building) if place is None else []
    duplicate = likely_duplicate(
        user=user, category_code=reading.category, location=place.area if place else None
    )
    why = "place" if duplicate is not None else ""
    if duplicate is None and place is None:
        duplicate = similar_open_request(user=user, text=message.text, within=community)
        why = "text" if duplicate is not None else ""
    unit = _unit_number(area) if area.kind == AreaKind.UNIT else None
    room = place.room if place is not None else ""
    if candidates:
        # Which 5号楼? Keep what the message said (the unit and room) for the answer.
        unit, room = reading.unit, reading.room or ""
    return {
        "action": Action.LINK if duplicate is not None else Action.FILE,
        "sender": message.sender[:50],
        "sent_at": message.time[:40],
        "text": message.text[:2000],
        "category": category.pk if category is not None else None,
        "place": "" if candidates else f"a{start.pk}",
        "candidates": ",".join(f"a{b.pk}" for b in candidates),
        "unit": unit,
        "room": room,
        "urgent": reading.urgent,
        "duplicate": duplicate.pk if duplicate is not None else None,
        "duplicate_why": why,
        "confidence": round(reading.confidence, 2),
        "read": f"{reading.category}|{int(reading.urgent)}",
        "building_key": place_building.pk if place_building is not None else None,
    }


def intake_drafts(user: User, community: Area, messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """One draft per message, in the page's field names (``place`` and ``candidates`` as
    ``a<area id>``, ``category`` as its id, ``read`` as ``code|urgent``).

    A later message about the same building and category as an earlier draft of the same
    paste — or, without a place, saying nearly the same words — is marked as its repeat
    (``same_as``, numbered from 1) and not filed by default. Nothing is saved."""
    drafts: list[dict[str, Any]] = []
    first_of: dict[tuple[int, int | None], int] = {}
    for message in messages:
        draft = _draft(user, community, message)
        key_building = draft.pop("building_key")
        if draft["duplicate"] is None:
            if key_building is not None:
                key = (key_building, draft["category"])
                if key in first_of:
                    draft["same_as"] = first_of[key]
                    draft["action"] = Action.SKIP
                else:
                    first_of[key] = len(drafts) + 1
            else:
                for number, earlier in enumerate(drafts, start=1):
                    if earlier["place"] != draft["place"] or earlier.get("same_as"):
                        continue
                    if similar_texts(earlier["text"], draft["text"]):
                        draft["same_as"] = number
                        draft["same_why"] = "text"
                        draft["action"] = Action.SKIP
                        break
        drafts.append(draft)
    return drafts


# --- checking and filing the drafts --------------------------------------------------------


def intake_place(area: Area, unit_number: int | None, room: str) -> tuple[Area, str]:
    """The place a draft files at: the chosen building's unit ``unit_number`` and the room
    in it. A ValidationError names ``unit`` or ``room`` when they do not fit."""
    errors: dict[str, list[str]] = {}
    if unit_number is not None:
        if area.kind != AreaKind.BUILDING:
            errors["unit"] = [_("选择楼栋后才能填单元号。")]
        else:
            unit = child_by_number(area, AreaKind.UNIT, unit_number)
            if unit is None:
                errors["unit"] = [
                    _("%(building)s没有%(n)d单元。") % {"building": area.name, "n": unit_number}
                ]
            else:
                area = Area.objects.get(pk=unit.pk)
    room = room.strip()
    if room:
        if area.kind != AreaKind.UNIT:
            errors["room"] = [_("房号要和单元号一起填写。")]
        elif area.floors and area.flats_per_floor and not area.room_exists(room):
            errors["room"] = [
                _("%(unit)s没有%(room)s室。") % {"unit": area_label(area), "room": room}
            ]
    if errors:
        raise ValidationError(errors)
    return area, room


@dataclass(frozen=True)
class IntakeDraft:
    """One checked draft: what to do with the message and where it files."""

    action: str
    text: str
    sender: str
    category: Category
    location: Area
    room: str
    urgent: bool
    duplicate: int | None = None
    # (category code, urgent) as triage read the message: a different choice by staff is
    # recorded as a correction that ``linli triage train`` learns from.
    read: tuple[str, bool] | None = None


@dataclass(frozen=True)
class IntakeFiled:
    filed: list[Request]
    linked: list[Request]


class IntakeRefused(Exception):
    """Some drafts were refused, so none was filed: draft index (from 0) → why."""

    def __init__(self, errors: dict[int, ValidationError]) -> None:
        super().__init__(errors)
        self.errors = errors


class _Rollback(Exception):
    """Raised inside the filing transaction when any draft is refused."""


def _file_one(user: User, draft: IntakeDraft, filed: list[Request], linked: list[Request]) -> None:
    if draft.action == Action.LINK:
        if draft.duplicate is None:
            raise ValidationError({"action": [_("没有可以并入的诉求,请登记为新诉求或不登记。")]})
        target = request_get_for_user(user=user, pk=draft.duplicate)
        request_add_report(
            request=target,
            actor=user,
            text=draft.text,
            reporter_name=draft.sender or "",
            channel=Channel.CHAT,
        )
        linked.append(target)
        return
    created = request_submit(
        submitted_by=user,
        text=draft.text,
        channel=Channel.CHAT,
        location=draft.location,
        room=draft.room,
        category=draft.category,
        urgent=draft.urgent,
        reporter_name=(draft.sender or _("群聊居民"))[:50],
        triage=False,  # staff have just confirmed it
    )
    if draft.read is not None:
        correction_record_from_intake(
            request=created, actor=user, read_category=draft.read[0], read_urgent=draft.read[1]
        )
    filed.append(created)


def intake_file(*, user: User, drafts: list[IntakeDraft]) -> IntakeFiled:
    """File the drafts staff checked, all or none: a new request for each to file, a
    further report on the open request each repeat is linked to; the skipped are left.
    Raises :class:`IntakeRefused` with every refused draft, and nothing is kept."""
    filed: list[Request] = []
    linked: list[Request] = []
    errors: dict[int, ValidationError] = {}
    try:
        with transaction.atomic():
            for index, draft in enumerate(drafts):
                if draft.action == Action.SKIP:
                    continue
                try:
                    _file_one(user, draft, filed, linked)
                except ValidationError as exc:
                    errors[index] = exc
                except (DomainError, Http404) as exc:
                    message = getattr(exc, "message", None) or _("无法并入这条诉求。")
                    errors[index] = ValidationError({NON_FIELD_ERRORS: [message]})
            if errors:
                raise _Rollback
    except _Rollback:
        raise IntakeRefused(errors) from None
    return IntakeFiled(filed=filed, linked=linked)
