"""Activities (活动): free clinics, talks, clean-ups, party-building with partners.

An activity belongs to a community (its scope anchor), is organised by the community
and possibly by organisations (a party branch, a partner unit) and a volunteer team,
takes place at an area of the community, and moves through a validated life cycle
(:data:`TRANSITIONS`). Residents sign up (with a waiting list when it is full) and are
checked in at the door by a QR code; volunteers who help get service hours through the
volunteers app; a held activity records how many people it served per service, so the
figures ("5 clinics, 300+ people") are computed, never typed.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimeStampedModel


class ActivityKind(models.Model):
    """A kind of activity (义诊, 讲座/宣讲, …): editable in the admin."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("全体居民")
    ELDERLY = "elderly", _("老年人")
    CHILDREN = "children", _("儿童")
    GRID = "grid", _("指定网格")


class Status(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("报名中")
    HELD = "held", _("已举办")
    SUMMARISED = "summarised", _("已总结")
    CANCELLED = "cancelled", _("已取消")


# Which states may follow which. Cancelling needs a reason; a held activity cannot be
# cancelled any more (it happened).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.OPEN, Status.HELD, Status.CANCELLED}),
    Status.OPEN: frozenset({Status.HELD, Status.CANCELLED, Status.PLANNED}),
    Status.HELD: frozenset({Status.SUMMARISED}),
    Status.SUMMARISED: frozenset(),
    Status.CANCELLED: frozenset(),
}


def new_checkin_token() -> str:
    return secrets.token_urlsafe(16)


class Activity(TimeStampedModel):
    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.ForeignKey(
        ActivityKind, verbose_name=_("活动类型"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "areas.Area",
        verbose_name=_("主办社区"),
        on_delete=models.PROTECT,
        related_name="activities",
        limit_choices_to={"kind": "community"},
    )
    place = models.ForeignKey(
        "areas.Area",
        verbose_name=_("活动地点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place_detail = models.CharField(_("具体地点"), max_length=100, blank=True)
    organisers = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("主办单位"),
        blank=True,
        related_name="organised_activities",
    )
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("志愿服务队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    partners = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("协办/共建单位"),
        blank=True,
        related_name="partnered_activities",
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    audience = models.CharField(
        _("面向对象"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    audience_grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("面向网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("活动简介"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    summary = models.TextField(_("活动总结"), blank=True)
    checkin_token = models.CharField(
        _("签到码"), max_length=40, unique=True, default=new_checkin_token, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The follow-up requests (诉求) filed from this activity; the request keeps its reporter.
    followups = models.ManyToManyField(
        "requests.Request", verbose_name=_("后续诉求"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["community", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SignupChannel(models.TextChoices):
    SELF = "self", _("本人报名")
    STAFF = "staff", _("工作人员代报(电话)")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class Signup(models.Model):
    """A resident's place at an activity (or on its waiting list), and their check-in."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="signups"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("居民"),
        on_delete=models.CASCADE,
        related_name="activity_signups",
    )
    channel = models.CharField(_("报名方式"), max_length=10, choices=SignupChannel.choices)
    status = models.CharField(_("报名状态"), max_length=10, choices=SignupStatus.choices)
    signed_up_at = models.DateTimeField(_("报名时间"))
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "resident"],
                condition=~Q(status="cancelled"),
                name="signup_once_per_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.resident}"


class Helper(models.Model):
    """A volunteer who helps at an activity; hours are credited when it is held."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="helpers"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        on_delete=models.CASCADE,
        related_name="activity_helps",
    )
    role = models.CharField(_("分工"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动志愿者")
        verbose_name_plural = _("活动志愿者")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="helper_once"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.volunteer}"


class ServedCount(models.Model):
    """How many people a held activity served with one service (量血压 120), besides
    those whose readings were recorded one by one (:class:`ClinicReading`): the figures
    add the two, so nobody types a measured person twice. Named by no one."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="served"
    )
    service = models.CharField(_("服务项目"), max_length=30)
    count = models.PositiveIntegerField(_("服务人数"))

    class Meta:
        verbose_name = _("服务人次")
        verbose_name_plural = _("服务人次")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "service"], name="served_once_per_service"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.count}"


# The service each kind of reading counts for, by the care app's service code. The names
# are data (like the typed service names), matching the clinic's default rows.
READING_SERVICE_NAMES = {"blood_pressure": "量血压", "blood_sugar": "测血糖"}


class ClinicReading(models.Model):
    """A health reading taken for an attendee at a free clinic (义诊).

    The values live in the person's care record (an encrypted care visit, kept only with
    their health consent, flagged by the care alert thresholds); this row says at which
    activity it was taken and which services it counts for in the people served.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="readings"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("居民"),
        on_delete=models.CASCADE,
        related_name="activity_readings",
    )
    visit = models.OneToOneField(
        "care.Visit",
        verbose_name=_("关爱记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    services = models.JSONField(_("服务项目"), default=list)
    alerted = models.BooleanField(_("触发预警"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("义诊读数")
        verbose_name_plural = _("义诊读数")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.activity} · {self.resident}"
