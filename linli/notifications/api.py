"""``/api/v1/notifications``: the caller's notification settings (通知设置) — channels per
kind and the quiet hours — read and saved through the same preferences and service as
the settings page. Everyone has their own settings: no capability is needed, and no one
reads or changes another's.

Also the staff groups' WeChat Work robots (企业微信工作群), as on their page: community
staff attach a robot, by its name, to a grid's or a community's group. The robot's
webhook key is a secret of the deployment (``LINLI_WECOM_ROBOTS``) and never appears here."""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import field_validator

from linli.accounts.current import request_user
from linli.accounts.models import User
from linli.areas.models import Area, Grid
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut, RecordId
from linli.notifications.models import Channel, Kind, Notification, StaffGroup
from linli.notifications.preferences import (
    IMMEDIATE_KINDS,
    Choice,
    channels_offered,
    choices_of,
    quiet_hours_of,
)
from linli.notifications.selectors import group_communities, group_grids, staff_groups_for
from linli.notifications.senders import robots
from linli.notifications.services import (
    notifications_mark_read,
    preferences_save,
    staff_group_remove,
    staff_group_set,
)

router = Router(tags=["notifications"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut}


class KindSettingOut(Schema):
    kind: Kind = Field(
        ...,
        description="urgent_request 紧急诉求 / care_alert 关爱预警 / assignment 派单与退回重办 / "
        "overdue 超期与上报 / warning 风险预警 / request_update 诉求进展 / "
        "programme 项目消息 / general 其他消息",
    )
    label: str = Field(..., description="类别名称")
    channels: list[Channel] = Field(..., description="站内消息之外的渠道:sms / wecom / email")
    digest: bool = Field(..., description="并入每日汇总(紧急诉求和关爱预警总是立即发送)")
    may_digest: bool = Field(..., description="这一类能否并入每日汇总")


class QuietHoursSchema(Schema):
    enabled: bool = Field(..., description="夜间免打扰(紧急消息除外)")
    start: dt.time = Field(..., description="开始,如 22:00")
    end: dt.time = Field(..., description="结束,如 07:00")

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: dt.time) -> dt.time:
        # Quiet hours are times on the community's clock: a time with its own offset
        # ("00:00:00Z") has no meaning here and would not compare with local times.
        if value.tzinfo is not None:
            raise ValueError(_("请填写不带时区的时刻,如 22:00。"))
        return value


class SettingsOut(Schema):
    offered: list[Channel] = Field(..., description="本人可选的渠道")
    kinds: list[KindSettingOut]
    quiet_hours: QuietHoursSchema


class KindSettingIn(Schema):
    kind: Kind
    channels: list[Channel] = Field(default_factory=list, max_length=3)
    digest: bool = False


class SettingsIn(Schema):
    """The kinds not sent keep their present setting; quiet hours stay as they are when
    ``quiet_hours`` is left out."""

    kinds: list[KindSettingIn] = Field(default_factory=list, max_length=20)
    quiet_hours: QuietHoursSchema | None = None


def _settings(request: HttpRequest) -> SettingsOut:
    user = request_user(request)
    choices = choices_of(user)
    quiet = quiet_hours_of(user)
    return SettingsOut(
        offered=[Channel(c) for c in channels_offered(user)],
        kinds=[
            KindSettingOut(
                kind=Kind(kind),
                label=str(label),
                channels=[Channel(c) for c in sorted(choices[kind].channels)],
                digest=choices[kind].digest,
                may_digest=kind not in IMMEDIATE_KINDS,
            )
            for kind, label in Kind.choices
        ],
        quiet_hours=QuietHoursSchema(enabled=quiet.enabled, start=quiet.start, end=quiet.end),
    )


@router.get(
    "/settings",
    response={200: SettingsOut, **ERRORS},
    summary="我的通知设置",
    description="每类消息经哪些渠道通知本人(站内消息总是有),以及夜间免打扰时段。",
)
def get_settings(request: HttpRequest) -> Any:
    return _settings(request)


@router.post(
    "/settings",
    response={200: SettingsOut, **ERRORS},
    summary="保存我的通知设置",
    description="与通知设置页面相同。只改提交的类别;本人不能选用的渠道(如居民选企业微信群)"
    "为 422;同一类别提交两次为 422。",
)
def save_settings(request: HttpRequest, payload: SettingsIn) -> Any:
    user = request_user(request)
    offered = set(channels_offered(user))
    chosen: dict[str, Choice] = dict(choices_of(user))
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, setting in enumerate(payload.kinds):
        if setting.kind in seen:
            errors[f"kinds.{i}.kind"] = [_("同一类消息只能设置一次。")]
        seen.add(setting.kind)
        refused = [c for c in setting.channels if c not in offered]
        if refused:
            errors[f"kinds.{i}.channels"] = [
                _("您不能选用这些渠道:%(channels)s。")
                % {"channels": "、".join(str(Channel(c).label) for c in refused)}
            ]
        chosen[setting.kind] = Choice(frozenset(setting.channels), digest=setting.digest)
    if errors:
        raise ValidationError(errors)
    quiet = payload.quiet_hours or QuietHoursSchema(**_settings(request).quiet_hours.dict())
    preferences_save(
        user=user,
        chosen=chosen,
        quiet_enabled=quiet.enabled,
        quiet_start=quiet.start,
        quiet_end=quiet.end,
    )
    return _settings(request)


# --- the caller's own messages (the 消息 page) -------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str = Field(..., description="消息类别,与通知设置的 `kind` 相同")
    text: str
    link: str = Field(..., description="相关页面的地址(站内路径);可为空")
    urgent: bool
    created_at: dt.datetime
    read_at: dt.datetime | None = Field(..., description="已读时间;未读为 null")


