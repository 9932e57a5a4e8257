from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def choice_display(field: str, choices: type[models.Choices]) -> Callable[[models.Model], Any]:
    """A ``get_<field>_display`` that reads one label.

    Django's own builds a dict of every choice on each call, hashing every lazy label on
    the way (one translation lookup per choice): on a 20-row list showing a status and a
    channel, some 300 lookups, ≈3 ms of the page. Defined in the model's body (Django
    then keeps it, see ``Field.contribute_to_class``), this one looks the value up in a
    mapping made once and translates only the label it returns; an unknown value comes
    back as it is, as Django's does.
    """
    labels = dict(choices.choices)

    def display(self: models.Model) -> Any:
        value = getattr(self, field)
        label = labels.get(value)
        return value if label is None else str(label)

    display.__name__ = f"get_{field}_display"
    return display


class AuditTrailError(Exception):
    """An attempt to change or delete an audit record."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # Bulk changes would bypass ``save``/``delete``; only ``linli audit prune`` removes
    # records, and it does so through ``linli.core.audit.audit_prune``.
    def update(self, **kwargs: Any) -> int:
        raise AuditTrailError("audit records cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailError("audit records cannot be deleted")


class AuditEvent(models.Model):
    """One append-only record of a write or of a look at sensitive data.

    Records form a hash chain: ``hash`` is the SHA-256 of the record's canonical
    serialisation, which includes ``prev_hash``, the hash of the record before it
    (see ``linli.core.audit``). Changing, inserting or removing a record breaks the
    chain, and ``linli audit verify`` finds the first broken record.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        REVEAL = "reveal", _("查看敏感信息")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        TOKEN = "token", _("接口令牌")
        VIEW = "view", _("查看")
        EXPORT = "export", _("导出")
        DENIED = "denied", _("拒绝访问")
        PRUNE = "prune", _("清理过期记录")
        KEYS = "keys", _("密钥管理")
        BACKUP = "backup", _("备份")
        RESTORE = "restore", _("恢复")
        ROSTER_GENERATE = "roster.generate", _("生成走访排班")
        NOTIFY = "notify", _("发送通知")
        ANONYMISE = "anonymise", _("匿名化")
        APPROVE = "approve", _("审核通过")
        REJECT = "reject", _("审核退回")

    # Set before hashing (not auto_now_add, which would overwrite it on save).
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    fields = models.JSONField(_("字段"), default=list, blank=True)
    success = models.BooleanField(_("成功"), default=True)
    source_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # The acting user's id as recorded: the hash covers it (from hash version 2), and
    # it survives the ``actor`` link being cleared when the user is deleted.
    actor_ref = models.BigIntegerField(_("操作人编号"), null=True, blank=True, editable=False)
    # 1: records from before the hash covered the actor's id; 2: it does.
    hash_version = models.PositiveSmallIntegerField(_("哈希版本"), default=1, editable=False)
    sequence = models.BigIntegerField(_("序号"), unique=True, null=True, editable=False)
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, blank=True, editable=False)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action", "created_at"]),
            models.Index(fields=["actor_name"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailError("audit records cannot be deleted")


class AuditChainHead(models.Model):
    """The single row that serialises writers of the audit chain.

    ``audit_record`` locks it (``select_for_update``; on SQLite the IMMEDIATE
    transaction already holds the write lock) so two writers cannot both append after
    the same record. It also remembers the last record, so that removing records from
    the end is detected, and the anchor left by pruning: the sequence number and hash
    of the last removed record, which the first remaining record must point to.
    """

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    anchor_sequence = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.last_sequence}"
