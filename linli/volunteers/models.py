"""Volunteers and the service they give.

A volunteer is a person first: usually a registered resident (a party member of the
compound), sometimes only a user (a university student). Service hours are kept as
one :class:`ServiceRecord` per piece of service, whatever produced it (a home visit,
later an activity), so that hours, points and certificates are sums over one table.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimeStampedModel


class VolunteerKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("党员志愿者")
    DUAL_REPORT = "dual_report", _("在职党员双报到")
    STUDENT = "student", _("大学生志愿者")
    RESIDENT = "resident", _("居民志愿者")


class Volunteer(TimeStampedModel):
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(
        _("志愿者类型"),
        max_length=20,
        choices=VolunteerKind.choices,
        default=VolunteerKind.RESIDENT,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_profile",
    )
    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("居民档案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_profile",
    )
    # The community the volunteer serves in: their scope anchor for staff lists.
    community = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="volunteers",
        limit_choices_to={"kind": "community"},
    )
    # Where they live or usually serve; the roster prefers volunteers of the person's grid.
    grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("所在网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
    )
    active = models.BooleanField(_("在册"), default=True)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(resident__isnull=False),
                name="volunteer_is_user_or_resident",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceSource(models.TextChoices):
    VISIT = "visit", _("关爱走访")
    ACTIVITY = "activity", _("活动")
    PROGRAMME = "programme", _("暑期托管")
    OTHER = "other", _("其他")
    # The volunteer's own claim for service outside the system: the one source reviewed.
    CLAIM = "claim", _("本人补报")


class HoursStatus(models.TextChoices):
    """Where a service record stands: only approved hours count anywhere."""

    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已确认")
    REJECTED = "rejected", _("已退回")
    # Taken back by the volunteer before review; it can be corrected and submitted again.
    WITHDRAWN = "withdrawn", _("已撤回")


class HoursActor(models.TextChoices):
    VOLUNTEER = "volunteer", _("志愿者本人")
    REVIEWER = "reviewer", _("审核人")


# The workflow of hand-submitted hours as data: (from, to) → who may make the change.
# Records from a verified source (a visit, an activity marked held, a credited duty, a
# manager's own entry) are written approved and never enter it.
HOURS_TRANSITIONS: dict[tuple[str, str], HoursActor] = {
    (HoursStatus.SUBMITTED, HoursStatus.APPROVED): HoursActor.REVIEWER,
    (HoursStatus.SUBMITTED, HoursStatus.REJECTED): HoursActor.REVIEWER,
    # The volunteer corrects a pending or returned record; it waits for review again.
    (HoursStatus.SUBMITTED, HoursStatus.SUBMITTED): HoursActor.VOLUNTEER,
    (HoursStatus.REJECTED, HoursStatus.SUBMITTED): HoursActor.VOLUNTEER,
    # The volunteer takes back a claim still waiting (撤回), and may submit it again.
    (HoursStatus.SUBMITTED, HoursStatus.WITHDRAWN): HoursActor.VOLUNTEER,
    (HoursStatus.WITHDRAWN, HoursStatus.SUBMITTED): HoursActor.VOLUNTEER,
}


def hours_transition_allowed(current: str, to: str, actor: HoursActor) -> bool:
    return HOURS_TRANSITIONS.get((current, to)) == actor


class ServiceRecordQuerySet(models.QuerySet["ServiceRecord"]):
    def counted(self) -> ServiceRecordQuerySet:
        """The records that count in totals, certificates, rankings and reports."""
        return self.filter(status=HoursStatus.APPROVED)


class ServiceRecord(models.Model):
    """One piece of service: its time (travel excluded), content and what produced it.

    Hand-submitted hours wait for a manager's review (``status``); only approved records
    count (``ServiceRecord.objects.counted()``)."""

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    started_at = models.DateTimeField(_("服务时间"), db_index=True)
    minutes = models.PositiveIntegerField(_("服务时长(分钟)"))
    content = models.CharField(_("服务内容"), max_length=200)
    source = models.CharField(_("来源"), max_length=20, choices=ServiceSource.choices)
    # The primary key of the visit or activity, so a record is written once per source.
    source_id = models.CharField(_("来源编号"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    place = models.CharField(_("服务地点"), max_length=100, blank=True)
    status = models.CharField(
        _("审核状态"),
        max_length=10,
        choices=HoursStatus.choices,
        default=HoursStatus.SUBMITTED,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reject_reason = models.CharField(_("退回原因"), max_length=200, blank=True)

    objects: ClassVar[ServiceRecordQuerySet] = ServiceRecordQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "source", "source_id"],
                condition=~Q(source_id=""),
                name="service_record_once_per_source",
            ),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="service_minutes_positive"),
            models.CheckConstraint(
                condition=~Q(status=HoursStatus.REJECTED) | ~Q(reject_reason=""),
                name="service_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "started_at"]),
            # The review queue: what waits, oldest first.
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.started_at:%Y-%m-%d} {self.minutes} 分钟"


class TeamKind(models.TextChoices):
    SERVICE = "service", _("服务队")
    PARTY_POST = "party_post", _("党员先锋岗")


class Team(TimeStampedModel):
    name = models.CharField(_("队伍名称"), max_length=60)
    kind = models.CharField(
        _("队伍类型"), max_length=20, choices=TeamKind.choices, default=TeamKind.SERVICE
    )
    community = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
        limit_choices_to={"kind": "community"},
    )
    description = models.CharField(_("简介"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_name_per_community"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="memberships"
    )
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("志愿者"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    is_leader = models.BooleanField(_("队长"), default=False)
    joined_on = models.DateField(_("入队日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["-is_leader", "volunteer__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="team_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.volunteer}"


class Skill(models.Model):
    name = models.CharField(_("技能"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VolunteerSkill(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "skill"], name="volunteer_skill_once"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id}:{self.skill_id}"


class Weekday(models.IntegerChoices):
    MON = 0, _("周一")
    TUE = 1, _("周二")
    WED = 2, _("周三")
    THU = 3, _("周四")
    FRI = 4, _("周五")
    SAT = 5, _("周六")
    SUN = 6, _("周日")


class DaySlot(models.TextChoices):
    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")
    EVENING = "evening", _("晚上")


SLOT_ORDER = [DaySlot.MORNING, DaySlot.AFTERNOON, DaySlot.EVENING]


class Availability(models.Model):
    """One weekly slot in which a volunteer can usually serve (e.g. 周三下午)."""

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("志愿者"),
        on_delete=models.CASCADE,
        related_name="availability",
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    slot = models.CharField(_("时段"), max_length=10, choices=DaySlot.choices)

    class Meta:
        verbose_name = _("可服务时段")
        verbose_name_plural = _("可服务时段")
        ordering = ["weekday", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "weekday", "slot"], name="availability_slot_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}{self.get_slot_display()}"


class ServiceCertificate(models.Model):
    """A 志愿服务证明 as issued: what it said, so its number can be verified later."""

    number = models.CharField(_("证明编号"), max_length=40, unique=True)
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    issuer = models.ForeignKey(
        "areas.Area",
        verbose_name=_("出具单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateField(_("服务起始日期"), null=True, blank=True)
    period_end = models.DateField(_("服务截止日期"))
    minutes = models.PositiveIntegerField(_("服务时长(分钟)"))
    record_count = models.PositiveIntegerField(_("服务次数"))
    content_summary = models.CharField(_("服务内容"), max_length=300)
    issued_on = models.DateField(_("出具日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.number