def _notification_outs(request: HttpRequest, rows: list[Notification]) -> list[NotificationOut]:
    return [
        NotificationOut(
            id=n.pk,
            kind=n.kind,
            text=n.text,
            link=n.link,
            urgent=n.urgent,
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in rows
    ]


@router.get(
    "",
    response={200: list[NotificationOut], 401: ErrorOut, 422: ErrorOut},
    summary="本人的站内消息(最新的在前)",
    description="与「消息」页面相同,只列令牌所属账号自己的消息;`unread=true` 只列未读的。",
)
@paginate(pages_of(_notification_outs), page_size=20, max_page_size=100)
def list_notifications(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(user=request_user(request))
    return rows.filter(read_at=None) if unread else rows


class MarkReadIn(Schema):
    ids: list[RecordId] | None = Field(
        None, max_length=1000, description="要标为已读的消息编号;不填即全部标为已读(与页面相同)"
    )


class MarkedOut(Schema):
    marked: int = Field(..., description="这次标为已读的条数")


@router.post(
    "/read",
    response={200: MarkedOut, 401: ErrorOut, 422: ErrorOut},
    summary="标为已读",
    description="只作用于本人的消息;别人的消息编号被忽略。",
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> MarkedOut:
    return MarkedOut(marked=notifications_mark_read(user=request_user(request), ids=payload.ids))


# --- the staff groups' WeChat Work robots (the 企业微信工作群 page) ----------------------------


class StaffGroupOut(Schema):
    community_id: int = Field(..., description="社区编号;网格的工作群为网格所在社区")
    community: str = Field(..., description="社区名称")
    grid_id: int | None = Field(..., description="网格编号;社区的工作群为 null")
    grid: str | None = Field(..., description="网格名称")
    robot: str | None = Field(..., description="群机器人的名称;没有设置为 null")
    robot_configured: bool = Field(
        ...,
        description="这个名称仍在部署配置 LINLI_WECOM_ROBOTS 中(否则发往该群的消息会失败);"
        "没有设置为 false",
    )


class StaffGroupsOut(Schema):
    robots: list[str] = Field(..., description="可选的群机器人名称(运维人员在部署配置中添加)")
    groups: list[StaffGroupOut] = Field(..., description="已设置群机器人的工作群")


class StaffGroupIn(Schema):
    community: RecordId | None = Field(None, description="社区编号(社区的工作群)")
    grid: RecordId | None = Field(None, description="网格编号(网格的工作群)")
    robot: str | None = Field(
        ..., max_length=50, description="群机器人的名称(`robots` 之一);null 为取消该群的通知"
    )


GROUP_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 403: ErrorOut, 404: ErrorOut}


def _group_admin(request: HttpRequest) -> User:
    """The page's permission: community staff (and those above) who dispatch for a
    whole community; anyone else is refused."""
    user = request_user(request)
    if not group_communities(user).exists():
        raise PermissionDenied
    return user


def _group_out(
    *, community: Area, grid: Grid | None, group: StaffGroup | None, configured: set[str]
) -> StaffGroupOut:
    robot = group.robot if group is not None else None
    return StaffGroupOut(
        community_id=community.pk,
        community=community.name,
        grid_id=grid.pk if grid is not None else None,
        grid=grid.name if grid is not None else None,
        robot=robot,
        robot_configured=robot in configured,
    )


@router.get(
    "/groups",
    response={200: StaffGroupsOut, **GROUP_ERRORS},
    summary="企业微信工作群(群机器人)",
    description="与「企业微信工作群」页面相同:您负责的社区及其网格中已设置群机器人的工作群,"
    "和可选的群机器人名称。群机器人的 webhook 密钥只在部署配置中,接口从不返回。"
    "只有负责整个社区派单的工作人员(社区两委、街道、管理员)可以查看和设置,否则 403。",
)
def list_staff_groups(request: HttpRequest) -> StaffGroupsOut:
    user = _group_admin(request)
    configured = set(robots())
    groups = []
    for group in staff_groups_for(user):
        where = group.grid.community if group.grid is not None else group.community
        assert where is not None  # a group belongs to a grid or a community
        groups.append(
            _group_out(community=where, grid=group.grid, group=group, configured=configured)
        )
    return StaffGroupsOut(robots=sorted(configured), groups=groups)


@router.post(
    "/groups",
    response={200: StaffGroupOut, **GROUP_ERRORS},
    summary="设置、更换或取消工作群的群机器人",
    description="与「企业微信工作群」页面相同:`community` 或 `grid` 选填一项,`robot` 为群机器人"
    "名称(替换原有的),为 null 即取消该群的通知。之后该网格或社区的紧急诉求、关爱预警、超期上报等"
    "消息会同时发到群里。不在您负责范围内的社区或网格为 404,没有这个群机器人为 422。"
    "每次设置、取消都记入审计日志。",
)
def set_staff_group(request: HttpRequest, payload: StaffGroupIn) -> StaffGroupOut:
    user = _group_admin(request)
    if (payload.community is None) == (payload.grid is None):
        raise ValidationError({"__all__": [_("请在 community 和 grid 中选填一项。")]})
    grid = get_object_or_404(group_grids(user), pk=payload.grid) if payload.grid else None
    community = (
        get_object_or_404(group_communities(user), pk=payload.community)
        if payload.community
        else None
    )
    if payload.robot is None:
        present = StaffGroup.objects.filter(grid=grid, community=community).first()
        if present is not None:
            staff_group_remove(actor=user, group=present)
        group = None
    else:
        group = staff_group_set(actor=user, robot=payload.robot, grid=grid, community=community)
    where = grid.community if grid is not None else community
    assert where is not None
    return _group_out(community=where, grid=grid, group=group, configured=set(robots()))
