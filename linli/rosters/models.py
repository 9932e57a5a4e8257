"""The weekly visiting roster: who visits whom on which day, and what could not be covered.

A roster is generated for one week (Monday to Sunday) and replaced whole when generated
again, so it is plain data: :class:`RosterAssignment` rows for the visits planned and
:class:`RosterGap` rows, in Chinese, for the visits no volunteer could take.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.volunteers.models import DaySlot


class RosterAssignment(models.Model):
    week_start = models.DateField(_("周一日期"), db_index=True)
    plan = models.ForeignKey(
        "care.CarePlan",
        verbose_name=_("关爱计划"),
        on_delete=models.CASCADE,
        related_name="roster_assignments",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("关爱对象"),
        on_delete=models.CASCADE,
        related_name="roster_assignments",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        on_delete=models.CASCADE,
        related_name="roster_assignments",
    )
    day = models.DateField(_("计划日期"))
    slot = models.CharField(_("时段"), max_length=10, choices=DaySlot.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访排班")
        verbose_name_plural = _("走访排班")
        ordering = ["day", "slot", "resident__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "day"], name="roster_one_visit_per_person_per_day"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "day", "slot"], name="roster_one_visit_per_volunteer_slot"
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "week_start"])]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_slot_display()} {self.volunteer} → {self.resident}"


class RosterGap(models.Model):
    week_start = models.DateField(_("周一日期"), db_index=True)
    plan = models.ForeignKey(
        "care.CarePlan",
        verbose_name=_("关爱计划"),
        on_delete=models.CASCADE,
        related_name="roster_gaps",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("关爱对象"),
        on_delete=models.CASCADE,
        related_name="roster_gaps",
    )
    missing = models.PositiveSmallIntegerField(_("缺少次数"))
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("排班缺口")
        verbose_name_plural = _("排班缺口")
        ordering = ["-missing", "resident__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["week_start", "plan"], name="roster_gap_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.missing} · {self.reason}"
