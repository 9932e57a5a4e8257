"""The one-page A4 summary of an activity (活动小结), for the community's files.

The figures are computed (never typed): signed up, attended, people served per service
(typed counts plus clinic readings), partners, volunteer hours and follow-up requests.
fpdf2 embeds a subset of the CJK font :func:`linli.core.fonts.cjk_font` finds (as the
volunteer certificates do). Long lists are cut so the page is always one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from linli.activities.models import Activity, SignupStatus
from linli.activities.selectors import activity_served, audience_label, people_served
from linli.core.fonts import cjk_font
from linli.volunteers.models import ServiceRecord, ServiceSource

MAX_SERVICES = 8
MAX_TEXT = 240
MAX_VALUE = 66  # two lines of a value
FOOTER = 30  # mm kept free at the bottom for the footer


@dataclass(frozen=True)
class ActivitySummary:
    activity: Activity
    signed_up: int
    waiting: int
    attended: int
    served: list[tuple[str, int]]
    people_served: int
    organisers: list[str]
    partners: list[str]
    volunteers: int
    volunteer_minutes: int
    followups: int

    @property
    def volunteer_hours(self) -> float:
        return round(self.volunteer_minutes / 60, 1)


def activity_summary(activity: Activity) -> ActivitySummary:
    signups = activity.signups.exclude(status=SignupStatus.CANCELLED)
    records = ServiceRecord.objects.counted().filter(
        source=ServiceSource.ACTIVITY, source_id=str(activity.pk)
    )
    return ActivitySummary(
        activity=activity,
        signed_up=signups.filter(status=SignupStatus.CONFIRMED).count(),
        waiting=signups.filter(status=SignupStatus.WAITING).count(),
        attended=signups.filter(checked_in_at__isnull=False).count(),
        served=activity_served(activity),
        people_served=people_served(activity),
        organisers=[str(o) for o in activity.organisers.order_by("name")],
        partners=[str(o) for o in activity.partners.order_by("name")],
        volunteers=records.values("volunteer").distinct().count(),
        volunteer_minutes=int(records.aggregate(m=Sum("minutes"))["m"] or 0),
        followups=activity.followups.count(),
    )


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def activity_summary_pdf(summary: ActivitySummary) -> bytes:
    activity = summary.activity
    path, face = cjk_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_("活动小结"))
    pdf.set_creator("Linli")
    pdf.add_font("cjk", "", str(path), collection_font_number=face)
    pdf.set_margins(20, 18, 20)
    # Everything below is cut to fit: one page, never a second.
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()

    pdf.set_font("cjk", size=18)
    pdf.cell(0, 10, _("活动小结"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=13)
    pdf.multi_cell(
        0, 7, _cut(activity.title, 100), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(3)

    start = timezone.localtime(activity.starts_at)
    end = timezone.localtime(activity.ends_at)
    place = str(activity.place or activity.community)
    if activity.place_detail:
        place += f" {activity.place_detail}"
    facts = [
        (_("活动类型"), activity.kind.name),
        (_("主办社区"), activity.community.name),
        (_("时间"), f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"),
        (_("地点"), place),
        (_("面向对象"), audience_label(activity)),
        (_("状态"), str(activity.get_status_display())),
        (_("主办单位"), "、".join(summary.organisers) or _("社区")),
        (_("协办/共建单位"), "、".join(summary.partners) or _("无")),
    ]
    _rows(pdf, facts)

    pdf.ln(3)
    _heading(pdf, _("活动数据"))
    figures = [
        (_("报名人数"), str(summary.signed_up)),
        (_("候补人数"), str(summary.waiting)),
        (_("签到人数"), str(summary.attended)),
        (_("服务人数(至少)"), str(summary.people_served)),
        (
            _("志愿服务"),
            _("%(people)s 人,%(hours)s 小时")
            % {"people": summary.volunteers, "hours": summary.volunteer_hours},
        ),
        (_("后续诉求"), _("%(n)s 件") % {"n": summary.followups}),
    ]
    _rows(pdf, figures)

    pdf.ln(3)
    _heading(pdf, _("各项服务人数"))
    served = summary.served[:MAX_SERVICES]
    if served:
        _rows(pdf, [(service, str(n)) for service, n in served])
        if len(summary.served) > MAX_SERVICES:
            _rows(
                pdf, [(_("其他"), _("另有 %(n)s 项") % {"n": len(summary.served) - MAX_SERVICES})]
            )
    else:
        pdf.set_font("cjk", size=11)
        pdf.cell(0, 7, _("未登记服务人数。"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if activity.summary or activity.cancel_reason:
        pdf.ln(3)
        _heading(pdf, _("活动总结") if activity.summary else _("取消原因"))
        pdf.set_font("cjk", size=11)
        lines = max(1, int((pdf.h - FOOTER - pdf.get_y()) // 6))
        pdf.multi_cell(
            0,
            6,
            _cut(activity.summary or activity.cancel_reason, min(MAX_TEXT, lines * 36)),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    pdf.set_y(-FOOTER + 4)
    pdf.set_font("cjk", size=9)
    pdf.multi_cell(
        0,
        5,
        _(
            "本表由邻里平台根据报名、签到、服务登记和志愿服务记录生成,未列出个人信息。"
            "\n生成时间:%(now)s"
        )
        % {"now": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())


def _room(pdf: FPDF, mm: float) -> bool:
    return bool(pdf.get_y() + mm <= pdf.h - FOOTER)


def _heading(pdf: FPDF, text: str) -> None:
    if not _room(pdf, 15):
        return
    pdf.set_font("cjk", size=13)
    pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _rows(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    pdf.set_font("cjk", size=11)
    for label, value in rows:
        if not _room(pdf, 14):
            return
        pdf.cell(42, 7, _cut(label, 12), new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.multi_cell(0, 7, _cut(value, MAX_VALUE), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
