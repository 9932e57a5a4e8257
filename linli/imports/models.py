from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area


class ImportJob(models.Model):
    """One upload of a register sheet: its dry run, then (if clean) its import.

    ``errors`` holds ``{"row", "column", "message", "value"}`` dicts; ``value`` is masked
    (see ``linli.imports.kinds.masked_value``), never a full name, ID or phone.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("检查中")
        CHECKED = "checked", _("检查通过,待导入")
        INVALID = "invalid", _("检查发现问题")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("导入完成")
        FAILED = "failed", _("导入失败,未导入任何数据")

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)

    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The registered kind (``linli.imports.kinds``): residents, volunteers, party_members.
    kind = models.CharField(_("导入内容"), max_length=30, default="residents")
    file_name = models.CharField(_("文件名"), max_length=200)
    # Where the upload waits between the dry run and the import; emptied once it is gone.
    stored_path = models.CharField(max_length=500, blank=True, editable=False)
    update_existing = models.BooleanField(_("更新已登记居民"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    errors = models.JSONField(_("问题"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    households_created = models.PositiveIntegerField(_("新增住户"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name}({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        from linli.imports.kinds import import_kind

        try:
            return str(import_kind(self.kind).label)
        except KeyError:
            return self.kind

    @property
    def list_url(self) -> str:
        from linli.imports.kinds import import_kind

        return import_kind(self.kind).list_url

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING
