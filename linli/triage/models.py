"""What triage keeps in the database: its suggestion for a request, and the labelled
examples (corrections) staff produce when they change a request's category or place."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area
from linli.requests.models import Request


class Suggestion(models.Model):
    """What the reader made of a request filed without category or location."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="triage_suggestion"
    )
    category = models.CharField(_("建议类别"), max_length=30)
    building = models.PositiveSmallIntegerField(_("楼号"), null=True, blank=True)
    unit = models.PositiveSmallIntegerField(_("单元"), null=True, blank=True)
    room = models.CharField(_("房号"), max_length=10, blank=True)
    compound_name = models.CharField(_("小区"), max_length=100, blank=True)
    # The building or unit the reading was resolved to, if it was found in the area tree.
    location = models.ForeignKey(
        Area,
        verbose_name=_("建议位置"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    urgent = models.BooleanField(_("紧急"), default=False)
    # The words that made the reader call it urgent, shown on the request page.
    urgent_reason = models.CharField(_("判定为紧急的依据"), max_length=200, blank=True)
    confidence = models.FloatField(_("置信度"))
    # Applied at filing (confident enough), or accepted later by a dispatcher.
    applied = models.BooleanField(_("已采用"), default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("采纳人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("采纳时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("分诊建议")
        verbose_name_plural = _("分诊建议")

    def __str__(self) -> str:
        return f"{self.request_id} {self.category} {self.confidence:.2f}"


class Correction(models.Model):
    """A labelled example: a request's text with the category and place staff gave it.

    ``linli triage train`` adds these to the shipped corpus."""

    request = models.ForeignKey(
        Request,
        verbose_name=_("诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="triage_corrections",
    )
    text = models.TextField(_("内容"))
    category = models.CharField(_("类别"), max_length=30)
    building = models.PositiveSmallIntegerField(_("楼号"), null=True, blank=True)
    unit = models.PositiveSmallIntegerField(_("单元"), null=True, blank=True)
    room = models.CharField(_("房号"), max_length=10, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    # Staff said an urgent reading was a false alarm (the reason they gave).
    urgency_cleared_reason = models.CharField(_("解除紧急的理由"), max_length=200, blank=True)
    previous_category = models.CharField(_("原类别"), max_length=30, blank=True)
    previous_location = models.CharField(_("原位置"), max_length=200, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("分诊更正")
        verbose_name_plural = _("分诊更正")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.category} {self.text[:20]}"

    def as_example(self) -> dict[str, object]:
        """The JSON-lines form of the corpus (see linli/triage/corpus)."""
        return {
            "text": self.text,
            "category": self.category,
            "building": self.building,
            "unit": self.unit,
            "room": self.room or None,
            "urgent": self.urgent,
        }
