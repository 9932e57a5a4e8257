"""Writes to the register: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.core import crypto
from linli.core.audit import audit_record
from linli.core.errors import Conflict, Duplicate
from linli.core.models import AuditEvent
from linli.core.validators import (
    id_number_birth_date,
    id_number_gender,
    validate_birth_date,
    validate_id_number,
    validate_phone,
)
from linli.people.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    EmergencyContact,
    Gender,
    Household,
    Relation,
    Resident,
    ResidentTag,
    Tag,
)
from linli.people.signals import residents_moved


def _check_room(unit: Area, room: str) -> str:
    room = room.strip().removesuffix("室").removesuffix("号")
    if unit.kind != AreaKind.UNIT:
        raise ValidationError({"unit": _("请选择一个单元。")})
    if not unit.room_exists(room):
        raise ValidationError(
            {
                "room": _(
                    "%(unit)s没有%(room)s室:该单元共%(floors)s层,每层%(flats)s户,"
                    "房号如 101、%(example)s。"
                )
                % {
                    "unit": unit.name,
                    "room": room or "—",
                    "floors": unit.floors,
                    "flats": unit.flats_per_floor,
                    "example": f"{unit.floors}{unit.flats_per_floor or 1:02d}",
                }
            }
        )
    return room


@transaction.atomic
def household_create(*, actor: User | None, unit: Area, room: str, notes: str = "") -> Household:
    room = _check_room(unit, room)
    if Household.objects.filter(unit=unit, room=room).exists():
        raise ValidationError({"room": _("该房号已登记为一户,请直接在该户下添加成员。")})
    household = Household(unit=unit, room=room, notes=notes)
    household.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=household,
        fields=["unit", "room", "notes"],
    )
    return household


@transaction.atomic
def household_update(
    *, household: Household, actor: User | None, unit: Area, room: str, notes: str
) -> Household:
    room = _check_room(unit, room)
    clash = Household.objects.filter(unit=unit, room=room).exclude(pk=household.pk)
    if clash.exists():
        raise ValidationError({"room": _("该房号已登记为另一户。")})
    changed = [
        name
        for name, value in (("unit", unit), ("room", room), ("notes", notes))
        if getattr(household, name) != value
    ]
    household.unit, household.room, household.notes = unit, room, notes
    household.save()
    if "unit" in changed:
        # The members belong to the household's unit (Resident.area): they move with it.
        Resident.objects.filter(household=household).update(area=unit)
        residents_moved.send(
            sender=Resident,
            resident_ids=list(
                Resident.objects.filter(household=household).values_list("pk", flat=True)
            ),
        )
    if changed:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, fields=changed)
    return household


@dataclass(frozen=True)
class ResidentData:
    """What a register form collects about a person."""

    name: str
    gender: str
    birth_date: dt.date
    alias: str = ""
    id_number: str = ""
    phone: str = ""
    household: Household | None = None
    relation_to_head: str = Relation.HEAD
    notes: str = ""
    # Where a person without a household belongs (a community, compound or building);
    # ignored when there is a household: then the person belongs to its unit.
    area: Area | None = None


# Where someone registered without a household may be placed.
PLACE_KINDS = (AreaKind.COMMUNITY, AreaKind.COMPOUND, AreaKind.BUILDING)


def _resident_area(data: ResidentData) -> Area:
    if data.household is not None:
        return data.household.unit
    if data.area is None:
        raise ValidationError({"area": _("未登记住户的居民,请选择其所属的社区、小区或楼栋。")})
    if data.area.kind not in PLACE_KINDS:
        raise ValidationError({"area": _("所属区域只能是社区、小区或楼栋。")})
    return data.area


def _clean_resident(data: ResidentData) -> ResidentData:
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors.setdefault("name", []).append(_("请填写姓名。"))
    try:
        validate_birth_date(data.birth_date)
    except ValidationError as exc:
        errors.setdefault("birth_date", []).extend(exc.messages)
    id_number = ""
    if data.id_number.strip():
        try:
            id_number = validate_id_number(data.id_number)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
        else:
            if id_number_birth_date(id_number) != data.birth_date:
                errors.setdefault("birth_date", []).append(
                    _("出生日期与身份证号不一致(身份证号中为%(date)s)。")
                    % {"date": f"{id_number_birth_date(id_number):%Y-%m-%d}"}
                )
            if id_number_gender(id_number) != data.gender:
                errors.setdefault("gender", []).append(
                    _("性别与身份证号不一致(身份证号第17位表示%(gender)s)。")
                    % {"gender": Gender(id_number_gender(id_number)).label}
                )
    phone = ""
    if data.phone.strip():
        try:
            phone = validate_phone(data.phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    area = None
    try:
        area = _resident_area(data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return ResidentData(
        name=name,
        alias=data.alias.strip(),
        gender=data.gender,
        birth_date=data.birth_date,
        id_number=id_number,
        phone=phone,
        household=data.household,
        relation_to_head=data.relation_to_head,
        notes=data.notes.strip(),
        area=area,
    )


def _check_id_unique(id_number: str, exclude_pk: int | None = None) -> str:
    if not id_number:
        return ""
    digest = crypto.blind_index("id", id_number)
    clash = Resident.objects.filter(id_number_hash=digest)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"id_number": _("该身份证号已登记,请勿重复录入。")})
    return digest


def _set_tags(resident: Resident, tags: Mapping[Tag, str]) -> None:
    existing = {link.tag_id: link for link in resident.tag_links.all()}
    wanted = {tag.pk: (tag, detail.strip()) for tag, detail in tags.items()}
    for tag_id, link in existing.items():
        if tag_id not in wanted:
            link.delete()
    for tag_id, (tag, detail) in wanted.items():
        current = existing.get(tag_id)
        if current is None:
            ResidentTag.objects.create(resident=resident, tag=tag, detail=detail)
        elif current.detail != detail:
            current.detail = detail
            current.save(update_fields=["detail"])


@transaction.atomic
def resident_create(
    *,
    actor: User | None,
    data: ResidentData,
    tags: Mapping[Tag, str] | None = None,
    guardian_consent: ConsentGiver | None = None,
) -> Resident:
    """Register a person. A child under 14 is registered only together with the
    guardian's consent (``guardian_consent``), recorded in the same transaction."""
    data = _clean_resident(data)
    child = _is_child(data.birth_date)
    if child:
        if guardian_consent is None:
            raise ValidationError(
                {
                    "guardian_name": _(
                        "未满十四周岁的儿童,须由父母或其他监护人同意后才能登记其信息:"
                        "请填写监护人姓名、关系和同意方式。"
                    )
                }
            )
        _check_guardian(guardian_consent, child=None)
    resident = Resident(
        name=data.name,
        alias=data.alias,
        gender=data.gender,
        birth_date=data.birth_date,
        id_number=data.id_number,
        id_number_hash=_check_id_unique(data.id_number),
        phone=data.phone,
        phone_hash=crypto.blind_index("phone", data.phone) if data.phone else "",
        household=data.household,
        area=data.area,
        relation_to_head=data.relation_to_head,
        notes=data.notes,
    )
    resident.save()
    if tags:
        _set_tags(resident, tags)
    if child and guardian_consent is not None:
        consent_record(
            actor=actor,
            resident=resident,
            purpose=ConsentPurpose.MINOR,
            given_by_name=guardian_consent.name,
            given_by_relation=guardian_consent.relation,
            guardian=guardian_consent.guardian
            or _household_guardian(data.household, guardian_consent.name),
            method=guardian_consent.method,
            note=guardian_consent.note,
        )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=resident,
        fields=[f for f in ResidentData.__dataclass_fields__ if getattr(data, f)]
        + (["tags"] if tags else []),
    )
    return resident


