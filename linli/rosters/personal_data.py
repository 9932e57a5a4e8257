"""What the roster holds about a person, for the privacy mechanism (:mod:`linli.privacy`):
the visits planned to them (and by them, if they volunteer) and the gaps in their cover."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.people.models import Resident
from linli.privacy.registry import Row, Sections, format_date
from linli.rosters.models import RosterAssignment, RosterGap


def export_roster(resident: Resident) -> Sections:
    planned: list[Row] = [
        {
            _("计划日期"): format_date(a.day),
            _("时段"): a.get_slot_display(),
            _("关爱对象"): str(a.resident),
            _("志愿者"): str(a.volunteer),
        }
        for a in RosterAssignment.objects.filter(
            Q(resident=resident) | Q(volunteer__resident=resident)
        )
        .select_related("resident", "volunteer")
        .order_by("day", "slot", "pk")
    ]
    return {_("走访排班"): planned}


def anonymise_roster(resident: Resident, actor: User | None) -> None:
    """The roster is a plan, not a record: the person's rows go (visits done are in care)."""
    RosterAssignment.objects.filter(Q(resident=resident) | Q(volunteer__resident=resident)).delete()
    RosterGap.objects.filter(resident=resident).delete()
