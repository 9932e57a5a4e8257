from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimeStampedModel


class Organisation(TimeStampedModel):
    """A party branch, a partner unit (hospital, bank, company) or a service team's home.

    Activities later name one or more organising organisations (党建联建).
    """

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("党委/党总支")
        PARTY_BRANCH = "party_branch", _("党支部")
        PARTY_GROUP = "party_group", _("网格党小组")
        HOSPITAL = "hospital", _("医院")
        BANK = "bank", _("银行")
        ENTERPRISE = "enterprise", _("企业")
        SCHOOL = "school", _("学校")
        GOVERNMENT = "government", _("机关单位")
        SOCIAL = "social", _("社会组织")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所在区域"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    # A grid party group (网格党小组) sits in one grid; ``linli.party`` scopes by it.
    grid = models.ForeignKey(
        "areas.Grid",
        verbose_name=_("所在网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    is_partner = models.BooleanField(_("共建单位"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name
