"""Writes to requests: submission, routing, transitions, follow-up, escalation, mediation.

Every function is keyword-only, atomic, validated, and leaves one timeline event (and
one audit record) per change. ``at`` lets imports and the demo record history at the
time it happened; everything else uses now.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import ancestor_paths, area_label, grid_of
from linli.core.audit import audit_batch, audit_record
from linli.core.errors import Conflict, InvalidTransition, NotPermitted
from linli.core.models import AuditEvent
from linli.core.sweeps import sweep
from linli.notifications.models import Kind as NotificationKind
from linli.notifications.services import notify
from linli.organisations.models import Organisation
from linli.people.models import Resident
from linli.privacy.gate import processing_refusal
from linli.requests import reading
from linli.requests.models import (
    Category,
    Channel,
    Feedback,
    Mediation,
    MediationSession,
    NumberSequence,
    Request,
    RequestEvent,
    RequestPhoto,
    Satisfaction,
)
from linli.requests.reading import UNLOCATED_KINDS
from linli.requests.selectors import (
    actor_relations,
    assignable_users,
    cadres_responsible_for,
    dispatchers_for,
    grid_workers_of,
    overdue,
)
from linli.requests.workflow import (
    OPEN_STATUSES,
    Actor,
    Status,
    Transition,
    allowed,
    transition_between,
    transition_named,
)

URGENT_HOURS = 2
OTHER_CATEGORY = "other"
DISPUTE_CATEGORY = "dispute"
MAX_TEXT = 2000
_reopen = transition_named("reopen")
assert _reopen is not None
REOPEN: Transition = _reopen
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# A 50-megapixel phone photo passes; a small file that would unpack into gigabytes of
# pixels (a decompression bomb) is refused before its pixels are read.
MAX_PHOTO_PIXELS = 60_000_000
# A person's actions that answer the reporter: the first one is the request's response
# (响应). Automatic acceptance and a dispatcher's desk work are not.
RESPONSE_TRANSITIONS = frozenset({"start", "reject"})


# --- helpers -------------------------------------------------------------------------------


def deadlines(
    *, category: Category, urgent: bool, submitted_at: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """(response due, handling due): urgent requests get 2 hours for both."""
    if urgent:
        hours = dt.timedelta(hours=URGENT_HOURS)
        return submitted_at + hours, submitted_at + hours
    return (
        submitted_at + dt.timedelta(hours=category.response_hours),
        submitted_at + dt.timedelta(hours=category.handling_hours),
    )


def _returns_from_upsert(connection: BaseDatabaseWrapper) -> bool:
    """Whether an INSERT can say ``RETURNING`` (PostgreSQL; SQLite from 3.35)."""
    return bool(connection.features.can_return_columns_from_insert)


def next_number(at: dt.datetime) -> str:
    """``20261128-0007``: the day (local time) and its counter, incremented and read in
    one statement (an upsert: the day's first request creates its row with 1). The row
    stays locked until the transaction ends (PostgreSQL's row lock; SQLite's write lock),
    so simultaneous submissions get consecutive numbers, never the same one."""
    key = timezone.localtime(at).strftime("%Y%m%d")
    connection = connections[router.db_for_write(NumberSequence)]
    quote = connection.ops.quote_name
    table = quote(NumberSequence._meta.db_table)
    value_column = quote("value")
    upsert = (
        f"INSERT INTO {table} ({quote('key')}, {value_column}) VALUES (%s, 1) "
        f"ON CONFLICT ({quote('key')}) "
        f"DO UPDATE SET {value_column} = {table}.{value_column} + 1"
    )
    with connection.cursor() as cursor:
        if _returns_from_upsert(connection):
            cursor.execute(f"{upsert} RETURNING {value_column}", [key])
        else:  # SQLite before 3.35: no RETURNING; the write lock is held, so read it back
            cursor.execute(upsert, [key])
            cursor.execute(f"SELECT {value_column} FROM {table} WHERE {quote('key')} = %s", [key])
        row = cursor.fetchone()
    assert row is not None
    return f"{key}-{int(row[0]):04d}"


def clean_photo(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """Check an uploaded photo and re-encode it, which drops EXIF (and any GPS position).

    A phone stores a portrait photo sideways with an EXIF orientation; the rotation is
    applied to the pixels first, or the photo would show on its side once EXIF is gone.
    """
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {"photos": _("照片不能超过 %(mb)d MB。") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}}
        )
    too_large = ValidationError({"photos": _("照片尺寸过大,请缩小后再上传。")})
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; refuse instead.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in PHOTO_FORMATS:
                    raise ValidationError(
                        {"photos": _("只能上传 JPG、PNG、WEBP 或 GIF 格式的照片。")}
                    )
                if image.width * image.height > MAX_PHOTO_PIXELS:
                    raise too_large
                image.load()
                converted = ImageOps.exif_transpose(image).convert("RGB")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise too_large from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError({"photos": _("无法识别的图片文件,请重新拍照上传。")}) from exc
    converted.thumbnail((2048, 2048))
    buffer = BytesIO()
    converted.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def _event(
    request: Request,
    *,
    kind: str,
    actor: User | None,
    at: dt.datetime,
    note: str = "",
    transition: str = "",
    from_status: str = "",
    to_status: str = "",
) -> RequestEvent:
    event = _new_event(
        request,
        kind=kind,
        actor=actor,
        at=at,
        note=note,
        transition=transition,
        from_status=from_status,
        to_status=to_status,
    )
    event.save(force_insert=True)
    return event


def _new_event(
    request: Request,
    *,
    kind: str,
    actor: User | None,
    at: dt.datetime,
    note: str = "",
    transition: str = "",
    from_status: str = "",
    to_status: str = "",
) -> RequestEvent:
    """A timeline event not yet saved (for ``bulk_create``)."""
    return RequestEvent(
        request=request,
        kind=kind,
        actor=actor,
        transition=transition,
        from_status=from_status,
        to_status=to_status,
        note=note,
        created_at=at,
    )


def _link(request: Request) -> str:
    return reverse("requests:detail", args=[request.pk])


def _label(request: Request) -> str:
    return f"{request.number}「{request.text[:24]}」"


# --- submission ----------------------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    submitted_by: User | None,
    text: str,
    channel: str,
    location: Area,
    room: str = "",
    category: Category | None = None,
    urgent: bool = False,
    reporter: Resident | None = None,
    reporter_name: str = "",
    photos: Sequence[UploadedFile[bytes]] = (),
    at: dt.datetime | None = None,
    triage: bool = True,
) -> Request:
    """File a request and route it: a known building goes straight to its grid worker.

    Without a category, or located only at a community or compound, the text is read by
    the registered reader (``requests.reading``: triage's; unless ``triage=False``): a
    reading at least as confident as ``LINLI_TRIAGE_THRESHOLD`` fills in the missing
    category and the building or unit it names (in the compound named in the text, the
    given one, or the reporter's own), so the request is routed to that grid; a less
    confident one is only kept as a suggestion and the request waits in the dispatch
    queue. An urgent reading always flags it urgent.
    """
    at = at or timezone.now()
    text = text.strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("请描述遇到的问题。")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [_("内容太长了,请控制在 %(n)d 字以内。") % {"n": MAX_TEXT}]
    if channel not in Channel.values:
        errors["channel"] = [_("未知的来源渠道。")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}]
    if location.kind not in {
        AreaKind.COMMUNITY,
        AreaKind.COMPOUND,
        AreaKind.BUILDING,
        AreaKind.UNIT,
    }:
        errors["location"] = [_("位置应为社区、小区、楼栋或单元。")]
    cleaned_photos: list[ContentFile[bytes]] = []
    if "photos" not in errors:
        # Every photo is checked, so the user hears about all that is wrong at once.
        for photo in photos:
            try:
                cleaned_photos.append(clean_photo(photo))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.message_dict["photos"])
    # An anonymised person, or a child whose guardian withdrew consent, is not recorded.
    if reporter is not None and (reason := processing_refusal(reporter)):
        errors.setdefault("reporter", []).append(reason)
    if errors:
        raise ValidationError(errors)
    triaged: reading.FilingReading | None = None
    applied = False
    category_given = category is not None
    place_given = location.kind not in UNLOCATED_KINDS
    if triage and (category is None or location.kind in UNLOCATED_KINDS):
        triaged = reading.read_for_filing(text=text, within=location, reporter=reporter)
    if triaged is not None:
        urgent = urgent or triaged.urgent
        if triaged.confident:
            if category is None:
                category = Category.objects.filter(code=triaged.category, is_active=True).first()
                applied = category is not None
            if location.kind in UNLOCATED_KINDS and triaged.place is not None:
                location, room = triaged.place.area, triaged.place.room
                applied = True
    category = category or Category.objects.get(code=OTHER_CATEGORY)
    response_due, due = deadlines(category=category, urgent=urgent, submitted_at=at)
    community, grid = _community_and_grid(location)
    # Routing is decided before the insert, so a routed request is written once, already
    # accepted and assigned (what ``_route`` does to a saved one), and its whole timeline
    # goes in with one INSERT.
    worker = _grid_worker(grid)
    request = Request(
        number=next_number(at),
        text=text,
        category=category,
        location=location,
        room=room.strip() if location.kind == AreaKind.UNIT else "",
        grid=grid,
        community=community,
        reporter=reporter,
        reporter_name=reporter_name or (reporter.name if reporter else ""),
        submitted_by=submitted_by,
        channel=channel,
        urgent=urgent,
        status=Status.SUBMITTED,
        submitted_at=at,
        response_due_at=response_due,
        due_at=due,
    )
    if worker is not None:
        _assign_automatically(request, worker, at=at)
    request.save(force_insert=True)
    for cleaned in cleaned_photos:
        RequestPhoto.objects.create(
            request=request, kind=RequestPhoto.Kind.REPORT, image=cleaned, uploaded_by=submitted_by
        )
    events = [
        _new_event(
            request,
            kind=RequestEvent.Kind.SUBMITTED,
            actor=submitted_by,
            at=at,
            note=_("通过“%(channel)s”提交") % {"channel": Channel(channel).label},
            to_status=Status.SUBMITTED,
        )
    ]
    if worker is not None:
        events += _routing_events(request, worker, at=at)
    RequestEvent.objects.bulk_create(events)
    # Both records in one append to the chain (one lock of its head, one INSERT).
    with audit_batch():
        audit_record(
            actor=submitted_by,
            action=AuditEvent.Action.CREATE,
            obj=request,
            fields=["text", "category", "location"],
        )
        if worker is not None:
            _audit_routing(request)
    if triaged is not None:
        reading.keep_reading(
            request=request,
            reading=triaged,
            applied=applied,
            at=at,
            category_given=category_given,
            place_given=place_given,
        )
    if worker is not None:
        _tell_routed(request, worker)
    else:
        _tell_dispatchers(request)
    return request


def _community_and_grid(location: Area) -> tuple[Area, Grid | None]:
    """The community at or above ``location``, and the grid of the building at or above
    it (None above building level): one query for both."""
    if location.kind == AreaKind.COMMUNITY:
        return location, None
    found = {
        area.kind: area
        for area in Area.objects.filter(
            kind__in=[AreaKind.BUILDING, AreaKind.COMMUNITY],
            path__in=ancestor_paths(location.path),
        ).select_related("grid")
    }
    community = found.get(AreaKind.COMMUNITY)
    if community is None:
        raise ValidationError({"location": _("位置必须在某个社区之内。")})
    building = found.get(AreaKind.BUILDING)
    return community, building.grid if building is not None else None


@transaction.atomic
def request_reclassify(
    *,
    request: Request,
    actor: User,
    category: Category,
    location: Area,
    room: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> Request:
    """A dispatcher changes an open request's category and/or place (within its
    community). The change is recorded as a triage correction (a labelled example for
    ``linli triage train``); a request still waiting for dispatch that now has a grid is
    routed to it."""
    at = at or timezone.now()
    if Actor.DISPATCHER not in actor_relations(actor, request):
        raise NotPermitted(_("您不能调整这条诉求的类别或位置。"))
    if request.status not in OPEN_STATUSES:
        raise InvalidTransition(_("已办结或关闭的诉求不能再调整类别或位置。"))
    room = room.strip()
    errors: dict[str, list[str]] = {}
    if not category.is_active:
        errors["category"] = [_("这个类别已停用。")]
    if location.kind not in {
        AreaKind.COMMUNITY,
        AreaKind.COMPOUND,
        AreaKind.BUILDING,
        AreaKind.UNIT,
    }:
        errors["location"] = [_("位置应为社区、小区、楼栋或单元。")]
    elif not location.path.startswith(request.community.path):
        errors["location"] = [_("只能在本社区之内调整位置。")]
    if room and location.kind != AreaKind.UNIT:
        errors["room"] = [_("房号要和楼号、单元号一起填写。")]
    elif room and location.floors and location.flats_per_floor and not location.room_exists(room):
        errors["room"] = [_("这个单元没有%(room)s室。") % {"room": room}]
    if errors:
        raise ValidationError(errors)
    previous_category, previous_location = request.category, request.location
    if (category.pk, location.pk, room) == (
        previous_category.pk,
        previous_location.pk,
        request.room,
    ):
        reading.suggestion_accepted(
            request=request, category=category.code, location=location, actor=actor, at=at
        )
        return request
    changes = []
    if category.pk != previous_category.pk:
        changes.append(
            _("类别由“%(old)s”改为“%(new)s”") % {"old": previous_category, "new": category}
        )
        request.response_due_at, request.due_at = deadlines(
            category=category, urgent=request.urgent, submitted_at=request.submitted_at
        )
    if (location.pk, room) != (previous_location.pk, request.room):
        changes.append(
            _("位置由“%(old)s”改为“%(new)s”")
            % {
                "old": area_label(previous_location) + request.room,
                "new": area_label(location) + room,
            }
        )
    request.category = category
    request.location = location
    request.room = room
    request.grid = grid_of(location)
    request.save(
        update_fields=[
            "category",
            "location",
            "room",
            "grid",
            "response_due_at",
            "due_at",
            "updated_at",
        ]
    )
    _event(
        request,
        kind=RequestEvent.Kind.COMMENT,
        actor=actor,
        at=at,
        note=_join("；".join(changes), note.strip()),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=request,
        fields=["category", "location", "room"],
    )
    reading.correction_made(
        request=request,
        actor=actor,
        previous_category=previous_category.code,
        previous_location=previous_location,
        at=at,
    )
    reading.suggestion_accepted(
        request=request, category=category.code, location=location, actor=actor, at=at
    )
    if request.status == Status.SUBMITTED and request.assignee_id is None and request.grid:
        _route(request, at=at)
    return request


@transaction.atomic
def request_accept_suggestion(
    *, request: Request, actor: User, at: dt.datetime | None = None
) -> Request:
    """One click: take triage's pending suggestion (its category, and its place when it has
    one) for a request that waited for a dispatcher; the same checks and records as
    ``request_reclassify``. No pending suggestion is a conflict (409)."""
    suggestion = reading.pending_suggestion(request)
    if suggestion is None:
        raise Conflict(_("这条诉求没有待采纳的分诊建议。"))
    category = (
        Category.objects.filter(code=suggestion.category, is_active=True).first()
        or request.category
    )
    location = suggestion.location or request.location
    room = suggestion.room if suggestion.location is not None else request.room
    return request_reclassify(
        request=request,
        actor=actor,
        category=category,
        location=location,
        room=room,
        note=_("采纳分诊建议"),
        at=at,
    )


def _about(request: Request, kind: str) -> dict[str, Any]:
    """Where a request's notification happened, and its kind (an urgent request's
    assignment is news of an urgent request)."""
    if request.urgent and kind == NotificationKind.ASSIGNMENT:
        kind = NotificationKind.URGENT_REQUEST
    return {"kind": kind, "grid": request.grid, "community": request.community}


def _grid_worker(grid: Grid | None) -> User | None:
    """Who automatic routing gives a request in ``grid`` to: its first grid worker."""
    workers = grid_workers_of(grid) if grid is not None else []
    return workers[0] if workers else None


def _route(request: Request, *, at: dt.datetime) -> None:
    """Automatic routing: accept and assign to the grid's worker when the grid is known;
    otherwise leave it in the community's dispatch queue and tell the dispatchers.
    (``request_submit`` does the same for a request it has not saved yet.)"""
    worker = _grid_worker(request.grid)
    if worker is None:
        _tell_dispatchers(request)
        return
    _assign_automatically(request, worker, at=at)
    request.save(update_fields=["status", "accepted_at", "assignee", "updated_at"])
    RequestEvent.objects.bulk_create(_routing_events(request, worker, at=at))
    _audit_routing(request)
    _tell_routed(request, worker)


def _assign_automatically(request: Request, worker: User, *, at: dt.datetime) -> None:
    request.status = Status.ASSIGNED
    request.accepted_at = at
    request.assignee = worker


def _routing_events(request: Request, worker: User, *, at: dt.datetime) -> list[RequestEvent]:
    """The timeline of automatic routing: accepted, then assigned to ``worker``."""
    return [
        _new_event(
            request,
            kind=RequestEvent.Kind.AUTO,
            actor=None,
            at=at,
            transition="accept",
            from_status=Status.SUBMITTED,
            to_status=Status.ACCEPTED,
            note=_("位置在%(grid)s,系统自动受理") % {"grid": request.grid},
        ),
        _new_event(
            request,
            kind=RequestEvent.Kind.AUTO,
            actor=None,
            at=at,
            transition="assign",
            from_status=Status.ACCEPTED,
            to_status=Status.ASSIGNED,
            note=_("系统自动派给网格员 %(name)s") % {"name": worker},
        ),
    ]


def _audit_routing(request: Request) -> None:
    audit_record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        obj=request,
        fields=["status", "assignee"],
        note="auto_assign",
    )


def _tell_dispatchers(request: Request) -> None:
    """A request left in the dispatch queue: its dispatchers hear of it."""
    notify(
        users=dispatchers_for(request),
        text=_("新诉求待派单:%(label)s") % {"label": _label(request)},
        link=_link(request),
        urgent=request.urgent,
        **_about(request, NotificationKind.ASSIGNMENT),
    )


def _tell_routed(request: Request, worker: User) -> None:
    """A request routed to ``worker``: they hear of it, and of an urgent one the
    community's duty staff too."""
    notify(
        users=[worker],
        text=_("%(urgent)s新诉求派给您:%(label)s")
        % {"urgent": _("【紧急】") if request.urgent else "", "label": _label(request)},
        link=_link(request),
        urgent=request.urgent,
        **_about(request, NotificationKind.ASSIGNMENT),
    )
    if request.urgent:
        # An emergency is never left to one phone: the community's duty staff hear too.
        notify(
            users=[u for u in dispatchers_for(request) if u.pk != worker.pk],
            text=_("【紧急】%(label)s,已派给网格员 %(name)s")
            % {"label": _label(request), "name": worker},
            link=_link(request),
            urgent=True,
            **_about(request, NotificationKind.URGENT_REQUEST),
        )


