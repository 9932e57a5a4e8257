"""Care of the elderly: plans, home visits with health readings, and alerts.

A :class:`CarePlan` says how often a person is visited and by whom; each
:class:`Visit` (a home visit or a phone call) records what was done, and — only with
an active health consent — readings, which are encrypted at rest. When a person is
due or overdue is computed by query from the last home visit (see ``selectors``);
an :class:`Alert` is an event somebody must acknowledge and close.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.fields import EncryptedTextField
from linli.core.models import TimeStampedModel


class CareService(models.TextChoices):
    GROCERIES = "groceries", _("买菜")
    MEDICINE = "medicine", _("送药")
    CHAT = "chat", _("陪聊")
    BLOOD_PRESSURE = "blood_pressure", _("量血压")
    BLOOD_SUGAR = "blood_sugar", _("测血糖")
    CLEANING = "cleaning", _("打扫")
    ERRANDS = "errands", _("代办")


def service_labels(codes: list[str]) -> list[str]:
    known = dict(CareService.choices)
    return [str(known[code]) for code in codes if code in known]


class CarePlan(TimeStampedModel):
    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("关爱对象"),
        on_delete=models.CASCADE,
        related_name="care_plan",
    )
    visits_per_week = models.PositiveSmallIntegerField(_("每周上门次数"), default=2)
    services = models.JSONField(_("服务内容"), default=list, blank=True)
    primary_volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("主责志愿者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_care_plans",
    )
    backup_volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("备岗志愿者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backup_care_plans",
    )
    # e.g. a diabetic diet: what every visitor should know before knocking.
    notes = models.TextField(_("注意事项"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    # Derived from the person's home visits and kept here, so that the due list is a range
    # of an index rather than a subquery per plan (docs/scaling.md, session 30): with N
    # home visits a week a person is due 7/N days after the last one, and with none yet
    # from the day the plan was made. Only ``services.plans_due_refresh`` writes them.
    last_home_visit_at = models.DateTimeField(
        _("上次上门走访"), null=True, blank=True, editable=False
    )
    due_at = models.DateTimeField(_("应走访时间"), editable=False)
    # The community the person lives in, kept on the plan so that a place's due list and
    # counts are a range of the (community, active, due_at) index rather than a walk of
    # every plan joined to its person's place (docs/scaling.md, session 33). A narrowing
    # only: the scope's own condition on the person's place still decides what is seen.
    # Kept by ``services.plans_place_refresh`` (a plan saved, a person or place moved);
    # set once by ``save`` for a plan written without the services, loaded by the
    # generator, restated by the migration's backfill.
    community = models.ForeignKey(
        "areas.Area",
        verbose_name=_("社区"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        # The (community, active, due_at) index below serves lookups by community.
        db_index=False,
    )

    class Meta:
        verbose_name = _("关爱计划")
        verbose_name_plural = _("关爱计划")
        ordering = ["resident__name", "pk"]
        indexes = [
            models.Index(fields=["active", "due_at"], name="care_plan_active_due"),
            # With the person, so a place's due count reads the index alone (PostgreSQL).
            models.Index(
                fields=["community", "active", "due_at"],
                include=["resident"],
                name="care_plan_community_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visits_per_week__gte=1) & Q(visits_per_week__lte=14),
                name="care_plan_visits_per_week_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {_('每周')}{self.visits_per_week}{_('次')}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new plan without visits is due from the moment it is made; a plan made for a
        # person already visited is set right by ``plans_due_refresh`` (``care_plan_save``
        # calls it), but the column is never left empty.
        if self.due_at is None:
            self.due_at = self.created_at or timezone.now()
        # Likewise the community, for a plan written without the services (the admin's
        # add form, a script): ``plans_place_refresh`` keeps it from then on.
        if self.community_id is None and self.resident.area is not None:
            from linli.areas.models import AreaKind
            from linli.areas.selectors import ancestor_of_kind

            self.community = ancestor_of_kind(self.resident.area, AreaKind.COMMUNITY)
        super().save(*args, **kwargs)

    @property
    def service_labels(self) -> list[str]:
        return service_labels(list(self.services or []))


class VisitKind(models.TextChoices):
    HOME = "home", _("上门走访")
    PHONE = "phone", _("电话问候")
    # A reading taken at a free clinic (义诊) the person attended: no visit, no hours.
    CLINIC = "clinic", _("义诊测量")


# What a volunteer or worker may log as a visit (a clinic reading comes from activities).
VISIT_LOG_KINDS = (VisitKind.HOME, VisitKind.PHONE)


class GlucoseContext(models.TextChoices):
    FASTING = "fasting", _("空腹")
    AFTER_MEAL = "after_meal", _("餐后")


class Mood(models.TextChoices):
    GOOD = "good", _("精神好")
    FAIR = "fair", _("一般")
    LOW = "low", _("情绪低落")
    UNWELL = "unwell", _("身体不适")


READING_FIELDS = ("bp_systolic", "bp_diastolic", "pulse", "glucose", "glucose_context")


class Visit(models.Model):
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("关爱对象"),
        on_delete=models.CASCADE,
        related_name="care_visits",
    )
    plan = models.ForeignKey(
        CarePlan,
        verbose_name=_("关爱计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_visits",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visited_at = models.DateTimeField(_("走访时间"))
    kind = models.CharField(
        _("方式"), max_length=10, choices=VisitKind.choices, default=VisitKind.HOME
    )
    services = models.JSONField(_("服务内容"), default=list, blank=True)
    # Time spent serving, travel excluded: it becomes the volunteer's service hours.
    duration_minutes = models.PositiveIntegerField(_("服务时长(分钟)"), null=True, blank=True)
    # Blood pressure, pulse and blood sugar as one JSON document, encrypted at rest;
    # read through ``readings``. Empty when nothing was measured.
    readings_encrypted = EncryptedTextField(_("健康读数(加密)"), blank=True)
    mood = models.CharField(_("精神状态"), max_length=10, choices=Mood.choices, blank=True)
    note = models.TextField(_("走访记录"), blank=True)
    concern = models.CharField(_("反映的困难"), max_length=200, blank=True)
    concern_request = models.ForeignKey(
        "requests.Request",
        verbose_name=_("转成的诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_visits",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-pk"]
        indexes = [
            models.Index(fields=["resident", "kind", "visited_at"]),
            models.Index(fields=["volunteer", "visited_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.visited_at:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def readings(self) -> dict[str, Any]:
        if not self.readings_encrypted:
            return {}
        data: dict[str, Any] = json.loads(self.readings_encrypted)
        if data.get("glucose") is not None:
            try:
                data["glucose"] = Decimal(str(data["glucose"]))
            except InvalidOperation:
                data["glucose"] = None
        return data

    @readings.setter
    def readings(self, values: dict[str, Any]) -> None:
        kept = {k: values.get(k) for k in READING_FIELDS if values.get(k) not in (None, "")}
        if "glucose" in kept:
            kept["glucose"] = str(kept["glucose"])
        self.readings_encrypted = json.dumps(kept, sort_keys=True) if kept else ""

    @property
    def has_readings(self) -> bool:
        return bool(self.readings_encrypted)

    @property
    def service_labels(self) -> list[str]:
        return service_labels(list(self.services or []))


class AlertKind(models.TextChoices):
    BLOOD_PRESSURE = "bp", _("血压异常")
    GLUCOSE = "glucose", _("血糖异常")
    OVERDUE = "overdue", _("走访逾期")
    REPEATED_CONCERN = "repeated_concern", _("连续反映同一困难")


class AlertLevel(models.TextChoices):
    HIGH = "high", _("偏高")
    URGENT = "urgent", _("紧急")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已知悉")
    CLOSED = "closed", _("已关闭")


class Alert(models.Model):
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("关爱对象"),
        on_delete=models.CASCADE,
        related_name="care_alerts",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("走访记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    level = models.CharField(_("级别"), max_length=10, choices=AlertLevel.choices)
    status = models.CharField(
        _("状态"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    # Says what was seen without the figures (those stay with the encrypted visit).
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
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
        verbose_name = _("关爱预警")
        verbose_name_plural = _("关爱预警")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "level", "created_at"])]
        constraints = [
            # One open overdue alert per person: the daily check must not pile them up.
            models.UniqueConstraint(
                fields=["resident", "kind"],
                condition=Q(kind="overdue") & ~Q(status="closed"),
                name="care_alert_one_open_overdue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_kind_display()}({self.get_level_display()})"
