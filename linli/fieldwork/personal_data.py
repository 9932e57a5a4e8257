"""What field work holds about a resident, for :mod:`linli.privacy`: the sink-down visits
on which a cadre listened to them (linked in ``SinkDownListener``), and their name in the
free text a cadre or grid worker wrote (households visited, notes, concerns, findings)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.fieldwork.models import PatrolFinding, SinkDownConcern, SinkDownListener, SinkDownVisit
from linli.people.models import Resident
from linli.privacy.registry import ANONYMOUS_NAME, Row, Sections, format_date

VISIT_TEXT_FIELDS = ("households", "listened_to", "notes")


def _visits_naming(resident: Resident) -> list[SinkDownVisit]:
    linked = SinkDownListener.objects.filter(resident=resident).values("visit_id")
    named = Q()
    for field in VISIT_TEXT_FIELDS:
        named |= Q(**{f"{field}__contains": resident.name})
    query = SinkDownVisit.objects.filter(Q(pk__in=linked) | (named if resident.name else Q(pk=0)))
    return list(query.select_related("posting__compound", "posting__grid", "cadre"))


def export_fieldwork(resident: Resident) -> Sections:
    visits: list[Row] = [
        {
            _("下沉日期"): format_date(v.visited_on),
            _("下沉干部"): str(v.cadre),
            _("地点"): v.posting.place_name,
            _("走访住户"): v.households,
            _("倾听对象"): v.listened_to,
            _("民情日记"): v.notes,
        }
        for v in _visits_naming(resident)
    ]
    return {_("干部下沉走访"): visits} if visits else {}


def _scrub(text: str, name: str) -> str:
    return text.replace(name, ANONYMOUS_NAME) if name else text


def anonymise_fieldwork(resident: Resident, actor: User | None) -> None:
    """Unlink the resident from the visits and replace their name in the free text."""
    name = resident.name
    visits = _visits_naming(resident)
    SinkDownListener.objects.filter(resident=resident).delete()
    if not name:
        return
    for visit in visits:
        for field in VISIT_TEXT_FIELDS:
            setattr(visit, field, _scrub(getattr(visit, field), name))
        visit.save(update_fields=list(VISIT_TEXT_FIELDS))
    for concern in SinkDownConcern.objects.filter(text__contains=name):
        concern.text = _scrub(concern.text, name)
        concern.save(update_fields=["text"])
    for finding in PatrolFinding.objects.filter(text__contains=name):
        finding.text = _scrub(finding.text, name)
        finding.save(update_fields=["text"])
