from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about: users choose channels per kind."""

    URGENT_REQUEST = "urgent_request", _("紧急诉求")
    CARE_ALERT = "care_alert", _("关爱预警")
    ASSIGNMENT = "assignment", _("派单与退回重办")
    OVERDUE = "overdue", _("超期与上报")
    WARNING = "warning", _("风险预警")
    REQUEST_UPDATE = "request_update", _("诉求进展")
    PROGRAMME = "programme", _("项目消息")
    # A volunteer submitted (or resubmitted) service hours: they wait for a reviewer.
    HOURS_REVIEW = "hours_review", _("服务时长待审核")
    GENERAL = "general", _("其他消息")


class Channel(models.TextChoices):
    """External channels; the in-app list always has every notification."""

    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群")
    EMAIL = "email", _("电子邮件")


class Notification(models.Model):
    """An in-app message. Every notification is one of these; other channels are extra."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind, default=Kind.GENERAL)
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    # One ``notify`` call: the messages of one event share it, so a staff group's robot
    # hears about the event once however many of its members are told.
    batch = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    grid = models.ForeignKey(
        "areas.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    community = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # False for history written after the fact: those stay in the in-app list.
    external = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # When the external deliveries were planned (the Delivery rows exist from then on).
    delivered_at = models.DateTimeField(_("外部渠道送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(
                fields=["created_at"],
                condition=Q(external=True, delivered_at=None),
                name="notification_undelivered",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Preference(models.Model):
    """A user's channels for one kind of notification (absent: the defaults)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind)
    # Comma-separated Channel values.
    channels = models.CharField(_("渠道"), max_length=60, blank=True)
    digest = models.BooleanField(_("每日汇总"), default=False)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c in Channel.values]


DEFAULT_QUIET_START = dt.time(22, 0)
DEFAULT_QUIET_END = dt.time(7, 0)


class QuietHours(models.Model):
    """When a user gets no text messages except urgent ones (absent: 22:00–07:00)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours"
    )
    enabled = models.BooleanField(_("启用免打扰"), default=True)
    start = models.TimeField(_("免打扰开始"), default=DEFAULT_QUIET_START)
    end = models.TimeField(_("免打扰结束"), default=DEFAULT_QUIET_END)

    class Meta:
        verbose_name = _("免打扰时段")
        verbose_name_plural = _("免打扰时段")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class StaffGroup(models.Model):
    """A grid's or a community's WeChat Work staff group, reached through its robot.

    The robot's webhook key is a secret: it lives in ``LINLI_WECOM_ROBOTS`` (settings),
    and staff pick the robot here by its name."""

    grid = models.OneToOneField(
        "areas.Grid",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff_group",
    )
    community = models.OneToOneField(
        "areas.Area",
        verbose_name=_("社区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff_group",
    )
    robot = models.CharField(_("群机器人"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作群")
        verbose_name_plural = _("工作群")
        constraints = [
            models.CheckConstraint(
                condition=Q(grid__isnull=True) ^ Q(community__isnull=True),
                name="staff_group_grid_xor_community",
            )
        ]

    def __str__(self) -> str:
        return self.robot


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    RETRYING = "retrying", _("等待重试")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


class Delivery(models.Model):
    """One notification through one external channel to one recipient.

    The row exists before anything is sent, and sending starts with a conditional
    update (pending → sending), so a task run twice, or by two workers, sends once."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    batch = models.UUIDField(editable=False)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel)
    # ``user:<id>`` (SMS, email: the address is looked up when sending and never
    # stored here) or ``robot:<name>`` (a staff group).
    recipient = models.CharField(_("接收方"), max_length=60)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    digest = models.BooleanField(_("每日汇总"), default=False)
    urgent = models.BooleanField(_("紧急"), default=False)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("外部投递")
        verbose_name_plural = _("外部投递")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "channel", "recipient"], name="delivery_once_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient}"