@transaction.atomic
def resident_update(
    *,
    resident: Resident,
    actor: User | None,
    data: ResidentData,
    tags: Mapping[Tag, str] | None = None,
) -> Resident:
    require_processing_allowed(resident)
    data = _clean_resident(data)
    if (
        _is_child(data.birth_date)
        and not Consent.objects.filter(
            resident=resident, purpose=ConsentPurpose.MINOR, withdrawn_at__isnull=True
        ).exists()
    ):
        raise ValidationError(
            {"birth_date": _("按此出生日期该居民未满十四周岁:请先记录监护人同意,再修改。")}
        )
    changed = [
        f for f in ResidentData.__dataclass_fields__ if getattr(resident, f) != getattr(data, f)
    ]
    if "id_number" in changed:
        resident.id_number_hash = _check_id_unique(data.id_number, exclude_pk=resident.pk)
    if "phone" in changed:
        resident.phone_hash = crypto.blind_index("phone", data.phone) if data.phone else ""
    moved = resident.area_id != (data.area.pk if data.area else None)
    for f in ResidentData.__dataclass_fields__:
        setattr(resident, f, getattr(data, f))
    resident.save()
    if moved:
        residents_moved.send(sender=Resident, resident_ids=[resident.pk])
    if tags is not None:
        before = {(link.tag_id, link.detail) for link in resident.tag_links.all()}
        _set_tags(resident, tags)
        after = {(tag.pk, detail.strip()) for tag, detail in tags.items()}
        if before != after:
            changed.append("tags")
    if changed:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=resident, fields=changed)
    return resident


