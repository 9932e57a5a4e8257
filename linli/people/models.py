from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area
from linli.core.fields import EncryptedTextField
from linli.core.models import TimeStampedModel
from linli.core.validators import mask_id_number, mask_phone


class Tag(models.Model):
    """A service tag (独居老人, 低保 …) that later features key on by ``code``."""

    class Group(models.TextChoices):
        CARE = "care", _("关爱对象")
        WELFARE = "welfare", _("民政保障")
        PARTY = "party", _("党员与志愿")
        HOUSING = "housing", _("居住情况")
        OTHER = "other", _("其他")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    group = models.CharField(_("分组"), max_length=20, choices=Group.choices, default=Group.OTHER)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    # e.g. 慢性病 asks which illness; the detail is kept on the resident's tag.
    detail_label = models.CharField(_("补充说明的提示"), max_length=40, blank=True)
    builtin = models.BooleanField(_("系统内置"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("服务标签")
        verbose_name_plural = _("服务标签")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Household(TimeStampedModel):
    """A dwelling: one flat (room) of a unit, and the people registered in it."""

    unit = models.ForeignKey(
        Area,
        verbose_name=_("单元"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": "unit"},
    )
    room = models.CharField(_("房号"), max_length=10)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["unit__path", "room"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.room}室"


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Resident(TimeStampedModel):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    # What neighbours call them (王大娘); searched together with the name.
    alias = models.CharField(_("常用称呼"), max_length=50, blank=True)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    # Encrypted at rest; ``*_hash`` is a keyed digest for exact lookup (linli.core.crypto).
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    household = models.ForeignKey(
        Household,
        verbose_name=_("住户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation_to_head = models.CharField(
        _("与户主关系"), max_length=20, choices=Relation.choices, default=Relation.HEAD
    )
    # Where the person belongs, and so whose scope covers them: the household's unit, or
    # for someone registered without a household the community, compound or building
    # chosen at registration (after anonymisation: the compound or community only).
    # Kept in step with ``household`` by people.services. Nullable only for rows older
    # than the field that had no household (migration 0005 fills the others).
    area = models.ForeignKey(
        Area,
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        db_index=True,
    )
    tags = models.ManyToManyField(
        Tag, verbose_name=_("服务标签"), through="ResidentTag", related_name="residents", blank=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    notes = models.TextField(_("备注"), blank=True)
    # Set when the person's identifying data was replaced on request (PIPL right to
    # deletion); the row stays for statistics (gender, birth year, tags).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["area__path", "household__room", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int:
        return age_on(self.birth_date, timezone.localdate())

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="resident_links")
    detail = models.CharField(_("补充说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("居民标签")
        verbose_name_plural = _("居民标签")
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tag.name}({self.detail})" if self.detail else self.tag.name


class EmergencyContact(models.Model):
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="emergency_contacts"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20)
    phone = EncryptedTextField(_("电话"))
    # Where they are, e.g. "在太原打工" — children working away are the usual contact.
    note = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("紧急联系人")
        verbose_name_plural = _("紧急联系人")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}({self.relation})"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class TagCode:
    """Codes of the built-in tags (migration 0002) that features look up."""

    LIVING_ALONE = "living_alone"
    EMPTY_NEST = "empty_nest"
    ADVANCED_AGE = "advanced_age"
    LIMITED_MOBILITY = "limited_mobility"
    CHRONIC_ILLNESS = "chronic_illness"
    LEFT_BEHIND_CHILD = "left_behind_child"
    DISABILITY = "disability"
    SUBSISTENCE = "subsistence"
    SPECIAL_HARDSHIP = "special_hardship"
    RELOCATED = "relocated"
    TENANT = "tenant"
    PARTY_MEMBER = "party_member"
    VOLUNTEER = "volunteer"
    VETERAN = "veteran"


# PIPL art. 28/31: personal information of a child under 14 is sensitive and needs a guardian.
MINOR_AGE = 14


class ConsentPurpose(models.TextChoices):
    """What sensitive processing a consent covers (PIPL: separate consent per purpose)."""

    HEALTH = "health", _("健康信息(血压、血糖等走访记录)")
    MINOR = "minor", _("未满十四周岁未成年人信息")


class ConsentMethod(models.TextChoices):
    """How the consent was given; the evidence itself is described in the note."""

    WRITTEN = "written", _("书面签字")
    VERBAL = "verbal", _("口头同意(有记录)")
    ONLINE = "online", _("线上确认")


class Consent(models.Model):
    """A recorded, separate consent; a guardian gives it for a child under 14.

    Withdrawal keeps the record (it is evidence) and stops further processing.
    """

    resident = models.ForeignKey(
        Resident, verbose_name=_("居民"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=ConsentPurpose.choices)
    # Who said yes: the person, or for a child the guardian (name kept even if unregistered).
    given_by_name = models.CharField(_("同意人"), max_length=50)
    guardian = models.ForeignKey(
        Resident,
        verbose_name=_("监护人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents_given_as_guardian",
    )
    # For a guardian (or someone signing for an adult): how they stand to the person.
    given_by_relation = models.CharField(_("与本人关系"), max_length=20, blank=True)
    method = models.CharField(
        _("方式"), max_length=40, choices=ConsentMethod.choices, default=ConsentMethod.WRITTEN
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_note = models.CharField(_("撤回说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("授权同意")
        verbose_name_plural = _("授权同意")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_purpose_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