@transaction.atomic
def request_set_public(*, request: Request, actor: User, public: bool) -> Request:
    """A dispatcher marks a request public, or private again: a public request shows its
    text and progress notes to Open311 readers without a key (never the reporter's name,
    phone or room)."""
    locked = Request.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if Actor.DISPATCHER not in actor_relations(actor, locked):
        raise NotPermitted(_("只有社区的派单人员可以设置诉求是否公开。"))
    if locked.public == public:
        return locked
    locked.public = public
    locked.save(update_fields=["public", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["public"],
        note="open311_public" if public else "open311_private",
    )
    return locked


@transaction.atomic
def request_clear_urgent(
    *, request: Request, actor: User, reason: str, at: dt.datetime | None = None
) -> Request:
    """A dispatcher clears an urgent flag as a false alarm: the request gets its
    category's ordinary deadlines again, the timeline and the audit log say who and why,
    and the clearing is kept as a triage correction (not urgent) that
    ``linli triage train`` learns from."""
    at = at or timezone.now()
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("location", "category", "community")
        .get(pk=request.pk)
    )
    if Actor.DISPATCHER not in actor_relations(actor, locked):
        raise NotPermitted(_("只有社区的派单人员可以解除紧急。"))
    if locked.status not in OPEN_STATUSES:
        raise InvalidTransition(_("已办结或关闭的诉求不能再解除紧急。"))
    if not locked.urgent:
        raise InvalidTransition(_("这条诉求已经不是紧急的了。"))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("请写明为什么不是紧急情况。")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("理由请控制在 200 字以内。")]})
    locked.urgent = False
    locked.response_due_at, locked.due_at = deadlines(
        category=locked.category, urgent=False, submitted_at=locked.submitted_at
    )
    locked.save(update_fields=["urgent", "response_due_at", "due_at", "updated_at"])
    _event(
        locked,
        kind=RequestEvent.Kind.COMMENT,
        actor=actor,
        at=at,
        note=_("解除紧急(误报):%(reason)s") % {"reason": reason},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["urgent", "due_at"],
        note="clear_urgent",
    )
    reading.urgency_cleared(request=locked, actor=actor, reason=reason, at=at)
    return locked


