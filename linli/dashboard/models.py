"""Daily request figures (驾驶舱预汇总): what the dashboard reads instead of counting
300,000 requests on every page.

One row per local day (Asia/Shanghai) × place × grid × category × status of the requests
*submitted* that day. The place is the request's building (a unit counts for its
building) or, above buildings, its own location; the counts are those the request figures
need (:mod:`linli.requests.figures`). Nothing here depends on the clock: what does (is a
request overdue *now*, is its response due *now*) is decided from the earliest and latest
deadlines kept per row, and rows that straddle *now* are counted live
(:mod:`linli.dashboard.aggregates`). Counts only, no person: not personal data.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area, Grid
from linli.requests.models import Category


class Counts(models.Model):
    """The counts of a group of requests, as the request figures need them."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=20)
    total = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    unresponded = models.PositiveIntegerField(default=0)
    # The latest response deadline among the unresponded requests of the row: once it has
    # passed, all of them are due a response.
    unresponded_due_max = models.DateTimeField(null=True, blank=True)
    unresponded_due_min = models.DateTimeField(null=True, blank=True)
    resolved = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    # Handling deadlines of the row's requests (open rows: all overdue once max passed).
    due_min = models.DateTimeField(null=True, blank=True)
    due_max = models.DateTimeField(null=True, blank=True)
    escalated = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    # The latest follow-up (回访) of each request.
    rated = models.PositiveIntegerField(default=0)
    feedback_resolved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(Counts):
    day = models.DateField(_("日期"))
    month = models.DateField(_("月份"))  # the day's month (its first day), to sum by month

    objects: ClassVar[models.Manager[DailyFigure]]

    class Meta:
        verbose_name = _("每日诉求汇总")
        verbose_name_plural = _("每日诉求汇总")
        indexes = [
            models.Index(fields=["day"]),
            models.Index(fields=["status", "day"]),
            models.Index(fields=["grid", "day"]),
            models.Index(fields=["month"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_id} {self.status} {self.total}"


class MonthFigure(Counts):
    """The daily figures of one whole past month summed per month × compound × grid ×
    category × status: ``area`` is the compound of the request's location (a building or
    unit counts for its compound), or the location itself when it is not in a compound (a
    community, a building standing in a community). A town's year reads ~12 × compounds ×
    categories × statuses rows instead of one per request-day-building. Built from the
    daily rows (never from the requests), so it always equals them; a month row whose
    deadlines straddle *now* has its month read from the daily rows instead."""

    month = models.DateField(_("月份"))

    objects: ClassVar[models.Manager[MonthFigure]]

    class Meta:
        verbose_name = _("每月诉求汇总")
        verbose_name_plural = _("每月诉求汇总")
        indexes = [
            models.Index(fields=["month"]),
            models.Index(fields=["grid", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.area_id} {self.status} {self.total}"


class MonthHeat(models.Model):
    """Requests located at a building (or one of its units) in one whole past month, per
    building × grid × category: the building heat table of a long period."""

    month = models.DateField(_("月份"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[MonthHeat]]

    class Meta:
        verbose_name = _("每月楼栋诉求汇总")
        verbose_name_plural = _("每月楼栋诉求汇总")
        indexes = [
            models.Index(fields=["month"]),
            models.Index(fields=["grid", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.area_id} {self.total}"


class FigureBuild(models.Model):
    """How far the daily figures reach: days before ``through`` are in
    :class:`DailyFigure` (rebuilt nightly, refreshed when a request of that day changes);
    ``through`` and later are counted live. Whole months before ``months_through`` are
    also in :class:`MonthFigure` and :class:`MonthHeat` (None: no month is). One row."""

    through = models.DateField(_("汇总截至(不含)"))
    months_through = models.DateField(_("按月汇总截至(不含)"), null=True, blank=True)
    built_at = models.DateTimeField(_("汇总时间"))

    objects: ClassVar[models.Manager[FigureBuild]]

    class Meta:
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")

    def __str__(self) -> str:
        return f"{self.through}"