SENSITIVE_FIELDS = frozenset({"id_number", "phone"})


@transaction.atomic
def resident_reveal(*, resident: Resident, actor: User, field: str) -> str:
    """Return the full value of a masked field and record who looked at it."""
    if field not in SENSITIVE_FIELDS:
        raise ValidationError(_("该字段不能查看。"))
    require_processing_allowed(resident)
    audit_record(actor=actor, action=AuditEvent.Action.REVEAL, obj=resident, fields=[field])
    value: str = getattr(resident, field)
    return value


@transaction.atomic
def emergency_contact_add(
    *, resident: Resident, actor: User | None, name: str, relation: str, phone: str, note: str = ""
) -> EmergencyContact:
    require_processing_allowed(resident)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写联系人姓名。")]
    if not relation.strip():
        errors["relation"] = [_("请填写与居民的关系,如“儿子”。")]
    try:
        phone = validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    contact = EmergencyContact.objects.create(
        resident=resident,
        name=name.strip(),
        relation=relation.strip(),
        phone=phone,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=contact,
        fields=["name", "relation", "phone", "note"],
    )
    return contact


@transaction.atomic
def emergency_contact_remove(*, contact: EmergencyContact, actor: User | None) -> None:
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=contact)
    contact.delete()


@transaction.atomic
def tag_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    group: str = Tag.Group.OTHER,
    detail_label: str = "",
) -> Tag:
    tag = Tag(code=code, name=name.strip(), group=group, detail_label=detail_label)
    tag.full_clean()
    tag.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=tag, fields=["code", "name", "group"]
    )
    return tag


def tags_by_code(codes: Iterable[str]) -> dict[str, Tag]:
    return {t.code: t for t in Tag.objects.filter(code__in=list(codes))}


# --- consent (PIPL: separate consent for health data; a guardian's for a child under 14) ----


@dataclass(frozen=True)
class ConsentGiver:
    """Who gave a consent and how: for a child the guardian, for an adult the person.

    ``guardian`` is a registered resident (usually of the child's household); otherwise
    ``name`` and ``relation`` name the person who signed.
    """

    name: str = ""
    relation: str = ""
    guardian: Resident | None = None
    method: str = ConsentMethod.WRITTEN
    note: str = ""


def _clean_method(method: str) -> str:
    method = method.strip()
    by_label = {str(label): value for value, label in ConsentMethod.choices}
    if method in ConsentMethod.values:
        return method
    if method in by_label:
        return by_label[method]
    raise ValidationError({"method": _("请选择同意方式:书面签字、口头同意或线上确认。")})


def _is_child(birth_date: dt.date) -> bool:
    from linli.people.selectors import minor_birth_cutoff

    return birth_date > minor_birth_cutoff()