# --- transitions ---------------------------------------------------------------------------


def _check_assignee(
    request: Request, assignee: User | None, organisation: Organisation | None
) -> None:
    if assignee is None and organisation is None:
        raise ValidationError({"assignee": _("请选择承办人或承办单位。")})
    if assignee is not None and not assignable_users(request).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {"assignee": _("%(name)s 不负责这个地方,不能派给他/她。") % {"name": assignee}}
        )


@transaction.atomic
def request_transition(
    *,
    request: Request,
    to: str,
    actor: User,
    note: str = "",
    assignee: User | None = None,
    organisation: Organisation | None = None,
    photo: UploadedFile[bytes] | None = None,
    at: dt.datetime | None = None,
) -> Request:
    """Move a request to status ``to``. Exactly one of two concurrent moves wins: the
    row is locked (PostgreSQL) or the write transaction serialised (SQLite IMMEDIATE),
    and the loser finds the status already changed and gets InvalidTransition."""
    at = at or timezone.now()
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("location", "reporter")
        .get(pk=request.pk)
    )
    try:
        target = Status(to)
    except ValueError as exc:
        raise InvalidTransition(_("未知的状态“%(to)s”。") % {"to": to}) from exc
    source = Status(locked.status)
    transition = transition_between(source, target)
    if transition is None:
        raise InvalidTransition(
            _("诉求当前为“%(source)s”,不能改为“%(target)s”。")
            % {"source": source.label, "target": target.label}
        )
    relations = actor_relations(actor, locked)
    if not allowed(transition, relations):
        raise NotPermitted(_("您不能对这条诉求执行“%(action)s”。") % {"action": transition.label})
    note = note.strip()
    if transition.needs_note and not note:
        raise ValidationError(
            {"note": [_("请填写%(action)s的理由或说明。") % {"action": transition.label}]}
        )
    if transition.needs_assignee:
        _check_assignee(locked, assignee, organisation)
    cleaned_photo = clean_photo(photo) if photo is not None else None
    _apply(
        locked,
        transition,
        actor=actor,
        note=note,
        assignee=assignee,
        organisation=organisation,
        at=at,
    )
    if cleaned_photo is not None:
        RequestPhoto.objects.create(
            request=locked,
            kind=RequestPhoto.Kind.RESOLUTION,
            image=cleaned_photo,
            uploaded_by=actor,
        )
    _event(
        locked,
        kind=RequestEvent.Kind.TRANSITION,
        actor=actor,
        at=at,
        transition=transition.name,
        from_status=source,
        to_status=target,
        note=note
        if not transition.needs_assignee
        else _join(
            note, _("承办:%(who)s") % {"who": locked.assignee or locked.assignee_organisation}
        ),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["status"],
        note=transition.name,
    )
    _notify_after(locked, transition, actor=actor)
    request.refresh_from_db()
    return locked


