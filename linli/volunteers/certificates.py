"""The 志愿服务证明 as a PDF, in Chinese, from what a :class:`ServiceCertificate` recorded.

fpdf2 embeds a subset of the CJK font :func:`linli.core.fonts.cjk_font` finds (Debian's
Noto Sans CJK), so the PDF shows the same glyphs on any reader.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from linli.core.fonts import cjk_font
from linli.core.validators import mask_id_number
from linli.volunteers.models import ServiceCertificate
from linli.volunteers.selectors import hours_for_minutes


def certificate_pdf(certificate: ServiceCertificate) -> bytes:
    volunteer = certificate.volunteer
    resident = volunteer.resident
    id_masked = mask_id_number(resident.id_number) if resident and resident.id_number else ""
    hours = hours_for_minutes(certificate.minutes)
    issuer = certificate.issuer.name
    path, face = cjk_font()

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(str(_("志愿服务证明")))
    pdf.set_creator("Linli")
    pdf.add_font("cjk", "", str(path), collection_font_number=face)
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.add_page()

    pdf.set_font("cjk", size=10)
    pdf.cell(
        0,
        6,
        _("证明编号:%(number)s") % {"number": certificate.number},
        align=Align.R,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(12)
    pdf.set_font("cjk", size=26)
    pdf.cell(0, 14, _("志愿服务证明"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)

    pdf.set_font("cjk", size=13)
    period = (
        _("%(start)s 至 %(end)s")
        % {
            "start": _date(certificate.period_start),
            "end": _date(certificate.period_end),
        }
        if certificate.period_start
        else _("截至 %(end)s") % {"end": _date(certificate.period_end)}
    )
    rows = [
        (_("姓名"), volunteer.name),
        (_("身份证号"), id_masked or _("(未登记)")),
        (_("志愿者类型"), str(volunteer.get_kind_display())),
        (_("服务期间"), period),
        (
            _("服务时长"),
            _("%(hours)s 小时(共 %(count)s 次服务,不含往返路途时间)")
            % {"hours": hours, "count": certificate.record_count},
        ),
        (_("服务内容"), certificate.content_summary),
    ]
    label_width = 32
    for label, value in rows:
        pdf.cell(label_width, 10, f"{label}:", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.multi_cell(0, 10, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    body = _(
        "兹证明%(name)s同志在%(issuer)s参加志愿服务,累计服务时长%(hours)s小时,"
        "服务记录真实有效。特此证明。"
    ) % {"name": volunteer.name, "issuer": issuer, "hours": hours}
    pdf.multi_cell(0, 9, "\u3000\u3000" + body, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(24)
    pdf.cell(
        0,
        10,
        _("出具单位:%(issuer)s") % {"issuer": issuer},
        align=Align.R,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.cell(
        0,
        10,
        _("出具日期:%(date)s") % {"date": _date(certificate.issued_on)},
        align=Align.R,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(20)
    pdf.set_font("cjk", size=9)
    pdf.multi_cell(
        0,
        5,
        _(
            "本证明依据社区志愿服务记录出具,服务时长不含往返路途时间。"
            "可凭证明编号向出具单位核验。\n生成时间:%(now)s"
        )
        % {"now": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())


def _date(value: object) -> str:
    if value is None:
        return ""
    return f"{value:%Y年%m月%d日}"
