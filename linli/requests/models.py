from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area, Grid
from linli.core.models import TimeStampedModel, choice_display
from linli.organisations.models import Organisation
from linli.people.models import Resident
from linli.requests.workflow import Status


class Category(models.Model):
    """A request category with its deadlines (hours from submission)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    handling_hours = models.PositiveIntegerField(_("办理时限(小时)"))
    response_hours = models.PositiveIntegerField(_("响应时限(小时)"), default=24)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    RESIDENT_PAGE = "resident_page", _("居民自助")
    CHAT = "chat", _("群聊")
    PHONE = "phone", _("电话")
    PATROL = "patrol", _("网格巡查")
    PARTY_DAY = "party_day", _("主题党日")
    SINK_DOWN = "sink_down", _("干部下沉")
    VISIT = "visit", _("入户走访")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    SURVEY = "survey", _("民意调查")
    # A follow-up filed by staff from a community activity (a free clinic): issue 14.
    ACTIVITY = "activity", _("社区活动")


class Request(TimeStampedModel):
    """A resident's request (诉求), from any channel to a verified, rated close."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    text = models.TextField(_("内容"))
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="requests"
    )
    # Where the problem is: a unit, building, compound or (when unknown) the community.
    location = models.ForeignKey(
        Area, verbose_name=_("位置"), on_delete=models.PROTECT, related_name="requests"
    )
    room = models.CharField(_("房号"), max_length=10, blank=True)
    # The grid of the building at or above the location; empty when the place is only
    # known to the compound or community (the request then waits for dispatch).
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    community = models.ForeignKey(
        Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="community_requests"
    )
    reporter = models.ForeignKey(
        Resident,
        verbose_name=_("反映人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    reporter_name = models.CharField(_("反映人姓名"), max_length=50, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_requests",
    )
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    urgent = models.BooleanField(_("紧急"), default=False)
    # Open311 readers without a key see this request's text and progress notes (still
    # never a name, a phone or a room) once a dispatcher has marked it public.
    public = models.BooleanField(_("公开"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    assignee_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("承办单位/服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    response_due_at = models.DateTimeField(_("响应时限"))
    due_at = models.DateTimeField(_("办理时限"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    # A person's first action towards the reporter (start, 已联系, or a reasoned
    # rejection): the 响应率 counts this, never the automatic acceptance at submission.
    responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolved_requests",
    )
    resolution_note = models.TextField(_("办理结果"), blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    escalated_at = models.DateTimeField(_("超期上报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["grid", "status"]),
            models.Index(fields=["community", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["channel"]),
            models.Index(fields=["category", "submitted_at"]),
            # Figures of a community, town or county by month (figures.place_condition).
            models.Index(fields=["community", "submitted_at"]),
            # The queue's order (see selectors.OverdueFirst): walked in order, stopping at
            # a page; the partial one holds only open requests, where the overdue ones are.
            models.Index(fields=["-urgent", "due_at", "id"], name="requests_queue_order"),
            models.Index(
                fields=["-urgent", "due_at", "id"],
                name="requests_open_queue_order",
                condition=Q(status__in=["submitted", "accepted", "assigned", "in_progress"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED])
                | Q(assignee__isnull=False)
                | Q(assignee_organisation__isnull=False),
                name="request_assigned_has_assignee",
            ),
        ]

    # Every list of requests shows these two (see choice_display).
    get_status_display = choice_display("status", Status)
    get_channel_display = choice_display("channel", Channel)

    def __str__(self) -> str:
        return f"{self.number} {self.text[:20]}"


class RequestPhoto(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("反映时")
        RESOLUTION = "resolution", _("办结时")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    image = models.ImageField(_("照片"), upload_to="requests/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_kind_display()}"


class RequestEvent(models.Model):
    """One line of a request's timeline: who did what, when, from which state to which."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交")
        TRANSITION = "transition", _("流转")
        AUTO = "auto", _("自动流转")
        ESCALATION = "escalation", _("超期上报")
        FEEDBACK = "feedback", _("回访评价")
        MEDIATION = "mediation", _("调解")
        COMMENT = "comment", _("备注")
        CONTACTED = "contacted", _("已联系")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transition = models.CharField(_("动作"), max_length=20, blank=True)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("诉求记录")
        verbose_name_plural = _("诉求记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_kind_display()}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Feedback(models.Model):
    """A follow-up (回访): did it get solved, and how satisfied is the resident."""

    class Via(models.TextChoices):
        REPORTER = "reporter", _("居民自评")
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="feedback")
    resolved = models.BooleanField(_("问题是否解决"))
    satisfaction = models.CharField(_("满意度"), max_length=30, choices=Satisfaction.choices)
    comment = models.TextField(_("意见"), blank=True)
    via = models.CharField(_("方式"), max_length=20, choices=Via.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("回访评价")
        verbose_name_plural = _("回访评价")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_satisfaction_display()}"


class Mediation(TimeStampedModel):
    """The mediation record (调解记录) of a dispute request (矛盾纠纷)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("调解中")
        AGREEMENT = "agreement", _("达成协议")
        NO_AGREEMENT = "no_agreement", _("未达成协议")
        REFERRED_JUDICIAL = "referred_judicial", _("移交司法所")
        REFERRED_COURT = "referred_court", _("引导诉讼")

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="mediation")
    parties = models.TextField(_("当事人"), help_text=_("每行一位当事人,如:张某(3号楼502)"))
    outcome = models.CharField(
        _("调解结果"), max_length=30, choices=Outcome.choices, default=Outcome.PENDING
    )
    agreement_text = models.TextField(_("协议内容"), blank=True)
    concluded_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_outcome_display()}"

    @property
    def party_list(self) -> list[str]:
        return [line.strip() for line in self.parties.splitlines() if line.strip()]


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("调解日期"))
    mediators = models.CharField(_("调解人"), max_length=200)
    notes = models.TextField(_("调解经过"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解会")
        verbose_name_plural = _("调解会")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.mediators}"


class NumberSequence(models.Model):
    """Per-day counters for human-readable request numbers, taken under a row lock."""

    key = models.CharField(max_length=20, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