def _join(*parts: str) -> str:
    return ";".join(p for p in parts if p)


def _apply(
    request: Request,
    transition: Transition,
    *,
    actor: User | None,
    note: str,
    assignee: User | None,
    organisation: Organisation | None,
    at: dt.datetime,
) -> None:
    request.status = transition.target
    if transition.name == "accept":
        request.accepted_at = at
    elif transition.name in {"assign", "reassign"}:
        request.assignee = assignee
        request.assignee_organisation = organisation
    elif transition.name == "resolve":
        request.resolved_at = at
        request.resolved_by = actor
        request.resolution_note = note
    elif transition.name == "close":
        request.closed_at = at
    elif transition.name in {"rework", "reopen"}:
        request.resolved_at = None
        request.closed_at = None
        if transition.name == "reopen":
            request.reopen_count += 1
    if transition.name == "reject":
        request.closed_at = at
    if transition.name in RESPONSE_TRANSITIONS and request.responded_at is None:
        request.responded_at = at
    request.save()


def _notify_after(request: Request, transition: Transition, *, actor: User) -> None:
    label = _label(request)
    link = _link(request)
    reporter_user = request.reporter.user if request.reporter and request.reporter.user_id else None
    if transition.name in {"assign", "reassign"} and request.assignee is not None:
        notify(
            users=[request.assignee],
            text=_("诉求派给您:%(label)s") % {"label": label},
            link=link,
            urgent=request.urgent,
            **_about(request, NotificationKind.ASSIGNMENT),
        )
    elif transition.name == "resolve":
        # The resolver may be staff too, but never verifies their own work.
        notify(
            users=[u for u in dispatchers_for(request) if u.pk != actor.pk],
            text=_("诉求已办结,请核实:%(label)s") % {"label": label},
            link=link,
            **_about(request, NotificationKind.REQUEST_UPDATE),
        )
        if reporter_user is not None:
            notify(
                users=[reporter_user],
                text=_("您反映的问题已办结,请评价:%(label)s") % {"label": label},
                link=link,
                kind=NotificationKind.REQUEST_UPDATE,
            )
    elif transition.name in {"rework", "reopen"} and request.assignee is not None:
        notify(
            users=[request.assignee],
            text=_("诉求退回重办:%(label)s") % {"label": label},
            link=link,
            **_about(request, NotificationKind.ASSIGNMENT),
        )
    elif transition.name in {"close", "reject"} and reporter_user is not None:
        notify(
            users=[reporter_user],
            text=_("您反映的问题已%(what)s:%(label)s") % {"what": transition.label, "label": label},
            link=link,
            kind=NotificationKind.REQUEST_UPDATE,
        )


