"""``/api/v1/requests/intake``: the group-chat intake (群聊消息批量录入) with a token.

The same as the page ``/requests/intake/`` and through the same functions
(:mod:`linli.triage.intake`): a pasted chat is split into messages and each read into a
draft (nothing saved); the drafts, checked and corrected, are filed all together or not
at all. ``requests`` never imports triage, so this router is triage's, mounted by
``linli.api`` under ``/requests/intake``.
"""

from typing import Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_labels
from linli.core.api_schemas import ErrorOut, RecordId
from linli.core.roles import Capability
from linli.requests.api import RequestOut, requests_out
from linli.requests.locate import filing_communities
from linli.requests.models import Category, Request
from linli.requests.selectors import request_get_for_user
from linli.triage.intake import (
    MAX_BLOCK,
    MAX_DRAFTS,
    Action,
    IntakeDraft,
    IntakeRefused,
    intake_drafts,
    intake_file,
    intake_place,
    intake_places,
    intake_split,
)
from linli.triage.model import CATEGORIES

router = Router(tags=["requests"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

DraftAction = Literal["file", "link", "skip"]


# --- schemas -------------------------------------------------------------------------------


class IntakePlaceOut(Schema):
    id: int = Field(..., description="区域编号(登记时填入 `place`)")
    code: str = Field(..., description="区域编码")
    label: str = Field(..., description="可读的位置,如 和平小区2号楼")


class IntakeReadSchema(Schema):
    category: str = Field(..., max_length=30, description="分诊读出的类别代码")
    urgent: bool = Field(..., description="分诊读出的是否紧急")


class IntakeMessageOut(Schema):
    sender: str
    sent_at: str = Field(..., description="消息时间,照群聊记录原样")
    text: str


class IntakeDraftOut(Schema):
    action: DraftAction = Field(
        ...,
        description="建议的处理:file 登记为新诉求 / link 重复反映,并入已有诉求 / "
        "skip 与本次前面某条重复,不登记",
    )
    sender: str = Field(..., description="反映人(群昵称)")
    sent_at: str
    text: str
    category: str | None = Field(..., description="类别代码;读不出时为 null")
    category_label: str | None
    place: int | None = Field(
        ...,
        description="位置的区域编号(楼栋、小区,或社区:位置不明,先交社区派单);"
        "同号楼栋不止一栋时为 null,请从 `candidates` 中选一个",
    )
    place_label: str | None
    candidates: list[IntakePlaceOut] = Field(
        ..., description="消息说的楼号在几个小区都有时,可能指的楼栋;否则为空"
    )
    unit: int | None = Field(..., description="单元号")
    room: str = Field(..., description="房号")
    urgent: bool
    duplicate: int | None = Field(
        ..., description="可能重复的未办结诉求编号(3 天内、同楼栋同类别,或内容几乎相同)"
    )
    duplicate_number: str | None = Field(..., description="该诉求的诉求编号")
    duplicate_why: Literal["place", "text", ""] = Field(
        ..., description="place 同楼栋同类别 / text 内容几乎相同"
    )
    same_as: int | None = Field(..., description="与本次第几条(从 1 起)重复")
    same_why: Literal["place", "text", ""]
    confidence: float = Field(..., description="分诊把握,0 到 1")
    read: IntakeReadSchema | None = Field(
        ..., description="分诊读出的类别和紧急程度;登记时原样交回,改动即记为分诊纠正"
    )


class IntakePreviewIn(Schema):
    community: RecordId | None = Field(None, description="社区编号;只负责一个社区时可不填")
    text: str = Field(..., max_length=MAX_BLOCK, description="群聊记录,照微信里复制的原样")


class IntakePreviewOut(Schema):
    community: IntakePlaceOut
    drafts: list[IntakeDraftOut]
    skipped: list[IntakeMessageOut] = Field(..., description="略过的闲聊(问候、感谢、收到、表情)")


class IntakeDraftIn(Schema):
    """One checked draft; the fields of a preview's draft that are not listed here
    (labels, candidates, reasons) are ignored, so a draft may be sent back as it came."""

    action: DraftAction = Field(
        "file", description="file 登记为新诉求 / link 并入 `duplicate` / skip 不登记"
    )
    sender: str = Field("", max_length=50, description="反映人;空为“群聊居民”")
    text: str = Field(..., max_length=2000, description="反映的内容")
    category: str | None = Field(None, max_length=30, description="类别代码")
    place: RecordId | None = Field(
        None, description="区域编号:本社区、其中的小区或楼栋(预览的 `place` 或 `candidates`)"
    )
    unit: int | None = Field(None, ge=1, le=999, description="单元号(位置须为楼栋)")
    room: str = Field("", max_length=10, description="房号(须有单元)")
    urgent: bool = False
    duplicate: RecordId | None = Field(None, description="`action` 为 link 时并入的诉求编号")
    read: IntakeReadSchema | None = Field(None, description="预览中分诊读出的,原样交回")


class IntakeFileIn(Schema):
    community: RecordId | None = Field(
        None, description="社区编号(与预览时相同);只负责一个社区时可不填"
    )
    drafts: list[IntakeDraftIn] = Field(..., min_length=1, max_length=MAX_DRAFTS)


class IntakeFiledOut(Schema):
    filed: list[RequestOut] = Field(..., description="新登记的诉求")
    linked: list[RequestOut] = Field(..., description="并入了重复反映的已有诉求")


# --- helpers -------------------------------------------------------------------------------


def _filer(request: HttpRequest) -> User:
    if Capability.REQUESTS_FILE not in capabilities_of(request.user):
        raise PermissionDenied
    return request_user(request)


def _community(user: User, pk: int | None) -> Area:
    """The community named (404 when the caller does not file there), or the caller's one
    community when none is named."""
    communities = filing_communities(user)
    if pk is None:
        if len(communities) == 1:
            return communities[0]
        raise ValidationError({"community": [_("请选择社区。")]})
    found = next((c for c in communities if c.pk == pk), None)
    if found is None:
        raise Http404
    return found


def _area_pk(key: str) -> int | None:
    """``a12`` (the page's choice value) → 12."""
    return int(key[1:]) if key.startswith("a") and key[1:].isdigit() else None


def _preview(user: User, community: Area, text: str) -> IntakePreviewOut:
    actionable, skipped = intake_split(text)
    if not actionable:
        raise ValidationError({"text": [_("没有找到需要登记的消息(只有问候、感谢、表情等)。")]})
    drafts = intake_drafts(user, community, actionable)
    places = {a.pk: a for a in intake_places(user, community)}
    labels = area_labels([a.path for a in places.values()], top_kind=AreaKind.COMMUNITY)
    categories = {c.pk: c for c in Category.objects.filter(is_active=True)}
    duplicates: dict[int, Request] = {}
    for pk in {d["duplicate"] for d in drafts if d["duplicate"] is not None}:
        try:
            duplicates[pk] = request_get_for_user(user=user, pk=pk)
        except Http404:
            continue

    def place_out(pk: int | None) -> IntakePlaceOut | None:
        area = places.get(pk) if pk is not None else None
        if area is None:
            return None
        return IntakePlaceOut(id=area.pk, code=area.code, label=labels.get(area.path, area.name))

    out = []
    for d in drafts:
        category = categories.get(d["category"]) if d["category"] is not None else None
        place = place_out(_area_pk(d["place"]))
        candidates = [place_out(_area_pk(k)) for k in d["candidates"].split(",") if k]
        code, _sep, urgent = d["read"].partition("|")
        duplicate = duplicates.get(d["duplicate"]) if d["duplicate"] is not None else None
        out.append(
            IntakeDraftOut(
                action=d["action"],
                sender=d["sender"],
                sent_at=d["sent_at"],
                text=d["text"],
                category=category.code if category is not None else None,
                category_label=category.name if category is not None else None,
                place=place.id if place is not None else None,
                place_label=place.label if place is not None else None,
                candidates=[c for c in candidates if c is not None],
                unit=d["unit"],
                room=d["room"] or "",
                urgent=d["urgent"],
                duplicate=duplicate.pk if duplicate is not None else None,
                duplicate_number=duplicate.number if duplicate is not None else None,
                duplicate_why=d["duplicate_why"] if duplicate is not None else "",
                same_as=d.get("same_as"),
                same_why=d.get("same_why", "place" if d.get("same_as") else ""),
                confidence=d["confidence"],
                read=IntakeReadSchema(category=code, urgent=urgent == "1")
                if code in CATEGORIES
                else None,
            )
        )
    chosen = place_out(community.pk)
    assert chosen is not None
    return IntakePreviewOut(
        community=chosen,
        drafts=out,
        skipped=[IntakeMessageOut(sender=m.sender, sent_at=m.time, text=m.text) for m in skipped],
    )


def _checked(
    user: User, community: Area, drafts: list[IntakeDraftIn]
) -> list[tuple[int, IntakeDraft]]:
    """The drafts to file or link (by their index in the body), checked as the page's
    draft forms check them; a ValidationError names every wrong ``drafts.<i>.<field>``."""
    places = {a.pk: a for a in intake_places(user, community)}
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    errors: dict[str, list[str]] = {}
    checked: list[tuple[int, IntakeDraft]] = []
    for i, draft in enumerate(drafts):
        if draft.action == Action.SKIP:
            continue
        mine: dict[str, list[str]] = {}
        text = draft.text.strip()
        if not text:
            mine["text"] = [_("请填写反映的内容。")]
        category = categories.get(draft.category or "")
        if category is None:
            mine["category"] = (
                [_("未知的类别代码“%(code)s”。") % {"code": draft.category}]
                if draft.category
                else [_("请选择类别。")]
            )
        area = places.get(draft.place) if draft.place is not None else None
        room = draft.room.strip()
        if area is None:
            mine["place"] = [_("请选择位置。")]
        else:
            try:
                area, room = intake_place(area, draft.unit, room)
            except ValidationError as exc:
                mine.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
        if draft.action == Action.LINK and draft.duplicate is None:
            mine["action"] = [_("没有可以并入的诉求,请登记为新诉求或不登记。")]
        if mine:
            errors.update({f"drafts.{i}.{field}": messages for field, messages in mine.items()})
            continue
        assert category is not None
        assert area is not None
        read = draft.read
        checked.append(
            (
                i,
                IntakeDraft(
                    action=draft.action,
                    text=text,
                    sender=draft.sender.strip(),
                    category=category,
                    location=area,
                    room=room,
                    urgent=draft.urgent,
                    duplicate=draft.duplicate,
                    read=(read.category, read.urgent)
                    if read is not None and read.category in CATEGORIES
                    else None,
                ),
            )
        )
    if errors:
        raise ValidationError(errors)
    return checked


def _refusals(refused: IntakeRefused, indexes: list[int]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for position, exc in refused.errors.items():
        named = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for field, messages in named.items():
            key = f"drafts.{indexes[position]}"
            if field != NON_FIELD_ERRORS:
                key = f"{key}.{field}"
            errors.setdefault(key, []).extend(str(m) for m in messages)
    return errors


# --- operations ----------------------------------------------------------------------------


@router.post(
    "/preview",
    response={200: IntakePreviewOut, **ERRORS},
    summary="群聊消息批量录入:预览(不保存)",
    description="与群聊登记页面的第一步相同:把从微信群复制的聊天记录拆成一条条消息,略过问候、"
    "感谢、表情等闲聊,每条按内容分诊成一份草稿(类别、位置、紧急程度、反映人),并标出可能重复的"
    "未办结诉求和本次之内的重复。什么都不保存。核对、修改后把草稿交给 `POST /requests/intake`。"
    "需要代为登记诉求的权限(否则 403);社区不在您的登记范围内为 404;只有闲聊为 422。",
)
def preview_intake(request: HttpRequest, payload: IntakePreviewIn) -> IntakePreviewOut:
    user = _filer(request)
    community = _community(user, payload.community)
    if not payload.text.strip():
        raise ValidationError({"text": [_("请粘贴群聊记录。")]})
    return _preview(user, community, payload.text)


@router.post(
    "",
    response={201: IntakeFiledOut, **ERRORS},
    summary="群聊消息批量录入:登记核对过的草稿(全部登记或全部不登记)",
    description="与群聊登记页面的「全部确认并登记」相同:`action` 为 file 的登记为新诉求"
    "(渠道 chat,已由工作人员核对,不再分诊),link 的作为再次反映并入 `duplicate` 诉求,"
    "skip 的不登记。与预览的分诊结果(`read`)不同的类别或紧急程度记为分诊纠正。"
    "任何一份草稿有误即一条也不登记,答 422,`errors` 的键为 `drafts.<序号>.<字段>`"
    "(序号从 0 起;与字段无关的为 `drafts.<序号>`)。位置须在该社区之内您可登记的范围。",
)
def file_intake(request: HttpRequest, payload: IntakeFileIn) -> Reply[IntakeFiledOut]:
    user = _filer(request)
    community = _community(user, payload.community)
    checked = _checked(user, community, payload.drafts)
    try:
        done = intake_file(user=user, drafts=[draft for _i, draft in checked])
    except IntakeRefused as refused:
        raise ValidationError(_refusals(refused, [i for i, _draft in checked])) from None
    return Reply(
        201, IntakeFiledOut(filed=requests_out(done.filed), linked=requests_out(done.linked))
    )
