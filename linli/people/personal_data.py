"""What the register itself holds about a person, for the privacy mechanism
(:mod:`linli.privacy`): its export, retention rule and anonymisation hook."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.selectors import compound_or_community_of
from linli.people.models import Consent, EmergencyContact, Relation, Resident, ResidentTag
from linli.privacy.registry import ANONYMOUS_NAME, Row, Sections, format_date, format_time


def anonymise_register(resident: Resident, actor: User | None) -> None:
    now = timezone.now()
    EmergencyContact.objects.filter(resident=resident).delete()
    ResidentTag.objects.filter(resident=resident).update(detail="")
    for consent in Consent.objects.filter(resident=resident):
        consent.given_by_name = ANONYMOUS_NAME
        consent.given_by_relation = ""
        consent.guardian = None
        consent.note = ""
        consent.withdrawal_note = consent.withdrawal_note and ANONYMOUS_NAME
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
        consent.save()
    resident.name = ANONYMOUS_NAME
    resident.alias = ""
    resident.id_number = ""
    resident.id_number_hash = ""
    resident.phone = ""
    resident.phone_hash = ""
    resident.birth_date = dt.date(resident.birth_date.year, 1, 1)
    resident.household = None
    resident.area = resident.area and compound_or_community_of(resident.area)
    resident.relation_to_head = Relation.OTHER
    resident.notes = ""
    if resident.user is not None:
        _close_account(resident.user)
    resident.user = None
    resident.anonymised_at = now
    resident.save()


def _close_account(user: User) -> None:
    """The person's login goes with them: no name, no roles, tokens or messages, no way in."""
    user.role_assignments.all().delete()
    user.api_tokens.all().delete()
    user.notifications.all().delete()
    user.username = f"anonymised-{user.pk}"
    user.full_name = ANONYMOUS_NAME
    user.phone = ""
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


# --- what the register itself holds ------------------------------------------------------


def export_register(resident: Resident) -> Sections:
    from linli.people.selectors import household_label

    household = resident.household
    basic: Row = {
        _("姓名"): resident.name,
        _("常用称呼"): resident.alias,
        _("性别"): resident.get_gender_display(),
        _("出生日期"): format_date(resident.birth_date),
        _("身份证号"): resident.id_number,
        _("手机号"): resident.phone,
        _("住址"): household_label(household) if household else "",
        _("与户主关系"): resident.get_relation_to_head_display(),
        _("备注"): resident.notes,
        _("登记时间"): format_time(resident.created_at),
        _("最近修改"): format_time(resident.updated_at),
        _("登录账号"): resident.user.get_username() if resident.user else "",
    }
    tags: list[Row] = [
        {_("标签"): link.tag.name, _("补充说明"): link.detail}
        for link in resident.tag_links.select_related("tag")
    ]
    contacts: list[Row] = [
        {_("姓名"): c.name, _("关系"): c.relation, _("电话"): c.phone, _("说明"): c.note}
        for c in resident.emergency_contacts.all()
    ]
    consents: list[Row] = [
        _consent_row(c)
        for c in resident.consents.select_related("recorded_by", "withdrawn_by").order_by(
            "recorded_at", "pk"
        )
    ]
    as_guardian: list[Row] = [
        {_("儿童"): c.resident.name, **_consent_row(c)}
        for c in Consent.objects.filter(guardian=resident)
        .select_related("resident", "recorded_by", "withdrawn_by")
        .order_by("recorded_at", "pk")
    ]
    sections: Sections = {
        _("基本信息"): [basic],
        _("服务标签"): tags,
        _("紧急联系人"): contacts,
        _("授权同意"): consents,
    }
    if as_guardian:
        sections[_("作为监护人的同意")] = as_guardian
    return sections


def _consent_row(consent: Consent) -> Row:
    return {
        _("用途"): consent.get_purpose_display(),
        _("同意人"): consent.given_by_name,
        _("与本人关系"): consent.given_by_relation,
        _("方式"): consent.get_method_display(),
        _("说明"): consent.note,
        _("记录人"): str(consent.recorded_by) if consent.recorded_by else "",
        _("记录时间"): format_time(consent.recorded_at),
        _("撤回时间"): format_time(consent.withdrawn_at),
        _("撤回原因"): consent.withdrawal_note,
    }


def register_retention(resident: Resident) -> list[str]:
    """A guardian named on a child's active consent is kept: the consent is evidence."""
    children = Consent.objects.filter(guardian=resident, withdrawn_at__isnull=True).values_list(
        "resident__name", flat=True
    )
    return [
        _("该居民是%(child)s的监护人,监护人同意仍然有效;请先处理该儿童的授权。") % {"child": name}
        for name in children
    ]