# --- follow-up -----------------------------------------------------------------------------


@transaction.atomic
def request_feedback(
    *,
    request: Request,
    actor: User,
    resolved: bool,
    satisfaction: str,
    comment: str = "",
    via: str = Feedback.Via.REPORTER,
    at: dt.datetime | None = None,
) -> Feedback:
    """Record a follow-up (回访). "Not resolved" reopens the request for rework."""
    at = at or timezone.now()
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("location", "reporter")
        .get(pk=request.pk)
    )
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("请选择满意、基本满意或不满意。")]})
    if via not in Feedback.Via.values:
        raise ValidationError({"via": [_("请选择回访方式。")]})
    if locked.status not in {Status.RESOLVED, Status.CLOSED}:
        raise InvalidTransition(_("诉求还没有办结,暂时不能评价。"))
    relations = actor_relations(actor, locked)
    if via == Feedback.Via.REPORTER and Actor.REPORTER not in relations:
        raise NotPermitted(_("只有反映人本人可以评价。"))
    if via != Feedback.Via.REPORTER and Actor.FOLLOW_UP not in relations:
        raise NotPermitted(_("只有社区工作人员可以登记回访结果。"))
    # Like verification, the follow-up is never by whoever did the work: a grid worker who
    # filed from a patrol and resolved it must not rate it (it feeds the 满意率).
    if locked.resolved_by_id is not None and locked.resolved_by_id == actor.pk:
        raise NotPermitted(_("办理人不能为自己办理的诉求登记回访评价。"))
    # One rating per resolution: the 满意率 counts each resolution once. A reopened and
    # re-resolved request may be rated again, because ``resolved_at`` moves on.
    if (
        via == Feedback.Via.REPORTER
        and locked.resolved_at is not None
        and locked.feedback.filter(
            via=Feedback.Via.REPORTER, created_at__gte=locked.resolved_at
        ).exists()
    ):
        raise InvalidTransition(_("您已评价过这次办理结果,不能重复评价。"))
    feedback = Feedback.objects.create(
        request=locked,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=comment.strip(),
        via=via,
        recorded_by=actor,
        created_at=at,
    )
    _event(
        locked,
        kind=RequestEvent.Kind.FEEDBACK,
        actor=actor,
        at=at,
        note=_("%(via)s:%(resolved)s,%(satisfaction)s。%(comment)s")
        % {
            "via": Feedback.Via(via).label,
            "resolved": _("已解决") if resolved else _("未解决"),
            "satisfaction": Satisfaction(satisfaction).label,
            "comment": comment.strip(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=feedback,
        fields=["resolved", "satisfaction"],
    )
    if not resolved:
        source = Status(locked.status)
        reopen = REOPEN
        _apply(locked, reopen, actor=actor, note=comment, assignee=None, organisation=None, at=at)
        _event(
            locked,
            kind=RequestEvent.Kind.TRANSITION,
            actor=actor,
            at=at,
            transition=reopen.name,
            from_status=source,
            to_status=reopen.target,
            note=_("回访未解决,第 %(n)d 次重新办理") % {"n": locked.reopen_count},
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=locked,
            fields=["status"],
            note=reopen.name,
        )
        _notify_after(locked, reopen, actor=actor)
    return feedback


# --- escalation ----------------------------------------------------------------------------


def requests_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Write each newly overdue request to its timeline and tell the responsible cadres.

    Overdue itself is a query (see selectors.overdue); what is recorded here is the
    event of escalating, once per request. Each request is escalated in a transaction of
    its own (:mod:`linli.core.sweeps`): the list is read first, without locks.
    """
    now = now or timezone.now()
    pending = list(
        overdue(Request.objects.filter(escalated_at=None), now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(sweep(pending, lambda pk: _escalate(pk, now), name="escalate"))


def _escalate(pk: int, now: dt.datetime) -> bool:
    request = (
        overdue(Request.objects.filter(pk=pk, escalated_at=None), now)
        .select_related("location", "grid", "community")
        .select_for_update(of=("self",))
        .first()
    )
    if request is None:
        return False  # escalated by another run, or handled since the list was read
    cadres = cadres_responsible_for(request)
    names = "、".join(str(c) for c in cadres) or _("社区两委")
    request.escalated_at = now
    request.save(update_fields=["escalated_at"])
    audit_record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        obj=request,
        fields=["escalated_at"],
        note="escalate",
    )
    _event(
        request,
        kind=RequestEvent.Kind.ESCALATION,
        actor=None,
        at=now,
        note=_("已超过办理时限,上报 %(names)s") % {"names": names},
    )
    notify(
        users=cadres or dispatchers_for(request),
        text=_("诉求超期未办结:%(label)s") % {"label": _label(request)},
        link=_link(request),
        urgent=True,
        **_about(request, NotificationKind.OVERDUE),
    )
    return True


# --- mediation -----------------------------------------------------------------------------


def _check_mediator(request: Request, actor: User) -> None:
    if request.category.code != DISPUTE_CATEGORY:
        raise InvalidTransition(_("只有矛盾纠纷类诉求才有调解记录。"))
    relations = actor_relations(actor, request)
    if not relations & {Actor.DISPATCHER, Actor.ASSIGNEE}:
        raise NotPermitted(_("只有承办人或社区两委可以记录调解。"))


@transaction.atomic
def mediation_start(
    *, request: Request, actor: User, parties: str, at: dt.datetime | None = None
) -> Mediation:
    _check_mediator(request, actor)
    if not parties.strip():
        raise ValidationError({"parties": [_("请填写当事人,每行一位。")]})
    mediation, created = Mediation.objects.get_or_create(
        request=request, defaults={"parties": parties.strip()}
    )
    if not created:
        mediation.parties = parties.strip()
        mediation.save(update_fields=["parties", "updated_at"])
    _event(
        request,
        kind=RequestEvent.Kind.MEDIATION,
        actor=actor,
        at=at or timezone.now(),
        note=_("登记当事人:%(p)s") % {"p": "、".join(mediation.party_list)},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=mediation,
        fields=["parties"],
    )
    return mediation


@transaction.atomic
def mediation_add_session(
    *,
    mediation: Mediation,
    actor: User,
    held_on: dt.date,
    mediators: str,
    notes: str,
    at: dt.datetime | None = None,
) -> MediationSession:
    _check_mediator(mediation.request, actor)
    errors: dict[str, list[str]] = {}
    if not mediators.strip():
        errors["mediators"] = [_("请填写调解人。")]
    if not notes.strip():
        errors["notes"] = [_("请填写调解经过。")]
    if held_on > timezone.localdate(at or timezone.now()):
        errors["held_on"] = [_("调解日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)
    session = MediationSession.objects.create(
        mediation=mediation, held_on=held_on, mediators=mediators.strip(), notes=notes.strip()
    )
    _event(
        mediation.request,
        kind=RequestEvent.Kind.MEDIATION,
        actor=actor,
        at=at or timezone.now(),
        note=_("%(date)s 调解(调解人:%(who)s)") % {"date": held_on, "who": session.mediators},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=session,
        fields=["held_on", "mediators", "notes"],
    )
    return session


@transaction.atomic
def mediation_conclude(
    *,
    mediation: Mediation,
    actor: User,
    outcome: str,
    agreement_text: str = "",
    at: dt.datetime | None = None,
) -> Mediation:
    _check_mediator(mediation.request, actor)
    if outcome not in Mediation.Outcome.values or outcome == Mediation.Outcome.PENDING:
        raise ValidationError({"outcome": [_("请选择调解结果。")]})
    if outcome == Mediation.Outcome.AGREEMENT and not agreement_text.strip():
        raise ValidationError({"agreement_text": [_("达成协议的,请填写协议内容。")]})
    mediation.outcome = outcome
    mediation.agreement_text = agreement_text.strip()
    mediation.concluded_at = at or timezone.now()
    mediation.save()
    _event(
        mediation.request,
        kind=RequestEvent.Kind.MEDIATION,
        actor=actor,
        at=mediation.concluded_at,
        note=_("调解结果:%(o)s") % {"o": Mediation.Outcome(outcome).label},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=mediation,
        fields=["outcome", "agreement_text"],
    )
    return mediation


@transaction.atomic
def request_add_report(
    *,
    request: Request,
    actor: User,
    text: str,
    reporter_name: str = "",
    channel: str = Channel.CHAT,
    at: dt.datetime | None = None,
) -> RequestEvent:
    """Someone reports an open request's problem again (e.g. a second message in the group
    chat): it is noted on the request's timeline instead of being filed twice."""
    at = at or timezone.now()
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("请填写反映的内容。")]})
    if request.status not in OPEN_STATUSES:
        raise InvalidTransition(_("这条诉求已办结或关闭,请登记为新诉求。"))
    who = reporter_name.strip() or _("居民")
    event = _event(
        request,
        kind=RequestEvent.Kind.COMMENT,
        actor=actor,
        at=at,
        note=_("%(who)s 通过“%(channel)s”再次反映:%(text)s")
        % {"who": who, "channel": Channel(channel).label, "text": text[:500]},
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=request, fields=["events"], note="repeat"
    )
    return event


