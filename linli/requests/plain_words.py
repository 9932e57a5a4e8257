"""A request as the resident who reported it reads it: what happened, in plain words.

The office's words — status names (待受理, 已派单), transitions (派单, 核实关闭), who a request
was escalated to, staff's remarks — are for the staff's timeline. The resident's status line is
``templatetags.requests_tags.resident_status_text``; this is the resident's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linli.requests.models import RequestEvent


@dataclass(frozen=True)
class ResidentEvent:
    """One line of the timeline as the resident reads it."""

    at: dt.datetime
    text: str
    note: str = ""  # kept only where it is written for the resident: a result, a reason


# What each step means to the resident, by the transition that made it, and whether its note
# is shown: the result of the work and the reason for not taking it on are written for them.
_STEP_WORDS = {
    "accept": (gettext_noop("社区已收到,正在安排人手"), False),
    "assign": (gettext_noop("已安排专人来办"), False),
    "reassign": (gettext_noop("换了一位工作人员来办"), False),
    "start": (gettext_noop("工作人员开始处理了"), False),
    "resolve": (gettext_noop("已经办好了,请您看看是否满意"), True),
    "close": (gettext_noop("事情已了结"), False),
    "rework": (gettext_noop("社区复查后认为还没办好,重新办理"), False),
    "reopen": (gettext_noop("回访时说还没解决,重新办理"), False),
    "reject": (gettext_noop("社区没有受理这件事"), True),
}
_KIND_WORDS: dict[str, str] = {
    RequestEvent.Kind.SUBMITTED: gettext_noop("您反映的问题已送到社区"),
    RequestEvent.Kind.ESCALATION: gettext_noop("超过了办理时限,已报请上级督办"),
    RequestEvent.Kind.FEEDBACK: gettext_noop("收到了对办理结果的评价"),
    RequestEvent.Kind.MEDIATION: gettext_noop("调解有了新进展"),
    RequestEvent.Kind.CONTACTED: gettext_noop("工作人员已与您联系"),
}


def resident_timeline(events: Iterable[RequestEvent]) -> list[ResidentEvent]:
    """The timeline for the resident: staff's own remarks (``comment``: a changed category,
    a repeat report, a cleared urgency) are left out, and no step names who did it."""
    lines = []
    for event in events:
        if event.transition in _STEP_WORDS:
            words, keep_note = _STEP_WORDS[event.transition]
            note = event.note if keep_note else ""
            lines.append(ResidentEvent(at=event.created_at, text=_(words), note=note))
        elif event.kind in _KIND_WORDS:
            lines.append(ResidentEvent(at=event.created_at, text=_(_KIND_WORDS[event.kind])))
    return lines
