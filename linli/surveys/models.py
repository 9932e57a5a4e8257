"""Resident surveys (民意调查): questionnaires, who is asked, and anonymous answers.

A survey belongs to one community. Opening it invites households — all of its audience
(the community, a compound or building, or one grid) or a random sample of them — each
with a one-time code that a resident enters by link or QR code, without an account. A
household answers once. An answer keeps its grid (for results by grid) but no link to the
household or the code unless the survey is named (实名), in which case the resident who
answered while signed in is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimeStampedModel


class Survey(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    title = models.CharField(_("标题"), max_length=100)
    intro = models.TextField(_("说明"), blank=True)
    community = models.ForeignKey(
        "areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="surveys"
    )
    audience_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("调查范围"),
        on_delete=models.PROTECT,
        related_name="audience_surveys",
        help_text=_("社区、小区或楼栋;全社区时即为社区本身。"),
    )
    audience_grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("调查网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    sample_size = models.PositiveIntegerField(
        _("随机抽样户数"), null=True, blank=True, help_text=_("留空则调查范围内的每一户。")
    )
    named = models.BooleanField(
        _("实名"), default=False, help_text=_("实名调查记录登录作答的居民;默认匿名。")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opened_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("民意调查")
        verbose_name_plural = _("民意调查")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        SCALE = "scale", _("1–5 分")
        TEXT = "text", _("文字")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("题目"), max_length=200)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    dimension = models.CharField(
        _("指标"),
        max_length=20,
        blank=True,
        help_text=_("获得感、幸福感、安全感等;同一指标的题目在结果中合并统计。"),
    )

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """One household asked to answer one survey, with its one-time code."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    household = models.ForeignKey(
        "people.Household", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    grid = models.ForeignKey("areas.Grid", null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(_("答题码"), max_length=16, unique=True)
    answered_at = models.DateTimeField(_("作答时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "household"], name="invitation_household_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.code}"


class Response(models.Model):
    """One household's answers. No link to the household or its code (anonymous)."""

    class Via(models.TextChoices):
        CODE = "code", _("答题码")
        ACCOUNT = "account", _("登录作答")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    grid = models.ForeignKey("areas.Grid", null=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(_("方式"), max_length=10, choices=Via.choices)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("作答居民"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        help_text=_("只有实名调查才记录。"),
    )
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.survey} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(_("所选"), default=list, blank=True)
    scale = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    text = models.TextField(_("文字回答"), blank=True)
    request = models.ForeignKey(
        "requests.Request",
        verbose_name=_("转为诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.question} · {self.pk}"
