"""Summer programmes for children (暑期托管 / 假期港湾) at party-mass service stations.

A :class:`Site` (党群服务站) lies in an area and has a site lead. A :class:`Programme`
runs there in one or more :class:`Phase` s (dates, weekdays, daily hours with a closing
time, capacity, age range, fee); each phase has a weekly timetable of :class:`Slot` s.
A guardian enrols a child (both residents of the register) in a phase
(:class:`Enrolment`), naming who may pick the child up (:class:`PickupPerson`, phones
encrypted). Each day the site team signs children in and out (:class:`Attendance`);
a refused hand-over is kept (:class:`PickupRefusal`), and so are incidents.

Children's data is the most sensitive in the system: only the site team (the site lead,
the programme's team, staff managing programmes over the area) and the child's own
guardian see it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.fields import EncryptedTextField
from linli.core.models import TimeStampedModel
from linli.core.validators import mask_phone


class Site(TimeStampedModel):
    """A party-mass service station (党群服务站) where programmes run."""

    name = models.CharField(_("站点名称"), max_length=80)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在区域"),
        on_delete=models.PROTECT,
        related_name="programme_sites",
    )
    address = models.CharField(_("地址"), max_length=120, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("站点负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programme_sites_led",
    )

    class Meta:
        verbose_name = _("党群服务站")
        verbose_name_plural = _("党群服务站")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Programme(TimeStampedModel):
    name = models.CharField(_("项目名称"), max_length=80)
    site = models.ForeignKey(
        Site, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="programmes"
    )
    description = models.TextField(_("简介"), blank=True)
    # The site team beyond the lead: volunteers and staff who sign children in and out.
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("站点团队"),
        blank=True,
        related_name="programme_teams",
    )

    class Meta:
        verbose_name = _("暑期托管项目")
        verbose_name_plural = _("暑期托管项目")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


# ISO weekday (1 is Monday) to its name.
WEEKDAY_NAMES = {
    1: _("周一"),
    2: _("周二"),
    3: _("周三"),
    4: _("周四"),
    5: _("周五"),
    6: _("周六"),
    7: _("周日"),
}


class Phase(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("阶段名称"), max_length=60)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    # ISO weekdays the phase runs on, as digits: "12345" is Monday to Friday.
    weekdays = models.CharField(_("开放日(周几)"), max_length=7, default="12345")
    opens_at = models.TimeField(_("每日开始时间"))
    closes_at = models.TimeField(_("每日结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    min_age = models.PositiveSmallIntegerField(_("最小年龄"), default=6)
    max_age = models.PositiveSmallIntegerField(_("最大年龄"), default=14)
    fee = models.DecimalField(_("费用(元)"), max_digits=8, decimal_places=2, default=Decimal(0))

    class Meta:
        verbose_name = _("项目阶段")
        verbose_name_plural = _("项目阶段")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="phase_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="phase_hours_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.name}"

    @property
    def weekday_labels(self) -> str:
        return "、".join(str(WEEKDAY_NAMES[int(d)]) for d in self.weekdays if d in "1234567")


class SlotKind(models.TextChoices):
    HOMEWORK = "homework", _("课业辅导")
    READING = "reading", _("阅读分享")
    SPORTS = "sports", _("趣味运动")
    SAFETY = "safety", _("安全小课堂")
    CALLIGRAPHY = "calligraphy", _("书法绘画")
    CRAFTS = "crafts", _("传统手工")
    FLAG_STORY = "flag_story", _("国旗国徽故事会")
    OTHER = "other", _("其他")


class Slot(models.Model):
    """A timetable slot: on an ISO weekday (or every open day) from a time to a time."""

    phase = models.ForeignKey(
        Phase, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(_("周几(空为每天)"), null=True, blank=True)
    starts_at = models.TimeField(_("开始"))
    ends_at = models.TimeField(_("结束"))
    kind = models.CharField(_("内容"), max_length=20, choices=SlotKind.choices)
    title = models.CharField(_("标题"), max_length=60, blank=True)
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programme_slots",
    )
    teacher_name = models.CharField(_("授课老师"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("课表")
        verbose_name_plural = _("课表")
        ordering = ["weekday", "starts_at", "pk"]

    def __str__(self) -> str:
        return (
            f"{self.weekday_label} {self.starts_at:%H:%M} {self.title or self.get_kind_display()}"
        )

    @property
    def weekday_label(self) -> str:
        return str(WEEKDAY_NAMES[self.weekday]) if self.weekday else str(_("每天"))

    @property
    def leader_name(self) -> str:
        return self.volunteer.name if self.volunteer else self.teacher_name


class Duty(models.Model):
    """A volunteer on the rota: on duty for a day of a phase, for one slot or (no slot)
    the whole day. Once served, the time is credited to the volunteers app as a
    :class:`~linli.volunteers.models.ServiceRecord` (``service_record``)."""

    phase = models.ForeignKey(
        Phase, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="duties"
    )
    day = models.DateField(_("日期"), db_index=True)
    slot = models.ForeignKey(
        Slot,
        verbose_name=_("课程(空为全天值班)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="duties",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="programme_duties",
    )
    service_record = models.ForeignKey(
        "volunteers.ServiceRecord",
        verbose_name=_("服务记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("志愿者值班")
        verbose_name_plural = _("志愿者值班")
        ordering = ["day", "slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "day", "slot"], name="duty_once_per_slot"),
            models.UniqueConstraint(
                fields=["volunteer", "day"],
                condition=Q(slot__isnull=True),
                name="duty_whole_day_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.day:%Y-%m-%d}"

    @property
    def starts_at(self) -> dt.time:
        return self.slot.starts_at if self.slot else self.phase.opens_at

    @property
    def ends_at(self) -> dt.time:
        return self.slot.ends_at if self.slot else self.phase.closes_at

    @property
    def minutes(self) -> int:
        start = dt.datetime.combine(self.day, self.starts_at)
        return int((dt.datetime.combine(self.day, self.ends_at) - start).total_seconds() // 60)


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已报名")
    WAITING = "waiting", _("候补")
    WITHDRAWN = "withdrawn", _("已退出")


class Enrolment(TimeStampedModel):
    phase = models.ForeignKey(
        Phase, verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="enrolments"
    )
    child = models.ForeignKey(
        "people.Resident",
        verbose_name=_("儿童"),
        on_delete=models.PROTECT,
        related_name="programme_enrolments",
    )
    guardian = models.ForeignKey(
        "people.Resident",
        verbose_name=_("监护人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="programme_enrolments_as_guardian",
    )
    guardian_relation = models.CharField(_("与儿童关系"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    # Health data: kept only while the child's health consent is active.
    allergies = EncryptedTextField(_("过敏情况"), blank=True)
    health_notes = EncryptedTextField(_("健康提示"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("家长满意度(1-5)"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("家长评价"), blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "child"],
                condition=~Q(status="withdrawn"),
                name="enrolment_once_per_phase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.phase}"


class PickupPerson(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="pickups"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与儿童关系"), max_length=20)
    phone = EncryptedTextField(_("电话"))

    class Meta:
        verbose_name = _("授权接送人")
        verbose_name_plural = _("授权接送人")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}({self.relation})"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Attendance(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="attendances"
    )
    day = models.DateField(_("日期"), db_index=True)
    signed_in_at = models.DateTimeField(_("签到时间"))
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    signed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签退经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    picked_up_by = models.ForeignKey(
        PickupPerson,
        verbose_name=_("接走人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    picked_up_by_name = models.CharField(_("接走人姓名"), max_length=50, blank=True)
    alert_raised_at = models.DateTimeField(_("未接走提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到签退")
        verbose_name_plural = _("签到签退")
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.child} {self.day:%Y-%m-%d}"


class PickupRefusal(models.Model):
    """A hand-over refused because the person is not on the child's list."""

    attendance = models.ForeignKey(
        Attendance, verbose_name=_("签到"), on_delete=models.CASCADE, related_name="refusals"
    )
    name_given = models.CharField(_("来接人姓名"), max_length=50)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("拒绝接走记录")
        verbose_name_plural = _("拒绝接走记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.attendance} {self.name_given}"


class Incident(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="incidents"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("涉及儿童"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
    )
    happened_at = models.DateTimeField(_("发生时间"))
    description = models.TextField(_("经过"))
    action_taken = models.TextField(_("处理情况"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-happened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.programme} {self.happened_at:%Y-%m-%d}"
