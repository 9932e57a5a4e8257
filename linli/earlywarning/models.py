"""Early warnings (预警): patterns in the records that a person should look at before they
grow — a building that keeps reporting the same thing, a category rising in a grid, overdue
work piling up on one person, an elder living alone unvisited, an urgent alert nobody has
acknowledged, a household repeatedly dissatisfied.

Rules (thresholds, windows) are rows that admins edit; warnings are raised and refreshed by
a scheduled scan and acknowledged and closed by people, like the care alerts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WarningKind(models.TextChoices):
    HOTSPOT = "hotspot", _("同一楼栋反复反映")
    CATEGORY_RISE = "category_rise", _("某类问题明显增多")
    ASSIGNEE_OVERDUE = "assignee_overdue", _("超期诉求积压")
    ELDER_UNVISITED = "elder_unvisited", _("独居老人久未走访")
    ALERT_UNACKNOWLEDGED = "alert_unacknowledged", _("紧急预警无人确认")
    REPEATED_DISSATISFACTION = "repeated_dissatisfaction", _("同一户多次不满意")
    GRID_UNPATROLLED = "grid_unpatrolled", _("网格久未巡查")


class WarningRule(models.Model):
    """The threshold and window of one kind of warning (admin-editable)."""

    kind = models.CharField(_("类型"), max_length=30, choices=WarningKind.choices, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    threshold = models.PositiveIntegerField(
        _("阈值"), help_text=_("达到这个数(件、次、户、小时、天)就预警。")
    )
    window_days = models.PositiveIntegerField(
        _("统计天数"), help_text=_("往前看多少天;对“无人确认”是小时数以外的回看上限。")
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class WarningStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已知悉")
    CLOSED = "closed", _("已关闭")


ACTIVE_STATUSES = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED)


class EarlyWarning(models.Model):
    kind = models.CharField(_("类型"), max_length=30, choices=WarningKind.choices)
    # What the warning is about, so that the same situation is one warning, refreshed.
    key = models.CharField(_("对象"), max_length=120)
    community = models.ForeignKey(
        "areas.Area", verbose_name=_("社区"), on_delete=models.CASCADE, related_name="+"
    )
    # The most precise place: a building, a compound, or the community itself.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("位置"), on_delete=models.CASCADE, related_name="+"
    )
    grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    category = models.ForeignKey(
        "requests.Category",
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("居民"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="early_warnings",
    )
    title = models.CharField(_("预警"), max_length=120)
    reason = models.CharField(_("原因"), max_length=300)
    link = models.CharField(_("查看"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("数量"), default=0)
    status = models.CharField(
        _("状态"), max_length=15, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    raised_at = models.DateTimeField(_("预警时间"), db_index=True)
    last_seen_at = models.DateTimeField(_("最近核实"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("知悉人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("知悉时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_note = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One live warning per situation: a scan refreshes it instead of repeating it.
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="earlywarning_one_active_per_key",
            )
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES
