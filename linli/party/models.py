"""Party organisation on the grid (党建引领网格): members, posts, theme party days, points.

The organisations themselves — the community committee (党委), its branches (党支部) and
the grid party groups (网格党小组) — are :class:`linli.organisations.models.Organisation`
rows (kinds ``party_committee``, ``party_branch``, ``party_group``) with an area and, for a
group, a grid. This app adds what hangs off them: the members, their 先锋岗 posts, the
monthly theme party days with their attendance and concerns, and the point rules.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimeStampedModel


class MemberKind(models.TextChoices):
    DIRECT = "direct", _("直管党员")
    DUAL_REPORT = "dual_report", _("在职党员双报到")
    MOBILE = "mobile", _("流动党员")


class Position(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    COMMITTEE = "committee", _("委员")
    GROUP_LEADER = "group_leader", _("党小组长")
    MEMBER = "member", _("党员")


class PartyMember(TimeStampedModel):
    """A party member known to the community: a resident or a user (or both)."""

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(
        _("党员类型"), max_length=20, choices=MemberKind.choices, default=MemberKind.DIRECT
    )
    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("居民档案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_membership",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_membership",
    )
    # The branch or grid group the member belongs to (or serves in, when reported in).
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("所在党组织"),
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    position = models.CharField(
        _("职务"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    # Scope anchors: the community, and the grid the member lives in or serves.
    community = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="party_members",
        limit_choices_to={"kind": "community"},
    )
    grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("服务网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
    )
    # 双报到: the member's own party organisation (their workplace) and when they reported.
    home_organisation = models.CharField(_("原单位党组织"), max_length=100, blank=True)
    reported_on = models.DateField(_("报到日期"), null=True, blank=True)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(resident__isnull=False),
                name="party_member_is_user_or_resident",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    BUILDING_HEAD = "building_head", _("楼栋长")
    ELDER_CARE = "elder_care", _("助老")
    ENVIRONMENT = "environment", _("环境")
    SAFETY = "safety", _("平安")
    MEDIATION = "mediation", _("调解")


class VanguardPost(TimeStampedModel):
    """A 先锋岗 duty a member holds, with the buildings it covers."""

    member = models.ForeignKey(
        PartyMember, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="posts"
    )
    kind = models.CharField(_("岗位"), max_length=20, choices=PostKind.choices)
    buildings = models.ManyToManyField(
        "areas.Area", verbose_name=_("负责楼栋"), blank=True, related_name="vanguard_posts"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党员先锋岗")
        verbose_name_plural = _("党员先锋岗")
        ordering = ["member", "kind"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"


class PartyDayState(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举办")


class PartyDay(TimeStampedModel):
    """A theme party day (主题党日) of a branch or a grid group."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="party_days",
    )
    topic = models.CharField(_("主题"), max_length=100)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    planned_for = models.DateField(_("计划日期"), db_index=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=PartyDayState.choices, default=PartyDayState.PLANNED
    )
    held_at = models.DateTimeField(_("举办时间"), null=True, blank=True)
    members_present = models.ManyToManyField(
        PartyMember, verbose_name=_("到场党员"), blank=True, related_name="party_days_attended"
    )
    # Members of the organisation when it was held: the denominator of the attendance rate.
    members_expected = models.PositiveIntegerField(_("应到党员"), default=0)
    residents_present = models.PositiveIntegerField(_("参加群众"), default=0)
    summary = models.TextField(_("活动记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("主题党日")
        verbose_name_plural = _("主题党日")
        ordering = ["-planned_for", "-pk"]

    def __str__(self) -> str:
        return f"{self.planned_for:%Y-%m} {self.topic}"


class PartyDayConcern(models.Model):
    """One small problem a resident raised at a party day, and the request it became."""

    party_day = models.ForeignKey(
        PartyDay, verbose_name=_("主题党日"), on_delete=models.CASCADE, related_name="concerns"
    )
    # The text is the request's own (so anonymising the request scrubs it here too).
    request = models.OneToOneField(
        "requests.Request",
        verbose_name=_("诉求"),
        on_delete=models.PROTECT,
        related_name="party_day_concern",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党日群众反映")
        verbose_name_plural = _("党日群众反映")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.request)


class PointRule(TimeStampedModel):
    """Points per unit of a registered source (``linli.party.points``); admins edit these."""

    source = models.CharField(_("积分来源"), max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=60)
    points_per_unit = models.PositiveIntegerField(_("每单位积分"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("党员积分规则")
        verbose_name_plural = _("党员积分规则")
        ordering = ["source"]

    def __str__(self) -> str:
        return self.label
