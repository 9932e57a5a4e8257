"""The one privacy gate: which records about a person may be shown, processed or revealed.

Every app narrows what it shows about people through :func:`visible` (a user looks) or
:func:`processable` (background work: alerts, rosters), which read the model's
registration in :mod:`linli.privacy.registry`; its services call
:func:`require_processing` before writing; its pages and API ask :func:`may_see` before
showing a sensitive field. The rules live here once:

* an anonymised person is gone from every list, page, alert and roster;
* a child under 14 without an active guardian's consent is hidden (only those who
  manage consent over the child see them in the register, to re-consent or anonymise);
* health data (readings, health alerts, diagnoses, care notes) needs both the role's
  ``health.view`` over the person and the person's active health consent — withdrawn
  consent hides what was recorded and stops new recording.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.selectors import AnyUser
from linli.core.roles import Capability
from linli.people.models import ConsentPurpose, Resident
from linli.people.selectors import (
    children_without_consent_condition,
    consent_active,
    hide_children_without_consent,
    processing_blocked_reason,
    residents_with_health_processing,
    visible_residents,
)
from linli.privacy.registry import is_kept, subject_lookup

M = TypeVar("M", bound=Model)

HEALTH_CONSENT_MISSING = gettext_lazy(
    "该居民没有有效的健康信息授权同意(未登记或已撤回),不能记录或查看血压、血糖等健康数据;"
    "走访本身仍可记录。"
)


class Sensitive(enum.StrEnum):
    """Kinds of field that a role may see only with a capability and a consent."""

    # Readings, health alerts, diagnoses and care notes about diet or medicine:
    # ``health.view`` over the person and their active health consent.
    HEALTH = "health"
    # The care team's working notes (what was said on a visit, how an alert was closed):
    # ``health.view`` over the person — the care team and staff, not leaders.
    CARE_NOTES = "care_notes"


def _prefix(model: type[Model]) -> str:
    lookup = subject_lookup(model)
    return f"{lookup}__" if lookup else ""


def processable(queryset: QuerySet[M]) -> QuerySet[M]:
    """Records about people whose data may still be processed: not anonymised, and not a
    child without an active guardian's consent. For background work with no user."""
    prefix = _prefix(queryset.model)
    if is_kept(queryset.model):
        return queryset
    return queryset.filter(**{f"{prefix}anonymised_at__isnull": True}).exclude(
        children_without_consent_condition(prefix=prefix)
    )


def visible(
    queryset: QuerySet[M], user: AnyUser, *, consent_managers_see_children: bool = False
) -> QuerySet[M]:
    """Narrow an already scoped queryset to what the privacy rules let ``user`` see.

    ``consent_managers_see_children`` is for the register itself: whoever manages
    consent over a child without one must still find the child to record it again.
    """
    if not consent_managers_see_children or is_kept(queryset.model):
        return processable(queryset)
    prefix = _prefix(queryset.model)
    return hide_children_without_consent(
        queryset.filter(**{f"{prefix}anonymised_at__isnull": True}), user, prefix=prefix
    )


def processing_refusal(resident: Resident, *, purpose: str | None = None) -> str:
    """Why nothing (or nothing of ``purpose``) may be recorded about the person; "" if it may."""
    if reason := processing_blocked_reason(resident):
        return reason
    if purpose is not None and not consent_active(resident=resident, purpose=purpose):
        if purpose == ConsentPurpose.HEALTH:
            return str(HEALTH_CONSENT_MISSING)
        return _("该居民没有这项用途的有效授权同意,不能记录。")
    return ""


def require_processing(
    resident: Resident, *, purpose: str | None = None, field: str | None = None
) -> None:
    """Refuse a write about a person whose data (of ``purpose``) may not be processed.

    Every service that records something about a person calls this before writing.
    ``field`` puts the message on that form field.
    """
    if reason := processing_refusal(resident, purpose=purpose):
        raise ValidationError({field: [reason]} if field else reason)


def health_visible_residents(user: AnyUser) -> QuerySet[Resident]:
    """Residents whose health data ``user`` may see now: their role's ``health.view``
    covers the person and the person's health consent is active."""
    return residents_with_health_processing(visible_residents(user, Capability.HEALTH_VIEW))


def health_visible_ids(user: AnyUser, resident_ids: Iterable[int]) -> set[int]:
    """Of these residents, the ids whose health data ``user`` may see (one query)."""
    ids = {pk for pk in resident_ids if pk is not None}
    if not ids:
        return set()
    return set(
        health_visible_residents(user).filter(pk__in=ids).values_list("pk", flat=True).distinct()
    )


def care_notes_visible_ids(user: AnyUser, resident_ids: Iterable[int]) -> set[int]:
    """Of these residents, the ids whose care notes ``user`` may see (one query)."""
    ids = {pk for pk in resident_ids if pk is not None}
    if not ids:
        return set()
    return set(
        visible_residents(user, Capability.HEALTH_VIEW)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
        .distinct()
    )


def may_see(user: AnyUser, resident: Resident, what: Sensitive) -> bool:
    """Whether ``user`` may see fields of kind ``what`` about ``resident``."""
    if what is Sensitive.HEALTH:
        return resident.pk in health_visible_ids(user, [resident.pk])
    return resident.pk in care_notes_visible_ids(user, [resident.pk])
