"""Field work (干部下沉与网格巡查): cadres' monthly sink-down and grid workers' patrols."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area, Grid
from linli.people.models import Resident
from linli.requests.models import Category, Request


class PostingKind(models.TextChoices):
    BAOPIAN = "baopian", _("包片")
    LIANDIAN = "liandian", _("联点")


class Posting(models.Model):
    """A cadre's standing link to a part of a community: a compound (包片) or a grid (联点)."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("干部"),
        on_delete=models.CASCADE,
        related_name="fieldwork_postings",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=PostingKind.choices)
    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        Area,
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT
    )
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("包片/联点")
        verbose_name_plural = _("包片/联点")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(compound__isnull=False) & Q(grid__isnull=True))
                | (Q(compound__isnull=True) & Q(grid__isnull=False)),
                name="posting_compound_or_grid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.get_kind_display()} · {self.place_name}"

    @property
    def place_name(self) -> str:
        if self.compound is not None:
            return self.compound.name
        return self.grid.name if self.grid is not None else ""


class SinkDownPlan(models.Model):
    """一月一下沉: when in a month a cadre means to go down to a posting."""

    posting = models.ForeignKey(
        Posting, verbose_name=_("包片/联点"), on_delete=models.CASCADE, related_name="plans"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    note = models.CharField(_("计划内容"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("下沉计划")
        verbose_name_plural = _("下沉计划")
        ordering = ["-month", "posting"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "month"], name="plan_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.posting} {self.month:%Y-%m}"


class SinkDownVisit(models.Model):
    """One sink-down visit: where, which households, whom the cadre listened to."""

    posting = models.ForeignKey(
        Posting, verbose_name=_("包片/联点"), on_delete=models.PROTECT, related_name="visits"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("干部"),
        on_delete=models.PROTECT,
        related_name="sink_down_visits",
    )
    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT
    )
    visited_on = models.DateField(_("下沉日期"), db_index=True)
    households_count = models.PositiveSmallIntegerField(_("走访户数"), default=0)
    households = models.TextField(_("走访住户"), blank=True)
    listened_to = models.TextField(_("倾听对象"), blank=True)
    notes = models.TextField(_("民情日记"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("下沉走访")
        verbose_name_plural = _("下沉走访")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["cadre", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.cadre} {self.visited_on} {self.posting.place_name}"


class SinkDownListener(models.Model):
    """A registered resident the cadre listened to on a visit."""

    visit = models.ForeignKey(SinkDownVisit, on_delete=models.CASCADE, related_name="listeners")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("倾听对象")
        verbose_name_plural = _("倾听对象")
        constraints = [
            models.UniqueConstraint(fields=["visit", "resident"], name="listener_once"),
        ]

    def __str__(self) -> str:
        return str(self.resident)


class SinkDownConcern(models.Model):
    """A concern heard on a visit, filed as a request (channel ``sink_down``)."""

    visit = models.ForeignKey(
        SinkDownVisit, verbose_name=_("下沉走访"), on_delete=models.CASCADE, related_name="concerns"
    )
    text = models.CharField(_("反映的问题"), max_length=500)
    request = models.ForeignKey(
        Request,
        verbose_name=_("诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("下沉收集的问题")
        verbose_name_plural = _("下沉收集的问题")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:30]


class Patrol(models.Model):
    """A grid worker's round of their grid (网格巡查)."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="patrols"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网格员"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    buildings = models.ManyToManyField(
        Area, verbose_name=_("巡查楼栋"), blank=True, related_name="+"
    )
    places = models.CharField(_("其他巡查点位"), max_length=200, blank=True)
    note = models.CharField(_("巡查小结"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("网格巡查")
        verbose_name_plural = _("网格巡查")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["grid", "started_at"])]

    def __str__(self) -> str:
        return f"{self.grid} {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class FindingOutcome(models.TextChoices):
    SOLVED = "solved", _("就地解决")
    FILED = "filed", _("转为诉求")


class PatrolFinding(models.Model):
    """Something found on a patrol: solved on the spot, or filed as a request."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("巡查"), on_delete=models.CASCADE, related_name="findings"
    )
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT)
    text = models.CharField(_("发现的问题"), max_length=500)
    building = models.ForeignKey(
        Area, verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT
    )
    photo = models.ImageField(_("照片"), upload_to="fieldwork/%Y/%m/", blank=True)
    outcome = models.CharField(_("处理方式"), max_length=10, choices=FindingOutcome.choices)
    request = models.ForeignKey(
        Request,
        verbose_name=_("诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("巡查发现")
        verbose_name_plural = _("巡查发现")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]