def _check_contact(request: Request, actor: User) -> None:
    if Actor.ASSIGNEE not in actor_relations(actor, request):
        raise NotPermitted(_("只有承办人可以联系反映人。"))
    if request.status not in OPEN_STATUSES:
        raise InvalidTransition(_("这条诉求已办结或关闭。"))


@transaction.atomic
def request_reveal_reporter_phone(*, request: Request, actor: User) -> str:
    """The reporter's full phone number for the assignee to call, recorded as a reveal
    (as the register's reveal is). Empty when no number is registered."""
    locked = Request.objects.select_related("location", "reporter").get(pk=request.pk)
    _check_contact(locked, actor)
    reporter = locked.reporter
    if reporter is None or not reporter.phone:
        return ""
    refusal = processing_refusal(reporter)
    if refusal:
        raise NotPermitted(refusal)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.REVEAL,
        obj=reporter,
        fields=["phone"],
        note=locked.number,
    )
    phone: str = reporter.phone
    return phone


@transaction.atomic
def request_record_contact(
    *, request: Request, actor: User, note: str = "", at: dt.datetime | None = None
) -> RequestEvent:
    """The assignee has called or spoken to the reporter (已联系): a timeline event, and
    the request's first response when nothing answered the reporter before."""
    at = at or timezone.now()
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("location", "reporter")
        .get(pk=request.pk)
    )
    _check_contact(locked, actor)
    note = note.strip()[:500]
    event = _event(
        locked,
        kind=RequestEvent.Kind.CONTACTED,
        actor=actor,
        at=at,
        note=note or _("已与反映人联系"),
    )
    fields = ["events"]
    if locked.responded_at is None:
        locked.responded_at = at
        locked.save(update_fields=["responded_at", "updated_at"])
        fields.append("responded_at")
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, fields=fields, note="contacted"
    )
    request.refresh_from_db()
    return event