def _check_guardian(giver: ConsentGiver, *, child: Resident | None) -> None:
    errors: dict[str, list[str]] = {}
    if giver.guardian is None and not giver.name.strip():
        errors["guardian_name"] = [
            _("未满十四周岁的儿童,须由父母或其他监护人同意后才能登记其信息:请填写监护人。")
        ]
    if not giver.relation.strip():
        errors["guardian_relation"] = [_("请填写监护人与儿童的关系,如“母亲”。")]
    if giver.guardian is not None:
        if child is not None and giver.guardian.pk == child.pk:
            errors["guardian_name"] = [_("监护人不能是儿童本人。")]
        elif giver.guardian.age < 18:
            errors["guardian_name"] = [_("监护人须年满十八周岁。")]
    try:
        _clean_method(giver.method)
    except ValidationError as exc:
        errors["method"] = exc.messages
    if errors:
        raise ValidationError(errors)


def _household_guardian(household: Household | None, name: str) -> Resident | None:
    """The adult of the household with this name, so the consent links to them."""
    from linli.people.selectors import adult_birth_cutoff

    if household is None or not name.strip():
        return None
    return (
        Resident.objects.filter(
            household=household,
            name=name.strip(),
            anonymised_at__isnull=True,
            birth_date__lte=adult_birth_cutoff(),
        )
        .order_by("pk")
        .first()
    )


def require_processing_allowed(resident: Resident) -> None:
    """Refuse a write about a person whose data may no longer be processed.

    Every service that records something about a person calls this first; only
    re-consent and anonymisation stay possible (see ``selectors.processing_blocked_reason``).
    """
    from linli.people.selectors import processing_blocked_reason

    if reason := processing_blocked_reason(resident):
        raise ValidationError(reason)


@transaction.atomic
def consent_record(
    *,
    actor: User | None,
    resident: Resident,
    purpose: str,
    given_by_name: str = "",
    given_by_relation: str = "",
    guardian: Resident | None = None,
    method: str = ConsentMethod.WRITTEN,
    note: str = "",
) -> Consent:
    """Record a consent. A child under 14 needs a guardian's; an adult gives their own
    (or someone signs for them, named with their relation)."""
    from django.utils import timezone

    if resident.anonymised_at is not None:
        raise Conflict(_("该居民的信息已匿名化,不能再记录授权。"))
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("未知的授权用途。")})
    if _is_child(resident.birth_date):
        giver = ConsentGiver(
            name=given_by_name, relation=given_by_relation, guardian=guardian, method=method
        )
        _check_guardian(giver, child=resident)
        if guardian is None:
            guardian = _household_guardian(resident.household, given_by_name)
    elif guardian is not None and guardian.pk == resident.pk:
        guardian = None
    method = _clean_method(method)
    given_by = given_by_name.strip() or (guardian.name if guardian else resident.name)
    relation = given_by_relation.strip()
    if not relation and guardian is None and given_by == resident.name:
        relation = str(_("本人"))
    if Consent.objects.filter(
        resident=resident, purpose=purpose, withdrawn_at__isnull=True
    ).exists():
        raise Duplicate({"purpose": _("该居民已有此用途的有效授权。")})
    consent = Consent(
        resident=resident,
        purpose=purpose,
        given_by_name=given_by[:50],
        given_by_relation=relation[:20],
        guardian=guardian,
        method=method,
        note=note.strip()[:200],
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    consent.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=consent,
        fields=["resident", "purpose", "given_by_name", "given_by_relation", "guardian", "method"],
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User | None, consent: Consent, note: str) -> Consent:
    """Withdraw a consent: the record stays as evidence; processing and display stop."""
    from django.utils import timezone

    if not note.strip():
        raise ValidationError({"note": _("请填写撤回原因,如“监护人书面要求撤回”。")})
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_at is not None:
        raise Conflict(_("该授权已撤回。"))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = actor
    locked.withdrawal_note = note.strip()[:200]
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        fields=["withdrawn_at"],
        note="撤回授权",
    )
    return locked
