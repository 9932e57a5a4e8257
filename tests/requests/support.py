"""Small helpers shared by the request domain tests: filing, moving, extra people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from io import BytesIO
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.areas.models import Area, Grid
from linli.core.roles import Role
from linli.people.models import Resident
from linli.requests.models import Category, Channel, Request, RequestEvent
from linli.requests.services import request_submit, request_transition
from linli.requests.workflow import Status
from tests.cast import Cast, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A moment in Shanghai time: ``local(2026, 11, 28, 9)``."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def file_request(
    cast: Cast,
    location: Area | None = None,
    *,
    text: str = "楼道灯坏了,晚上看不见",
    category_code: str | None = None,
    urgent: bool = False,
    at: dt.datetime | None = None,
    submitted_by: User | None = None,
    reporter: Resident | None = None,
    photos: Sequence[UploadedFile[bytes]] = (),
) -> Request:
    """A request from 王秀兰 (the cast resident) through the resident page; at her unit
    unless another place is given."""
    return request_submit(
        submitted_by=submitted_by or cast.resident_user,
        reporter=reporter if reporter is not None else cast.elder,
        text=text,
        channel=Channel.RESIDENT_PAGE,
        location=location if location is not None else cast.unit1,
        room="101",
        category=category(category_code) if category_code else None,
        urgent=urgent,
        photos=photos,
        at=at,
    )


def move(
    request: Request,
    to: Status,
    actor: User,
    *,
    note: str = "",
    assignee: User | None = None,
    at: dt.datetime | None = None,
) -> Request:
    return request_transition(
        request=request, to=to, actor=actor, note=note, assignee=assignee, at=at
    )


def in_progress(
    cast: Cast, *, category_code: str | None = None, at: dt.datetime | None = None
) -> Request:
    """A request at 1号楼1单元, routed to worker1 and started by them."""
    request = file_request(cast, category_code=category_code, at=at)
    return move(request, Status.IN_PROGRESS, cast.worker1, at=at)


def resolved(
    cast: Cast, *, category_code: str | None = None, at: dt.datetime | None = None
) -> Request:
    """A request at 1号楼1单元 that worker1 has resolved."""
    request = in_progress(cast, category_code=category_code, at=at)
    return move(request, Status.RESOLVED, cast.worker1, note="已更换灯泡", at=at)


def waiting(
    cast: Cast, *, category_code: str | None = None, at: dt.datetime | None = None
) -> Request:
    """A request known only to the compound: it waits in the dispatch queue."""
    return file_request(cast, cast.compound, category_code=category_code, at=at)


def person(
    username: str, role: Role, *, area: Area | None = None, grid: Grid | None = None
) -> User:
    user = make_user(username, username)
    role_assign(actor=None, user=user, role=role, area=area, grid=grid)
    return user


def timeline(request: Request) -> list[tuple[str, str, str, str]]:
    """(kind, transition, from, to) for each event, in order."""
    return [
        (e.kind, e.transition, e.from_status, e.to_status)
        for e in RequestEvent.objects.filter(request=request)
    ]


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, exif: Image.Exif | None = None) -> bytes:
    buffer = BytesIO()
    image = Image.new("RGB", size, (200, 80, 40))
    if exif is not None:
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(
    content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