# --- the place changes under a request ----------------------------------------------------


def requests_follow_regridded_building(
    sender: object, *, building: Area, actor: User | None = None, **_kwargs: Any
) -> int:
    """Receiver of ``areas.signals.building_regridded`` (in the transaction that moved the
    building to another grid); returns how many requests followed.

    ``Request.grid`` is the grid of the request's building: the grid worker's list, scope
    and routing read it. The building's requests still being handled move to its new
    grid, each with a line on its timeline; finished ones (resolved, closed, not accepted)
    stay with the grid that handled them, as the figures and filed reports counted them.
    Whoever was assigned one stays assigned (the work may be under way); the dispatcher
    reassigns it if the new grid's worker should take it. Saved one
    by one, so the dashboard counts each one's day again (``dashboard.signals``)."""
    grid = building.grid
    moving = list(
        Request.objects.select_for_update(of=("self",))
        .filter(location__path__startswith=building.path)
        .filter(status__in=OPEN_STATUSES)
        .exclude(grid=grid)
        .order_by("pk")
    )
    at = timezone.now()
    note = _("所在楼栋“%(building)s”划入%(grid)s,诉求随之转入该网格。") % {
        "building": building.name,
        "grid": grid.name if grid is not None else "—",
    }
    for request in moving:
        request.grid = grid
        request.save(update_fields=["grid", "updated_at"])
    RequestEvent.objects.bulk_create(
        [
            _new_event(request, kind=RequestEvent.Kind.COMMENT, actor=actor, at=at, note=note)
            for request in moving
        ]
    )
    return len(moving)
