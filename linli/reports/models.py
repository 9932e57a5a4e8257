"""A filed work report: the text as staff edited it, the figures as computed, who and when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.reports.periods import KINDS


class FiledReport(models.Model):
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    # A grid's report: ``area`` is the grid's community (so the same scope sees it).
    grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("网格"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    period_kind = models.CharField(_("报告期类型"), max_length=10, choices=[(k, k) for k in KINDS])
    period_key = models.CharField(_("报告期"), max_length=10)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期(不含)"))
    title = models.CharField(_("标题"), max_length=200)
    # ReportContent.as_dict(): sections (edited text), tables (figures) and chart data.
    content = models.JSONField(_("内容"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("报送时间"), db_index=True)

    class Meta:
        verbose_name = _("工作报告")
        verbose_name_plural = _("工作报告")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def content_data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.content
        return data
